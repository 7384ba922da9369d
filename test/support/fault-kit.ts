import type { DatabaseConfig } from '../../src/config.js';
import type { Db } from '../../src/db/database.js';
import { signTwilioWebhook, twilioInboundFields } from './fake-twilio.js';
import type { WebhookDelivery } from './fake-server.js';
import { STATUS_QUESTIONS } from './harness.js';
import { apiToken } from './server-process.js';
import { twilioCredentials } from './twilio-number.js';

/**
 * What the fault tests share: real server processes configured alike, a survey with case
 * management and a Twilio number made through the API, signed webhooks, and counting what
 * the database holds by provider message id.
 */
export const FAULT_ADMIN = { email: 'admin@example.org', password: 'correct-horse-battery' };

export function serverEnv(database: DatabaseConfig, dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: database.dialect === 'pg' ? database.url : `sqlite:${database.path}`,
    CASELINE_DATA_DIR: dir,
    CASELINE_SECRET_KEY: 'fault-test-secret-key-long-enough-0000001',
    CASELINE_ADMIN_EMAIL: FAULT_ADMIN.email,
    CASELINE_ADMIN_PASSWORD: FAULT_ADMIN.password,
    // Nothing in these tests sends; a closed port keeps any send off the internet.
    CASELINE_TWILIO_API_URL: 'http://127.0.0.1:9',
    ...extra,
  };
}

export interface TwilioSetup {
  token: string;
  surveyId: string;
  numberId: string;
  /** The path of the number's inbound webhook (its token, not its id). */
  webhookPath: string;
  accountSid: string;
  authToken: string;
}

/** Logs in to `url`, makes a survey with case management and a Twilio SMS number. */
export async function setUpTwilioNumber(url: string): Promise<TwilioSetup> {
  const token = await apiToken(url, FAULT_ADMIN.email, FAULT_ADMIN.password);
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${url}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string; webhooks: { inbound: string } };
  };
  const survey = await call('/surveys', {
    name: 'Helpline',
    questions: STATUS_QUESTIONS,
    caseManagement: { statusQuestion: 'status', finalStatus: 'closed' },
  });
  const credentials = twilioCredentials();
  const number = await call('/numbers', {
    provider: 'twilio',
    channel: 'sms',
    ourNumber: '+447700900001',
    surveyId: survey.id,
    theirNumberQuestion: 'phone',
    conversationQuestion: 'conversation',
    sendRatePerSecond: 100,
    credentials,
  });
  return { token, surveyId: survey.id, numberId: number.id, webhookPath: new URL(number.webhooks.inbound).pathname, ...credentials };
}

/** A signed Twilio inbound webhook for the number, as Twilio posts it to `baseUrl`. */
export function twilioDelivery(
  baseUrl: string,
  setup: TwilioSetup,
  input: { from: string; text: string; sid: string },
): { url: string; delivery: WebhookDelivery } {
  const url = `${baseUrl}${setup.webhookPath}`;
  const fields = twilioInboundFields({
    from: input.from,
    to: '+447700900001',
    text: input.text,
    accountSid: setup.accountSid,
    messageSid: input.sid,
  });
  return { url, delivery: signTwilioWebhook(url, fields, setup.authToken) };
}

/** How many inbound messages of the number the database holds per provider message id. */
export async function storedBySid(db: Db, numberId: string): Promise<Map<string, number>> {
  const rows = await db.kysely
    .selectFrom('messages')
    .select(['provider_message_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('number_id', '=', numberId)
    .where('direction', '=', 'in')
    .groupBy('provider_message_id')
    .execute();
  return new Map(rows.map((r) => [r.provider_message_id!, Number(r.n)]));
}

/** Inbound messages of the number that belong to no case (should never happen). */
export async function unlinkedMessages(db: Db, numberId: string): Promise<number> {
  const row = await db.kysely
    .selectFrom('messages as m')
    .leftJoin('record_messages as rm', 'rm.message_id', 'm.id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('m.number_id', '=', numberId)
    .where('m.direction', '=', 'in')
    .where('rm.message_id', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
