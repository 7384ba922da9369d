import { STATUS_QUESTIONS } from '../../test/support/questions.js';
import { apiToken } from '../../test/support/server-process.js';
import { twilioCredentials } from '../../test/support/twilio-number.js';
import { BENCH_ADMIN } from './processes.js';

/** The survey every benchmark uses: the tests' helpline, with case management. */
export const BENCH_QUESTIONS = STATUS_QUESTIONS;

export const OUR_NUMBER = '+447700900001';

export interface TwilioNumberSetup {
  numberId: string;
  /** The inbound webhook's path, `/webhooks/twilio/{token}`: the token, not the id. */
  webhookPath: string;
  accountSid: string;
  authToken: string;
}

export interface BenchSetup {
  surveyId: string;
  number: TwilioNumberSetup;
}

export class BenchApi {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  static async login(url: string): Promise<BenchApi> {
    return new BenchApi(url, await apiToken(url, BENCH_ADMIN.email, BENCH_ADMIN.password));
  }

  async call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async createSurvey(name = 'Helpline'): Promise<string> {
    const res = await this.call('POST', '/surveys', {
      name,
      questions: BENCH_QUESTIONS,
      caseManagement: { statusQuestion: 'status', finalStatus: 'closed' },
    });
    if (res.status !== 201) throw new Error(`survey: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }

  async createTwilioNumber(surveyId: string, options: { ourNumber?: string; sendRatePerSecond?: number } = {}): Promise<TwilioNumberSetup> {
    const credentials = twilioCredentials();
    const res = await this.call('POST', '/numbers', {
      provider: 'twilio',
      channel: 'sms',
      ourNumber: options.ourNumber ?? OUR_NUMBER,
      surveyId,
      theirNumberQuestion: 'phone',
      conversationQuestion: 'conversation',
      sendRatePerSecond: options.sendRatePerSecond ?? 1000,
      credentials,
    });
    if (res.status !== 201) throw new Error(`number: ${res.status} ${JSON.stringify(res.body)}`);
    return { numberId: res.body.id as string, webhookPath: new URL(res.body.webhooks.inbound as string).pathname, ...credentials };
  }
}
