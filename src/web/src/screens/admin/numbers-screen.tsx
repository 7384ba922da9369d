import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage } from '../../api/client.js';
import type { Page, PhoneNumber } from '../../api/types.js';
import { channelLabel } from '../../format.js';
import { paths } from '../../router.js';
import { useApp } from '../../session.js';
import { Dialog, ErrorAlert } from '../../ui/components.js';
import { DataTable } from '../../ui/data-table.js';
import { Screen } from '../../ui/screen.js';
import { PROVIDER_LABELS } from './providers.js';

export function NumbersScreen() {
  const { surveys } = useApp();
  const [numbers, setNumbers] = useState<PhoneNumber[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<PhoneNumber | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = useCallback(async () => {
    try {
      setNumbers((await api<Page<PhoneNumber>>('GET', '/numbers')).items);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  const remove = async () => {
    if (!deleting) return;
    setBusy(true);
    try {
      await api('DELETE', `/numbers/${encodeURIComponent(String(deleting.id))}`);
      setDeleting(null);
      await reload();
    } catch (e) {
      setError(errorMessage(e));
      setDeleting(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen
      title="Numbers"
      action={{ href: paths.number(null), label: 'Add number' }}
    >
      <p className="page-sub">Messaging numbers and the survey each one feeds. Everyone who texts a number gets a case.</p>
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      <DataTable
        rows={numbers}
        rowKey={(n) => String(n.id)}
        empty="No numbers yet."
        columns={[
          { label: 'Our number', className: 'mono', cell: (n) => <a href={paths.number(n.id)}>{n.ourNumber}</a> },
          { label: 'Provider', cell: (n) => PROVIDER_LABELS[n.provider] ?? n.provider },
          { label: 'Channel', cell: (n) => channelLabel(n.channel) },
          { label: 'Survey', cell: (n) => surveys.find((s) => String(s.id) === String(n.surveyId))?.name ?? '—' },
        ]}
        actionsClassName="row-actions"
        actions={(n) => (
          <>
            {n.provider === 'sandbox' && <a href={paths.simulator(n.id)}>Simulator</a>}
            <button type="button" className="button-quiet button-danger" onClick={() => setDeleting(n)} aria-label={`Delete ${n.ourNumber}`}>
              Delete
            </button>
          </>
        )}
      />
      <Dialog title="Delete this number?" open={deleting !== null} onClose={() => setDeleting(null)}>
        <p>
          {deleting?.ourNumber} stops receiving and sending messages through Caseline. Its cases stay in the survey.
        </p>
        <div className="dialog-actions">
          <button type="button" onClick={() => setDeleting(null)} disabled={busy}>
            Keep it
          </button>
          <button type="button" className="button-danger-solid" onClick={remove} disabled={busy}>
            {busy ? 'Deleting…' : 'Delete number'}
          </button>
        </div>
      </Dialog>
    </Screen>
  );
}
