import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestUser } from '../support/harness.js';
import { drivenClock, newAddress, PASSWORD, sessionClient, totpAt } from '../support/sign-in-kit.js';

const STEP_MS = 30_000;

/** Two-factor sign-in (DESIGN.md §9, §13 "two-factor", "two-factor details"). */
describeEachDialect('two-factor', (dialect) => {
  const clock = drivenClock();
  const h = useCaseline(dialect, { now: clock.now });
  const { call, login } = sessionClient(h);

  /** A TOTP code for the server's current time step, moving the clock on a step first so it was never used. */
  const freshCode = (secret: string) => {
    clock.advance(STEP_MS);
    return totpAt(secret, clock.now());
  };

  async function enrol(user: TestUser): Promise<{ secret: string; recoveryCodes: string[] }> {
    const begun = await h.request('POST', '/api/v1/users/me/two-factor', { token: user.token });
    expect(begun.status).toBe(200);
    const confirmed = await h.request('POST', '/api/v1/users/me/two-factor/confirm', {
      token: user.token,
      body: { code: freshCode(begun.body.secret) },
    });
    expect(confirmed.status).toBe(200);
    return { secret: begun.body.secret, recoveryCodes: confirmed.body.recoveryCodes };
  }

  it('enrolling: a sealed secret and its otpauth URL, in force only once a code confirms it; ten recovery codes shown once', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const begun = await h.request('POST', '/api/v1/users/me/two-factor', { token: user.token });
    expect(begun.status).toBe(200);
    const { secret, otpauthUrl } = begun.body;
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    const url = new URL(otpauthUrl);
    expect(url.protocol).toBe('otpauth:');
    expect(decodeURIComponent(url.pathname)).toContain(`Caseline:${user.email}`);
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('issuer')).toBe('Caseline');
    const stored = await h.caseline().db.kysely.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(stored.totp_secret).not.toContain(secret);
    expect(stored.totp_enabled_at).toBeNull();

    // Not yet confirmed: the password alone still signs in.
    expect((await login(user.email)).status).toBe(200);

    const wrong = await h.request('POST', '/api/v1/users/me/two-factor/confirm', { token: user.token, body: { code: '000000' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_two_factor_code');

    const confirmed = await h.request('POST', '/api/v1/users/me/two-factor/confirm', {
      token: user.token,
      body: { code: freshCode(secret) },
    });
    expect(confirmed.status).toBe(200);
    const codes: string[] = confirmed.body.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const hashes = await h.caseline().db.kysely.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute();
    expect(hashes).toHaveLength(10);
    expect(hashes.some((r) => codes.some((c) => r.code_hash.includes(c) || r.code_hash.includes(c.replace(/-/g, ''))))).toBe(false);

    const session = await login(user.email, { code: freshCode(secret) });
    expect(session.status).toBe(200);
    expect(session.body.twoFactor).toEqual({ enabled: true, enrolmentRequired: false });
    // Starting again while on would silently replace the secret.
    expect((await h.request('POST', '/api/v1/users/me/two-factor', { token: user.token })).status).toBe(409);
  });

  it('signing in: no code gets two_factor_required and no session; a wrong code is refused; the right one signs in', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'admin');
    const { secret } = await enrol(user);

    const noCode = await login(user.email);
    expect(noCode.status).toBe(401);
    expect(noCode.body.error.code).toBe('two_factor_required');
    expect(noCode.setCookie).toBe('');
    // A wrong password says nothing about two-factor, with or without a code.
    const wrongPassword = await login(user.email, { password: 'not-the-password', code: freshCode(secret) });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.error.code).toBe('invalid_credentials');

    const wrongCode = await login(user.email, { code: '123456' === totpAt(secret, clock.now()) ? '654321' : '123456' });
    expect(wrongCode.status).toBe(400);
    expect(wrongCode.body.error.code).toBe('invalid_two_factor_code');
    expect(wrongCode.setCookie).toBe('');

    const signedIn = await login(user.email, { code: freshCode(secret) });
    expect(signedIn.status).toBe(200);
    const me = await call('GET', '/api/v1/session', { cookie: signedIn.cookie });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(user.email);
  });

  it('a code is good once: the same code, or an earlier one of its window, is refused; the next step signs in', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const { secret } = await enrol(user);
    const code = freshCode(secret);
    const previous = totpAt(secret, clock.now() - STEP_MS);
    expect((await login(user.email, { code })).status).toBe(200);

    const again = await login(user.email, { code });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('invalid_two_factor_code');
    // Still inside the ±1 step window, but before the step last used.
    expect((await login(user.email, { code: previous })).status).toBe(400);
    // Ten seconds on, the same code is still in its window: still refused.
    clock.advance(10_000);
    expect((await login(user.email, { code })).status).toBe(400);

    expect((await login(user.email, { code: freshCode(secret) })).status).toBe(200);
  });

  it('two sign-ins with the same code at once: only one gets a session', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const { secret } = await enrol(user);
    const code = freshCode(secret);
    const answers = await Promise.all([login(user.email, { code }), login(user.email, { code })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
  });

  it('a recovery code signs in once, typed in any case and without dashes; a used one is refused', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'viewer');
    const { recoveryCodes } = await enrol(user);
    const [first, second] = recoveryCodes as [string, string];
    expect((await login(user.email, { code: first })).status).toBe(200);
    const reused = await login(user.email, { code: first });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('invalid_two_factor_code');
    expect((await login(user.email, { code: second.replace(/-/g, '').toLowerCase() })).status).toBe(200);
    const used = await h.caseline().db.kysely.selectFrom('recovery_codes').select('used_at').where('user_id', '=', user.id).execute();
    expect(used.filter((r) => r.used_at !== null)).toHaveLength(2);
  });

  it("another user's codes do not work", async () => {
    const org = await h.newOrg();
    const mine = await h.addUser(org.orgId, 'analyst');
    const theirs = await h.addUser(org.orgId, 'analyst');
    await enrol(mine);
    const other = await enrol(theirs);
    expect((await login(mine.email, { code: other.recoveryCodes[0] })).status).toBe(400);
    expect((await login(mine.email, { code: freshCode(other.secret) })).status).toBe(400);
  });

  it('wrong codes count against the account like wrong passwords: after ten, even the right code waits', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const { secret } = await enrol(user);
    const right = freshCode(secret);
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 10; i++) expect((await login(user.email, { code: wrong, ip: newAddress() })).status).toBe(400);
    const throttled = await login(user.email, { code: right, ip: newAddress() });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('rate_limited');
  });

  it('turning off takes a code: a wrong one changes nothing; a TOTP or recovery code turns it off and the password alone signs in again', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const { secret, recoveryCodes } = await enrol(user);
    const refused = await h.request('DELETE', '/api/v1/users/me/two-factor', { token: user.token, body: { code: '999999' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_two_factor_code');
    expect((await login(user.email)).body.error.code).toBe('two_factor_required');

    const off = await h.request('DELETE', '/api/v1/users/me/two-factor', { token: user.token, body: { code: freshCode(secret) } });
    expect(off.status).toBe(204);
    const signedIn = await login(user.email);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.twoFactor).toEqual({ enabled: false, enrolmentRequired: false });
    expect(await h.caseline().db.kysely.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute()).toEqual(
      [],
    );
    // Already off: nothing to turn off.
    expect((await h.request('DELETE', '/api/v1/users/me/two-factor', { token: user.token, body: { code: recoveryCodes[0] } })).status).toBe(
      409,
    );

    // On again, and off with a recovery code.
    const again = await enrol(user);
    const offByRecovery = await h.request('DELETE', '/api/v1/users/me/two-factor', {
      token: user.token,
      body: { code: again.recoveryCodes[3] },
    });
    expect(offByRecovery.status).toBe(204);
    expect((await login(user.email, { password: PASSWORD })).status).toBe(200);
  });

  it('a user the policy covers cannot turn two-factor off, even with a good code', async () => {
    const org = await h.newOrg();
    const { secret } = await enrol(org.admin);
    expect(
      (await h.request('PATCH', '/api/v1/organisation', { token: org.admin.token, body: { requireTwoFactor: 'admins' } })).status,
    ).toBe(200);
    const refused = await h.request('DELETE', '/api/v1/users/me/two-factor', { token: org.admin.token, body: { code: freshCode(secret) } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await login(org.admin.email)).body.error.code).toBe('two_factor_required');
  });
});
