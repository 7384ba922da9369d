import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { alertKit, drivenClock, MINUTE } from '../support/alert-kit.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';

interface Stream {
  body: string;
  close(): void;
}

/** Opens `GET /api/v1/events` as a browser's EventSource would, collecting what arrives. */
function openStream(base: string, token: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      const stream: Stream = { body: '', close: () => req.destroy() };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (stream.body += chunk));
      if (res.statusCode === 200) resolve(stream);
      else reject(new Error(`events: ${res.statusCode}`));
    });
    req.on('error', reject);
    req.end();
  });
}

/** My alerts in the console (DESIGN.md §13 "alerts (mine)"): the list, reading them, and the live event. */
describeEachDialect('alerts in the console', (dialect) => {
  const clock = drivenClock(Date.parse('2026-03-02T06:00:00Z'));
  const h = useCaseline(dialect, { now: clock.now });
  const kit = alertKit(h);
  const { runTimers, setAlerts, newCase, alertsOf } = kit;
  const oneLevel = { firstLevelMinutes: 30, secondLevelMinutes: null, emails: [] };
  const streams: Stream[] = [];
  let base = '';

  beforeAll(async () => {
    const { app } = h.caseline();
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    for (const stream of streams) stream.close();
  });

  it('lists my alerts newest first, a page at a time, with the unread count; unread=true filters', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    await setAlerts(org, oneLevel);
    const start = clock.now();
    const cases = [];
    for (let i = 0; i < 3; i++) {
      clock.set(start + i * MINUTE);
      cases.push(await newCase(org));
    }
    for (let i = 0; i < 3; i++) {
      clock.set(start + (30 + i) * MINUTE);
      await runTimers();
    }
    const newestFirst = cases.map((c) => c.caseNumber).reverse();

    const first = await alertsOf(analyst, '?limit=2');
    expect(first.items.map((a) => a.caseNumber)).toEqual(newestFirst.slice(0, 2));
    expect(first.unread).toBe(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await alertsOf(analyst, `?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.items.map((a) => a.caseNumber)).toEqual(newestFirst.slice(2));
    expect(second.nextCursor).toBeNull();
    expect((await alertsOf(analyst)).items.map((a) => a.at)).toEqual([32, 31, 30].map((m) => new Date(start + m * MINUTE).toISOString()));

    const oldest = second.items[0]!;
    const read = await h.request('POST', `/api/v1/alerts/${oldest.id}/read`, { token: analyst.token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...oldest, readAt: new Date(clock.now()).toISOString() });
    clock.advance(MINUTE);
    // Reading it again changes nothing: it keeps the time it was first read.
    expect((await h.request('POST', `/api/v1/alerts/${oldest.id}/read`, { token: analyst.token })).body).toEqual(read.body);

    const unread = await alertsOf(analyst, '?unread=true');
    expect(unread.items.map((a) => a.caseNumber)).toEqual(newestFirst.slice(0, 2));
    expect(unread.unread).toBe(2);
    expect((await h.request('GET', '/api/v1/alerts?cursor=not-a-cursor', { token: analyst.token })).status).toBe(400);

    const all = await h.request('POST', '/api/v1/alerts/read', { token: analyst.token });
    expect(all).toMatchObject({ status: 200, body: { unread: 0 } });
    const after = await alertsOf(analyst);
    expect(after.unread).toBe(0);
    expect(after.items.every((a) => a.readAt !== null)).toBe(true);
    expect(after.items.find((a) => a.id === oldest.id)!.readAt).toBe(read.body.readAt);
    expect((await alertsOf(analyst, '?unread=true')).items).toEqual([]);
  });

  it("another user's or organisation's alert is not found; a viewer's list is empty", async () => {
    const org = await h.newOrg();
    const [mine, colleague, viewer] = await Promise.all([
      h.addUser(org.orgId, 'analyst'),
      h.addUser(org.orgId, 'analyst'),
      h.addUser(org.orgId, 'viewer'),
    ]);
    const other = await h.newOrg();
    const outsider = await h.addUser(other.orgId, 'analyst');
    await setAlerts(org, oneLevel);
    const start = clock.now();
    const c = await newCase(org);
    await kit.assign(org, c, mine);
    clock.set(start + 30 * MINUTE);
    await runTimers();
    const [alert] = (await alertsOf(mine)).items;
    expect(alert).toBeDefined();

    for (const user of [colleague, viewer, outsider, other.admin, org.admin]) {
      const res = await h.request('POST', `/api/v1/alerts/${alert!.id}/read`, { token: user.token });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await h.request('POST', '/api/v1/alerts/no-such-alert/read', { token: mine.token })).status).toBe(404);
    // Reading all of theirs touches none of mine.
    await h.request('POST', '/api/v1/alerts/read', { token: colleague.token });
    expect((await alertsOf(mine)).unread).toBe(1);
    expect(await alertsOf(viewer)).toEqual({ items: [], nextCursor: null, unread: 0 });
    expect((await h.request('GET', '/api/v1/alerts')).status).toBe(401);
  });

  it('alert.created reaches the recipient’s event stream only', async () => {
    const org = await h.newOrg();
    const [holder, colleague] = await Promise.all([h.addUser(org.orgId, 'analyst'), h.addUser(org.orgId, 'analyst')]);
    await setAlerts(org, oneLevel);
    const start = clock.now();
    const c = await newCase(org);
    await kit.assign(org, c, holder);
    const holderStream = await openStream(base, holder.token);
    const colleagueStream = await openStream(base, colleague.token);
    const adminStream = await openStream(base, org.admin.token);
    streams.push(holderStream, colleagueStream, adminStream);

    clock.set(start + 30 * MINUTE);
    await runTimers();
    await expect.poll(() => holderStream.body, { timeout: 5000 }).toContain('event: alert.created');
    const data = holderStream.body.split('event: alert.created\ndata: ')[1]!.split('\n')[0]!;
    expect(JSON.parse(data)).toMatchObject({ type: 'alert.created', caseNumber: c.caseNumber, surveyId: org.surveyId });
    // The others hear the organisation's other changes, but not this alert.
    await h.text(org, c.contact, 'still there?');
    await expect.poll(() => colleagueStream.body, { timeout: 5000 }).toContain('event: message.added');
    await expect.poll(() => adminStream.body, { timeout: 5000 }).toContain('event: message.added');
    expect(colleagueStream.body).not.toContain('alert.created');
    expect(adminStream.body).not.toContain('alert.created');
  });

  it('without SMTP alerts reach the console and no email job is written', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    await setAlerts(org, { ...oneLevel, emails: ['duty@helpline.test'] });
    const start = clock.now();
    const c = await newCase(org);
    clock.set(start + 30 * MINUTE);
    await runTimers();
    expect((await alertsOf(analyst)).items).toMatchObject([{ caseNumber: c.caseNumber }]);
    const [firing] = await kit.firings(c);
    // The addresses are kept with the firing all the same.
    expect(JSON.parse(firing!.emails)).toEqual([analyst.email, 'duty@helpline.test']);
    const jobs = await h.caseline().db.kysely.selectFrom('jobs').select('id').where('kind', '=', 'alert.email').execute();
    expect(jobs).toEqual([]);
  });
});
