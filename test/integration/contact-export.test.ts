import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { expect, it } from 'vitest';
import { fromBufferPromise } from 'yauzl';
import { CHUNK_BYTES } from '../../src/storage/database-media-store.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg, type TestUser } from '../support/harness.js';
import { addSurvey, givePersonACase, givePersonAHistory, recordingSandbox, runJobs, upload } from '../support/person-kit.js';

/** Reads a ZIP back: each entry's name and bytes, in the order written. */
async function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  const zip = await fromBufferPromise(bytes, { lazyEntries: true });
  const files = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) files.set(entry.fileName, await buffer(await zip.openReadStreamPromise(entry)));
  return files;
}

/**
 * An access request (DESIGN.md §9 "Access request", §13 "privacy answers"): an admin
 * downloads a ZIP of `contact.json`, everything held about one person and nothing about
 * anyone else, and `media/<id>-<name>` for each file they sent; the read is logged.
 */
describeEachDialect('access export of a person', (dialect) => {
  const sandbox = recordingSandbox();
  const h = useCaseline(dialect, { providers: sandbox.providers });
  let seq = 0;
  const newContact = () => `+447700900${String(500 + ++seq)}`;

  async function download(user: TestUser, query: Record<string, string>) {
    const res = await h.caseline().app.inject({
      method: 'GET',
      url: `/api/v1/contacts/export?${new URLSearchParams(query).toString()}`,
      headers: { authorization: `Bearer ${user.token}` },
    });
    return { status: res.statusCode, headers: res.headers, bytes: res.rawPayload, json: () => res.json() };
  }

  async function exported(user: TestUser, query: Record<string, string>) {
    const res = await download(user, query);
    expect(res.status).toBe(200);
    const files = await unzip(res.bytes);
    return { res, files, document: JSON.parse(files.get('contact.json')!.toString('utf8')) };
  }

  async function setup() {
    const org = await h.newOrg();
    const second = await addSurvey(h, org, '+44 7700 900001');
    const bob = newContact();
    const bobCase = await givePersonACase(h, org, bob);
    const person = await givePersonAHistory(h, org, second, newContact(), seq);
    return { org, second, bob, bobCase, person };
  }

  const adminName = async (org: TestOrg) => (await h.request('GET', '/api/v1/users/me', { token: org.admin.token })).body.name as string;
  const messageIdsOf = async (org: TestOrg, cases: number[]) =>
    (await Promise.all(cases.map(async (n) => (await h.record(org, n)).messages.map((m: { id: string }) => m.id) as string[])))
      .flat()
      .sort();

  it('holds every case and message of the person, their note, label, answers, opt-out and photo byte for byte', async () => {
    const { org, person } = await setup();
    const { res, files, document } = await exported(org.admin, { contact: person.contact });
    expect(res.headers['content-type']).toBe('application/zip');
    // Named by the day of the export, never by the number.
    expect(res.headers['content-disposition']).toBe(`attachment; filename="contact-export-${document.exportedAt.slice(0, 10)}.zip"`);

    const photoPath = `media/${person.mediaId}-damp wall.png`;
    expect([...files.keys()]).toEqual(['contact.json', photoPath]);
    expect(files.get(photoPath)!.equals(person.photo)).toBe(true);

    expect(document.contact).toBe(person.contact);
    expect(Math.abs(Date.parse(document.exportedAt) - Date.now())).toBeLessThan(60_000);
    expect(document.surveyId).toBeNull();
    const admin = await adminName(org);
    expect(document.cases.map((c: { caseNumber: number }) => c.caseNumber)).toEqual([
      person.closedCase,
      person.openCase,
      person.otherSurveyCase,
    ]);
    const [closed, open, other] = document.cases;
    expect(closed).toMatchObject({
      surveyId: org.surveyId,
      surveyName: 'Helpline',
      status: 'closed',
      answers: { phone: person.contact, status: 'closed' },
      closedAt: expect.any(String),
      notes: [{ text: `Rang ${person.contact}, no answer`, authorName: admin, at: expect.any(String) }],
      labels: [{ id: person.labelId, name: `Urgent ${seq}`, color: '#d62728' }],
    });
    expect(open).toMatchObject({ status: 'open', closedAt: null, notes: [], labels: [] });
    expect(other).toMatchObject({ surveyName: 'Housing line', status: 'open' });
    expect(Date.parse(closed.createdAt)).toBeLessThanOrEqual(Date.parse(closed.closedAt));

    const ids = await messageIdsOf(org, [person.closedCase, person.openCase, person.otherSurveyCase]);
    expect(document.messages.map((m: { id: string }) => m.id).sort()).toEqual(ids);
    const byText = (text: string) => document.messages.find((m: { text: string }) => m.text.startsWith(text));
    expect(byText('Please call me back')).toMatchObject({
      direction: 'in',
      automatic: false,
      authorName: null,
      ourNumber: '+447700900000',
      caseNumbers: [person.closedCase],
      media: [],
    });
    expect(byText('We will call you')).toMatchObject({
      direction: 'out',
      status: 'delivered',
      authorName: admin,
      caseNumbers: [person.closedCase],
    });
    expect(byText('Trying again')).toMatchObject({ status: 'failed', error: { message: expect.stringContaining(person.contact) } });
    expect(byText('Your landlord')).toMatchObject({ status: 'queued', ourNumber: '+447700900001', caseNumbers: [person.otherSurveyCase] });
    expect(byText('The wall')).toMatchObject({
      caseNumbers: [person.openCase],
      media: [
        {
          id: person.mediaId,
          name: 'damp wall.png',
          contentType: 'image/png',
          size: person.photo.length,
          status: 'stored',
          file: photoPath,
        },
      ],
    });
    for (const message of document.messages) expect(Date.parse(message.at)).not.toBeNaN();
    expect(document.optOuts).toEqual([{ ourNumber: '+447700900000', channel: 'sms', at: expect.any(String) }]);
  });

  it('holds nothing of another person writing to the same number', async () => {
    const { org, bob, bobCase, person } = await setup();
    const { document, files } = await exported(org.admin, { contact: person.contact });
    const text = JSON.stringify(document);
    for (const theirs of [bob.slice(1), 'My neighbour is loud', 'Have you spoken to them?', 'Noise complaint'])
      expect(text).not.toContain(theirs);
    expect(document.cases.map((c: { caseNumber: number }) => c.caseNumber)).not.toContain(bobCase);
    expect(files.size).toBe(2);
    // And Bob's own export holds his case and none of the person's.
    const his = await exported(org.admin, { contact: bob });
    expect(his.document.cases.map((c: { caseNumber: number }) => c.caseNumber)).toEqual([bobCase]);
    expect(his.document.messages.map((m: { text: string }) => m.text)).toEqual([
      'My neighbour is loud',
      // A reply carries its case number (` #n`, DESIGN.md §2).
      `Have you spoken to them? #${bobCase}`,
    ]);
    expect(JSON.stringify(his.document)).not.toContain(person.contact.slice(1));
  });

  it('a file of many store chunks arrives whole, and two files keep their own names', async () => {
    const { org, person } = await setup();
    const large = randomBytes(CHUNK_BYTES * 3 + 1234);
    const uploadId = await upload(h, org.admin.token, large, 'scan.bin', 'application/octet-stream');
    const sent = await h.request('POST', `/api/v1/numbers/${org.numberId}/simulator`, {
      token: org.admin.token,
      body: { from: person.contact, text: 'My tenancy', media: [uploadId] },
    });
    expect(sent.status).toBe(202);
    await runJobs(h);
    const { document, files } = await exported(org.admin, { contact: person.contact });
    const item = document.messages.find((m: { text: string }) => m.text === 'My tenancy').media[0];
    expect(item).toMatchObject({ name: 'scan.bin', size: large.length, file: `media/${item.id}-scan.bin` });
    expect(files.get(item.file)!.equals(large)).toBe(true);
    expect(files.get(`media/${person.mediaId}-damp wall.png`)!.equals(person.photo)).toBe(true);
  });

  it('a file the store cannot read cuts the download off, never ending it as a ZIP that reads whole', async () => {
    const { org, person } = await setup();
    const store = h.caseline().services.ctx.media.store;
    const open = store.open.bind(store);
    store.open = () => Promise.reject(new Error('the disk is gone'));
    try {
      // The headers went out with contact.json; the connection is then cut, not ended.
      await expect(download(org.admin, { contact: person.contact })).rejects.toThrow(/destroyed before completion/);
    } finally {
      store.open = open;
    }
  });

  it('surveyId limits the export to that survey: its cases and messages, and no opt-out or file of another', async () => {
    const { org, second, person } = await setup();
    const { document, files } = await exported(org.admin, { contact: person.contact, surveyId: second.surveyId });
    expect(document.surveyId).toBe(second.surveyId);
    expect(document.cases.map((c: { caseNumber: number }) => c.caseNumber)).toEqual([person.otherSurveyCase]);
    expect(document.messages.map((m: { id: string }) => m.id).sort()).toEqual(await messageIdsOf(org, [person.otherSurveyCase]));
    expect(document.optOuts).toEqual([]);
    expect([...files.keys()]).toEqual(['contact.json']);
  });

  it('each export is logged as a read of kind export for every case it holds, and in the privacy audit trail with counts', async () => {
    const { org, person } = await setup();
    await exported(org.admin, { contact: person.contact });
    const log = await h.request('GET', '/api/v1/audit/access?limit=200', { token: org.admin.token });
    const exports = (log.body.items as Array<{ kind: string; caseNumber: number | null; userId: string }>).filter(
      (e) => e.kind === 'export',
    );
    expect(exports.map((e) => e.caseNumber).sort((a, b) => a! - b!)).toEqual([person.closedCase, person.openCase, person.otherSurveyCase]);
    for (const entry of exports) expect(entry.userId).toBe(org.admin.id);
    expect(JSON.stringify(log.body)).not.toContain(person.contact.slice(1));

    const trail = await h.request('GET', '/api/v1/audit/privacy?action=export', { token: org.admin.token });
    expect(trail.body.items).toEqual([
      expect.objectContaining({ action: 'export', userId: org.admin.id, surveyId: null, counts: { records: 3, messages: 7, media: 1 } }),
    ]);
    expect(JSON.stringify(trail.body)).not.toContain(person.contact.slice(1));
  });

  it('a person the organisation holds nothing about gets a ZIP of no cases, and the read is still logged', async () => {
    const org = await h.newOrg();
    const stranger = newContact();
    const { document, files } = await exported(org.admin, { contact: stranger });
    expect([...files.keys()]).toEqual(['contact.json']);
    expect(document).toMatchObject({ contact: stranger, surveyId: null, cases: [], messages: [], optOuts: [] });
    const log = await h.request('GET', '/api/v1/audit/access', { token: org.admin.token });
    expect(log.body.items).toEqual([expect.objectContaining({ kind: 'export', caseNumber: null, userId: org.admin.id })]);
  });

  it('an erased person is held no more: their export is empty', async () => {
    const { org, person } = await setup();
    const erased = await h.request('POST', '/api/v1/contacts/erase', { token: org.admin.token, body: { contact: person.contact } });
    expect(erased.status).toBe(200);
    const { document, files } = await exported(org.admin, { contact: person.contact });
    expect(document).toMatchObject({ cases: [], messages: [], optOuts: [] });
    expect(files.size).toBe(1);
  });

  it('only an admin exports; bad input is refused with a code, and nothing is logged', async () => {
    const { org, person } = await setup();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const viewer = await h.addUser(org.orgId, 'viewer');
    for (const user of [analyst, viewer]) {
      const res = await download(user, { contact: person.contact });
      expect(res.status).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
      expect(res.headers['content-disposition']).toBeUndefined();
    }
    const notANumber = await download(org.admin, { contact: 'Alice Smith' });
    expect(notANumber.status).toBe(400);
    expect(notANumber.json().error.code).toBe('validation_failed');
    expect((await download(org.admin, { contact: person.contact, surveyId: 'no-such-survey' })).status).toBe(404);
    expect((await download(org.admin, { contact: person.contact, other: 'x' })).status).toBe(400);
    const unauthenticated = await h
      .caseline()
      .app.inject({ method: 'GET', url: `/api/v1/contacts/export?contact=${encodeURIComponent(person.contact)}` });
    expect(unauthenticated.statusCode).toBe(401);

    const log = await h.request('GET', '/api/v1/audit/access?limit=200', { token: org.admin.token });
    expect((log.body.items as Array<{ kind: string }>).filter((e) => e.kind === 'export')).toEqual([]);
    const trail = await h.request('GET', '/api/v1/audit/privacy?action=export', { token: org.admin.token });
    expect(trail.body.items).toEqual([]);
  });
});
