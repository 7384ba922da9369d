import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { SendError, type OutboundMessage, type ProviderRegistry } from '../../src/providers/provider.js';
import { sandboxProvider } from '../../src/providers/sandbox.js';
import { pathOf, STATUS_QUESTIONS, type Harness, type TestOrg } from './harness.js';
import { photo } from './media-files.js';

/**
 * One person's whole history with a helpline, for the erasure and access export tests
 * (DESIGN.md §9): cases in two surveys, messages both ways, a note, a label, an answer
 * holding their number, a photo they sent, a send that failed quoting their number, a
 * reply still queued, and an opt-out.
 */

/** A send whose text holds this fails at the provider, and the provider's reason quotes the number. */
export const FAILING_TEXT = 'this send fails';

/** The sandbox, recording what reached it and failing sends marked `FAILING_TEXT`. */
export function recordingSandbox(): { sent: OutboundMessage[]; providers: ProviderRegistry } {
  const sent: OutboundMessage[] = [];
  return {
    sent,
    providers: {
      sandbox: {
        ...sandboxProvider,
        send(message, number) {
          sent.push(message);
          if (message.text.includes(FAILING_TEXT)) {
            return Promise.reject(new SendError('permanent', `The handset ${message.to} is unreachable`, { code: '30003' }));
          }
          return sandboxProvider.send(message, number);
        },
      },
    },
  };
}

/** A second survey of the organisation, with a sandbox number of its own. */
export interface SecondSurvey {
  surveyId: string;
  numberId: string;
  webhookPath: string;
  webhookSecret: string;
}

export async function addSurvey(h: Harness, org: TestOrg, ourNumber: string): Promise<SecondSurvey> {
  const token = org.admin.token;
  const survey = await h.request('POST', '/api/v1/surveys', {
    token,
    body: { name: 'Housing line', questions: STATUS_QUESTIONS, caseManagement: { statusQuestion: 'status', finalStatus: 'closed' } },
  });
  expect(survey.status).toBe(201);
  const webhookSecret = `secret-${randomUUID()}`;
  const number = await h.request('POST', '/api/v1/numbers', {
    token,
    body: {
      provider: 'sandbox',
      channel: 'sms',
      ourNumber,
      surveyId: survey.body.id,
      theirNumberQuestion: 'phone',
      conversationQuestion: 'conversation',
      multiCaseReply: null,
      sendRatePerSecond: 100,
      credentials: { webhookSecret },
    },
  });
  expect(number.status).toBe(201);
  return { surveyId: survey.body.id, numberId: number.body.id, webhookPath: pathOf(number.body.webhooks.inbound), webhookSecret };
}

/** Uploads a file as the console does (`POST /media`, multipart field `file`); answers its id. */
export async function upload(h: Harness, token: string, bytes: Buffer, filename: string, type: string): Promise<string> {
  const boundary = `----caseline-${randomUUID()}`;
  const rawBody = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await h.request('POST', '/api/v1/media', {
    token,
    rawBody,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { id: string }).id;
}

/** Runs the outbox until nothing is left to send. */
export async function drainOutbox(h: Harness): Promise<void> {
  const { db } = h.caseline();
  for (let round = 0; round < 100; round++) {
    await h.caseline().outbox.runOnce();
    const left = await db.kysely.selectFrom('outbox').select('id').where('state', 'in', ['pending', 'sending']).execute();
    if (left.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the outbox kept sending');
}

/** Runs every due job (the simulator's uploads are linked to their message by one). */
export async function runJobs(h: Harness): Promise<void> {
  for (let round = 0; round < 50; round++) if ((await h.caseline().jobs.runOnce()) === 0) return;
  throw new Error('jobs kept coming');
}

/** What a person's history holds, to look for once it is erased or exported. */
export interface PersonHistory {
  contact: string;
  /** Survey one: a closed case (note, label, replies, a failed send) and an open one (photo, STOP). */
  closedCase: number;
  openCase: number;
  /** Survey two: an open case with a reply still queued. */
  otherSurveyCase: number;
  queuedMessageId: string;
  mediaId: string;
  photo: Buffer;
  labelId: string;
}

const post = (h: Harness, org: TestOrg, url: string, body?: unknown) => h.request('POST', url, { token: org.admin.token, body });

async function newestCase(h: Harness, org: TestOrg, contact: string, surveyId = org.surveyId): Promise<number> {
  const res = await h.request('GET', `/api/v1/surveys/${surveyId}/records?status=all&limit=200`, { token: org.admin.token });
  const mine = (res.body.items as Array<{ caseNumber: number; contact: string }>).filter((r) => r.contact === contact);
  expect(mine.length).toBeGreaterThan(0);
  return Math.max(...mine.map((r) => r.caseNumber));
}

async function replyAs(h: Harness, org: TestOrg, n: number, text: string): Promise<string> {
  const res = await post(h, org, `/api/v1/records/${n}/notifications`, { target: 'conversation', text });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return (await h.record(org, n)).messages.at(-1).id as string;
}

/**
 * Builds the person's history in `org` and `second`. `variant` makes their photo's bytes
 * their own (content is stored once per organisation).
 */
export async function givePersonAHistory(
  h: Harness,
  org: TestOrg,
  second: SecondSurvey,
  contact: string,
  variant: number,
): Promise<PersonHistory> {
  expect((await h.text(org, contact, `Please call me back on ${contact}`)).status).toBe(200);
  const closedCase = await newestCase(h, org, contact);
  expect((await post(h, org, `/api/v1/records/${closedCase}/lock`)).status).toBe(200);
  await replyAs(h, org, closedCase, 'We will call you this afternoon');
  await replyAs(h, org, closedCase, `Trying again: ${FAILING_TEXT}`);
  await drainOutbox(h);
  expect((await post(h, org, `/api/v1/records/${closedCase}/notes`, { text: `Rang ${contact}, no answer` })).status).toBe(201);
  const label = await post(h, org, '/api/v1/labels', { name: `Urgent ${variant}`, color: '#d62728' });
  expect(label.status).toBe(201);
  const labelled = await h.request('PUT', `/api/v1/records/${closedCase}/labels`, {
    token: org.admin.token,
    body: { labelIds: [label.body.id] },
  });
  expect(labelled.status).toBe(200);
  expect((await post(h, org, `/api/v1/records/${closedCase}/close`, {})).status).toBe(200);

  // A new case once the first is closed: a photo through the phone simulator, then STOP.
  const bytes = photo(variant).bytes;
  const uploadId = await upload(h, org.admin.token, bytes, 'damp wall.png', 'image/png');
  const simulated = await post(h, org, `/api/v1/numbers/${org.numberId}/simulator`, { from: contact, text: 'The wall', media: [uploadId] });
  expect(simulated.status).toBe(202);
  await runJobs(h);
  const openCase = await newestCase(h, org, contact);
  expect(openCase).not.toBe(closedCase);
  const withPhoto = (await h.record(org, openCase)).messages.find((m: { text: string }) => m.text === 'The wall');
  expect(withPhoto.media).toMatchObject([{ status: 'stored', name: 'damp wall.png' }]);
  expect((await h.text(org, contact, 'STOP')).status).toBe(200);

  // Survey two: a case whose reply is still queued.
  expect((await h.text(second, contact, 'About my flat')).status).toBe(200);
  const otherSurveyCase = await newestCase(h, org, contact, second.surveyId);
  expect((await post(h, org, `/api/v1/records/${otherSurveyCase}/lock`)).status).toBe(200);
  const queuedMessageId = await replyAs(h, org, otherSurveyCase, 'Your landlord must repair it');

  return {
    contact,
    closedCase,
    openCase,
    otherSurveyCase,
    queuedMessageId,
    mediaId: withPhoto.media[0].id as string,
    photo: bytes,
    labelId: label.body.id as string,
  };
}

/** Another person writing to the same number: an open case with a reply and a note. */
export async function givePersonACase(h: Harness, org: TestOrg, contact: string): Promise<number> {
  expect((await h.text(org, contact, 'My neighbour is loud')).status).toBe(200);
  const n = await newestCase(h, org, contact);
  expect((await post(h, org, `/api/v1/records/${n}/lock`)).status).toBe(200);
  await replyAs(h, org, n, 'Have you spoken to them?');
  await drainOutbox(h);
  expect((await post(h, org, `/api/v1/records/${n}/notes`, { text: 'Noise complaint' })).status).toBe(201);
  return n;
}
