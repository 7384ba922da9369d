import { useEffect, useState } from 'react';
import { api, errorMessage } from '../../api/client.js';
import type { HistoryItem } from '../../api/types.js';
import { describeDetail, humanise } from '../../format.js';
import { ErrorAlert, Loading, Time } from '../../ui/components.js';

/** The record's history, newest first; `version` changes whenever the record did. */
export function HistoryPanel({ caseNumber, version }: { caseNumber: number; version: number }) {
  const [items, setItems] = useState<HistoryItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api<{ items: HistoryItem[] }>('GET', `/records/${caseNumber}/history`)
      .then((page) => {
        if (cancelled) return;
        setItems([...page.items].reverse());
        setError(null);
      })
      .catch((e: unknown) => !cancelled && setError(errorMessage(e)));
    return () => {
      cancelled = true;
    };
  }, [caseNumber, version]);

  if (error) return <ErrorAlert error={error} />;
  if (!items) return <Loading label="Loading history…" />;
  if (items.length === 0) return <p className="empty">No history yet.</p>;
  return (
    <ol className="history" aria-label="History, newest first">
      {items.map((item) => {
        const detail = describeDetail(item.detail);
        return (
          <li key={String(item.id)} className="history-item">
            <div className="history-line">
              <strong>{humanise(item.action)}</strong>
              <span className="muted">
                {' '}
                {item.user ? `by ${item.user.name}` : 'automatically'} · <Time at={item.at} />
              </span>
            </div>
            {detail && (
              <p className="history-detail" dir="auto">
                {detail}
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}
