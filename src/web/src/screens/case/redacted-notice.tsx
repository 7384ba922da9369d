import { Trans, useTranslation } from 'react-i18next';
import type { CaseRecord } from '../../api/types.js';
import { formatFullTime } from '../../format.js';
import { Notice } from '../../ui/components.js';

/** A case emptied by retention or an erasure (DESIGN.md §9) says so, rather than looking like a case with nothing in it. */
export function RedactedNotice({ record }: { record: Pick<CaseRecord, 'redactedAt'> }) {
  const { t } = useTranslation('caseDetails');
  if (!record.redactedAt) return null;
  return (
    <div data-testid="redacted-notice">
      <Notice>
        <Trans
          t={t}
          i18nKey="redacted.notice"
          values={{ when: formatFullTime(record.redactedAt) }}
          components={{ time: <time dateTime={record.redactedAt} /> }}
        />
      </Notice>
    </div>
  );
}
