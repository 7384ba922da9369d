import { expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/domain/change-events.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg, type TestUser } from '../support/harness.js';
import { drivenClock, sessionClient, totpAt } from '../support/sign-in-kit.js';

const MINUTE = 60_000;

/** Organisation settings, the two-factor policy, idle sessions, ending my sessions (DESIGN.md §9, §13). */
describeEachDialect('organisation', (dialect) => {
  const clock = drivenClock();
  const h = useCaseline(dialect, { now: clock.now });
  const { call, login, as } = sessionClient(h);

  const patch = (user: TestUser, body: unknown) => h.request('PATCH', '/api/v1/organisation', { token: user.token, body });

  async function orgWithPolicy(policy: 'admins' | 'everyone'): Promise<TestOrg> {
    const org = await h.newOrg();
    expect((await patch(org.admin, { requireTwoFactor: policy })).status).toBe(200);
    return org;
  }

  it('every member reads the settings, with their defaults', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const viewer = await h.addUser(org.orgId, 'viewer');
    for (const user of [org.admin, analyst, viewer]) {
      const res = await h.request('GET', '/api/v1/organisation', { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: org.orgId,
        name: expect.any(String),
        maskContacts: false,
        requireTwoFactor: 'none',
        sessionIdleMinutes: 480,
      });
    }
    expect((await h.request('GET', '/api/v1/organisation')).status).toBe(401);
  });

  it('only an admin changes them, and only their own organisation', async () => {
    const org = await h.newOrg();
    const other = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const viewer = await h.addUser(org.orgId, 'viewer');
    for (const user of [analyst, viewer]) {
      const refused = await patch(user, { name: 'Taken over' });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
    }
    const changed = await patch(org.admin, { name: '  Helpline North ', maskContacts: true, sessionIdleMinutes: 30 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Helpline North', maskContacts: true, requireTwoFactor: 'none', sessionIdleMinutes: 30 });
    const read = await h.request('GET', '/api/v1/organisation', { token: viewer.token });
    expect(read.body).toEqual(changed.body);
    const untouched = await h.request('GET', '/api/v1/organisation', { token: other.admin.token });
    expect(untouched.body).toMatchObject({ id: other.orgId, maskContacts: false, sessionIdleMinutes: 480 });
  });

  it('bad values are refused with 400 and change nothing', async () => {
    const org = await h.newOrg();
    const before = (await h.request('GET', '/api/v1/organisation', { token: org.admin.token })).body;
    for (const body of [
      { sessionIdleMinutes: 4 },
      { sessionIdleMinutes: 30 * 24 * 60 + 1 },
      { sessionIdleMinutes: 10.5 },
      { requireTwoFactor: 'sometimes' },
      { maskContacts: 'yes' },
      { name: '' },
      { colour: 'blue' },
    ]) {
      const res = await patch(org.admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await h.request('GET', '/api/v1/organisation', { token: org.admin.token })).body).toEqual(before);
  });

  it('policy "admins": an admin without two-factor may sign in and enrol, but every other route answers 403, for sessions and API tokens', async () => {
    const org = await orgWithPolicy('admins');
    const analyst = await h.addUser(org.orgId, 'analyst');
    const blocked = await h.request('GET', '/api/v1/labels', { token: org.admin.token });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('two_factor_enrolment_required');
    expect((await patch(org.admin, { requireTwoFactor: 'none' })).body.error.code).toBe('two_factor_enrolment_required');
    expect((await h.request('GET', '/api/v1/tokens', { token: org.admin.token })).status).toBe(403);
    expect((await h.request('GET', '/api/v1/users/me', { token: org.admin.token })).status).toBe(200);
    expect((await h.request('GET', '/api/v1/organisation', { token: org.admin.token })).status).toBe(200);
    // The policy covers admins only.
    expect((await h.request('GET', '/api/v1/labels', { token: analyst.token })).status).toBe(200);

    const browser = await login(org.admin.email);
    expect(browser.status).toBe(200);
    expect(browser.body.twoFactor).toEqual({ enabled: false, enrolmentRequired: true });
    expect((await as(browser, 'GET', '/api/v1/session')).status).toBe(200);
    expect((await as(browser, 'GET', '/api/v1/labels')).body.error.code).toBe('two_factor_enrolment_required');
    expect((await as(browser, 'DELETE', '/api/v1/users/me/sessions')).status).toBe(403);
    // The console's own files are served.
    const page = await call('GET', '/', { cookie: browser.cookie });
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('<!doctype');

    const begun = await as(browser, 'POST', '/api/v1/users/me/two-factor');
    expect(begun.status).toBe(200);
    clock.advance(30_000);
    const confirmed = await as(browser, 'POST', '/api/v1/users/me/two-factor/confirm', { code: totpAt(begun.body.secret, clock.now()) });
    expect(confirmed.status).toBe(200);
    expect((await as(browser, 'GET', '/api/v1/labels')).status).toBe(200);
    expect((await h.request('GET', '/api/v1/labels', { token: org.admin.token })).status).toBe(200);
    expect((await as(browser, 'GET', '/api/v1/session')).body.twoFactor).toEqual({ enabled: true, enrolmentRequired: false });
  });

  it('policy "everyone" covers analysts and viewers; "none" lifts it at once', async () => {
    const org = await orgWithPolicy('everyone');
    const analyst = await h.addUser(org.orgId, 'analyst');
    const viewer = await h.addUser(org.orgId, 'viewer');
    for (const user of [analyst, viewer]) {
      expect((await h.request('GET', '/api/v1/labels', { token: user.token })).body.error.code).toBe('two_factor_enrolment_required');
    }
    // Another organisation's policy is its own.
    const other = await h.newOrg();
    expect((await h.request('GET', '/api/v1/labels', { token: other.admin.token })).status).toBe(200);

    await h.caseline().db.kysely.updateTable('organisations').set({ require_two_factor: 'none' }).where('id', '=', org.orgId).execute();
    expect((await h.request('GET', '/api/v1/labels', { token: viewer.token })).status).toBe(200);
  });

  it('a session unused for longer than the idle minutes ends: 401 and its row gone; use within them keeps it alive', async () => {
    const org = await h.newOrg();
    expect((await patch(org.admin, { sessionIdleMinutes: 5 })).status).toBe(200);
    const user = await h.addUser(org.orgId, 'analyst');
    const browser = await login(user.email);
    expect(browser.status).toBe(200);
    const count = async () =>
      Number(
        (
          await h
            .caseline()
            .db.kysely.selectFrom('sessions')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('user_id', '=', user.id)
            .executeTakeFirstOrThrow()
        ).n,
      );

    clock.advance(4 * MINUTE);
    expect((await as(browser, 'GET', '/api/v1/session')).status).toBe(200);
    clock.advance(4 * MINUTE);
    // Eight minutes since sign-in, four since last use.
    expect((await as(browser, 'GET', '/api/v1/session')).status).toBe(200);
    clock.advance(5 * MINUTE + 1000);
    const ended = await as(browser, 'GET', '/api/v1/session');
    expect(ended.status).toBe(401);
    expect(await count()).toBe(0);
    // A token is not a session: it has no idle timeout.
    expect((await h.request('GET', '/api/v1/users/me', { token: user.token })).status).toBe(200);
  });

  it('last use is written at most once a minute per session, not on every request', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const browser = await login(user.email);
    const lastSeen = async () =>
      Number(
        (
          await h
            .caseline()
            .db.kysely.selectFrom('sessions')
            .select('last_seen_at')
            .where('user_id', '=', user.id)
            .executeTakeFirstOrThrow()
        ).last_seen_at,
      );
    const signedInAt = await lastSeen();
    clock.advance(20_000);
    await as(browser, 'GET', '/api/v1/session');
    await as(browser, 'GET', '/api/v1/users/me');
    expect(await lastSeen()).toBe(signedInAt);
    clock.advance(45_000);
    await as(browser, 'GET', '/api/v1/session');
    expect(await lastSeen()).toBeGreaterThanOrEqual(signedInAt + 65_000);
  });

  it('ending my other sessions: they answer 401, this one and my API tokens go on, nobody else is touched', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const colleague = await h.addUser(org.orgId, 'analyst');
    const here = await login(user.email);
    const laptop = await login(user.email);
    const phone = await login(user.email);
    const theirs = await login(colleague.email);

    expect((await call('DELETE', '/api/v1/users/me/sessions', { cookie: here.cookie })).status).toBe(403);
    expect((await as(here, 'DELETE', '/api/v1/users/me/sessions')).status).toBe(204);
    expect((await as(laptop, 'GET', '/api/v1/session')).status).toBe(401);
    expect((await as(phone, 'GET', '/api/v1/session')).status).toBe(401);
    expect((await as(here, 'GET', '/api/v1/session')).status).toBe(200);
    expect((await as(theirs, 'GET', '/api/v1/session')).status).toBe(200);
    expect((await h.request('GET', '/api/v1/users/me', { token: user.token })).status).toBe(200);

    // With an API token, every session of mine ends.
    const again = await login(user.email);
    expect((await h.request('DELETE', '/api/v1/users/me/sessions', { token: user.token })).status).toBe(204);
    expect((await as(again, 'GET', '/api/v1/session')).status).toBe(401);
    expect((await as(here, 'GET', '/api/v1/session')).status).toBe(401);
  });

  it('ending my other sessions tells every process to end the live streams those sessions opened, and only those', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const here = await login(user.email);
    await login(user.email);
    await login(user.email);
    const events: ChangeEvent[] = [];
    const listen = (event: ChangeEvent) => {
      if (event.type === 'access.revoked' && event.userId === user.id) events.push(event);
    };
    h.caseline().db.changes.on('change', listen);
    try {
      expect((await as(here, 'DELETE', '/api/v1/users/me/sessions')).status).toBe(204);
      await expect.poll(() => events.length).toBe(2);
      const hereCredential = (await as(here, 'GET', '/api/v1/session')).status;
      expect(hereCredential).toBe(200);
      // Each names the one session that ended: this one's streams and the API token's go on.
      for (const event of events) expect(event).toMatchObject({ credential: expect.stringMatching(/^session:/) });
      expect(events.every((e) => e.keepCredential === undefined)).toBe(true);
    } finally {
      h.caseline().db.changes.off('change', listen);
    }
  });
});
