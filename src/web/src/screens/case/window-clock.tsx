import { useEffect, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { CaseRecord, Id } from '../../api/types.js';
import { Notice } from '../../ui/components.js';
import { formatTimeLeft, msUntilChange, windowClock, type WindowClock } from './whatsapp-window.js';

/**
 * The case's WhatsApp window, renewed when its text would change (each minute, and at the
 * closing): only the component that shows it renders again, so nothing else on the case moves.
 */
function useWindowClock(record: CaseRecord, myId: Id): WindowClock | null {
  const [now, setNow] = useState(() => Date.now());
  const closesAt = record.windowClosesAt === null ? null : Date.parse(record.windowClosesAt);
  useEffect(() => {
    if (closesAt === null || Number.isNaN(closesAt)) return;
    const delay = msUntilChange(closesAt, Date.now());
    if (delay === null) return;
    const timer = window.setTimeout(() => setNow(Date.now()), delay);
    return () => window.clearTimeout(timer);
  }, [closesAt, now]);
  return windowClock(record, myId, now);
}

/** "WhatsApp window closes in 3 h 20 min", among the case's facts; drawn as a warning when the holder must hurry. */
export function WindowTimeLeft({ record, myId }: { record: CaseRecord; myId: Id }) {
  const { t } = useTranslation('case');
  const clock = useWindowClock(record, myId);
  if (clock?.state !== 'open') return null;
  return (
    <span className={`window-clock${clock.warn ? ' window-clock-warning' : ''}`} data-testid="whatsapp-window" title={t('window.title')}>
      {t('window.closesIn', { time: formatTimeLeft(clock.leftMs) })}
      {clock.warn && <strong> {t('window.replyNow')}</strong>}
      {/* Said once when the warning starts, not at every minute the text above changes. */}
      <span className="visually-hidden" role="status">
        {clock.warn ? t('window.warning') : ''}
      </span>
    </span>
  );
}

/** Once the window has closed, while the case is on screen too. */
export function WindowClosedNotice({ record, myId }: { record: CaseRecord; myId: Id }) {
  const { t } = useTranslation('case');
  const clock = useWindowClock(record, myId);
  if (clock?.state !== 'closed') return null;
  return (
    <Notice tone="warning">
      <span>
        {record.contact === null ? (
          <Trans t={t} i18nKey="window.closedUnknown" components={{ strong: <strong /> }} />
        ) : (
          <Trans t={t} i18nKey="window.closed" values={{ contact: record.contact }} components={{ strong: <strong /> }} />
        )}
      </span>
    </Notice>
  );
}
