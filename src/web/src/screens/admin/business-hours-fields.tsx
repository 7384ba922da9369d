import { useId, useMemo, useState, type InputHTMLAttributes } from 'react';
import { InputField, SelectField } from '../../ui/fields.js';
import {
  addHoliday,
  addInterval,
  canAddInterval,
  changeInterval,
  copyDay,
  removeInterval,
  supportedTimeZones,
  timeZoneOptions,
  WEEKDAY_NAMES,
  WEEKDAYS,
  type TimeRulesDraft,
} from './time-rules-draft.js';

type HoursDraft = Pick<TimeRulesDraft, 'timeZone' | 'weekly' | 'holidays'>;

/** The business hours of a survey (DESIGN.md §8): its time zone, a weekly grid of opening intervals, and holidays. */
export function BusinessHoursFields({ draft, onChange }: { draft: HoursDraft; onChange: (change: Partial<HoursDraft>) => void }) {
  const zones = useMemo(() => timeZoneOptions(supportedTimeZones(), draft.timeZone), [draft.timeZone]);
  const zoneOptions = useMemo(() => zones.map((zone) => ({ value: zone, label: zone.replaceAll('_', ' ') })), [zones]);

  return (
    <>
      <SelectField
        label="Time zone"
        hint="Opening hours and holidays are local times in this zone."
        options={zoneOptions}
        value={draft.timeZone}
        onChange={(e) => onChange({ timeZone: e.target.value })}
      />
      <fieldset className="week">
        <legend>Opening hours</legend>
        <p className="hint">
          An interval that ends at 00:00 runs to midnight. A night shift is two intervals: to midnight on one day and from 00:00 on the
          next. A day without intervals is closed.
        </p>
        <ul className="week-days">
          {WEEKDAYS.map((day) => {
            const name = WEEKDAY_NAMES[day];
            const intervals = draft.weekly[day];
            const setDay = (next: typeof intervals) => onChange({ weekly: { ...draft.weekly, [day]: next } });
            return (
              <li key={day} className="week-day">
                <span className="week-day-name">{name}</span>
                <div className="week-intervals">
                  {intervals.length === 0 && <span className="muted">Closed</span>}
                  {intervals.map((interval, index) => (
                    <span key={index} className="interval">
                      <LabelledTime
                        label={`${name}, interval ${index + 1}, opens at`}
                        value={interval.start}
                        required
                        onChange={(e) => setDay(changeInterval(intervals, index, { start: e.target.value }))}
                      />
                      <span aria-hidden="true">–</span>
                      <LabelledTime
                        label={`${name}, interval ${index + 1}, closes at`}
                        value={interval.end}
                        required
                        onChange={(e) => setDay(changeInterval(intervals, index, { end: e.target.value }))}
                      />
                      <button
                        type="button"
                        className="button-icon button-danger"
                        aria-label={`Remove ${name}'s interval ${index + 1}`}
                        onClick={() => setDay(removeInterval(intervals, index))}
                      >
                        ×
                      </button>
                    </span>
                  ))}
                  <button
                    type="button"
                    className="button-quiet"
                    disabled={!canAddInterval(intervals)}
                    aria-label={`Add an interval on ${name}`}
                    onClick={() => setDay(addInterval(intervals))}
                  >
                    Add
                  </button>
                  {day === 'mon' && (
                    <button
                      type="button"
                      className="button-link"
                      onClick={() => onChange({ weekly: copyDay(draft.weekly, 'mon', ['tue', 'wed', 'thu', 'fri']) })}
                    >
                      Same hours Tuesday to Friday
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      </fieldset>
      <Holidays holidays={draft.holidays} onChange={(holidays) => onChange({ holidays })} />
    </>
  );
}

function Holidays({ holidays, onChange }: { holidays: string[]; onChange: (holidays: string[]) => void }) {
  const [date, setDate] = useState('');
  const add = () => {
    if (!date) return;
    onChange(addHoliday(holidays, date));
    setDate('');
  };
  return (
    <fieldset className="holidays">
      <legend>Holidays</legend>
      <p className="hint">Closed all day, whatever the weekly hours say.</p>
      {holidays.length === 0 ? (
        <p className="muted">No holidays.</p>
      ) : (
        <ul className="holiday-list" aria-label="Holidays">
          {holidays.map((day) => (
            <li key={day}>
              <time dateTime={day}>{formatDay(day)}</time>
              <button
                type="button"
                className="button-quiet button-danger"
                aria-label={`Remove the holiday ${formatDay(day)}`}
                onClick={() => onChange(holidays.filter((d) => d !== day))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="holiday-add">
        <InputField
          label="Holiday date"
          type="date"
          value={date}
          onChange={(e) => setDate(e.target.value)}
          onKeyDown={(e) => {
            // Enter adds the date rather than saving the whole form.
            if (e.key !== 'Enter') return;
            e.preventDefault();
            add();
          }}
        />
        <button type="button" onClick={add} disabled={!date}>
          Add holiday
        </button>
      </div>
    </fieldset>
  );
}

/** `Mon 25 Dec 2028`, read as a local date (no time zone shift). */
function formatDay(day: string): string {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  return new Date(year, month - 1, date).toLocaleDateString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
}

/** A time input whose label only screen readers need: the grid's row names the day. */
function LabelledTime({ label, ...input }: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <>
      <label className="visually-hidden" htmlFor={id}>
        {label}
      </label>
      <input id={id} type="time" {...input} />
    </>
  );
}
