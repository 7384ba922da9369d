import { generateSync } from 'otplib';
import type { Harness } from './harness.js';

export const PASSWORD = 'a-long-password-1';

let addressCounter = 0;
/** A fresh client address per sign-in, so one test's throttle never touches another's. */
export const newAddress = () => `203.0.113.${(addressCounter = (addressCounter % 250) + 1)}`;

/** A clock the server reads, moved by tests instead of sleeping. */
export function drivenClock() {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms: number) => {
      offset += ms;
    },
  };
}

/** The TOTP code an authenticator app shows for `secret` at `at` (ms). */
export const totpAt = (secret: string, at: number) => generateSync({ secret, epoch: Math.floor(at / 1000) });

/** Requests as a browser makes them: a session cookie, its CSRF token, a client address. */
export function sessionClient(h: Harness) {
  async function call(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    options: { cookie?: string; csrf?: string; token?: string; body?: unknown; ip?: string } = {},
  ) {
    const headers: Record<string, string> = {};
    if (options.cookie) headers.cookie = options.cookie;
    if (options.csrf) headers['x-csrf-token'] = options.csrf;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await h.caseline().app.inject({
      method,
      url,
      headers,
      payload: options.body === undefined ? undefined : JSON.stringify(options.body),
      remoteAddress: options.ip ?? newAddress(),
    });
    const json = String(res.headers['content-type'] ?? '').includes('json');
    return { status: res.statusCode, headers: res.headers, body: json && res.body ? res.json() : res.body || null };
  }

  async function login(email: string, options: { password?: string; code?: string; ip?: string } = {}) {
    const body = { email, password: options.password ?? PASSWORD, ...(options.code === undefined ? {} : { code: options.code }) };
    const res = await call('POST', '/api/v1/session', { body, ip: options.ip });
    const setCookie = String(res.headers['set-cookie'] ?? '');
    return { ...res, setCookie, cookie: setCookie.split(';')[0]!, csrf: res.body?.csrfToken as string };
  }

  /** A signed-in browser: its cookie and CSRF token go with every request. */
  type Browser = { cookie: string; csrf: string };
  const as = (browser: Browser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
    call(method, url, { cookie: browser.cookie, csrf: browser.csrf, body });

  return { call, login, as };
}
