import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  isOpenAt,
  validateBusinessHours,
  WEEKDAYS,
  type BusinessHours,
  type OpeningInterval,
  type Weekday,
} from '../../../src/domain/business-hours.js';
import { DomainError } from '../../../src/domain/errors.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const NINE_TO_FIVE: OpeningInterval[] = [['09:00', '17:00']];
const officeWeek = { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: NINE_TO_FIVE };
const ALL_DAY: OpeningInterval[] = [['00:00', '24:00']];
const allDayEveryDay: BusinessHours['weekly'] = Object.fromEntries(WEEKDAYS.map((day) => [day, ALL_DAY]));

const hoursIn = (timeZone: string, weekly: BusinessHours['weekly'] = officeWeek, holidays: string[] = []): BusinessHours => {
  const hours = { timeZone, weekly, holidays };
  validateBusinessHours(hours);
  return hours;
};
const london = hoursIn('Europe/London');
const mondays = (...intervals: OpeningInterval[]): BusinessHours['weekly'] => ({ mon: intervals });
const newYorkSundays = (interval: OpeningInterval) => hoursIn('America/New_York', { sun: [interval] });

describe('isOpenAt', () => {
  it('an interval opens at its start and closes at its end', () => {
    expect(isOpenAt(london, at('2026-01-14T08:59:59.999Z'))).toBe(false);
    expect(isOpenAt(london, at('2026-01-14T09:00:00Z'))).toBe(true);
    expect(isOpenAt(london, at('2026-01-14T16:59:59.999Z'))).toBe(true);
    expect(isOpenAt(london, at('2026-01-14T17:00:00Z'))).toBe(false);
  });

  it('days without intervals are closed', () => {
    expect(isOpenAt(london, at('2026-01-17T12:00:00Z'))).toBe(false);
    expect(isOpenAt(london, at('2026-01-18T12:00:00Z'))).toBe(false);
  });

  it('a holiday is closed all day, and only that day', () => {
    const hours = hoursIn('Europe/London', officeWeek, ['2026-01-14']);
    expect(isOpenAt(hours, at('2026-01-14T12:00:00Z'))).toBe(false);
    expect(isOpenAt(hours, at('2026-01-13T12:00:00Z'))).toBe(true);
    expect(isOpenAt(hours, at('2026-01-15T12:00:00Z'))).toBe(true);
  });

  it('a day may have several intervals, given in any order', () => {
    const hours = hoursIn('Europe/London', mondays(['13:00', '17:30'], ['08:00', '12:00']));
    expect(isOpenAt(hours, at('2026-01-12T11:59:00Z'))).toBe(true);
    expect(isOpenAt(hours, at('2026-01-12T12:00:00Z'))).toBe(false);
    expect(isOpenAt(hours, at('2026-01-12T13:00:00Z'))).toBe(true);
    expect(isOpenAt(hours, at('2026-01-12T17:30:00Z'))).toBe(false);
  });

  it('24:00 closes at the next local midnight; a night shift is split across two days', () => {
    const hours = hoursIn('Europe/London', { fri: [['22:00', '24:00']], sat: [['00:00', '06:00']] });
    expect(isOpenAt(hours, at('2026-01-16T21:59:59.999Z'))).toBe(false);
    expect(isOpenAt(hours, at('2026-01-16T23:59:59.999Z'))).toBe(true);
    expect(isOpenAt(hours, at('2026-01-17T00:00:00Z'))).toBe(true);
    expect(isOpenAt(hours, at('2026-01-17T06:00:00Z'))).toBe(false);
    expect(businessMinutesBetween(hours, at('2026-01-16T00:00:00Z'), at('2026-01-18T00:00:00Z'))).toBe(480);
    const saturdayUntilMidnight = hoursIn('Europe/London', { sat: [['20:00', '24:00']] });
    expect(isOpenAt(saturdayUntilMidnight, at('2026-01-17T23:59:59.999Z'))).toBe(true);
    expect(isOpenAt(saturdayUntilMidnight, at('2026-01-18T00:00:00Z'))).toBe(false);
  });

  it('Pacific/Auckland: Monday morning there is still Sunday in UTC', () => {
    const auckland = hoursIn('Pacific/Auckland');
    expect(isOpenAt(auckland, at('2026-01-12T08:59:59.999+13:00'))).toBe(false);
    expect(isOpenAt(auckland, at('2026-01-12T09:00:00+13:00'))).toBe(true);
    expect(at('2026-01-12T09:00:00+13:00')).toBe(at('2026-01-11T20:00:00Z'));
    expect(isOpenAt(auckland, at('2026-01-16T03:59:59.999Z'))).toBe(true);
    expect(isOpenAt(auckland, at('2026-01-16T04:00:00Z'))).toBe(false);
    // Friday 21:00 UTC is Saturday 10:00 in Auckland.
    expect(isOpenAt(auckland, at('2026-01-16T21:00:00Z'))).toBe(false);
  });

  it('America/Sao_Paulo: a Friday evening interval runs into Saturday UTC', () => {
    const saoPaulo = hoursIn('America/Sao_Paulo', { fri: [['20:00', '24:00']] });
    expect(isOpenAt(saoPaulo, at('2026-01-16T22:59:59.999Z'))).toBe(false);
    expect(isOpenAt(saoPaulo, at('2026-01-17T01:00:00Z'))).toBe(true);
    expect(isOpenAt(saoPaulo, at('2026-01-17T02:59:59.999Z'))).toBe(true);
    expect(isOpenAt(saoPaulo, at('2026-01-17T03:00:00Z'))).toBe(false);
  });

  it('Asia/Kolkata: the half-hour offset moves the edges to half past', () => {
    const kolkata = hoursIn('Asia/Kolkata');
    expect(isOpenAt(kolkata, at('2026-01-12T03:29:59.999Z'))).toBe(false);
    expect(isOpenAt(kolkata, at('2026-01-12T03:30:00Z'))).toBe(true);
    expect(isOpenAt(kolkata, at('2026-01-12T11:29:59.999Z'))).toBe(true);
    expect(isOpenAt(kolkata, at('2026-01-12T11:30:00Z'))).toBe(false);
  });

  it('Africa/Nairobi: a holiday follows the local date, not the UTC one', () => {
    const nairobi = hoursIn('Africa/Nairobi', { thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY }, ['2026-12-25']);
    expect(isOpenAt(nairobi, at('2026-12-24T20:59:59.999Z'))).toBe(true);
    expect(isOpenAt(nairobi, at('2026-12-24T21:00:00Z'))).toBe(false);
    expect(isOpenAt(nairobi, at('2026-12-25T20:59:59.999Z'))).toBe(false);
    expect(isOpenAt(nairobi, at('2026-12-25T21:00:00Z'))).toBe(true);
  });
});

describe('businessMinutesBetween', () => {
  it('counts only the open minutes of [from, to)', () => {
    expect(businessMinutesBetween(london, at('2026-01-14T08:00:00Z'), at('2026-01-14T18:00:00Z'))).toBe(480);
    expect(businessMinutesBetween(london, at('2026-01-14T10:00:00Z'), at('2026-01-14T10:30:00Z'))).toBe(30);
    expect(businessMinutesBetween(london, at('2026-01-17T00:00:00Z'), at('2026-01-19T00:00:00Z'))).toBe(0);
  });

  it('is the exact open milliseconds over 60,000, so may be fractional', () => {
    expect(businessMinutesBetween(london, at('2026-01-14T09:00:00Z'), at('2026-01-14T09:00:30Z'))).toBe(0.5);
    expect(businessMinutesBetween(london, at('2026-01-14T16:59:59.999Z'), at('2026-01-14T18:00:00Z'))).toBe(1 / 60_000);
  });

  it('is 0 when to is not after from', () => {
    expect(businessMinutesBetween(london, at('2026-01-14T10:00:00Z'), at('2026-01-14T10:00:00Z'))).toBe(0);
    expect(businessMinutesBetween(london, at('2026-01-14T12:00:00Z'), at('2026-01-14T10:00:00Z'))).toBe(0);
  });

  it('skips a weekend and a holiday', () => {
    const hours = hoursIn('Europe/London', officeWeek, ['2026-01-19']);
    // Friday 16:00–17:00, (weekend), (Monday holiday), Tuesday 09:00–17:00, Wednesday 09:00–10:00.
    expect(businessMinutesBetween(hours, at('2026-01-16T16:00:00Z'), at('2026-01-21T10:00:00Z'))).toBe(600);
  });

  it('Asia/Kolkata: a whole UTC day holds one whole local working day', () => {
    expect(businessMinutesBetween(hoursIn('Asia/Kolkata'), at('2026-01-12T00:00:00Z'), at('2026-01-13T00:00:00Z'))).toBe(480);
  });
});

describe('addBusinessMinutes', () => {
  it('minutes that run past closing continue at the next opening', () => {
    expect(iso(addBusinessMinutes(london, at('2026-01-14T16:30:00Z'), 60))).toBe(iso(at('2026-01-15T09:30:00+00:00')));
  });

  it('a count that runs out exactly at closing time gives closing time, not the next opening', () => {
    expect(iso(addBusinessMinutes(london, at('2026-01-14T16:00:00Z'), 60))).toBe(iso(at('2026-01-14T17:00:00+00:00')));
  });

  it('counting from a closed moment starts at the next opening', () => {
    expect(iso(addBusinessMinutes(london, at('2026-01-17T12:00:00Z'), 1))).toBe(iso(at('2026-01-19T09:01:00+00:00')));
  });

  it('zero minutes gives from itself, open or closed', () => {
    expect(addBusinessMinutes(london, at('2026-01-17T12:00:00Z'), 0)).toBe(at('2026-01-17T12:00:00Z'));
    expect(addBusinessMinutes(london, at('2026-01-14T12:00:00Z'), 0)).toBe(at('2026-01-14T12:00:00Z'));
  });

  it('skips a weekend and a holiday', () => {
    const hours = hoursIn('Europe/London', officeWeek, ['2026-01-19']);
    const friday = at('2026-01-16T16:00:00Z');
    expect(iso(addBusinessMinutes(hours, friday, 600))).toBe(iso(at('2026-01-21T10:00:00+00:00')));
    expect(iso(addBusinessMinutes(hours, friday, 1000))).toBe(iso(at('2026-01-21T16:40:00+00:00')));
  });

  it('Pacific/Auckland and Asia/Kolkata: the count follows local office hours', () => {
    expect(iso(addBusinessMinutes(hoursIn('Pacific/Auckland'), at('2026-01-16T16:00:00+13:00'), 120))).toBe(
      iso(at('2026-01-19T10:00:00+13:00')),
    );
    expect(iso(addBusinessMinutes(hoursIn('Asia/Kolkata'), at('2026-01-12T16:30:00+05:30'), 60))).toBe(
      iso(at('2026-01-13T09:30:00+05:30')),
    );
  });

  it('is null when holidays close every opening day for three years', () => {
    const mondays = Array.from({ length: 4 * 53 }, (_, week) =>
      new Date(at('2026-01-05T00:00:00Z') + week * 7 * 86_400_000).toISOString().slice(0, 10),
    );
    expect(addBusinessMinutes(hoursIn('Europe/London', { mon: NINE_TO_FIVE }, mondays), at('2026-01-01T00:00:00Z'), 1)).toBeNull();
    const twoYearsOfMondays = mondays.slice(0, 2 * 52);
    expect(iso(addBusinessMinutes(hoursIn('Europe/London', { mon: NINE_TO_FIVE }, twoYearsOfMondays), at('2026-01-01T00:00:00Z'), 1))).toBe(
      iso(at('2028-01-03T09:01:00+00:00')),
    );
  });

  it('refuses a negative or non-finite count', () => {
    expect(() => addBusinessMinutes(london, at('2026-01-14T12:00:00Z'), -1)).toThrow(RangeError);
    expect(() => addBusinessMinutes(london, at('2026-01-14T12:00:00Z'), Number.NaN)).toThrow(RangeError);
  });
});

describe('daylight-saving changes count real elapsed time', () => {
  it('America/New_York spring forward: 01:00–04:00 lasts two hours', () => {
    const hours = newYorkSundays(['01:00', '04:00']);
    expect(businessMinutesBetween(hours, at('2026-03-08T00:00:00-05:00'), at('2026-03-09T00:00:00-04:00'))).toBe(120);
    expect(isOpenAt(hours, at('2026-03-08T01:59:59.999-05:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-03-08T03:00:00-04:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-03-08T04:00:00-04:00'))).toBe(false);
    expect(iso(addBusinessMinutes(hours, at('2026-03-08T00:00:00-05:00'), 90))).toBe(iso(at('2026-03-08T03:30:00-04:00')));
  });

  it('America/New_York fall back: 01:00–04:00 lasts four hours, the repeated hour counting twice', () => {
    const hours = newYorkSundays(['01:00', '04:00']);
    expect(businessMinutesBetween(hours, at('2026-11-01T00:00:00-04:00'), at('2026-11-02T00:00:00-05:00'))).toBe(240);
    expect(iso(addBusinessMinutes(hours, at('2026-11-01T00:00:00-04:00'), 90))).toBe(iso(at('2026-11-01T01:30:00-05:00')));
    expect(iso(addBusinessMinutes(hours, at('2026-11-01T00:00:00-04:00'), 240))).toBe(iso(at('2026-11-01T04:00:00-05:00')));
  });

  it('an interval inside the repeated hour is open in both passes', () => {
    const hours = newYorkSundays(['01:00', '01:30']);
    expect(businessMinutesBetween(hours, at('2026-11-01T00:00:00-04:00'), at('2026-11-02T00:00:00-05:00'))).toBe(60);
    expect(isOpenAt(hours, at('2026-11-01T01:15:00-04:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-11-01T01:45:00-04:00'))).toBe(false);
    expect(isOpenAt(hours, at('2026-11-01T01:15:00-05:00'))).toBe(true);
    expect(iso(addBusinessMinutes(hours, at('2026-11-01T00:00:00-04:00'), 45))).toBe(iso(at('2026-11-01T01:15:00-05:00')));
  });

  it('an interval starting in the skipped hour opens when the clock jumps; one wholly inside it never opens', () => {
    const lateStart = newYorkSundays(['02:30', '05:00']);
    expect(isOpenAt(lateStart, at('2026-03-08T01:59:59.999-05:00'))).toBe(false);
    expect(iso(addBusinessMinutes(lateStart, at('2026-03-08T00:00:00-05:00'), 1))).toBe(iso(at('2026-03-08T03:01:00-04:00')));
    expect(businessMinutesBetween(lateStart, at('2026-03-08T00:00:00-05:00'), at('2026-03-09T00:00:00-04:00'))).toBe(120);
    const skipped = newYorkSundays(['02:00', '03:00']);
    expect(businessMinutesBetween(skipped, at('2026-03-08T00:00:00-05:00'), at('2026-03-09T00:00:00-04:00'))).toBe(0);
    expect(iso(addBusinessMinutes(skipped, at('2026-03-07T12:00:00-05:00'), 1))).toBe(iso(at('2026-03-15T02:01:00-04:00')));
  });

  it('Europe/London: office hours across the change weekends keep their local times', () => {
    expect(iso(addBusinessMinutes(london, at('2026-03-27T16:00:00+00:00'), 120))).toBe(iso(at('2026-03-30T10:00:00+01:00')));
    expect(iso(addBusinessMinutes(london, at('2026-10-23T16:00:00+01:00'), 120))).toBe(iso(at('2026-10-26T10:00:00+00:00')));
    const night = hoursIn('Europe/London', { sun: [['00:00', '03:00']] });
    expect(businessMinutesBetween(night, at('2026-03-29T00:00:00+00:00'), at('2026-03-30T00:00:00+01:00'))).toBe(120);
    expect(businessMinutesBetween(night, at('2026-10-25T00:00:00+01:00'), at('2026-10-26T00:00:00+00:00'))).toBe(240);
  });

  it('Europe/London open around the clock: the spring weekend is 47 hours, the autumn one 49', () => {
    const always = hoursIn('Europe/London', allDayEveryDay);
    expect(businessMinutesBetween(always, at('2026-03-28T00:00:00+00:00'), at('2026-03-30T00:00:00+01:00'))).toBe(47 * 60);
    expect(businessMinutesBetween(always, at('2026-10-24T00:00:00+01:00'), at('2026-10-26T00:00:00+00:00'))).toBe(49 * 60);
  });

  it('America/Sao_Paulo 2018–19: a change at midnight skips or repeats the end of a day', () => {
    // 2018-11-04 00:00 became 01:00; on 2019-02-17 00:00 the clock went back to 23:00 of the 16th.
    const springSunday = hoursIn('America/Sao_Paulo', { sun: [['00:00', '02:00']] });
    expect(iso(addBusinessMinutes(springSunday, at('2018-11-03T12:00:00-03:00'), 1))).toBe(iso(at('2018-11-04T01:01:00-02:00')));
    expect(businessMinutesBetween(springSunday, at('2018-11-03T12:00:00-03:00'), at('2018-11-05T00:00:00-02:00'))).toBe(60);
    const aroundMidnight = hoursIn('America/Sao_Paulo', { sat: [['23:00', '24:00']], sun: [['00:00', '01:00']] });
    expect(businessMinutesBetween(aroundMidnight, at('2019-02-16T00:00:00Z'), at('2019-02-18T00:00:00Z'))).toBe(180);
    expect(isOpenAt(aroundMidnight, at('2019-02-16T23:30:00-03:00'))).toBe(true);
    expect(isOpenAt(aroundMidnight, at('2019-02-17T00:30:00-03:00'))).toBe(true);
    expect(iso(addBusinessMinutes(aroundMidnight, at('2019-02-16T23:30:00-02:00'), 60))).toBe(iso(at('2019-02-16T23:30:00-03:00')));
  });
});

const ZONES = [
  'Europe/London',
  'America/New_York',
  'Pacific/Auckland',
  'America/Sao_Paulo',
  'Asia/Kolkata',
  'Africa/Nairobi',
  'Australia/Lord_Howe',
];
const clock = (quarterHours: number) => {
  const minutes = quarterHours * 15;
  return minutes === 1440 ? '24:00' : `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
};
/** A day's intervals from an even number of distinct quarter-hour boundaries. */
const dayIntervals = (minLength: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max: 96 }), { minLength, maxLength: 6 }).map((bounds) => {
    const sorted = [...bounds].sort((a, b) => a - b);
    const intervals: OpeningInterval[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) intervals.push([clock(sorted[i]!), clock(sorted[i + 1]!)]);
    return intervals;
  });
const DAY = 86_400_000;
const START = at('2025-12-01T00:00:00Z');
const arbitraryHours: fc.Arbitrary<BusinessHours> = fc.record({
  timeZone: fc.constantFrom(...ZONES),
  weekly: fc
    .tuple(dayIntervals(2), ...WEEKDAYS.slice(1).map(() => dayIntervals(0)))
    .map((days) => Object.fromEntries(days.map((intervals, index) => [WEEKDAYS[index] as Weekday, intervals]))),
  holidays: fc
    .uniqueArray(fc.integer({ min: 0, max: 800 }), { maxLength: 20 })
    .map((days) => days.map((day) => iso(START + day * DAY)!.slice(0, 10))),
});
const arbitraryInstant = fc.integer({ min: START, max: at('2027-12-31T00:00:00Z') });

describe('addBusinessMinutes and businessMinutesBetween are inverse', () => {
  it('adding N minutes lands on the earliest instant N business minutes later', () => {
    fc.assert(
      fc.property(arbitraryHours, arbitraryInstant, fc.integer({ min: 0, max: 3000 }), (hours, from, minutes) => {
        validateBusinessHours(hours);
        const due = addBusinessMinutes(hours, from, minutes);
        expect(due).not.toBeNull();
        expect(due!).toBeGreaterThanOrEqual(from);
        expect(businessMinutesBetween(hours, from, due!)).toBe(minutes);
        if (minutes > 0) expect(businessMinutesBetween(hours, from, due! - 1)).toBeLessThan(minutes);
      }),
      { numRuns: 200 },
    );
  });

  it('adding the minutes between two instants never passes the later one', () => {
    fc.assert(
      fc.property(arbitraryHours, arbitraryInstant, fc.integer({ min: 0, max: 20 * DAY }), (hours, from, span) => {
        const minutes = businessMinutesBetween(hours, from, from + span);
        const due = addBusinessMinutes(hours, from, minutes);
        expect(due!).toBeLessThanOrEqual(from + span);
        expect(businessMinutesBetween(hours, from, due!)).toBe(minutes);
      }),
      { numRuns: 200 },
    );
  });

  it('an instant is open exactly when its own millisecond counts as business time', () => {
    fc.assert(
      fc.property(arbitraryHours, arbitraryInstant, (hours, instant) => {
        expect(businessMinutesBetween(hours, instant, instant + 1) > 0).toBe(isOpenAt(hours, instant));
      }),
      { numRuns: 300 },
    );
  });
});

describe('validateBusinessHours', () => {
  const code = (hours: BusinessHours) => {
    try {
      validateBusinessHours(hours);
    } catch (error) {
      return error instanceof DomainError ? error.code : 'other';
    }
    return 'accepted';
  };
  const valid: BusinessHours = { timeZone: 'Europe/London', weekly: officeWeek, holidays: ['2026-12-25'] };

  it('accepts a zone, intervals that touch, 24:00 as an end and real dates', () => {
    expect(code(valid)).toBe('accepted');
    expect(code({ ...valid, weekly: mondays(['00:00', '12:00'], ['12:00', '24:00']), holidays: ['2028-02-29'] })).toBe('accepted');
  });

  it('refuses what is not an IANA time zone', () => {
    expect(code({ ...valid, timeZone: 'Mars/Olympus_Mons' })).toBe('validation_failed');
    expect(code({ ...valid, timeZone: '' })).toBe('validation_failed');
  });

  it('refuses clock times that do not exist, and 24:00 as a start', () => {
    expect(code({ ...valid, weekly: { mon: [['09:00', '25:00']] } })).toBe('validation_failed');
    expect(code({ ...valid, weekly: { mon: [['9:00', '17:00']] } })).toBe('validation_failed');
    expect(code({ ...valid, weekly: { mon: [['09:60', '17:00']] } })).toBe('validation_failed');
    expect(code({ ...valid, weekly: { mon: [['24:00', '24:00']] } })).toBe('validation_failed');
  });

  it('refuses an interval that does not start before it ends', () => {
    expect(code({ ...valid, weekly: { mon: [['17:00', '09:00']] } })).toBe('validation_failed');
    expect(code({ ...valid, weekly: { mon: [['09:00', '09:00']] } })).toBe('validation_failed');
    expect(code({ ...valid, weekly: { fri: [['22:00', '06:00']] } })).toBe('validation_failed');
  });

  it('refuses overlapping intervals', () => {
    expect(code({ ...valid, weekly: mondays(['12:00', '18:00'], ['09:00', '13:00']) })).toBe('validation_failed');
  });

  it('refuses a holiday that is not a real date YYYY-MM-DD', () => {
    for (const holiday of ['25/12/2026', '2026-13-01', '2026-12-32', '2026-02-29', '2026-02-30', '2026-12-25T00:00']) {
      expect(code({ ...valid, holidays: [holiday] })).toBe('validation_failed');
    }
  });

  it('refuses a schedule with no interval at all, and unknown day names', () => {
    expect(code({ ...valid, weekly: {} })).toBe('validation_failed');
    expect(code({ ...valid, weekly: { mon: [], sat: [] } })).toBe('validation_failed');
    expect(code({ ...valid, weekly: { monday: NINE_TO_FIVE } as BusinessHours['weekly'] })).toBe('validation_failed');
  });
});
