import { describe, expect, it } from 'vitest';
import type { BusinessHours, OpeningInterval } from '../../../src/domain/business-hours.js';
import { DomainError } from '../../../src/domain/errors.js';
import {
  acknowledgementText,
  ALERT_TIMER_JOBS,
  alertDueAt,
  alertThresholdMinutes,
  autoCloseDueAt,
  fillCasePlaceholder,
  timerJobId,
  validateAcknowledgement,
  validateAlertSettings,
  validateAutoClose,
  type AlertSettings,
} from '../../../src/domain/time-rules.js';

const at = (iso: string) => Date.parse(iso);
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'other';
  }
  return 'accepted';
};
const NINE_TO_FIVE: OpeningInterval[] = [['09:00', '17:00']];
const london: BusinessHours = {
  timeZone: 'Europe/London',
  weekly: { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: NINE_TO_FIVE },
  holidays: ['2026-12-25'],
};
const alerts = (firstLevelMinutes: number, secondLevelMinutes: number | null, emails: string[] = []): AlertSettings => ({
  firstLevelMinutes,
  secondLevelMinutes,
  emails,
});

describe('alert settings', () => {
  it('a first level of 1 minute up to 31 days is accepted, with or without a second level', () => {
    expect(code(() => validateAlertSettings(alerts(1, null)))).toBe('accepted');
    expect(code(() => validateAlertSettings(alerts(30, 60, ['lead@example.org'])))).toBe('accepted');
    expect(code(() => validateAlertSettings(alerts(44_639, 44_640)))).toBe('accepted');
  });

  it('a first level that is not a whole number of minutes from 1 to 31 days is refused', () => {
    for (const first of [0, -5, 1.5, 44_641, Number.NaN])
      expect(code(() => validateAlertSettings(alerts(first, null)))).toBe('validation_failed');
  });

  it('a second level must come after the first and within 31 days', () => {
    expect(code(() => validateAlertSettings(alerts(30, 30)))).toBe('validation_failed');
    expect(code(() => validateAlertSettings(alerts(30, 10)))).toBe('validation_failed');
    expect(code(() => validateAlertSettings(alerts(30, 60.5)))).toBe('validation_failed');
    expect(code(() => validateAlertSettings(alerts(30, 44_641)))).toBe('validation_failed');
  });

  it('every further address must look like an email address', () => {
    for (const email of ['lead', 'lead@', '@example.org', 'lead@example', 'a b@example.org']) {
      expect(code(() => validateAlertSettings(alerts(30, null, ['ok@example.org', email])))).toBe('validation_failed');
    }
  });

  it('the threshold of a level is its minutes, or null when the survey has no second level', () => {
    expect(alertThresholdMinutes(alerts(30, 90), 1)).toBe(30);
    expect(alertThresholdMinutes(alerts(30, 90), 2)).toBe(90);
    expect(alertThresholdMinutes(alerts(30, null), 2)).toBeNull();
  });
});

describe('when an alert is due', () => {
  it('without business hours, after that many minutes on the clock', () => {
    expect(alertDueAt(null, at('2026-01-17T12:00:00Z'), 30)).toBe(at('2026-01-17T12:30:00Z'));
  });

  it('with business hours, after that many open minutes, skipping the night and the weekend', () => {
    expect(alertDueAt(london, at('2026-01-14T16:45:00Z'), 30)).toBe(at('2026-01-15T09:15:00Z'));
    expect(alertDueAt(london, at('2026-01-16T16:45:00Z'), 30)).toBe(at('2026-01-19T09:15:00Z'));
    // Christmas 2026 is a Friday and a holiday.
    expect(alertDueAt(london, at('2026-12-24T16:45:00Z'), 30)).toBe(at('2026-12-28T09:15:00Z'));
  });

  it('never, when holidays close every opening day for years', () => {
    const mondays = Array.from({ length: 4 * 53 }, (_, week) =>
      new Date(at('2026-01-05T00:00:00Z') + week * 7 * 86_400_000).toISOString().slice(0, 10),
    );
    expect(
      alertDueAt({ timeZone: 'Europe/London', weekly: { mon: NINE_TO_FIVE }, holidays: mondays }, at('2026-01-01T00:00:00Z'), 30),
    ).toBeNull();
  });
});

describe('auto-close', () => {
  it('a case closes after that many whole days without a message', () => {
    expect(autoCloseDueAt({ quietDays: 7, closingText: null }, at('2026-01-14T10:00:00Z'))).toBe(at('2026-01-21T10:00:00Z'));
  });

  it('quiet days are whole numbers from 1 to 3650; a closing text is null or not blank', () => {
    expect(code(() => validateAutoClose({ quietDays: 1, closingText: 'We are closing this conversation.' }))).toBe('accepted');
    expect(code(() => validateAutoClose({ quietDays: 3650, closingText: null }))).toBe('accepted');
    for (const quietDays of [0, 2.5, 3651])
      expect(code(() => validateAutoClose({ quietDays, closingText: null }))).toBe('validation_failed');
    expect(code(() => validateAutoClose({ quietDays: 7, closingText: '  \n ' }))).toBe('validation_failed');
  });
});

describe('acknowledgement', () => {
  const ack = { text: 'Thank you, your case is #{case}.', outOfHoursText: 'We are closed; we answer from 09:00. Case #{case}.' };

  it('inside business hours the usual text is sent', () => {
    expect(acknowledgementText(ack, london, at('2026-01-14T10:00:00Z'))).toEqual({ text: ack.text, outOfHours: false });
  });

  it('outside business hours the out-of-hours text is sent', () => {
    expect(acknowledgementText(ack, london, at('2026-01-14T02:00:00Z'))).toEqual({ text: ack.outOfHoursText, outOfHours: true });
    expect(acknowledgementText(ack, london, at('2026-12-25T10:00:00Z'))).toEqual({ text: ack.outOfHoursText, outOfHours: true });
  });

  it('outside business hours without an out-of-hours text, the usual text is sent, still marked out of hours', () => {
    expect(acknowledgementText({ ...ack, outOfHoursText: null }, london, at('2026-01-14T02:00:00Z'))).toEqual({
      text: ack.text,
      outOfHours: true,
    });
  });

  it('a survey without business hours is never out of hours', () => {
    expect(acknowledgementText(ack, null, at('2026-01-14T02:00:00Z'))).toEqual({ text: ack.text, outOfHours: false });
  });

  it('texts must not be blank; the out-of-hours one may be null', () => {
    expect(code(() => validateAcknowledgement(ack))).toBe('accepted');
    expect(code(() => validateAcknowledgement({ ...ack, outOfHoursText: null }))).toBe('accepted');
    expect(code(() => validateAcknowledgement({ ...ack, text: ' ' }))).toBe('validation_failed');
    expect(code(() => validateAcknowledgement({ ...ack, outOfHoursText: '\t' }))).toBe('validation_failed');
  });

  it('{case} is filled with the case number wherever it appears; other braces stay', () => {
    expect(fillCasePlaceholder('Case #{case}: we will reply about {case} soon. {contact}', 123)).toBe(
      'Case #123: we will reply about 123 soon. {contact}',
    );
    expect(fillCasePlaceholder('No placeholder here.', 123)).toBe('No placeholder here.');
  });
});

describe('timer ids', () => {
  it("a case's timer of one kind has one id however often it is scheduled", () => {
    expect(timerJobId(ALERT_TIMER_JOBS[1], 'case-1')).toBe(timerJobId(ALERT_TIMER_JOBS[1], 'case-1'));
    expect(timerJobId(ALERT_TIMER_JOBS[1], 'case-1')).not.toBe(timerJobId(ALERT_TIMER_JOBS[2], 'case-1'));
    expect(timerJobId(ALERT_TIMER_JOBS[1], 'case-1')).not.toBe(timerJobId(ALERT_TIMER_JOBS[1], 'case-2'));
  });
});
