import { expect, it } from 'vitest';
import type { OutboundMessage, ProviderRegistry } from '../../src/providers/provider.js';
import { sandboxProvider } from '../../src/providers/sandbox.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg, type TestUser } from '../support/harness.js';

/**
 * Masking contact numbers (DESIGN.md §9): with `maskContacts` on, analysts and viewers never
 * receive a whole contact number; admins do; searches and sends still use the stored number.
 */
describeEachDialect('masking contact numbers', (dialect) => {
  const sent: OutboundMessage[] = [];
  const providers: ProviderRegistry = {
    sandbox: { ...sandboxProvider, send: (message, number) => (sent.push(message), sandboxProvider.send(message, number)) },
  };
  const h = useCaseline(dialect, { providers, startOutbox: true, outbox: { pollMs: 20 } });

  const ALICE = '+447700900123';
  const ALICE_MASKED = '+44 77•• •••123';
  const OTHER = '+447700900456';
  /** Every way the two numbers could be written out in an answer, digits only. */
  const WHOLE = [/447700900123/, /7700\D?900\D?123/, /447700900456/, /7700\D?900\D?456/];

  const get = (user: TestUser, url: string) => h.request('GET', url, { token: user.token });
  const post = (user: TestUser, url: string, body?: unknown) => h.request('POST', url, { token: user.token, body });
  const patch = (user: TestUser, url: string, body: unknown) => h.request('PATCH', url, { token: user.token, body });
  const showsNoWholeNumber = (body: unknown) => {
    const text = JSON.stringify(body);
    for (const whole of WHOLE) expect(text).not.toMatch(whole);
  };

  /**
   * An organisation with masking on (unless `mask` is false), an analyst and a viewer, and a
   * case of Alice whose phone answer was once another number (so its history names both).
   */
  async function setup(mask = true) {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const viewer = await h.addUser(org.orgId, 'viewer');
    expect((await patch(org.admin, '/api/v1/organisation', { maskContacts: mask })).status).toBe(200);
    expect((await h.text(org, ALICE, 'I need help with my rent')).status).toBe(200);
    const n = (await h.records(org))[0]!.caseNumber;
    expect((await post(org.admin, `/api/v1/records/${n}/lock`)).status).toBe(200);
    expect((await patch(org.admin, `/api/v1/records/${n}`, { answers: { phone: OTHER } })).status).toBe(200);
    expect((await patch(org.admin, `/api/v1/records/${n}`, { answers: { phone: ALICE } })).status).toBe(200);
    expect((await post(org.admin, `/api/v1/records/${n}/notes`, { text: 'Called back' })).status).toBe(201);
    expect((await post(org.admin, `/api/v1/records/${n}/release`)).status).toBe(200);
    return { org, analyst, viewer, n };
  }

  /**
   * How to call each GET route of the API as `user`. A route missing here fails the test:
   * whoever adds a GET route says here how to call it, so it is checked for whole numbers.
   */
  function callers(org: TestOrg, n: number, newestMessageId: string): Record<string, (user: TestUser) => Promise<unknown>> {
    const read = (url: string) => async (user: TestUser) => (await get(user, url)).body;
    const adminOnly = (url: string) => async (user: TestUser) => {
      const res = await get(user, url);
      expect(res.status).toBe(403);
      return res.body;
    };
    return {
      '/api/v1/surveys/{id}/records': read(`/api/v1/surveys/${org.surveyId}/records?status=all`),
      '/api/v1/surveys/{id}/queue': read(`/api/v1/surveys/${org.surveyId}/queue`),
      '/api/v1/records/{caseNumber}': read(`/api/v1/records/${n}`),
      '/api/v1/records/{caseNumber}/messages': read(`/api/v1/records/${n}/messages?before=${newestMessageId}`),
      '/api/v1/records/{caseNumber}/notes': read(`/api/v1/records/${n}/notes`),
      '/api/v1/records/{caseNumber}/history': read(`/api/v1/records/${n}/history`),
      '/api/v1/numbers/{id}/simulator': read(`/api/v1/numbers/${org.numberId}/simulator?contact=${encodeURIComponent(ALICE)}`),
      '/api/v1/surveys': read('/api/v1/surveys'),
      '/api/v1/surveys/{id}': read(`/api/v1/surveys/${org.surveyId}`),
      '/api/v1/numbers': read('/api/v1/numbers'),
      '/api/v1/numbers/{id}': read(`/api/v1/numbers/${org.numberId}`),
      '/api/v1/alerts': read('/api/v1/alerts'),
      '/api/v1/audit/access': read(`/api/v1/audit/access?caseNumber=${n}`),
      // Privacy duties are for admins only: analysts and viewers are refused, so nothing leaks.
      '/api/v1/audit/privacy': adminOnly('/api/v1/audit/privacy'),
      '/api/v1/surveys/{id}/retention': adminOnly(`/api/v1/surveys/${org.surveyId}/retention`),
      '/api/v1/contacts/export': adminOnly(`/api/v1/contacts/export?contact=${encodeURIComponent(ALICE)}`),
      // The case export: analysts get the masked contact and "their number" answer; viewers are refused.
      '/api/v1/surveys/{id}/export': async (user) => {
        const res = await get(user, `/api/v1/surveys/${org.surveyId}/export?format=csv&include=answers,transcript,notes`);
        expect(res.status).toBe(user.role === 'viewer' ? 403 : 200);
        if (user.role === 'analyst') expect(String(res.body).match(/\+44 77•• •••123/g)).toHaveLength(2);
        return res.body;
      },
      // Counts and durations only.
      '/api/v1/reports/summary': read(`/api/v1/reports/summary?surveyId=${org.surveyId}&from=2026-01-01&to=2026-12-31`),
      // The survey's form: questions and choices, no case data.
      '/api/v1/surveys/{id}/xlsform': async (user) => {
        const res = await get(user, `/api/v1/surveys/${org.surveyId}/xlsform`);
        expect(res.status).toBe(200);
        return res.body;
      },
      '/api/v1/outbound-webhooks': adminOnly('/api/v1/outbound-webhooks'),
      '/api/v1/outbound-webhooks/{id}/deliveries': adminOnly('/api/v1/outbound-webhooks/01a0000000000000000000000000/deliveries'),
      '/api/v1/colleagues': read('/api/v1/colleagues'),
      '/api/v1/labels': read('/api/v1/labels'),
      '/api/v1/organisation': read('/api/v1/organisation'),
      '/api/v1/saved-replies': read('/api/v1/saved-replies'),
      '/api/v1/session': read('/api/v1/session'),
      '/api/v1/tokens': read('/api/v1/tokens'),
      '/api/v1/users': read('/api/v1/users'),
      '/api/v1/users/me': read('/api/v1/users/me'),
      // A file's bytes, named by id: no contact in them or in their headers.
      '/api/v1/media/{id}': () => Promise.resolve(null),
      // A stream of ServerEvent {type, caseNumber, surveyId, messageId}: it names no contact.
      '/api/v1/events': () => Promise.resolve(null),
    };
  }

  it('an analyst and a viewer get no whole number from any GET route; the case, list and history show the masked form', async () => {
    const { org, analyst, viewer, n } = await setup();
    const newest = (await h.record(org, n)).messages.at(-1).id as string;
    const openapi = await h.request('GET', '/api/v1/openapi.json');
    const getPaths = Object.entries(openapi.body.paths as Record<string, Record<string, unknown>>)
      .filter(([path, operations]) => path.startsWith('/api/v1/') && 'get' in operations)
      .map(([path]) => path);
    expect(getPaths.length).toBeGreaterThan(10);
    const known = callers(org, n, newest);
    expect(getPaths.filter((path) => !(path in known))).toEqual([]);

    for (const user of [analyst, viewer]) {
      for (const path of getPaths) showsNoWholeNumber(await known[path]!(user));
      const record = await h.record(org, n, user.token);
      expect(record.contact).toBe(ALICE_MASKED);
      expect(record.answers.phone).toBe(ALICE_MASKED);
      const list = (await get(user, `/api/v1/surveys/${org.surveyId}/records?status=all`)).body.items;
      expect(list.map((r: { contact: string }) => r.contact)).toEqual([ALICE_MASKED]);
      const history = (await get(user, `/api/v1/records/${n}/history`)).body.items as Array<{ action: string; detail: any }>;
      expect(history.filter((e) => e.action === 'answers.edited').map((e) => e.detail.changed.phone)).toEqual([
        { from: ALICE_MASKED, to: '+44 77•• •••456' },
        { from: '+44 77•• •••456', to: ALICE_MASKED },
      ]);
      // The phone simulator plays a phone by its whole number: with masking on it is for admins only.
      const simulator = await get(user, `/api/v1/numbers/${org.numberId}/simulator?contact=${encodeURIComponent(ALICE)}`);
      expect(simulator.status).toBe(403);
      expect((await post(user, `/api/v1/numbers/${org.numberId}/simulator`, { from: ALICE, text: 'hi' })).status).toBe(403);
    }
  });

  it('an admin gets whole numbers with masking on, and everyone does with masking off', async () => {
    const masked = await setup();
    const admin = await h.record(masked.org, masked.n);
    expect(admin.contact).toBe(ALICE);
    expect(admin.answers.phone).toBe(ALICE);
    const history = (await get(masked.org.admin, `/api/v1/records/${masked.n}/history`)).body.items;
    expect(JSON.stringify(history)).toContain(OTHER);

    const open = await setup(false);
    for (const user of [open.analyst, open.viewer, open.org.admin]) {
      const record = await h.record(open.org, open.n, user.token);
      expect(record.contact).toBe(ALICE);
      expect(record.answers.phone).toBe(ALICE);
      const list = (await get(user, `/api/v1/surveys/${open.org.surveyId}/records`)).body.items;
      expect(list[0].contact).toBe(ALICE);
    }
    const simulator = await get(open.analyst, `/api/v1/numbers/${open.org.numberId}/simulator?contact=${encodeURIComponent(ALICE)}`);
    expect(simulator.status).toBe(200);
  });

  it('an analyst finds the case by the whole international number, written any way, but not by a part of it', async () => {
    const { org, analyst, n } = await setup();
    const search = async (query: string) =>
      (await get(analyst, `/api/v1/surveys/${org.surveyId}/records?status=all&${query}`)).body.items.map(
        (r: { caseNumber: number; contact: string }) => [r.caseNumber, r.contact],
      );
    expect(await search(`contact=${encodeURIComponent(ALICE)}`)).toEqual([[n, ALICE_MASKED]]);
    expect(await search(`contact=${encodeURIComponent('0044 7700 900123')}`)).toEqual([[n, ALICE_MASKED]]);
    // A part would give the hidden digits away one search at a time.
    expect(await search('contact=900123')).toEqual([]);
    expect(await search('q=7700900')).toEqual([]);
    // Free text still finds the messages.
    expect(await search('q=rent')).toEqual([[n, ALICE_MASKED]]);
    // An admin still searches by part.
    const admin = await get(org.admin, `/api/v1/surveys/${org.surveyId}/records?status=all&contact=900123`);
    expect(admin.body.items.map((r: { caseNumber: number }) => r.caseNumber)).toEqual([n]);
  });

  it("an analyst's reply, write-first, move and merge reach or keep the whole number while the analyst sees it masked", async () => {
    const { org, analyst, n } = await setup();
    expect((await post(analyst, `/api/v1/records/${n}/lock`)).body.contact).toBe(ALICE_MASKED);
    const reply = await post(analyst, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'We will call you today' });
    expect(reply.status).toBe(202);
    showsNoWholeNumber(reply.body);
    await expect.poll(() => sent.find((m) => m.text.startsWith('We will call you today'))?.to, { timeout: 5000 }).toBe(ALICE);

    const CAROL = '+447700900789';
    const written = await post(analyst, `/api/v1/surveys/${org.surveyId}/records`, {
      numberId: org.numberId,
      contact: CAROL,
      text: 'Hello Carol',
    });
    expect(written.status).toBe(201);
    expect(written.body.contact).toBe('+44 77•• •••789');
    expect(written.body.answers.phone).toBe('+44 77•• •••789');
    expect(JSON.stringify(written.body)).not.toContain('900789');
    await expect.poll(() => sent.find((m) => m.text.startsWith('Hello Carol'))?.to, { timeout: 5000 }).toBe(CAROL);

    // A second case of Alice (moved out of the first), merged back: both answers masked.
    expect((await h.text(org, ALICE, 'another matter')).status).toBe(200);
    const message = (await h.record(org, n, analyst.token)).messages.find((m: { text: string }) => m.text === 'another matter');
    const moved = await post(analyst, `/api/v1/records/${n}/messages/${message.id}/move`, { comment: 'Separate' });
    expect(moved.status).toBe(201);
    expect(moved.body.contact).toBe(ALICE_MASKED);
    showsNoWholeNumber(moved.body);
    // The console finds the person's other open cases by case number, as the contact it has is masked.
    const person = await get(analyst, `/api/v1/surveys/${org.surveyId}/records?status=open&sameContactAs=${n}`);
    expect(person.body.items.map((r: { caseNumber: number }) => r.caseNumber).sort()).toEqual([n, moved.body.caseNumber].sort());
    showsNoWholeNumber(person.body);
    const outsider = await h.newOrg();
    expect((await get(outsider.admin, `/api/v1/surveys/${outsider.surveyId}/records?sameContactAs=${n}`)).status).toBe(404);
    const merged = await post(analyst, `/api/v1/records/${n}/merge`, { into: moved.body.caseNumber });
    expect(merged.status).toBe(200);
    expect(merged.body.contact).toBe(ALICE_MASKED);
    showsNoWholeNumber(merged.body);
    expect((await h.record(org, moved.body.caseNumber)).contact).toBe(ALICE);
  });

  it('an analyst saving answers with the masked phone keeps the stored number; a new number is stored', async () => {
    const { org, analyst, viewer, n } = await setup();
    expect((await post(analyst, `/api/v1/records/${n}/lock`)).status).toBe(200);
    const shown = await h.record(org, n, analyst.token);
    const saved = await patch(analyst, `/api/v1/records/${n}`, { answers: { ...shown.answers, status: 'working' } });
    expect(saved.status).toBe(200);
    expect(saved.body.answers).toMatchObject({ phone: ALICE_MASKED, status: 'working' });
    expect((await h.record(org, n)).answers).toMatchObject({ phone: ALICE, status: 'working' });
    // Nothing about the phone was recorded as changed.
    const history = (await get(org.admin, `/api/v1/records/${n}/history`)).body.items as Array<{ action: string; detail: any }>;
    expect(Object.keys(history.at(-1)!.detail.changed)).toEqual(['status']);

    // A number the analyst types is theirs to write; they then see it masked like any other.
    const typed = await patch(analyst, `/api/v1/records/${n}`, { answers: { phone: '+447700900999' } });
    expect(typed.body.answers.phone).toBe('+44 77•• •••999');
    expect((await h.record(org, n)).answers.phone).toBe('+447700900999');
    // A viewer cannot save at all.
    expect((await patch(viewer, `/api/v1/records/${n}`, { answers: { phone: ALICE_MASKED } })).status).toBe(403);
  });

  it('turning masking off shows whole numbers again at once; another organisation keeps its own setting', async () => {
    const { org, analyst, n } = await setup();
    const other = await setup(false);
    expect((await h.record(org, n, analyst.token)).contact).toBe(ALICE_MASKED);
    expect((await h.record(other.org, other.n, other.analyst.token)).contact).toBe(ALICE);
    expect((await patch(analyst, '/api/v1/organisation', { maskContacts: false })).status).toBe(403);
    expect((await patch(org.admin, '/api/v1/organisation', { maskContacts: false })).status).toBe(200);
    expect((await h.record(org, n, analyst.token)).contact).toBe(ALICE);
  });
});
