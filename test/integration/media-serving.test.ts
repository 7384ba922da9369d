import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type Harness, type TestOrg, type TestUser } from '../support/harness.js';

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');

interface FormPart {
  name: string;
  filename?: string;
  type?: string;
  bytes: Buffer | string;
}

/** A multipart/form-data body, as a browser's FormData sends it. */
function form(parts: FormPart[]): { rawBody: Buffer; headers: Record<string, string> } {
  const boundary = `----caseline-${randomUUID()}`;
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    const type = part.type ? `Content-Type: ${part.type}\r\n` : '';
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n${type}\r\n`));
    pieces.push(Buffer.from(part.bytes), Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return { rawBody: Buffer.concat(pieces), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Requests through the app, answering bodies as bytes. */
function mediaClient(h: Harness) {
  const upload = (user: TestUser, parts: FormPart[]) => h.request('POST', '/api/v1/media', { token: user.token, ...form(parts) });
  const uploadFile = (user: TestUser, bytes: Buffer, filename: string, type: string) =>
    upload(user, [{ name: 'file', filename, type, bytes }]);
  async function get(user: TestUser, url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') {
    const response = await h.caseline().app.inject({ method, url, headers: { authorization: `Bearer ${user.token}`, ...headers } });
    return { status: response.statusCode, headers: response.headers, bytes: response.rawPayload, json: () => response.json() };
  }
  async function rows(orgId: string) {
    const { kysely } = h.caseline().db;
    const media = await kysely.selectFrom('media').select('id').where('org_id', '=', orgId).execute();
    const blobs = await kysely.selectFrom('media_blobs').select('id').where('org_id', '=', orgId).execute();
    const chunks = blobs.length
      ? await kysely
          .selectFrom('media_chunks')
          .select('blob_id')
          .where(
            'blob_id',
            'in',
            blobs.map((b) => b.id),
          )
          .execute()
      : [];
    return { media: media.length, blobs: blobs.length, chunks: chunks.length };
  }
  return { upload, uploadFile, get, rows };
}

/** Serving and uploading media (DESIGN.md §6), through the HTTP API, on both dialects. */
describeEachDialect('media serving and uploads', (dialect) => {
  const h = useCaseline(dialect);
  const { upload, uploadFile, get, rows } = mediaClient(h);

  it('an uploaded image comes back byte for byte, inline, with its name and the protective headers', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const bytes = Buffer.concat([PNG_1X1, randomBytes(300_000)]);
    const res = await uploadFile(analyst, bytes, 'injury photo.png', 'image/png');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), contentType: 'image/png', size: bytes.length, name: 'injury photo.png' });

    const served = await get(analyst, `/api/v1/media/${res.body.id}`);
    expect(served.status).toBe(200);
    expect(served.bytes.equals(bytes)).toBe(true);
    expect(served.headers).toMatchObject({
      'content-type': 'image/png',
      'content-length': String(bytes.length),
      'content-disposition': `inline; filename="injury photo.png"; filename*=UTF-8''injury%20photo.png`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': 'sandbox',
      'cache-control': 'private, max-age=300',
      'accept-ranges': 'bytes',
      etag: `"${sha256(bytes)}"`,
    });
    const row = await h.caseline().db.kysely.selectFrom('media').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ direction: 'out', status: 'stored', message_id: null, uploaded_by: analyst.id, org_id: org.orgId });

    // The browser's copy is still good: no bytes are sent again.
    const again = await get(analyst, `/api/v1/media/${res.body.id}`, { 'if-none-match': `"${sha256(bytes)}"` });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    const head = await get(analyst, `/api/v1/media/${res.body.id}`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(bytes.length));
    expect(head.bytes.length).toBe(0);
  });

  it('a PDF is served as a download with its name in UTF-8', async () => {
    const org = await h.newOrg();
    const res = await uploadFile(org.admin, PDF, 'Bescheid Müller.pdf', 'application/pdf');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ contentType: 'application/pdf', name: 'Bescheid Müller.pdf' });
    const served = await get(org.admin, `/api/v1/media/${res.body.id}`);
    expect(served.status).toBe(200);
    expect(served.bytes.equals(PDF)).toBe(true);
    expect(served.headers['content-type']).toBe('application/pdf');
    expect(served.headers['content-disposition']).toBe(
      `attachment; filename="Bescheid M_ller.pdf"; filename*=UTF-8''Bescheid%20M%C3%BCller.pdf`,
    );
  });

  it('HTML declared image/png is never served as HTML or as an image: a download of octet-stream, sandboxed', async () => {
    const org = await h.newOrg();
    const res = await uploadFile(org.admin, HTML, 'photo.png', 'image/png');
    expect(res.status).toBe(201);
    expect(res.body.contentType).toBe('application/octet-stream');
    const served = await get(org.admin, `/api/v1/media/${res.body.id}`);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('application/octet-stream');
    expect(served.headers['content-disposition']).toMatch(/^attachment;/);
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['content-security-policy']).toBe('sandbox');
  });

  it('serves byte ranges (206) for players, and 416 for a range past the end', async () => {
    const org = await h.newOrg();
    const bytes = Buffer.concat([PNG_1X1, randomBytes(600_000)]);
    const { id } = (await uploadFile(org.admin, bytes, 'clip.png', 'image/png')).body;
    const url = `/api/v1/media/${id}`;
    const size = bytes.length;
    const cases: Array<[string, number, number]> = [
      ['bytes=0-0', 0, 0],
      ['bytes=262140-262150', 262_140, 262_150],
      ['bytes=-10', size - 10, size - 1],
      ['bytes=500000-', 500_000, size - 1],
      [`bytes=100-${size + 5000}`, 100, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await get(org.admin, url, { range });
      expect(res.status, range).toBe(206);
      expect(res.headers['content-range'], range).toBe(`bytes ${start}-${end}/${size}`);
      expect(res.headers['content-length'], range).toBe(String(end - start + 1));
      expect(res.headers['accept-ranges']).toBe('bytes');
      expect(res.bytes.equals(bytes.subarray(start, end + 1)), range).toBe(true);
    }
    const past = await get(org.admin, url, { range: `bytes=${size}-` });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${size}`);
    expect(past.json().error.code).toBe('range_not_satisfiable');
    // A header the server need not honour (several ranges, an end before the start) gets the whole item.
    for (const range of ['bytes=0-1,5-6', 'bytes=9-3', 'lines=1-2']) {
      const whole = await get(org.admin, url, { range });
      expect(whole.status, range).toBe(200);
      expect(whole.bytes.length, range).toBe(size);
    }
  });

  it('another organisation’s admin gets 404, exactly as for an id that does not exist', async () => {
    const org = await h.newOrg();
    const other = await h.newOrg();
    const { id } = (await uploadFile(org.admin, PNG_1X1, 'a.png', 'image/png')).body;
    const foreign = await get(other.admin, `/api/v1/media/${id}`);
    const unknown = await get(other.admin, `/api/v1/media/${randomUUID()}`);
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(foreign.json().error.code).toBe('not_found');
    expect(foreign.json()).toEqual(unknown.json());
    expect((await h.request('GET', `/api/v1/media/${id}`)).status).toBe(401);
  });

  it('a viewer can read media but not upload, and a refused upload stores nothing', async () => {
    const org = await h.newOrg();
    const viewer = await h.addUser(org.orgId, 'viewer');
    const { id } = (await uploadFile(org.admin, PNG_1X1, 'a.png', 'image/png')).body;
    expect((await get(viewer, `/api/v1/media/${id}`)).status).toBe(200);
    const before = await rows(org.orgId);
    const refused = await uploadFile(viewer, Buffer.concat([PNG_1X1, randomBytes(1000)]), 'b.png', 'image/png');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(await rows(org.orgId)).toEqual(before);
  });

  it('refuses a form without a file, an empty file, two files, a file under another name, and a JSON body', async () => {
    const org = await h.newOrg();
    const refusals: Array<[string, ReturnType<typeof upload>]> = [
      ['no file', upload(org.admin, [{ name: 'note', bytes: 'hello' }])],
      ['empty file', upload(org.admin, [{ name: 'file', filename: 'empty.png', type: 'image/png', bytes: Buffer.alloc(0) }])],
      [
        'two files',
        upload(org.admin, [
          { name: 'file', filename: 'a.png', type: 'image/png', bytes: PNG_1X1 },
          { name: 'file', filename: 'b.pdf', type: 'application/pdf', bytes: PDF },
        ]),
      ],
      ['another field', upload(org.admin, [{ name: 'attachment', filename: 'a.pdf', type: 'application/pdf', bytes: PDF }])],
      ['JSON', h.request('POST', '/api/v1/media', { token: org.admin.token, body: { file: 'aGVsbG8=' } })],
    ];
    for (const [what, pending] of refusals) {
      const res = await pending;
      expect(res.status, what).toBe(400);
      expect(res.body.error.code, what).toBe('validation_failed');
    }
    expect(await rows(org.orgId)).toEqual({ media: 0, blobs: 0, chunks: 0 });
  });

  it('keeps only the file’s own name: no path, no control or direction characters, at most 200 characters', async () => {
    const org = await h.newOrg();
    const named = async (filename: string) => (await uploadFile(org.admin, PDF, filename, 'application/pdf')).body.name;
    expect(await named('C:\\Users\\worker\\Desktop\\letter.pdf')).toBe('letter.pdf');
    expect(await named('../../etc/re\u0007port\u202Efdp.exe')).toBe('reportfdp.exe');
    const long = await named(`${'x'.repeat(300)}.pdf`);
    expect(long).toBe(`${'x'.repeat(196)}.pdf`);
  });

  it('a message’s media shows on the case with its url, and is served once stored', async () => {
    const org = await h.newOrg();
    const viewer = await h.addUser(org.orgId, 'viewer');
    await h.text(org, '+447700900123', 'here is the photo');
    const n = (await h.records(org))[0]!.caseNumber;
    const messageId = (await h.record(org, n)).messages[0].id as string;
    const { db, services } = h.caseline();
    const bytes = Buffer.concat([PNG_1X1, randomBytes(2000)]);
    const blob = await services.ctx.media.store.put(org.orgId, Readable.from([bytes]), 1024 * 1024);
    const stored = randomUUID();
    const pending = randomUUID();
    const now = Date.now();
    const base = {
      org_id: org.orgId,
      message_id: messageId,
      number_id: org.numberId,
      direction: 'in' as const,
      created_at: now,
      updated_at: now,
    };
    await db.kysely
      .insertInto('media')
      .values([
        {
          ...base,
          id: stored,
          position: 0,
          status: 'stored',
          content_type: 'image/png',
          size: bytes.length,
          name: null,
          blob_id: blob.blobId,
        },
        { ...base, id: pending, position: 1, status: 'pending', declared_type: 'audio/ogg', source: 'https://provider.example/m/1' },
      ])
      .execute();

    const message = (await h.record(org, n, viewer.token)).messages[0];
    expect(message.media).toEqual([
      {
        id: stored,
        contentType: 'image/png',
        size: bytes.length,
        name: null,
        status: 'stored',
        url: `/api/v1/media/${stored}`,
        error: null,
      },
      { id: pending, contentType: null, size: null, name: null, status: 'pending', url: `/api/v1/media/${pending}`, error: null },
    ]);
    const served = await get(viewer, message.media[0].url);
    expect(served.status).toBe(200);
    expect(served.bytes.equals(bytes)).toBe(true);
    expect(served.headers['content-disposition']).toBe('inline');
    const notYet = await get(viewer, message.media[1].url);
    expect(notYet.status).toBe(404);
    expect(notYet.json().error.code).toBe('media_not_stored');
  });

  it('documents both routes in the API document', async () => {
    const doc = (await h.request('GET', '/api/v1/openapi.json')).body;
    expect(doc.paths['/api/v1/media'].post.tags).toEqual(['media']);
    expect(Object.keys(doc.paths['/api/v1/media'].post.requestBody.content)).toEqual(['multipart/form-data']);
    expect(doc.paths['/api/v1/media/{id}'].get.responses).toHaveProperty('206');
  });
});

/** The limit (`CASELINE_MEDIA_MAX_BYTES`), enforced while the upload streams in, on the filesystem store. */
describeEachDialect('media uploads over the limit', (dialect) => {
  const folder = mkdtempSync(join(tmpdir(), 'caseline-media-files-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const LIMIT = 64 * 1024;
  const h = useCaseline(dialect, { config: { mediaMaxBytes: LIMIT, mediaStore: { kind: 'filesystem', path: folder } } });
  const { uploadFile, get, rows } = mediaClient(h);
  const files = () => readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());

  it('answers 413 media_too_large and keeps no row, no blob and no file', async () => {
    const org: TestOrg = await h.newOrg();
    const res = await uploadFile(org.admin, Buffer.concat([PNG_1X1, randomBytes(LIMIT)]), 'big.png', 'image/png');
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('media_too_large');
    expect(await rows(org.orgId)).toEqual({ media: 0, blobs: 0, chunks: 0 });
    expect(files()).toEqual([]);
  });

  it('accepts a file of exactly the limit and serves it from the folder', async () => {
    const org = await h.newOrg();
    const bytes = Buffer.concat([PNG_1X1, randomBytes(LIMIT - PNG_1X1.length)]);
    const res = await uploadFile(org.admin, bytes, 'exact.png', 'image/png');
    expect(res.status).toBe(201);
    expect(res.body.size).toBe(LIMIT);
    expect(files()).toHaveLength(1);
    const served = await get(org.admin, `/api/v1/media/${res.body.id}`, { range: 'bytes=1000-1999' });
    expect(served.status).toBe(206);
    expect(served.bytes.equals(bytes.subarray(1000, 2000))).toBe(true);
  });
});

/** A 16 MiB item to several clients at once over real sockets: streamed, not held whole per client. */
describeEachDialect('media served over sockets', (dialect) => {
  const h = useCaseline(dialect);
  const { uploadFile } = mediaClient(h);

  describe('a 16 MiB item', () => {
    it('reaches four clients at once byte for byte', async () => {
      const org = await h.newOrg();
      const bytes = Buffer.concat([PNG_1X1, randomBytes(16 * 1024 * 1024 - PNG_1X1.length)]);
      const res = await uploadFile(org.admin, bytes, 'large.png', 'image/png');
      expect(res.status).toBe(201);
      const { app } = h.caseline();
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      // One connection per request, closed after it (no keep-alive), so the server closes at once afterwards.
      const digests = await Promise.all(
        Array.from(
          { length: 4 },
          () =>
            new Promise<{ status: number | undefined; size: number; digest: string }>((resolve, reject) => {
              const request = httpGet(
                {
                  host: '127.0.0.1',
                  port,
                  path: `/api/v1/media/${res.body.id}`,
                  headers: { authorization: `Bearer ${org.admin.token}` },
                  agent: false,
                },
                (response) => {
                  const hash = createHash('sha256');
                  let size = 0;
                  response.on('data', (chunk: Buffer) => {
                    hash.update(chunk);
                    size += chunk.length;
                  });
                  response.on('end', () => resolve({ status: response.statusCode, size, digest: hash.digest('hex') }));
                  response.on('error', reject);
                },
              );
              request.on('error', reject);
            }),
        ),
      );
      expect(digests).toEqual(Array.from({ length: 4 }, () => ({ status: 200, size: bytes.length, digest: sha256(bytes) })));
    });
  });
});
