import { DateTime, IANAZone } from 'luxon';
import { validationFailed } from './errors.js';

/**
 * `from` and `to` (days `YYYY-MM-DD`, `to` included) in the zone `tz`, as a half-open range
 * of epoch milliseconds `[from, to)`; either end open when not given.
 */
export function dayRange(from: string | undefined, to: string | undefined, tz: string | undefined): { from?: number; to?: number } {
  const zone = tz ?? 'UTC';
  if (!IANAZone.isValidZone(zone))
    throw validationFailed(`tz must be an IANA time zone such as Europe/London; "${zone.slice(0, 40)}" is not one`);
  const startOf = (day: string, name: string): DateTime => {
    const start = DateTime.fromISO(day, { zone });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !start.isValid) throw validationFailed(`${name} must be a date YYYY-MM-DD`);
    return start.startOf('day');
  };
  const range = {
    from: from === undefined ? undefined : startOf(from, 'from').toMillis(),
    to: to === undefined ? undefined : startOf(to, 'to').plus({ days: 1 }).toMillis(),
  };
  if (range.from !== undefined && range.to !== undefined && range.from >= range.to) throw validationFailed('from must not be after to');
  return range;
}
