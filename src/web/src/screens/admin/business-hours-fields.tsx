import { useId, useMemo, useState, type InputHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLocale } from '../../i18n/setup.js';
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
  WEEKDAYS,
  weekdayName,
  type TimeRulesDraft,
} from './time-rules-draft.js';

type HoursDraft = Pick<TimeRulesDraft, 'timeZone' | 'weekly' | 'holidays'>;

/** The business hours of a survey (DESIGN.md §8): its time zone, a weekly grid of opening intervals, and holidays. */
export function BusinessHoursFields({ draft, onChange }: { draft: HoursDraft; onChange: (change: Partial<HoursDraft>) => void }) {
  const { t } = useTranslation(['admin', 'common']);
  const locale = currentLocale();
  const zones = useMemo(() => timeZoneOptions(supportedTimeZones(), draft.timeZone), [draft.timeZone]);
  const zoneOptions = useMemo(() => zones.map((zone) => ({ value: zone, label: zone.replaceAll('_', ' ') })), [zones]);

  return (
    <>
      <SelectField
        label={t('businessHours.timeZone')}
        hint={t('businessHours.timeZoneHint')}
        options={zoneOptions}
        value={draft.timeZone}
        onChange={(e) => onChange({ timeZone: e.target.value })}
      />
      <fieldset className="week">
        <legend>{t('businessHours.openingHours')}</legend>
        <p className="hint">{t('businessHours.openingHint')}</p>
        <ul className="week-days">
          {WEEKDAYS.map((day) => {
            const name = weekdayName(day, locale);
            const intervals = draft.weekly[day];
            const setDay = (next: typeof intervals) => onChange({ weekly: { ...draft.weekly, [day]: next } });
            return (
              <li key={day} className="week-day">
                <span className="week-day-name">{name}</span>
                <div className="week-intervals">
                  {intervals.length === 0 && <span className="muted">{t('businessHours.closed')}</span>}
                  {intervals.map((interval, index) => (
                    <span key={index} className="interval">
                      <LabelledTime
                        label={t('businessHours.opensAt', { day: name, n: index + 1 })}
                        value={interval.start}
                        required
                        onChange={(e) => setDay(changeInterval(intervals, index, { start: e.target.value }))}
                      />
                      <span aria-hidden="true">–</span>
                      <LabelledTime
                        label={t('businessHours.closesAt', { day: name, n: index + 1 })}
                        value={interval.end}
                        required
                        onChange={(e) => setDay(changeInterval(intervals, index, { end: e.target.value }))}
                      />
                      <button
                        type="button"
                        className="button-icon button-danger"
                        aria-label={t('businessHours.removeInterval', { day: name, n: index + 1 })}
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
                    aria-label={t('businessHours.addInterval', { day: name })}
                    onClick={() => setDay(addInterval(intervals))}
                  >
                    {t('common:actions.add')}
                  </button>
                  {day === 'mon' && (
                    <button
                      type="button"
                      className="button-link"
                      onClick={() => onChange({ weekly: copyDay(draft.weekly, 'mon', ['tue', 'wed', 'thu', 'fri']) })}
                    >
                      {t('businessHours.sameHours')}
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
  const { t } = useTranslation(['admin', 'common']);
  const [date, setDate] = useState('');
  const add = () => {
    if (!date) return;
    onChange(addHoliday(holidays, date));
    setDate('');
  };
  return (
    <fieldset className="holidays">
      <legend>{t('businessHours.holidays')}</legend>
      <p className="hint">{t('businessHours.holidaysHint')}</p>
      {holidays.length === 0 ? (
        <p className="muted">{t('businessHours.noHolidays')}</p>
      ) : (
        <ul className="holiday-list" aria-label={t('businessHours.holidays')}>
          {holidays.map((day) => (
            <li key={day}>
              <time dateTime={day}>{formatDay(day)}</time>
              <button
                type="button"
                className="button-quiet button-danger"
                aria-label={t('businessHours.removeHoliday', { date: formatDay(day) })}
                onClick={() => onChange(holidays.filter((d) => d !== day))}
              >
                {t('common:actions.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="holiday-add">
        <InputField
          label={t('businessHours.holidayDate')}
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
          {t('businessHours.addHoliday')}
        </button>
      </div>
    </fieldset>
  );
}

/** `Mon 25 Dec 2028`, read as a local date (no time zone shift). */
function formatDay(day: string): string {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  return new Date(year, month - 1, date).toLocaleDateString(currentLocale(), {
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
