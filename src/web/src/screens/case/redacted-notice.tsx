import type { CaseRecord } from '../../api/types.js';
import { formatFullTime } from '../../format.js';
import { Notice } from '../../ui/components.js';

/** A case emptied by retention or an erasure (DESIGN.md §9) says so, rather than looking like a case with nothing in it. */
export function RedactedNotice({ record }: { record: Pick<CaseRecord, 'redactedAt'> }) {
  if (!record.redactedAt) return null;
  return (
    <div data-testid="redacted-notice">
      <Notice>
        Redacted on <time dateTime={record.redactedAt}>{formatFullTime(record.redactedAt)}</time> by retention or erasure; only its number,
        times, status and message count are kept.
      </Notice>
    </div>
  );
}
