import { useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Colleague, PhoneNumber, Survey } from '../../api/types.js';
import { channelLabel } from '../../format.js';
import { InputField, SegmentedChoice, SelectField } from '../../ui/fields.js';
import { type Bucket, type ReportFilters } from './report-query.js';

const BUCKET_CHOICES = [
  ['day', 'filters.day'],
  ['week', 'filters.week'],
  ['month', 'filters.month'],
] as const satisfies readonly (readonly [Bucket, string])[];

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
  const { t } = useTranslation('reports');
  const id = useId();
  const zones = useMemo(() => timeZones(filters.tz), [filters.tz]);
  const numberChoices = (numbers ?? []).filter((n) => !filters.surveyId || n.surveyId === filters.surveyId);
  const setDay = (name: 'from' | 'to', value: string) => {
    // A date input reads "" while a date is half typed; the last whole date stays.
    if (DAY_PATTERN.test(value)) onChange({ [name]: value });
  };

  return (
    <form className="filters report-filters" role="search" aria-label={t('filters.label')} onSubmit={(e) => e.preventDefault()}>
      <SelectField
        label={t('filters.survey')}
        placeholder={t('filters.everySurvey')}
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
        label={t('filters.number')}
        placeholder={t('filters.everyNumber')}
        options={numberChoices.map((n) => ({ value: n.id, label: `${n.ourNumber} (${channelLabel(n.channel)})` }))}
        value={filters.numberId}
        onChange={(e) => onChange({ numberId: e.target.value })}
      />
      <SelectField
        label={t('filters.worker')}
        placeholder={t('filters.everyWorker')}
        options={(workers ?? []).map((w) => ({ value: w.id, label: w.name }))}
        value={filters.userId}
        onChange={(e) => onChange({ userId: e.target.value })}
      />
      <InputField
        label={t('filters.from')}
        type="date"
        required
        max={filters.to}
        value={filters.from}
        onChange={(e) => setDay('from', e.target.value)}
      />
      <InputField
        label={t('filters.to')}
        type="date"
        required
        min={filters.from}
        value={filters.to}
        onChange={(e) => setDay('to', e.target.value)}
      />
      <SegmentedChoice
        legend={t('filters.per')}
        name={`${id}-bucket`}
        options={BUCKET_CHOICES.map(([bucket, key]) => [bucket, t(key)] as const)}
        value={filters.bucket}
        onChange={(bucket) => onChange({ bucket })}
      />
      <SelectField
        label={t('filters.timeZone')}
        options={zones.map((zone) => ({ value: zone, label: zone.replace(/_/g, ' ') }))}
        value={filters.tz}
        onChange={(e) => onChange({ tz: e.target.value })}
      />
    </form>
  );
}
