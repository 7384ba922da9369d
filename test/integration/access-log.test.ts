import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg, type TestUser } from '../support/harness.js';

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

interface Entry {
  at: string;
  userId: string;
  userName: string | null;
  caseNumber: number | null;
  kind: string;
}

/** The access log (DESIGN.md §9): reads of cases and media recorded, listed to admins only. */
describeEachDialect('access log', (dialect) => {
  // Real time, moved forward by tests that need a minute to pass.
  let skew = 0;
  const h = useCaseline(dialect, { now: () => Date.now() + skew });
  let contactSeq = 0;

  async function newCase(org: TestOrg, text = 'I need help'): Promise<{ caseNumber: number; contact: string }> {
    contactSeq += 1;
    const contact = `+4477009${String(10000 + contactSeq).slice(-5)}`;
    expect((await h.text(org, contact, text)).status).toBeLessThan(300);
    const all = await h.records(org, 'status=open');
    return { caseNumber: Math.max(...all.map((r) => r.caseNumber)), contact };
  }
  const get = (user: TestUser, url: string) => h.request('GET', url, { token: user.token });
  const audit = (user: TestUser, query = '') => get(user, `/api/v1/audit/access${query ? `?${query}` : ''}`);
  async function entries(org: TestOrg, query = ''): Promise<Entry[]> {
    const res = await audit(org.admin, query);
    expect(res.status).toBe(200);
    return res.body.items;
  }
  const rowsOf = (orgId: string) => h.caseline().db.kysely.selectFrom('access_log').selectAll().where('org_id', '=', orgId).execute();
  /** The organisation's one case, as stored. */
  const onlyRecordOf = (orgId: string) =>
    h.caseline().db.kysely.selectFrom('records').select('id').where('org_id', '=', orgId).executeTakeFirstOrThrow();
  const mediaGet = async (user: TestUser, id: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
    (await h.caseline().app.inject({ method, url: `/api/v1/media/${id}`, headers: { authorization: `Bearer ${user.token}`, ...headers } }))
      .statusCode;

  /** A stored image on the case's first message, as the media fetcher leaves it. */
  async function mediaOnCase(org: TestOrg, caseNumber: number): Promise<string> {
    const messageId = (await h.record(org, caseNumber)).messages[0].id as string;
    const { db, services } = h.caseline();
    const bytes = Buffer.concat([PNG_1X1, randomBytes(2000)]);
    const blob = await services.ctx.media.store.put(org.orgId, Readable.from([bytes]), 1024 * 1024);
    const id = randomUUID();
    const now = Date.now();
    await db.kysely
      .insertInto('media')
      .values({
        id,
        org_id: org.orgId,
        message_id: messageId,
        number_id: org.numberId,
        direction: 'in',
        position: 0,
        status: 'stored',
        content_type: 'image/png',
        size: bytes.length,
        name: null,
        blob_id: blob.blobId,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }

  it('a case read — its view, older messages, notes and history — is recorded with the user, the case and the kind', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const { caseNumber } = await newCase(org);
    const before = Date.now() + skew;
    const view = await get(analyst, `/api/v1/records/${caseNumber}`);
    expect(view.status).toBe(200);

    const [entry, ...rest] = await entries(org);
    expect(rest).toEqual([]);
    expect(entry).toEqual({ at: expect.any(String), userId: analyst.id, userName: expect.any(String), caseNumber, kind: 'record' });
    expect(entry!.userName).toContain('analyst');
    expect(Date.parse(entry!.at)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(entry!.at)).toBeLessThanOrEqual(Date.now() + skew);
    const [row] = await rowsOf(org.orgId);
    const record = await onlyRecordOf(org.orgId);
    expect(row).toMatchObject({ record_id: record.id, subject_id: null, kind: 'record', user_id: analyst.id });

    const messageId = view.body.messages[0].id;
    expect((await get(analyst, `/api/v1/records/${caseNumber}/messages?before=${messageId}`)).status).toBe(200);
    expect((await get(analyst, `/api/v1/records/${caseNumber}/notes`)).status).toBe(200);
    expect((await get(analyst, `/api/v1/records/${caseNumber}/history`)).status).toBe(200);
    const all = await entries(org);
    expect(all).toHaveLength(4);
    expect(all.every((e) => e.caseNumber === caseNumber && e.kind === 'record' && e.userId === analyst.id)).toBe(true);
  });

  it('lists of cases and changes to a case are not reads of a case', async () => {
    const org = await h.newOrg();
    const { caseNumber } = await newCase(org);
    await h.records(org);
    expect((await get(org.admin, `/api/v1/surveys/${org.surveyId}/queue`)).status).toBe(200);
    const noted = await h.request('POST', `/api/v1/records/${caseNumber}/notes`, { token: org.admin.token, body: { text: 'called back' } });
    expect(noted.status).toBe(201);
    expect(await entries(org)).toEqual([]);
  });

  it('a media read is recorded with its case; range requests of the item within a minute are one read; HEAD is none', async () => {
    const org = await h.newOrg();
    const viewer = await h.addUser(org.orgId, 'viewer');
    const { caseNumber } = await newCase(org, 'here is the photo');
    const mediaId = await mediaOnCase(org, caseNumber);

    expect(await mediaGet(viewer, mediaId, {}, 'HEAD')).toBe(200);
    expect(await entries(org, `userId=${viewer.id}`)).toEqual([]);
    expect(await mediaGet(viewer, mediaId)).toBe(200);
    expect(await mediaGet(viewer, mediaId, { range: 'bytes=0-99' })).toBe(206);
    expect(await mediaGet(viewer, mediaId, { range: 'bytes=100-' })).toBe(206);
    const first = await entries(org, `userId=${viewer.id}`);
    expect(first).toEqual([{ at: expect.any(String), userId: viewer.id, userName: expect.any(String), caseNumber, kind: 'media' }]);
    const record = await onlyRecordOf(org.orgId);
    expect((await rowsOf(org.orgId)).filter((r) => r.kind === 'media')).toEqual([
      expect.objectContaining({ subject_id: mediaId, record_id: record.id, user_id: viewer.id }),
    ]);

    // Another user's read is theirs; a minute later the same user's read is a new one.
    expect(await mediaGet(org.admin, mediaId)).toBe(200);
    expect(await entries(org, `userId=${org.admin.id}&caseNumber=${caseNumber}`)).toContainEqual(
      expect.objectContaining({ kind: 'media', userId: org.admin.id }),
    );
    skew += 61_000;
    expect(await mediaGet(viewer, mediaId, { range: 'bytes=0-99' })).toBe(206);
    expect((await entries(org, `userId=${viewer.id}`)).filter((e) => e.kind === 'media')).toHaveLength(2);
  });

  it('an upload read before it is sent is a media read of no case', async () => {
    const org = await h.newOrg();
    const upload = await h.request('POST', '/api/v1/media', {
      token: org.admin.token,
      rawBody: Buffer.concat([
        Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n'),
        PNG_1X1,
        Buffer.from('\r\n--b--\r\n'),
      ]),
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
    });
    expect(upload.status).toBe(201);
    expect(await mediaGet(org.admin, upload.body.id)).toBe(200);
    expect(await entries(org)).toEqual([expect.objectContaining({ kind: 'media', caseNumber: null, userId: org.admin.id })]);
  });

  it('a failed read is not recorded: another organisation’s case or media (404), a missing case, no credentials, a bad page', async () => {
    const org = await h.newOrg();
    const other = await h.newOrg();
    const { caseNumber } = await newCase(org);
    const mediaId = await mediaOnCase(org, caseNumber);
    const rowsBefore = (await rowsOf(org.orgId)).length;

    expect((await get(other.admin, `/api/v1/records/${caseNumber}`)).status).toBe(404);
    expect((await get(other.admin, `/api/v1/records/${caseNumber}/history`)).status).toBe(404);
    expect(await mediaGet(other.admin, mediaId)).toBe(404);
    expect((await get(org.admin, `/api/v1/records/${caseNumber + 1000}`)).status).toBe(404);
    expect((await h.request('GET', `/api/v1/records/${caseNumber}`)).status).toBe(401);
    expect((await get(org.admin, `/api/v1/records/${caseNumber}/messages?before=${randomUUID()}`)).status).toBe(400);

    expect(await rowsOf(other.orgId)).toEqual([]);
    expect(await rowsOf(org.orgId)).toHaveLength(rowsBefore);
  });

  it('only admins read the log; analysts and viewers get 403', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const viewer = await h.addUser(org.orgId, 'viewer');
    expect((await audit(analyst)).status).toBe(403);
    expect((await audit(viewer)).status).toBe(403);
    expect((await audit(viewer)).body.error.code).toBe('forbidden');
    expect((await h.request('GET', '/api/v1/audit/access')).status).toBe(401);
    expect((await audit(org.admin)).status).toBe(200);
  });

  it('another organisation’s entries never appear, not even filtered by its user or case number', async () => {
    const org = await h.newOrg();
    const other = await h.newOrg();
    const { caseNumber } = await newCase(org);
    const reader = await h.addUser(org.orgId, 'analyst');
    expect((await get(reader, `/api/v1/records/${caseNumber}`)).status).toBe(200);
    expect(await entries(org)).toHaveLength(1);
    expect(await entries(other)).toEqual([]);
    expect(await entries(other, `userId=${reader.id}`)).toEqual([]);
    expect(await entries(other, `caseNumber=${caseNumber}`)).toEqual([]);
  });

  it('filters by user, case number and time, newest first, in pages that together hold every entry once', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const a = (await newCase(org)).caseNumber;
    const b = (await newCase(org)).caseNumber;
    for (let i = 0; i < 3; i += 1) expect((await get(analyst, `/api/v1/records/${a}`)).status).toBe(200);
    expect((await get(org.admin, `/api/v1/records/${b}`)).status).toBe(200);
    const middle = new Date(Date.now() + skew + 1).toISOString();
    skew += 1000;
    expect((await get(analyst, `/api/v1/records/${b}`)).status).toBe(200);
    expect((await get(org.admin, `/api/v1/records/${a}/history`)).status).toBe(200);

    const all = await entries(org);
    expect(all).toHaveLength(6);
    expect(all.map((e) => [e.userId, e.caseNumber])).toEqual([
      [org.admin.id, a],
      [analyst.id, b],
      [org.admin.id, b],
      [analyst.id, a],
      [analyst.id, a],
      [analyst.id, a],
    ]);
    const times = all.map((e) => Date.parse(e.at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);

    expect((await entries(org, `userId=${analyst.id}`)).map((e) => e.caseNumber)).toEqual([b, a, a, a]);
    expect((await entries(org, `caseNumber=${b}`)).map((e) => e.userId)).toEqual([analyst.id, org.admin.id]);
    expect((await entries(org, `userId=${analyst.id}&caseNumber=${a}`)).length).toBe(3);
    expect(await entries(org, `userId=${randomUUID()}`)).toEqual([]);
    expect((await entries(org, `to=${encodeURIComponent(middle)}`)).length).toBe(4);
    expect((await entries(org, `from=${encodeURIComponent(middle)}`)).length).toBe(2);

    const seen: Entry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `limit=4${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await audit(org.admin, query);
      expect(res.status).toBe(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(2);
    expect(seen).toEqual(all);

    expect((await audit(org.admin, 'cursor=not-a-cursor')).status).toBe(400);
    expect((await audit(org.admin, 'from=yesterday')).status).toBe(400);
    expect((await audit(org.admin, 'limit=0')).status).toBe(400);
  });

  it('keeps no search term, query string or contact number: a case found by a search and then opened leaves a row of ids', async () => {
    const org = await h.newOrg();
    const secret = 'zanzibar-lighthouse';
    const { caseNumber, contact } = await newCase(org, `my neighbour at ${secret} hurts me`);
    const found = await get(
      org.admin,
      `/api/v1/surveys/${org.surveyId}/records?status=all&q=${secret}&contact=${encodeURIComponent(contact)}`,
    );
    expect(found.status).toBe(200);
    expect(found.body.items.map((r: { caseNumber: number }) => r.caseNumber)).toEqual([caseNumber]);
    expect(await rowsOf(org.orgId)).toEqual([]);

    expect((await get(org.admin, `/api/v1/records/${caseNumber}?q=${secret}`)).status).toBe(200);
    const rows = await rowsOf(org.orgId);
    expect(rows).toHaveLength(1);
    const text = JSON.stringify(rows);
    for (const needle of [secret, 'q=', '?', contact, contact.slice(1), 'neighbour']) expect(text).not.toContain(needle);
    expect(Object.keys(rows[0]!).sort()).toEqual(['at', 'case_number', 'id', 'kind', 'org_id', 'record_id', 'subject_id', 'user_id']);
  });

  it('an access export is logged as one read of kind export per case it holds, naming the export and no person', async () => {
    const org = await h.newOrg();
    const { caseNumber, contact } = await newCase(org);
    const record = await onlyRecordOf(org.orgId);
    const actor = { userId: org.admin.id, orgId: org.orgId, role: 'admin' as const, name: 'Admin' };
    const exportId = randomUUID();
    await h.caseline().services.accessLog.exportRead(actor, exportId, [{ recordId: record.id, caseNumber }]);
    await h.caseline().services.accessLog.exportRead(actor, randomUUID(), []);
    expect(await entries(org)).toEqual([
      expect.objectContaining({ kind: 'export', caseNumber: null }),
      expect.objectContaining({ kind: 'export', caseNumber, userId: org.admin.id }),
    ]);
    const rows = await rowsOf(org.orgId);
    expect(rows.find((r) => r.case_number !== null)).toMatchObject({ subject_id: exportId, record_id: record.id });
    expect(JSON.stringify(rows)).not.toContain(contact.slice(1));
  });

  it('is documented in the API document', async () => {
    const doc = (await h.request('GET', '/api/v1/openapi.json')).body;
    expect(doc.paths['/api/v1/audit/access'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
      ['caseNumber', 'cursor', 'from', 'limit', 'to', 'userId'].sort(),
    );
  });
});
