/**
 * A logged-in API session for arranging and checking what the browser cannot see: it keeps
 * the session cookie and sends the CSRF token like the console does.
 */
export interface ApiAnswer<T> {
  status: number;
  body: T;
}

export interface SessionInfo {
  user: { id: string | number; email: string; name: string; role: string };
  organisation: { id: string | number; name: string };
  csrfToken: string;
}

export class ApiSession {
  private constructor(
    readonly baseUrl: string,
    private readonly cookie: string,
    readonly session: SessionInfo,
  ) {}

  static async login(baseUrl: string, email: string, password: string): Promise<ApiSession> {
    const response = await fetch(`${baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`Login as ${email} answered ${response.status}: ${text}`);
    const cookie = response.headers
      .getSetCookie()
      .map((c) => c.split(';', 1)[0])
      .join('; ');
    return new ApiSession(baseUrl, cookie, JSON.parse(text) as SessionInfo);
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { Cookie: this.cookie, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') headers['X-CSRF-Token'] = this.session.csrfToken;
    const response = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Keep the raw text for the failure message.
    }
    return { status: response.status, body: parsed as T };
  }

  /** Like request, but fails the test unless the status is the expected one. */
  async expect<T = unknown>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.request<T>(method, path, body);
    if (answer.status !== status) {
      throw new Error(`${method} ${path} answered ${answer.status}, expected ${status}: ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  }

  async sandboxNumber(): Promise<{ id: string | number; ourNumber: string; surveyId: string | number }> {
    const page = await this.expect<{ items: { id: string | number; provider: string; ourNumber: string; surveyId: string | number }[] }>(
      200,
      'GET',
      '/numbers',
    );
    const number = page.items.find((n) => n.provider === 'sandbox');
    if (!number) throw new Error('The demo sandbox number is missing');
    return number;
  }

  /** Texts the sandbox number from `from`, as the phone simulator does. */
  async textIn(numberId: string | number, from: string, text: string): Promise<void> {
    await this.expect(202, 'POST', `/numbers/${encodeURIComponent(String(numberId))}/simulator`, { from, text });
  }
}
