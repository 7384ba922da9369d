import { useId, useMemo } from 'react';
import type { Colleague, PhoneNumber, Survey } from '../../api/types.js';
import { channelLabel } from '../../format.js';
import { InputField, SegmentedChoice, SelectField } from '../../ui/fields.js';
import { type Bucket, type ReportFilters } from './report-query.js';

const BUCKET_CHOICES: readonly (readonly [Bucket, string])[] = [
  ['day', 'Day'],
  ['week', 'Week'],
  ['month', 'Month'],
];

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Every zone the browser knows, with the one chosen and UTC always among them. */
function timeZones(chosen: string): string[] {
  const known = Intl.supportedValuesOf('timeZone');
  return [...new Set([chosen, 'UTC', ...known])].sort((a, b) => a.localeCompare(b));
}

/** The dashboard's filters: what to count (survey, number, worker) and over which days, by which period, in which zone. */
export function ReportFiltersForm({
  filters,
  onChange,
  surveys,
  numbers,
  workers,
}: {
  filters: ReportFilters;
  onChange: (change: Partial<ReportFilters>) => void;
  surveys: readonly Survey[];
  /** null until loaded. */
  numbers: readonly PhoneNumber[] | null;
  workers: readonly Colleague[] | null;
}) {
  const id = useId();
  const zones = useMemo(() => timeZones(filters.tz), [filters.tz]);
  const numberChoices = (numbers ?? []).filter((n) => !filters.surveyId || n.surveyId === filters.surveyId);
  const setDay = (name: 'from' | 'to', value: string) => {
    // A date input reads "" while a date is half typed; the last whole date stays.
    if (DAY_PATTERN.test(value)) onChange({ [name]: value });
  };

  return (
    <form className="filters report-filters" role="search" aria-label="Filter the reports" onSubmit={(e) => e.preventDefault()}>
      <SelectField
        label="Survey"
        placeholder="Every survey"
        options={surveys.map((s) => ({ value: String(s.id), label: s.name }))}
        value={filters.surveyId}
        onChange={(e) => {
          const surveyId = e.target.value;
          const number = numbers?.find((n) => n.id === filters.numberId);
          // A number of another survey would leave nothing to count.
          onChange(number && surveyId && number.surveyId !== surveyId ? { surveyId, numberId: '' } : { surveyId });
        }}
      />
      <SelectField
        label="Number"
        placeholder="Every number"
        options={numberChoices.map((n) => ({ value: n.id, label: `${n.ourNumber} (${channelLabel(n.channel)})` }))}
        value={filters.numberId}
        onChange={(e) => onChange({ numberId: e.target.value })}
      />
      <SelectField
        label="Worker"
        placeholder="Every worker"
        options={(workers ?? []).map((w) => ({ value: w.id, label: w.name }))}
        value={filters.userId}
        onChange={(e) => onChange({ userId: e.target.value })}
      />
      <InputField
        label="From"
        type="date"
        required
        max={filters.to}
        value={filters.from}
        onChange={(e) => setDay('from', e.target.value)}
      />
      <InputField label="To" type="date" required min={filters.from} value={filters.to} onChange={(e) => setDay('to', e.target.value)} />
      <SegmentedChoice
        legend="Per"
        name={`${id}-bucket`}
        options={BUCKET_CHOICES}
        value={filters.bucket}
        onChange={(bucket) => onChange({ bucket })}
      />
      <SelectField
        label="Time zone"
        options={zones.map((zone) => ({ value: zone, label: zone.replace(/_/g, ' ') }))}
        value={filters.tz}
        onChange={(e) => onChange({ tz: e.target.value })}
      />
    </form>
  );
}
