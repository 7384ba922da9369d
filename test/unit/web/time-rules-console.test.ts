import { describe, expect, it } from 'vitest';
import '../../support/console-english.js';
import type { AlertList, CaseRecord, PhoneNumber } from '../../../src/web/src/api/types.js';
import { acknowledgementOf, draftFromNumber, newNumberDraft } from '../../../src/web/src/screens/admin/number-draft.js';
import {
  addHoliday,
  addInterval,
  canAddInterval,
  copyDay,
  describeTimeRules,
  removeInterval,
  timeRulesBody,
  timeRulesDraft,
  timeZoneOptions,
  type TimeRules,
} from '../../../src/web/src/screens/admin/time-rules-draft.js';
import { formatTimeLeft, msUntilChange, windowClock } from '../../../src/web/src/screens/case/whatsapp-window.js';
import { alertLevelLabel, alertWaited, badgeText, bellLabel, withAlertRead, withAllRead } from '../../../src/web/src/team/alert-list.js';
import { parseRoute, paths } from '../../../src/web/src/router.js';

const OFF: TimeRules = { businessHours: null, alerts: null, autoClose: null };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('the survey time-rules form', () => {
  it('starts every rule off, with office hours in the browser zone ready when switched on', () => {
    const draft = timeRulesDraft(OFF, 'Africa/Nairobi');
    expect(draft).toMatchObject({ hoursOn: false, alertsOn: false, autoCloseOn: false, timeZone: 'Africa/Nairobi', holidays: [] });
    expect(draft.weekly.mon).toEqual([{ start: '09:00', end: '17:00' }]);
    expect(draft.weekly.sat).toEqual([]);
    expect(timeRulesBody(draft)).toEqual(OFF);
    expect(timeRulesBody({ ...draft, hoursOn: true }).businessHours).toEqual({
      timeZone: 'Africa/Nairobi',
      weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, [['09:00', '17:00']]])),
      holidays: [],
    });
  });

  it('sends back stored rules as they were, a day to midnight ending at 24:00 and shown ending at 00:00', () => {
    const stored: TimeRules = {
      businessHours: {
        timeZone: 'Europe/London',
        weekly: {
          mon: [
            ['08:00', '12:00'],
            ['13:00', '17:30'],
          ],
          fri: [['22:00', '24:00']],
          sat: [['00:00', '06:00']],
        },
        holidays: ['2026-12-25', '2026-01-01'],
      },
      alerts: { firstLevelMinutes: 30, secondLevelMinutes: 90, emails: ['lead@example.org'] },
      autoClose: { quietDays: 14, closingText: 'We are closing this case.' },
    };
    const draft = timeRulesDraft(stored, 'UTC');
    expect(draft.timeZone).toBe('Europe/London');
    expect(draft.weekly.fri).toEqual([{ start: '22:00', end: '00:00' }]);
    expect(draft.weekly.tue).toEqual([]);
    expect(draft.holidays).toEqual(['2026-01-01', '2026-12-25']);
    expect(draft.secondLevelMinutes).toBe('90');
    expect(timeRulesBody(draft)).toEqual({
      ...stored,
      businessHours: { ...stored.businessHours!, holidays: ['2026-01-01', '2026-12-25'] },
    });
  });

  it('reads the alert and auto-close fields: no second level when empty, emails split, a blank closing text closes silently', () => {
    const draft = {
      ...timeRulesDraft(OFF, 'UTC'),
      alertsOn: true,
      firstLevelMinutes: ' 15 ',
      secondLevelMinutes: '',
      emails: 'a@example.org\n b@example.org, c@example.org\n\n',
      autoCloseOn: true,
      quietDays: '7',
      closingText: '   ',
    };
    expect(timeRulesBody(draft)).toEqual({
      businessHours: null,
      alerts: { firstLevelMinutes: 15, secondLevelMinutes: null, emails: ['a@example.org', 'b@example.org', 'c@example.org'] },
      autoClose: { quietDays: 7, closingText: null },
    });
    // What is not a number goes as it is (NaN is sent as null) for the server to refuse by name.
    expect(timeRulesBody({ ...draft, firstLevelMinutes: '' }).alerts?.firstLevelMinutes).toBeNaN();
  });

  it('adds an interval after the latest one, up to midnight, and none after an interval that runs to midnight', () => {
    expect(addInterval([])).toEqual([{ start: '09:00', end: '17:00' }]);
    expect(addInterval([{ start: '09:00', end: '12:00' }])).toEqual([
      { start: '09:00', end: '12:00' },
      { start: '12:00', end: '16:00' },
    ]);
    expect(addInterval([{ start: '18:00', end: '22:00' }]).at(-1)).toEqual({ start: '22:00', end: '00:00' });
    const toMidnight = [{ start: '20:00', end: '00:00' }];
    expect(canAddInterval(toMidnight)).toBe(false);
    expect(addInterval(toMidnight)).toEqual(toMidnight);
    const full = Array.from({ length: 12 }, (_, i) => ({
      start: `${String(i).padStart(2, '0')}:00`,
      end: `${String(i).padStart(2, '0')}:30`,
    }));
    expect(canAddInterval(full)).toBe(false);
    expect(
      removeInterval(
        [
          { start: '09:00', end: '12:00' },
          { start: '13:00', end: '17:00' },
        ],
        0,
      ),
    ).toEqual([{ start: '13:00', end: '17:00' }]);
  });

  it("copies Monday's hours to other days as copies, not shared rows", () => {
    const weekly = timeRulesDraft(OFF, 'UTC').weekly;
    const monday = [{ start: '08:00', end: '12:00' }];
    const copied = copyDay({ ...weekly, mon: monday }, 'mon', ['tue', 'wed']);
    expect(copied.tue).toEqual(monday);
    expect(copied.tue).not.toBe(monday);
    expect(copied.thu).toEqual([{ start: '09:00', end: '17:00' }]);
  });

  it('keeps holidays once and in order, and refuses what is not a date', () => {
    expect(addHoliday(['2026-12-25'], '2026-01-01')).toEqual(['2026-01-01', '2026-12-25']);
    expect(addHoliday(['2026-12-25'], '2026-12-25')).toEqual(['2026-12-25']);
    expect(addHoliday([], '')).toEqual([]);
  });

  it('offers a stored zone the browser does not list', () => {
    expect(timeZoneOptions(['Africa/Nairobi', 'Europe/London'], 'Europe/London')).toEqual(['Africa/Nairobi', 'Europe/London']);
    expect(timeZoneOptions(['Africa/Nairobi', 'Europe/London'], 'UTC')).toEqual(['Africa/Nairobi', 'Europe/London', 'UTC']);
  });

  it('sums the rules up in one line for the survey form', () => {
    expect(describeTimeRules(OFF)).toBe('No business hours, alerts or auto-close.');
    expect(
      describeTimeRules({
        businessHours: { timeZone: 'Europe/London', weekly: { mon: [['09:00', '17:00']], tue: [] }, holidays: [] },
        alerts: { firstLevelMinutes: 30, secondLevelMinutes: 60, emails: [] },
        autoClose: { quietDays: 1, closingText: null },
      }),
    ).toBe(
      'Business hours in Europe/London, 1 day a week · Alerts after 30 min, to the admins after 60 min · Closes cases after 1 quiet day',
    );
  });

  it('has its own address beside the survey form', () => {
    expect(parseRoute(paths.surveyTimeRules('s1'))).toEqual({ name: 'survey-time-rules', surveyId: 's1' });
    expect(parseRoute(paths.survey('s1'))).toEqual({ name: 'survey-edit', surveyId: 's1' });
    expect(parseRoute('#/admin/surveys/new/time-rules').name).toBe('not-found');
    expect(parseRoute('#/admin/surveys/s1/other').name).toBe('not-found');
  });
});

describe("the number's acknowledgement", () => {
  it('is off when empty, and the out-of-hours text is null when empty', () => {
    expect(acknowledgementOf(newNumberDraft(undefined))).toBeNull();
    expect(acknowledgementOf({ acknowledgement: ' Case #{case} received ', outOfHoursText: '  ' })).toEqual({
      text: 'Case #{case} received',
      outOfHoursText: null,
    });
    expect(acknowledgementOf({ acknowledgement: 'Received', outOfHoursText: 'We are closed' })).toEqual({
      text: 'Received',
      outOfHoursText: 'We are closed',
    });
  });

  it('a saved number shows its texts', () => {
    const number = {
      templates: [],
      allowedIps: null,
      sendRatePerSecond: 1,
      multiCaseReply: null,
      acknowledgement: { text: 'Got it, #{case}', outOfHoursText: null },
    } as unknown as PhoneNumber;
    expect(draftFromNumber(number)).toMatchObject({ acknowledgement: 'Got it, #{case}', outOfHoursText: '' });
  });
});

describe("WhatsApp's window on the case screen", () => {
  const now = Date.parse('2026-03-02T12:00:00Z');
  const me = { id: 'u1', name: 'Ana' };
  const record = (change: Partial<CaseRecord>): CaseRecord =>
    ({
      channel: 'whatsapp',
      windowOpen: true,
      windowClosesAt: new Date(now + 3 * HOUR + 20 * MINUTE + 30_000).toISOString(),
      waitingSince: new Date(now - 23 * HOUR).toISOString(),
      lockedBy: me,
      ...change,
    }) as CaseRecord;

  it('shows the time left in whole minutes, rounded down', () => {
    const clock = windowClock(record({}), 'u1', now);
    expect(clock).toEqual({ state: 'open', leftMs: 3 * HOUR + 20 * MINUTE + 30_000, warn: false });
    expect(formatTimeLeft(3 * HOUR + 20 * MINUTE + 30_000)).toBe('3 h 20 min');
    expect(formatTimeLeft(24 * HOUR)).toBe('24 h');
    expect(formatTimeLeft(42 * MINUTE + 59_999)).toBe('42 min');
    expect(formatTimeLeft(59_999)).toBe('under 1 min');
  });

  it('warns under an hour only on a waiting case held by me', () => {
    const closing = new Date(now + 30 * MINUTE).toISOString();
    expect(windowClock(record({ windowClosesAt: closing }), 'u1', now)).toMatchObject({ state: 'open', warn: true });
    expect(windowClock(record({ windowClosesAt: closing }), 'u2', now)).toMatchObject({ warn: false });
    expect(windowClock(record({ windowClosesAt: closing, lockedBy: null }), 'u1', now)).toMatchObject({ warn: false });
    expect(windowClock(record({ windowClosesAt: closing, waitingSince: null }), 'u1', now)).toMatchObject({ warn: false });
    // An hour exactly is not under an hour.
    expect(windowClock(record({ windowClosesAt: new Date(now + HOUR).toISOString() }), 'u1', now)).toMatchObject({ warn: false });
  });

  it('is closed once past, open at the closing instant itself, and never more than 24 hours long', () => {
    const closesAt = new Date(now).toISOString();
    expect(windowClock(record({ windowClosesAt: closesAt }), 'u1', now)).toMatchObject({ state: 'open', leftMs: 0 });
    expect(windowClock(record({ windowClosesAt: closesAt }), 'u1', now + 1)).toEqual({ state: 'closed' });
    // A browser clock a minute behind the server's.
    const fresh = new Date(now + 24 * HOUR + MINUTE).toISOString();
    expect(windowClock(record({ windowClosesAt: fresh }), 'u1', now)).toMatchObject({ leftMs: 24 * HOUR });
  });

  it('says nothing on SMS, and follows the server when the contact never wrote', () => {
    expect(windowClock(record({ channel: 'sms', windowOpen: null, windowClosesAt: null }), 'u1', now)).toBeNull();
    expect(windowClock(record({ windowOpen: false, windowClosesAt: null }), 'u1', now)).toEqual({ state: 'closed' });
    expect(windowClock(record({ windowOpen: null, windowClosesAt: null }), 'u1', now)).toBeNull();
  });

  it('ticks when the shown minute changes and stops once closed', () => {
    const closesAt = now + 3 * HOUR + 20 * MINUTE + 30_000;
    expect(msUntilChange(closesAt, now)).toBe(30_001);
    expect(msUntilChange(now + 2 * MINUTE, now)).toBe(1);
    expect(msUntilChange(now + 59_999, now)).toBe(MINUTE);
    expect(msUntilChange(now, now)).toBe(1);
    expect(msUntilChange(now - 1, now)).toBeNull();
  });
});

describe('the alert bell', () => {
  const list: AlertList = {
    items: [
      { id: 'a2', caseNumber: 12, surveyId: 's1', level: 2, at: '2026-03-02T12:00:00Z', waitedMinutes: 125, readAt: null },
      { id: 'a1', caseNumber: 12, surveyId: 's1', level: 1, at: '2026-03-02T11:00:00Z', waitedMinutes: 35, readAt: null },
      { id: 'a0', caseNumber: 9, surveyId: 's1', level: 1, at: '2026-03-01T11:00:00Z', waitedMinutes: 30, readAt: '2026-03-01T12:00:00Z' },
    ],
    nextCursor: null,
    unread: 5,
  };

  it('names the level and how long the case had waited', () => {
    expect(alertLevelLabel(1)).toBe('waiting');
    expect(alertLevelLabel(2)).toBe('escalated to admins');
    expect(alertWaited({ waitedMinutes: 35 })).toBe('waited 35 min');
    expect(alertWaited({ waitedMinutes: 125 })).toBe('waited 2 h 5 min');
  });

  it('counts unread alerts on the badge and in its name', () => {
    expect(bellLabel(0)).toBe('Alerts, none unread');
    expect(bellLabel(3)).toBe('Alerts, 3 unread');
    expect(badgeText(7)).toBe('7');
    expect(badgeText(140)).toBe('99+');
  });

  it('reading an alert lowers the count once; reading all clears it', () => {
    const read = withAlertRead(list, 'a1', '2026-03-02T13:00:00Z');
    expect(read.unread).toBe(4);
    expect(read.items.find((a) => a.id === 'a1')?.readAt).toBe('2026-03-02T13:00:00Z');
    expect(withAlertRead(read, 'a1', '2026-03-02T14:00:00Z')).toBe(read);
    expect(withAlertRead(list, 'a0', '2026-03-02T14:00:00Z')).toBe(list);
    expect(withAlertRead(list, 'nope', '2026-03-02T14:00:00Z')).toBe(list);
    const all = withAllRead(list, '2026-03-02T15:00:00Z');
    expect(all.unread).toBe(0);
    expect(all.items.map((a) => a.readAt)).toEqual(['2026-03-02T15:00:00Z', '2026-03-02T15:00:00Z', '2026-03-01T12:00:00Z']);
  });
});
