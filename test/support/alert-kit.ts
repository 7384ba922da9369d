import { expect } from 'vitest';
import type { Harness, TestOrg, TestUser } from './harness.js';

export const MINUTE = 60_000;

/** A clock the server reads (`useCaseline(dialect, { now: clock.now })`) and the test moves. */
export function drivenClock(start: number) {
  let at = start;
  return {
    now: () => at,
    advance: (ms: number) => {
      at += ms;
    },
    set: (ms: number) => {
      if (ms < at) throw new Error('the driven clock only moves forward');
      at = ms;
    },
  };
}

export interface TestCase {
  caseNumber: number;
  recordId: string;
  contact: string;
}

export interface AlertSettingsBody {
  firstLevelMinutes: number;
  secondLevelMinutes: number | null;
  emails: string[];
}

/** What the alert tests share: timers run to idle, surveys' alert settings, new waiting cases. */
export function alertKit(h: Harness) {
  let contactSeq = 0;

  /** Runs due jobs (timers and what they cause) until none is due. */
  async function runTimers(): Promise<void> {
    for (let round = 0; round < 50; round++) {
      if ((await h.caseline().jobs.runOnce()) === 0) return;
    }
    throw new Error('jobs were still due after 50 rounds');
  }

  async function patchSurvey(org: TestOrg, body: Record<string, unknown>): Promise<void> {
    const res = await h.request('PATCH', `/api/v1/surveys/${org.surveyId}`, { token: org.admin.token, body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await runTimers();
  }

  const setAlerts = (org: TestOrg, alerts: AlertSettingsBody | null) => patchSurvey(org, { alerts });

  /** A new case from a new contact, waiting from the clock's present. */
  async function newCase(org: TestOrg, text = 'I need help'): Promise<TestCase> {
    contactSeq += 1;
    const contact = `+4477009${String(10000 + contactSeq).slice(-5)}`;
    const res = await h.text(org, contact, text);
    expect(res.status).toBeLessThan(300);
    const row = await h
      .caseline()
      .db.kysely.selectFrom('records')
      .select(['id', 'case_number'])
      .where('org_id', '=', org.orgId)
      .where('contact', '=', contact)
      .executeTakeFirstOrThrow();
    return { caseNumber: Number(row.case_number), recordId: row.id, contact };
  }

  async function alertsOf(user: TestUser, query = '') {
    const res = await h.request('GET', `/api/v1/alerts${query}`, { token: user.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as {
      items: Array<{
        id: string;
        caseNumber: number;
        surveyId: string;
        level: number;
        at: string;
        waitedMinutes: number;
        readAt: string | null;
      }>;
      nextCursor: string | null;
      unread: number;
    };
  }

  /** The firings of one case, whatever their level, oldest first. */
  async function firings(c: TestCase) {
    return h
      .caseline()
      .db.kysely.selectFrom('alert_firings')
      .select(['id', 'level', 'waiting_since', 'waited_ms', 'emails'])
      .where('record_id', '=', c.recordId)
      .orderBy('created_at')
      .execute();
  }

  /** The alert rows of one case, per user: what each console's bell holds. */
  async function alertRows(c: TestCase) {
    return h
      .caseline()
      .db.kysely.selectFrom('alerts')
      .select(['user_id', 'level', 'firing_id'])
      .where('record_id', '=', c.recordId)
      .execute();
  }

  async function history(org: TestOrg, c: TestCase) {
    const res = await h.request('GET', `/api/v1/records/${c.caseNumber}/history`, { token: org.admin.token });
    expect(res.status).toBe(200);
    return res.body.items as Array<{ action: string; user: { id: string } | null; detail: Record<string, unknown> }>;
  }

  async function assign(org: TestOrg, c: TestCase, user: TestUser) {
    const res = await h.request('POST', `/api/v1/records/${c.caseNumber}/assign`, { token: org.admin.token, body: { userId: user.id } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }

  /** A person's answer: the admin takes the case and replies. */
  async function answer(org: TestOrg, c: TestCase) {
    await h.request('POST', `/api/v1/records/${c.caseNumber}/lock`, { token: org.admin.token });
    const res = await h.reply(org, c.caseNumber, 'We are here for you');
    expect(res.status, JSON.stringify(res.body)).toBe(202);
  }

  async function deactivate(org: TestOrg, user: TestUser) {
    const res = await h.request('PATCH', `/api/v1/users/${user.id}`, { token: org.admin.token, body: { active: false } });
    expect(res.status).toBe(200);
  }

  return { runTimers, patchSurvey, setAlerts, newCase, alertsOf, firings, alertRows, history, assign, answer, deactivate };
}
