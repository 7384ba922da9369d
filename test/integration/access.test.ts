import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';

/** Who may do what: roles, organisations, sessions, CSRF and login throttling. */
describeEachDialect('access', (dialect) => {
  const h = useCaseline(dialect);
  const ALICE = '+447700900123';

  it('a viewer can read a case but cannot reply, lock, edit or add notes', async () => {
    const org = await h.newOrg();
    const viewer = await h.addUser(org.orgId, 'viewer');
    await h.text(org, ALICE, 'hello');
    const [c] = await h.records(org);
    const n = c!.caseNumber;
    expect((await h.request('GET', `/api/v1/records/${n}`, { token: viewer.token })).status).toBe(200);
    const writes = await Promise.all([
      h.request('POST', `/api/v1/records/${n}/lock`, { token: viewer.token }),
      h.request('POST', `/api/v1/records/${n}/notifications`, { token: viewer.token, body: { target: 'conversation', text: 'x' } }),
      h.request('PATCH', `/api/v1/records/${n}`, { token: viewer.token, body: { answers: { notes_text: 'x' } } }),
      h.request('POST', `/api/v1/records/${n}/notes`, { token: viewer.token, body: { text: 'x' } }),
    ]);
    expect(writes.map((w) => [w.status, w.body.error.code])).toEqual(Array(4).fill([403, 'forbidden']));
    const record = await h.record(org, n);
    expect(record.lockedBy).toBeNull();
    expect(record.notes).toEqual([]);
    expect(record.messages).toHaveLength(1);
  });

  it('a viewer cannot reply even while holding the lock', async () => {
    const org = await h.newOrg();
    const viewer = await h.addUser(org.orgId, 'viewer');
    await h.text(org, ALICE, 'hello');
    const n = (await h.records(org))[0]!.caseNumber;
    await h.caseline().db.kysely.updateTable('records').set({ locked_by: viewer.id }).execute();
    const reply = await h.request('POST', `/api/v1/records/${n}/notifications`, {
      token: viewer.token,
      body: { target: 'conversation', text: 'x' },
    });
    expect(reply.status).toBe(403);
  });

  it('analysts and viewers cannot manage users, surveys or numbers', async () => {
    const org = await h.newOrg();
    for (const role of ['analyst', 'viewer'] as const) {
      const user = await h.addUser(org.orgId, role);
      const attempts = await Promise.all([
        h.request('GET', '/api/v1/users', { token: user.token }),
        h.request('POST', '/api/v1/users', {
          token: user.token,
          body: { email: 'x@example.org', name: 'x', role: 'admin', password: 'long-enough-pw' },
        }),
        h.request('POST', '/api/v1/surveys', { token: user.token, body: { name: 'x', questions: [] } }),
        h.request('DELETE', `/api/v1/numbers/${org.numberId}`, { token: user.token }),
      ]);
      expect(attempts.map((a) => a.status)).toEqual([403, 403, 403, 403]);
    }
  });

  it('a user of another organisation gets 404 for every record, survey and number of this one', async () => {
    const mine = await h.newOrg();
    const theirs = await h.newOrg();
    await h.text(mine, ALICE, 'private');
    const n = (await h.records(mine))[0]!.caseNumber;
    const t = theirs.admin.token;
    // Case numbers are per organisation: make sure theirs has no case with this number.
    const attempts = await Promise.all([
      h.request('GET', `/api/v1/records/${n}`, { token: t }),
      h.request('POST', `/api/v1/records/${n}/lock`, { token: t }),
      h.request('GET', `/api/v1/records/${n}/history`, { token: t }),
      h.request('POST', `/api/v1/records/${n}/notes`, { token: t, body: { text: 'x' } }),
      h.request('GET', `/api/v1/surveys/${mine.surveyId}`, { token: t }),
      h.request('GET', `/api/v1/surveys/${mine.surveyId}/records`, { token: t }),
      h.request('GET', `/api/v1/numbers/${mine.numberId}`, { token: t }),
      h.request('PATCH', `/api/v1/numbers/${mine.numberId}`, { token: t, body: { multiCaseReply: 'x' } }),
      h.request('POST', `/api/v1/numbers/${mine.numberId}/simulator`, { token: t, body: { from: ALICE, text: 'x' } }),
    ]);
    expect(attempts.map((a) => a.status)).toEqual(Array(9).fill(404));
    expect((await h.request('GET', '/api/v1/numbers', { token: t })).body.items.map((x: any) => x.id)).toEqual([theirs.numberId]);
    expect((await h.record(mine, n)).notes).toEqual([]);
  });

  it('each organisation numbers its cases from 1', async () => {
    const a = await h.newOrg();
    const b = await h.newOrg();
    await h.text(a, ALICE, 'a');
    await h.text(b, ALICE, 'b');
    expect((await h.records(a))[0]!.caseNumber).toBe(1);
    expect((await h.records(b))[0]!.caseNumber).toBe(1);
    expect(await h.conversation(b, 1)).toEqual(['b']);
  });

  it('without credentials the API answers 401; a bad token is 401', async () => {
    expect((await h.request('GET', '/api/v1/surveys')).status).toBe(401);
    const bad = await h.request('GET', '/api/v1/surveys', { token: 'cl_nope' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('unauthenticated');
  });

  it('a cookie session works for reads, and writes need the CSRF token', async () => {
    const org = await h.newOrg();
    const login = await h.request('POST', '/api/v1/session', { body: { email: org.admin.email, password: 'a-long-password-1' } });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect(String(login.headers['set-cookie'])).toContain('HttpOnly');
    const csrf = login.body.csrfToken;
    expect((await h.request('GET', '/api/v1/session', { headers: { cookie } })).body.user.email).toBe(org.admin.email);
    await h.text(org, ALICE, 'hi');
    const n = (await h.records(org))[0]!.caseNumber;
    const forged = await h.request('POST', `/api/v1/records/${n}/lock`, { headers: { cookie } });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('csrf_failed');
    expect((await h.record(org, n)).lockedBy).toBeNull();
    const ok = await h.request('POST', `/api/v1/records/${n}/lock`, { headers: { cookie, 'x-csrf-token': csrf } });
    expect(ok.status).toBe(200);
    expect((await h.request('DELETE', '/api/v1/session', { headers: { cookie, 'x-csrf-token': csrf } })).status).toBe(204);
    expect((await h.request('GET', '/api/v1/session', { headers: { cookie } })).status).toBe(401);
  });

  it('a wrong password is 401, and repeated failures are throttled with 429', async () => {
    const org = await h.newOrg();
    const wrong = await h.request('POST', '/api/v1/session', { body: { email: org.admin.email, password: 'wrong-password' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    for (let i = 0; i < 9; i++) await h.request('POST', '/api/v1/session', { body: { email: org.admin.email, password: 'wrong' } });
    const throttled = await h.request('POST', '/api/v1/session', { body: { email: org.admin.email, password: 'a-long-password-1' } });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('rate_limited');
  });

  it('an API token is shown once and acts as its user', async () => {
    const org = await h.newOrg();
    const res = await h.request('POST', '/api/v1/tokens', { token: org.admin.token, body: { name: 'reporting' } });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^cl_/);
    expect((await h.request('GET', '/api/v1/surveys', { token: res.body.token })).status).toBe(200);
  });

  it('a deactivated user can no longer use the API', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const patched = await h.request('PATCH', `/api/v1/users/${analyst.id}`, { token: org.admin.token, body: { active: false } });
    expect(patched.body.active).toBe(false);
    expect((await h.request('GET', '/api/v1/surveys', { token: analyst.token })).status).toBe(401);
  });

  it('number answers carry the webhook URLs and never the credentials', async () => {
    const org = await h.newOrg();
    const res = await h.request('GET', `/api/v1/numbers/${org.numberId}`, { token: org.admin.token });
    expect(res.body.webhooks).toEqual({
      inbound: `https://caseline.test${org.webhookPath}`,
      status: `https://caseline.test${org.webhookPath}/status`,
    });
    expect(res.body.webhooks.inbound).not.toContain(org.numberId);
    expect(JSON.stringify(res.body)).not.toContain(org.webhookSecret);
    expect(res.body.credentials).toBeUndefined();
    const stored = await h
      .caseline()
      .db.kysely.selectFrom('numbers')
      .select('credentials')
      .where('id', '=', org.numberId)
      .executeTakeFirstOrThrow();
    expect(stored.credentials).not.toContain(org.webhookSecret);
  });

  it('a short code or sender id is kept as our address; a phone number is normalised', async () => {
    const org = await h.newOrg();
    const create = (ourNumber: string) =>
      h.request('POST', '/api/v1/numbers', {
        token: org.admin.token,
        body: {
          provider: 'sandbox',
          channel: 'sms',
          ourNumber,
          surveyId: org.surveyId,
          theirNumberQuestion: 'phone',
          conversationQuestion: 'conversation',
        },
      });
    expect((await create('20880')).body.ourNumber).toBe('20880');
    expect((await create('Helpline')).body.ourNumber).toBe('Helpline');
    expect((await create('+44 7700 900002')).body.ourNumber).toBe('+447700900002');
    expect((await create('+44 (77')).status).toBe(400);
  });
});
