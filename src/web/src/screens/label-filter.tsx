import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { labelsApi } from '../api/labels.js';
import { SelectField } from '../ui/fields.js';
import { useLoad } from '../ui/use-load.js';

/**
 * The case list's label filter (`label=` of the list API): the organisation's labels, or
 * nothing while it has none. A chosen label that is deleted stops filtering.
 */
export function LabelFilter({ id, value, onChange }: { id: string; value: string; onChange: (labelId: string) => void }) {
  const { t } = useTranslation('cases');
  const { data } = useLoad(() => labelsApi.list(), [], { reloadOn: (event) => event.type === 'labels.changed' });
  const labels = data?.items ?? null;
  const gone = labels !== null && value !== '' && !labels.some((l) => l.id === value);
  useEffect(() => {
    if (gone) onChange('');
  }, [gone, onChange]);

  if (!labels || (labels.length === 0 && value === '')) return null;
  return (
    <SelectField
      id={id}
      label={t('labelFilter.label')}
      placeholder={t('labelFilter.any')}
      options={labels.map((l) => ({ value: l.id, label: l.name }))}
      value={gone ? '' : value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
