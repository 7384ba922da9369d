import { createHash, createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { beforeAll, expect, it } from 'vitest';
import { readForm } from '../../src/providers/provider-http.js';
import { signSandboxBody } from '../../src/providers/sandbox.js';
import { describeEachDialect } from '../support/dialects.js';
import { vonageApplication } from '../support/fake-vonage.js';
import { useCaseline, type TestOrg } from '../support/harness.js';
import { twilioCredentials } from '../support/twilio-number.js';

/**
 * Thousands of generated malformed webhooks and API requests: none gets a 5xx, the server
 * keeps answering, and none stores anything. Webhooks go to every provider's inbound and
 * status paths, signed correctly (so the parsers see them), unsigned, or signed wrongly;
 * their bodies are random bytes, unicode junk, random JSON and forms, and real provider
 * shapes cut short or mutated, always with a sender that is not a phone number, so no
 * mutation can turn one into a valid message. API requests are random bodies to every
 * POST and PATCH endpoint and random path parameters and query strings.
 *
 * Found and fixed with this test: on PostgreSQL any U+0000 reaching a query was a 500
 * (webhook text and ids now keep their place with U+FFFD; addresses and API bodies with
 * NUL are refused with 400), and a WhatsApp handshake with `hub.challenge` given twice was
 * a 500 (the first value now counts). The generators keep producing both.
 * `FAULT_EXPLORE=1` lists every 5xx found instead of failing at the first.
 */
const WEBHOOK_RUNS = 2000;
const API_RUNS = 1500;
const NASTY_TEXT_RUNS = 300;
const PUBLIC_URL = 'https://caseline.test';

type Provider = 'sandbox' | 'twilio' | 'vonage' | 'whatsapp-cloud' | 'africastalking';
const PROVIDERS: Provider[] = ['sandbox', 'twilio', 'vonage', 'whatsapp-cloud', 'africastalking'];

interface Secrets {
  sandbox: string;
  twilio: { accountSid: string; authToken: string };
  vonage: { applicationId: string; privateKey: string; signatureSecret: string };
  whatsapp: { phoneNumberId: string; accessToken: string; appSecret: string; verifyToken: string };
  africastalking: { username: string; apiKey: string };
}

interface GeneratedRequest {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** A sender no reading turns into a phone number (DESIGN.md §2 rule 2): it starts with a letter. */
const junkSender = fc.string({ maxLength: 24 }).map((s) => `Z${s}`);
const anyText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('', 'a\u0000b', '\u0000'),
);

/** Percent-encodes every byte, so any string (lone surrogates included) makes a valid URL part. */
function encodeAll(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

function vonageToken(raw: Buffer, secret: string, applicationId: string, issuedAt = Math.floor(Date.now() / 1000)): string {
  const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = segment({ alg: 'HS256', typ: 'JWT' });
  const claims = segment({
    iat: issuedAt,
    jti: randomUUID(),
    iss: 'Vonage',
    payload_hash: createHash('sha256').update(raw).digest('hex'),
    application_id: applicationId,
  });
  return `${header}.${claims}.${createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url')}`;
}

/** The headers that authenticate `raw` for the provider; `mode` decides how (or whether) it is signed. */
function sign(
  provider: Provider,
  secrets: Secrets,
  url: string,
  raw: Buffer,
  mode: 'valid' | 'none' | 'garbage' | 'stale',
): Record<string, string> {
  if (mode === 'none') return {};
  const garbage = mode === 'garbage';
  switch (provider) {
    case 'sandbox':
      return {
        'x-caseline-signature': garbage
          ? 'sha256=00ff'
          : signSandboxBody(secrets.sandbox, mode === 'stale' ? Buffer.concat([raw, Buffer.from(' ')]) : raw),
      };
    case 'twilio':
      return {
        'x-twilio-signature': garbage
          ? 'bm90IGEgc2lnbmF0dXJl'
          : getExpectedTwilioSignature(secrets.twilio.authToken, mode === 'stale' ? `${url}?x=1` : url, readForm(raw)),
      };
    case 'vonage':
      return {
        authorization: garbage
          ? 'Bearer eyJhbGciOiJub25lIn0.e30.'
          : `Bearer ${vonageToken(raw, secrets.vonage.signatureSecret, secrets.vonage.applicationId, mode === 'stale' ? 1_000_000_000 : undefined)}`,
      };
    case 'whatsapp-cloud':
      return {
        'x-hub-signature-256': garbage
          ? 'sha256=zz'
          : `sha256=${createHmac('sha256', mode === 'stale' ? 'wrong-secret' : secrets.whatsapp.appSecret)
              .update(raw)
              .digest('hex')}`,
      };
    case 'africastalking':
      return {};
  }
}

/** A real-looking provider body with a junk sender, as an object (JSON) or fields (forms). */
function shapedBody(provider: Provider, secrets: Secrets) {
  const common = {
    id: fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
      fc.constant('id\u0000nul'),
    ),
    from: junkSender,
    text: anyText,
  };
  switch (provider) {
    case 'sandbox':
      return fc.record(common).map((m) => ({ json: m }));
    case 'vonage':
      return fc
        .record({
          ...common,
          status: fc.option(fc.constantFrom('delivered', 'rejected', 'read', 'bogus'), { nil: undefined }),
          channel: fc.constantFrom('sms', 'whatsapp', 'mms', ''),
        })
        .map((m) => ({
          json: {
            message_uuid: m.id,
            from: m.from,
            to: '447700900001',
            channel: m.channel,
            message_type: 'text',
            text: m.text,
            timestamp: new Date().toISOString(),
            ...(m.status ? { status: m.status, message_type: undefined } : {}),
          },
        }));
    case 'whatsapp-cloud':
      return fc
        .record({
          ...common,
          status: fc.boolean(),
          type: fc.constantFrom('text', 'image', 'location', 'button', 'unsupported', 'reaction'),
        })
        .map((m) => ({
          json: {
            object: 'whatsapp_business_account',
            entry: [
              {
                id: '1',
                changes: [
                  {
                    field: 'messages',
                    value: {
                      messaging_product: 'whatsapp',
                      metadata: { display_phone_number: '15550783881', phone_number_id: secrets.whatsapp.phoneNumberId },
                      contacts: [{ profile: { name: m.text }, wa_id: m.from }],
                      ...(m.status
                        ? { statuses: [{ id: m.id, status: 'delivered', timestamp: '1', recipient_id: m.from }] }
                        : { messages: [{ from: m.from, id: m.id, timestamp: '1', type: m.type, text: { body: m.text } }] }),
                    },
                  },
                ],
              },
            ],
          },
        }));
    case 'twilio':
      return fc
        .record({
          ...common,
          media: fc.oneof(fc.constant('0'), fc.constant('2'), fc.string({ maxLength: 4 })),
          status: fc.option(fc.constantFrom('delivered', 'failed', 'received', 'x'), { nil: undefined }),
        })
        .map((m) => ({
          // A status callback carries no Body; an inbound message does.
          form: {
            MessageSid: m.id,
            SmsSid: m.id,
            AccountSid: secrets.twilio.accountSid,
            From: m.from,
            To: '+447700900001',
            ...(m.status ? { MessageStatus: m.status } : { Body: m.text, NumMedia: m.media, MediaUrl0: 'https://example.org/a.jpg' }),
          },
        }));
    case 'africastalking':
      return fc
        .record({ ...common, status: fc.option(fc.constantFrom('Success', 'Failed', 'Rejected', 'x'), { nil: undefined }) })
        .map((m) => ({
          form: {
            id: m.id,
            from: m.from,
            to: '12345',
            date: '2024-01-01 10:00:00',
            ...(m.status ? { status: m.status, phoneNumber: '+254711000000', networkCode: '63902' } : { text: m.text }),
          },
        }));
  }
}

/** Mutations that keep the sender junk: drop or replace other fields, cut or splice the bytes. */
const SENDER_KEYS = new Set(['from', 'From', 'wa_id']);

function mutateObject(value: unknown, path: string[], replacement: unknown, drop: boolean): unknown {
  if (path.length === 0 || typeof value !== 'object' || value === null) return value;
  const [head, ...rest] = path;
  const copy: any = Array.isArray(value) ? [...value] : { ...value };
  const key = Array.isArray(copy) ? Number(head) % Math.max(1, copy.length) : head!;
  if (rest.length === 0 || typeof copy[key] !== 'object' || copy[key] === null) {
    if (SENDER_KEYS.has(String(key))) return copy;
    if (drop) {
      if (Array.isArray(copy)) copy.splice(Number(key), 1);
      // The generator's point: a field the payload needs goes missing.
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
      else delete copy[key];
    } else copy[key] = replacement;
    return copy;
  }
  copy[key] = mutateObject(copy[key], rest, replacement, drop);
  return copy;
}

const objectKeys = (value: unknown): string[] => (typeof value === 'object' && value !== null ? Object.keys(value) : []);

function pathsOf(value: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  for (const key of objectKeys(value)) {
    const next = [...prefix, key];
    out.push(next);
    pathsOf((value as any)[key], next, out);
  }
  return out;
}

const byteEdits = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('splice' as const),
      at: fc.nat(),
      junk: fc.oneof(
        fc.string({ unit: 'binary', maxLength: 8 }),
        fc.constantFrom('"', '}', ']', '&', '=', '%', '%zz', '\u0000', '\\', ',', '{'),
      ),
    }),
  ),
  { maxLength: 3 },
);

function applyByteEdits(
  raw: string,
  edits: Array<{ kind: 'truncate'; at: number } | { kind: 'splice'; at: number; junk: string }>,
): string {
  let out = raw;
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % out.length;
    // A splice or cut never reaches into the sender's value (its position is kept out).
    out = edit.kind === 'truncate' ? out.slice(0, at) : `${out.slice(0, at)}${edit.junk}${out.slice(at)}`;
  }
  return out;
}

describeEachDialect('generated bad input', (dialect) => {
  const h = useCaseline(dialect);
  let org: TestOrg;
  let secrets: Secrets;
  const paths: Record<Provider, { id: string; inbound: string; status: string }> = {} as any;
  let spare: { surveyId: string; numberId: string; userId: string; caseNumber: number; messageId: string; viewerToken: string };

  beforeAll(async () => {
    org = await h.newOrg();
    const vonage = vonageApplication();
    secrets = {
      sandbox: org.webhookSecret,
      twilio: twilioCredentials(),
      vonage: { applicationId: vonage.applicationId, privateKey: vonage.privateKey, signatureSecret: 'vonage-signature-secret-0123456789' },
      whatsapp: {
        phoneNumberId: '106540352242922',
        accessToken: 'EAAG-fuzz-token',
        appSecret: 'whatsapp-app-secret-0123',
        verifyToken: 'verify-me',
      },
      africastalking: { username: 'sandbox', apiKey: 'atsk_fuzz' },
    };
    const numberOf = async (provider: Provider, channel: string, ourNumber: string, credentials: unknown) => {
      const res = await h.request('POST', '/api/v1/numbers', {
        token: org.admin.token,
        body: {
          provider,
          channel,
          ourNumber,
          surveyId: org.surveyId,
          theirNumberQuestion: 'phone',
          conversationQuestion: 'conversation',
          credentials,
        },
      });
      if (res.status !== 201) throw new Error(`${provider}: ${JSON.stringify(res.body)}`);
      const local = (url: string) => new URL(url).pathname;
      paths[provider] = { id: res.body.id, inbound: local(res.body.webhooks.inbound), status: local(res.body.webhooks.status) };
    };
    paths.sandbox = { id: org.numberId, inbound: org.webhookPath, status: `${org.webhookPath}/status` };
    await numberOf('twilio', 'sms', '+447700900001', secrets.twilio);
    await numberOf('vonage', 'sms', '+447700900002', secrets.vonage);
    await numberOf('whatsapp-cloud', 'whatsapp', '+15550783881', secrets.whatsapp);
    await numberOf('africastalking', 'sms', '+254711082000', secrets.africastalking);

    // Targets for the API requests, apart from what the webhooks use: a case with a message,
    // a survey, number and user that random PATCH bodies may change.
    expect((await h.text(org, '+447700900123', 'a real message')).status).toBe(200);
    const caseNumber = (await h.records(org))[0]!.caseNumber;
    const messageId = (await h.record(org, caseNumber)).messages[0].id as string;
    const survey = await h.request('POST', '/api/v1/surveys', {
      token: org.admin.token,
      body: {
        name: 'Spare',
        questions: [
          { name: 'phone', label: 'Phone', type: 'phone' },
          { name: 'conversation', label: 'C', type: 'conversation' },
        ],
      },
    });
    const number = await h.request('POST', '/api/v1/numbers', {
      token: org.admin.token,
      body: {
        provider: 'sandbox',
        channel: 'sms',
        ourNumber: '+447700900009',
        surveyId: survey.body.id,
        theirNumberQuestion: 'phone',
        conversationQuestion: 'conversation',
        credentials: { webhookSecret: 'spare-secret-0123456789' },
      },
    });
    const user = await h.addUser(org.orgId, 'analyst');
    const viewer = await h.addUser(org.orgId, 'viewer');
    spare = { surveyId: survey.body.id, numberId: number.body.id, userId: user.id, caseNumber, messageId, viewerToken: viewer.token };
  });

  async function totals(): Promise<Record<'messages' | 'records' | 'outbox' | 'history' | 'opt_outs', number>> {
    const row = await sql<{ messages: number; records: number; outbox: number; history: number; opt_outs: number }>`
      select (select count(*) from messages) as messages, (select count(*) from records) as records,
             (select count(*) from outbox) as outbox, (select count(*) from history) as history,
             (select count(*) from opt_outs) as opt_outs`.execute(h.caseline().db.kysely);
    const counts = row.rows[0]!;
    return {
      messages: Number(counts.messages),
      records: Number(counts.records),
      outbox: Number(counts.outbox),
      history: Number(counts.history),
      opt_outs: Number(counts.opt_outs),
    };
  }

  async function send(request: GeneratedRequest) {
    const res = await h
      .caseline()
      .app.inject({ method: request.method, url: request.url, headers: request.headers, payload: request.body });
    return res.statusCode;
  }

  // ---- webhooks ---------------------------------------------------------------------------

  const webhookArbitrary = () =>
    fc
      .record({
        provider: fc.constantFrom(...PROVIDERS),
        which: fc.constantFrom('inbound', 'status', 'inbound', 'wrong-provider', 'unknown-number'),
        mode: fc.constantFrom('valid', 'valid', 'valid', 'none', 'garbage', 'stale'),
        contentType: fc.option(
          fc.constantFrom(
            'application/json',
            'application/x-www-form-urlencoded',
            'text/plain',
            'application/octet-stream',
            'multipart/form-data; boundary=x',
            'application/json; charset=utf-16le',
            'text/xml',
            ';;;',
            'application/x-www-form-urlencoded; charset=iso-8859-1',
          ),
          { nil: undefined },
        ),
        kind: fc.constantFrom('bytes', 'unicode', 'json', 'form', 'shaped', 'shaped', 'shaped', 'huge'),
        seed: fc.nat(),
      })
      .chain((base) => {
        const body: fc.Arbitrary<{ raw: string | Buffer; natural: string }> = (() => {
          switch (base.kind) {
            case 'bytes':
              return fc.uint8Array({ maxLength: 2000 }).map((b) => ({ raw: Buffer.from(b), natural: 'application/octet-stream' }));
            case 'unicode':
              return fc.string({ unit: 'binary', maxLength: 600 }).map((s) => ({ raw: s, natural: 'text/plain' }));
            case 'json':
              return fc.jsonValue({ maxDepth: 4 }).map((v) => ({ raw: JSON.stringify(v), natural: 'application/json' }));
            case 'form':
              return (
                fc
                  .array(
                    fc.tuple(
                      fc.oneof(
                        fc.string({ maxLength: 12 }),
                        fc.constantFrom('From', 'from', 'MessageSid', 'id', 'Body', 'text', 'NumMedia', '__proto__', 'constructor'),
                      ),
                      fc.string({ unit: 'binary', maxLength: 40 }),
                    ),
                    { maxLength: 20 },
                  )
                  // A "from" field is junk by construction, so no random form is a valid message.
                  .map((pairs) => pairs.map(([k, v]) => (['from', 'From'].includes(k) ? [k, `Z${v}`] : [k, v])))
                  .map((pairs) => ({ raw: new URLSearchParams(pairs).toString(), natural: 'application/x-www-form-urlencoded' }))
              );
            case 'shaped':
            case 'huge': {
              return fc
                .record({
                  shaped: shapedBody(base.provider, secrets),
                  drops: fc.array(fc.nat(), { maxLength: 2 }),
                  replacements: fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })), { maxLength: 2 }),
                  edits: byteEdits,
                  size: fc.integer({ min: 50_000, max: 300_000 }),
                })
                .map(({ shaped, drops, replacements, edits, size }) => {
                  if ('json' in shaped) {
                    let json: unknown = shaped.json;
                    if (base.kind === 'huge') json = { ...(json as object), text: 'x'.repeat(size) };
                    for (const d of drops) {
                      const all = pathsOf(json);
                      if (all.length) json = mutateObject(json, all[d % all.length]!, undefined, true);
                    }
                    for (const [r, value] of replacements) {
                      const all = pathsOf(json);
                      if (all.length) json = mutateObject(json, all[r % all.length]!, value, false);
                    }
                    return { raw: applyByteEdits(JSON.stringify(json), edits), natural: 'application/json' };
                  }
                  const form: Record<string, string> = { ...shaped.form };
                  if (base.kind === 'huge') form.Body = form.text = 'x'.repeat(size);
                  const keys = Object.keys(form).filter((k) => !SENDER_KEYS.has(k));
                  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- dropping generated fields is the test
                  for (const d of drops) delete form[keys[d % keys.length]!];
                  for (const [r, value] of replacements)
                    form[keys[r % keys.length]!] = typeof value === 'string' ? value : JSON.stringify(value);
                  return { raw: applyByteEdits(new URLSearchParams(form).toString(), edits), natural: 'application/x-www-form-urlencoded' };
                });
            }
            default:
              return fc.constant({ raw: '', natural: 'text/plain' });
          }
        })();
        return body.map((b) => ({ ...base, ...b }));
      })
      .map((g): GeneratedRequest => {
        const target = paths[g.provider];
        let url = g.which === 'status' ? target.status : target.inbound;
        if (g.which === 'wrong-provider')
          url = target.inbound.replace(`/${g.provider}/`, `/${PROVIDERS[(PROVIDERS.indexOf(g.provider) + 1) % PROVIDERS.length]}/`);
        if (g.which === 'unknown-number') url = `/webhooks/${g.provider}/${encodeAll(String(g.seed))}x`;
        const generated = Buffer.isBuffer(g.raw) ? g.raw : Buffer.from(g.raw, 'utf8');
        const raw = generated;
        const contentType = g.contentType ?? g.natural;
        return {
          method: 'POST',
          url,
          headers: { 'content-type': contentType, ...sign(g.provider, secrets, `${PUBLIC_URL}${url}`, raw, g.mode) },
          body: raw,
        };
      });

  // Meta's GET verification handshake, with repeated and missing query parameters.
  const handshakeArbitrary = fc
    .record({
      provider: fc.constantFrom(...PROVIDERS),
      params: fc.array(
        fc.tuple(
          fc.constantFrom('hub.mode', 'hub.challenge', 'hub.verify_token', 'x'),
          fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('subscribe', 'verify-me')),
        ),
        { maxLength: 6 },
      ),
    })
    .map(({ provider, params }): GeneratedRequest => ({
      method: 'GET',
      url: `${paths[provider].inbound}?${params.map(([k, v]) => `${k}=${encodeAll(v)}`).join('&')}`,
      headers: {},
    }));

  it(`${WEBHOOK_RUNS} malformed webhooks to every provider's paths: no 5xx, nothing stored`, async () => {
    const before = await totals();
    const explore = explorer(`webhooks [${dialect}]`);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ arbitrary: webhookArbitrary(), weight: 9 }, { arbitrary: handshakeArbitrary, weight: 1 }),
        async (request) => {
          const status = await send(request);
          const shape = `${request.method} ${request.url.replace(/\/[A-Za-z0-9_-]{20,}/g, '/{id}').split('?')[0]}`;
          if (explore.record(status, shape, `${request.url} ${JSON.stringify(request.body?.toString('utf8').slice(0, 400))}`)) return;
          expect(status, `${request.method} ${request.url} ${JSON.stringify(request.body?.toString('utf8').slice(0, 400))}`).toBeLessThan(
            500,
          );
          expect(await totals()).toEqual(before);
        },
      ),
      { numRuns: WEBHOOK_RUNS * (EXPLORE ? 5 : 1), seed: seedFromEnv(), endOnFailure: true },
    );
    explore.report();
    // Still alive and still working: a real message is stored.
    expect((await h.text(org, '+447700900456', 'still there?')).status).toBe(200);
  }, 120_000);

  // ---- valid senders, nasty texts -----------------------------------------------------------

  it(`${NASTY_TEXT_RUNS} signed messages with junk texts (control characters, lone surrogates, NUL): stored or refused, never a 5xx`, async () => {
    let sid = 0;
    const explore = explorer(`nasty texts [${dialect}]`);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Provider>('sandbox', 'twilio'),
        fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('\u0000', 'a\u0000b')),
        async (provider, generated) => {
          const text = generated;
          const before = await totals();
          const id = `nasty-${dialect}-${sid++}`;
          const url = paths[provider].inbound;
          const raw = Buffer.from(
            provider === 'sandbox'
              ? JSON.stringify({ id, from: '+447700900777', text })
              : new URLSearchParams({
                  MessageSid: id,
                  AccountSid: secrets.twilio.accountSid,
                  From: '+447700900777',
                  To: '+447700900001',
                  Body: text,
                  NumMedia: '0',
                }).toString(),
          );
          const contentType = provider === 'sandbox' ? 'application/json' : 'application/x-www-form-urlencoded';
          const status = await send({
            method: 'POST',
            url,
            headers: { 'content-type': contentType, ...sign(provider, secrets, `${PUBLIC_URL}${url}`, raw, 'valid') },
            body: raw,
          });
          if (explore.record(status, `${provider} text nul=${text.includes('\u0000')}`, JSON.stringify(text))) return;
          expect(status, JSON.stringify(text)).toBeLessThan(500);
          const after = await totals();
          expect(after.messages - before.messages, JSON.stringify(text)).toBe(status === 200 ? 1 : 0);
        },
      ),
      { numRuns: NASTY_TEXT_RUNS * (EXPLORE ? 5 : 1), seed: seedFromEnv(), endOnFailure: true },
    );
    explore.report();
  }, 60_000);

  // ---- API ----------------------------------------------------------------------------------

  const FIELDS = [
    'name',
    'questions',
    'caseManagement',
    'statusQuestion',
    'finalStatus',
    'provider',
    'channel',
    'ourNumber',
    'surveyId',
    'theirNumberQuestion',
    'conversationQuestion',
    'multiCaseReply',
    'sendRatePerSecond',
    'credentials',
    'template',
    'email',
    'password',
    'role',
    'active',
    'answers',
    'target',
    'text',
    'comment',
    'from',
    'before',
    'label',
    'type',
    'choices',
  ];
  const jsonish = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.constantFrom(
      -1,
      0,
      1e308,
      -1e-308,
      2 ** 53 + 1,
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      'x'.repeat(20_000),
      [],
      {},
      null,
      true,
      'conversation',
      'closed',
      'open',
      'admin',
    ),
  );
  const apiBody = fc.oneof(
    fc.dictionary(fc.constantFrom(...FIELDS), jsonish, { maxKeys: 6 }).map((o) => JSON.stringify(o)),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.constantFrom('', '{', '{"a":', 'null', '[]', '"str"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}'),
  );
  const segment = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 30 }).map(encodeAll),
    fc.constantFrom('0', '-1', '1.5', '1e3', '0x10', '99999999999999999999', '9007199254740993', '%00', '%E0%A4%A', '%', '..', 'null', ' '),
    fc.nat().map(String),
  );

  /** A valid body for each endpoint, to be bent one field at a time (reaches the services). */
  const templates = (): Record<string, Record<string, unknown>> => ({
    '/api/v1/surveys': {
      name: 'S',
      questions: [
        { name: 'phone', label: 'Phone', type: 'phone' },
        { name: 'c', label: 'C', type: 'conversation' },
      ],
    },
    '/api/v1/surveys/{survey}': { name: 'Renamed' },
    '/api/v1/numbers': {
      provider: 'sandbox',
      channel: 'sms',
      ourNumber: '+447700900055',
      surveyId: spare.surveyId,
      theirNumberQuestion: 'phone',
      conversationQuestion: 'conversation',
      multiCaseReply: 'You have {count} cases: {cases}',
      credentials: { webhookSecret: '0123456789abcdef' },
    },
    '/api/v1/numbers/{number}': { multiCaseReply: 'Which case? {cases}' },
    '/api/v1/users': { email: 'new-user@example.org', name: 'New', role: 'analyst', password: 'long-enough-password' },
    '/api/v1/users/{user}': { name: 'Renamed' },
    '/api/v1/tokens': { name: 'fuzz' },
    '/api/v1/session': { email: 'admin@example.org', password: 'wrong-password-0' },
    '/api/v1/records/{case}': { answers: { notes_text: 'x' } },
    '/api/v1/records/{case}/notifications': { target: 'conversation', text: 'hello' },
    '/api/v1/records/{case}/messages/{message}/move': { comment: 'moved' },
    '/api/v1/records/{case}/messages/{message}/retry': {},
    '/api/v1/records/{case}/notes': { text: 'a note' },
    '/api/v1/numbers/{number}/simulator': { from: 'Z-not-a-phone', text: 'hi' },
  });
  const bentBody = fc.record({
    drop: fc.boolean(),
    at: fc.nat(),
    value: jsonish,
    extraKey: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  });

  const bodyRequestArbitrary = fc
    .record({
      endpoint: fc.constantFrom(
        ['POST', '/api/v1/surveys'],
        ['PATCH', '/api/v1/surveys/{survey}'],
        ['POST', '/api/v1/numbers'],
        ['PATCH', '/api/v1/numbers/{number}'],
        ['POST', '/api/v1/users'],
        ['PATCH', '/api/v1/users/{user}'],
        ['POST', '/api/v1/tokens'],
        ['POST', '/api/v1/session'],
        ['PATCH', '/api/v1/records/{case}'],
        ['POST', '/api/v1/records/{case}/notifications'],
        ['POST', '/api/v1/records/{case}/messages/{message}/move'],
        ['POST', '/api/v1/records/{case}/messages/{message}/retry'],
        ['POST', '/api/v1/records/{case}/notes'],
        ['POST', '/api/v1/numbers/{number}/simulator'],
      ),
      randomIds: fc.boolean(),
      ids: fc.record({ survey: segment, number: segment, user: segment, case: segment, message: segment }),
      body: apiBody,
      bent: fc.option(bentBody, { nil: undefined, freq: 1 }),
      contentType: fc.constantFrom(
        'application/json',
        'application/json',
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
      ),
      auth: fc.constantFrom('admin', 'admin', 'admin', 'viewer', 'none', 'garbage'),
    })
    .map((g): GeneratedRequest & { auth: string } => {
      const real: Record<string, string> = {
        survey: spare.surveyId,
        number: spare.numberId,
        user: spare.userId,
        case: String(spare.caseNumber),
        message: spare.messageId,
      };
      const url = (g.endpoint[1] as string).replace(/\{(\w+)\}/g, (_, name: string) =>
        g.randomIds ? (g.ids as Record<string, string>)[name]! : real[name]!,
      );
      let body = g.body;
      if (g.bent) {
        let bent: unknown = templates()[g.endpoint[1] as string] ?? {};
        const all = pathsOf(bent);
        if (all.length && g.bent.extraKey === undefined) bent = mutateObject(bent, all[g.bent.at % all.length]!, g.bent.value, g.bent.drop);
        else bent = { ...(bent as object), [g.bent.extraKey ?? 'x']: g.bent.value };
        body = JSON.stringify(bent);
      }
      // The simulator stores what it is given from a real number: its sender stays junk.
      if (g.endpoint[1].endsWith('/simulator')) body = body.replace(/"from":"/g, '"from":"Z');
      return {
        method: g.endpoint[0],
        url,
        headers: { 'content-type': g.contentType },
        body: Buffer.from(body, 'utf8'),
        auth: g.auth,
      };
    });

  const query = fc
    .array(
      fc.tuple(
        fc.constantFrom('status', 'assignee', 'contact', 'q', 'limit', 'cursor', 'before', 'x'),
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 50 }),
          fc.constantFrom('open', 'closed', 'all', 'me', 'none', '-1', '0', '201', '1e9', 'NaN', '+447700900123', '%', '\u0000'),
        ),
      ),
      { maxLength: 6 },
    )
    .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeAll(v)}`).join('&'));

  const getRequestArbitrary = fc
    .record({
      template: fc.constantFrom(
        '/api/v1/surveys/{survey}/records',
        '/api/v1/records/{case}',
        '/api/v1/records/{case}/messages',
        '/api/v1/records/{case}/history',
        '/api/v1/records/{case}/notes',
        '/api/v1/surveys/{survey}',
        '/api/v1/numbers/{number}',
        '/api/v1/numbers/{number}/simulator',
        '/api/v1/users',
        '/api/v1/events-not-here',
      ),
      randomIds: fc.boolean(),
      id: segment,
      query,
      auth: fc.constantFrom('admin', 'admin', 'viewer', 'none'),
    })
    .map((g): GeneratedRequest & { auth: string } => {
      const real: Record<string, string> = { survey: org.surveyId, number: spare.numberId, case: String(spare.caseNumber) };
      const path = g.template.replace(/\{(\w+)\}/g, (_, name: string) => (g.randomIds ? g.id : real[name]!));
      return { method: 'GET', url: `${path}?${g.query}`, headers: {}, auth: g.auth };
    });

  it(`${API_RUNS} API requests with random bodies, path parameters and query strings: no 5xx, no message or case stored`, async () => {
    const before = await totals();
    const explore = explorer(`API [${dialect}]`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(bodyRequestArbitrary, getRequestArbitrary), async (generated) => {
        const request = generated;
        const token =
          request.auth === 'admin'
            ? org.admin.token
            : request.auth === 'viewer'
              ? spare.viewerToken
              : request.auth === 'garbage'
                ? 'not-a-token'
                : null;
        const headers = { ...request.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
        const status = await send({ ...request, headers });
        const shape = `${request.method} ${
          request.url
            .replace(/\/[A-Za-z0-9_-]{20,}/g, '/{id}')
            .replace(/records\/\d+/, 'records/{n}')
            .split('?')[0]
        }`;
        if (explore.record(status, shape, `${request.url} ${request.body?.toString('utf8').slice(0, 300) ?? ''}`)) return;
        expect(status, `${request.method} ${request.url} ${request.body?.toString('utf8').slice(0, 300) ?? ''}`).toBeLessThan(500);
        const after = await totals();
        expect({ messages: after.messages, records: after.records, outbox: after.outbox }).toEqual({
          messages: before.messages,
          records: before.records,
          outbox: before.outbox,
        });
      }),
      { numRuns: API_RUNS * (EXPLORE ? 5 : 1), seed: seedFromEnv(), endOnFailure: true },
    );
    explore.report();
    expect((await h.request('GET', '/healthz')).status).toBe(200);
  }, 120_000);
});

/**
 * `FAULT_EXPLORE=1` records every 5xx instead of stopping at the first, and prints them
 * grouped at the end of each test (to find every failing input at once).
 */
const EXPLORE = process.env.FAULT_EXPLORE === '1';

function explorer(label: string) {
  const found = new Map<string, { count: number; example: string }>();
  return {
    /** True when the status is a 5xx that exploring records (the caller then skips its assertions). */
    record(status: number, key: string, example: string): boolean {
      if (!EXPLORE || status < 500) return false;
      const entry = found.get(key) ?? { count: 0, example };
      entry.count += 1;
      found.set(key, entry);
      return true;
    },
    report() {
      if (!EXPLORE) return;
      console.info(`[explore] ${label}: ${found.size} kinds of 5xx`);
      for (const [key, { count, example }] of found) console.info(`  ${count}× ${key}\n     e.g. ${example}`);
    },
  };
}

/** `FAULT_SEED=<n>` replays a run that fast-check reported. */
function seedFromEnv(): number | undefined {
  return process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : undefined;
}
