import { useState } from 'react';
import { api, errorMessage } from '../../api/client.js';
import type { Page, PhoneNumber } from '../../api/types.js';
import { channelLabel } from '../../format.js';
import { paths } from '../../router.js';
import { useApp } from '../../session.js';
import { Dialog, ErrorAlert, Notice, SuccessAlert, Time } from '../../ui/components.js';
import { DataTable } from '../../ui/data-table.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { PROVIDER_LABELS } from './providers.js';
import { isUnreachableFromInternet } from './webhook-address.js';

/** What an admin should fix about a live number's webhooks, in a few words. */
function webhookWarnings(n: PhoneNumber): string[] {
  const warnings: string[] = [];
  if (n.webhookTokenIsId) warnings.push('Webhook URL is its id: rotate it');
  if (n.provider === 'africastalking' && n.allowedIps?.length === 0) warnings.push('No allowed addresses');
  return warnings;
}

export function NumbersScreen() {
  const { surveys } = useApp();
  const [showArchived, setShowArchived] = useState(false);
  const list = useLoad(() => api<Page<PhoneNumber>>('GET', showArchived ? '/numbers?archived=true' : '/numbers'), [showArchived]);
  const numbers = list.data?.items ?? null;
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [archiving, setArchiving] = useState<PhoneNumber | null>(null);
  const [busy, setBusy] = useState(false);

  const act = async (task: () => Promise<string>) => {
    setBusy(true);
    setNotice(null);
    try {
      setNotice(await task());
      await list.reload();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
      setArchiving(null);
    }
  };
  const archive = (n: PhoneNumber) =>
    act(async () => {
      await api('DELETE', `/numbers/${encodeURIComponent(n.id)}`);
      return `${n.ourNumber} is archived. Find it under “Show archived numbers” to restore it.`;
    });
  const restore = (n: PhoneNumber) =>
    act(async () => {
      await api('POST', `/numbers/${encodeURIComponent(n.id)}/restore`);
      return `${n.ourNumber} is restored: it receives and sends again.`;
    });

  // Every number's URLs share the server's PUBLIC_URL, so one warning covers them all.
  const unreachable = numbers?.find((n) => n.webhooks && isUnreachableFromInternet(n.webhooks.inbound));

  return (
    <Screen title="Numbers" action={{ href: paths.number(null), label: 'Add number' }}>
      <p className="page-sub">Messaging numbers and the survey each one feeds. Everyone who texts a number gets a case.</p>
      <ErrorAlert error={list.error} />
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      <SuccessAlert message={notice} />
      {unreachable?.webhooks && !showArchived && (
        <Notice tone="warning">
          Webhook addresses start with {new URL(unreachable.webhooks.inbound).origin}: providers cannot reach this address; set PUBLIC_URL.
        </Notice>
      )}
      <label className="check">
        <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} /> Show archived numbers
      </label>
      <DataTable
        rows={numbers}
        rowKey={(n) => String(n.id)}
        empty={showArchived ? 'No archived numbers.' : 'No numbers yet.'}
        columns={[
          { label: 'Our number', className: 'mono', cell: (n) => <a href={paths.number(n.id)}>{n.ourNumber}</a> },
          { label: 'Provider', cell: (n) => PROVIDER_LABELS[n.provider] },
          { label: 'Channel', cell: (n) => channelLabel(n.channel) },
          { label: 'Survey', cell: (n) => surveys.find((s) => String(s.id) === String(n.surveyId))?.name ?? '—' },
          showArchived
            ? { label: 'Archived', cell: (n) => <Time at={n.archivedAt} /> }
            : {
                label: 'Attention',
                cell: (n) =>
                  webhookWarnings(n).map((w) => (
                    <span key={w} className="badge badge-warning">
                      {w}
                    </span>
                  )),
              },
        ]}
        actionsClassName="row-actions"
        actions={(n) =>
          showArchived ? (
            <button
              type="button"
              className="button-quiet"
              onClick={() => void restore(n)}
              disabled={busy}
              aria-label={`Restore ${n.ourNumber}`}
            >
              Restore
            </button>
          ) : (
            <>
              {n.provider === 'sandbox' && <a href={paths.simulator(n.id)}>Simulator</a>}
              <button
                type="button"
                className="button-quiet button-danger"
                onClick={() => setArchiving(n)}
                aria-label={`Archive ${n.ourNumber}`}
              >
                Archive
              </button>
            </>
          )
        }
      />
      <Dialog title="Archive this number?" open={archiving !== null} onClose={() => setArchiving(null)}>
        <p>
          {archiving?.ourNumber} stops receiving and sending messages: its webhooks are refused, and replies on its cases are not sent. Its
          cases and messages stay, readable as before. You can restore the number at any time, at the same webhook addresses.
        </p>
        <div className="dialog-actions">
          <button type="button" onClick={() => setArchiving(null)} disabled={busy}>
            Keep it
          </button>
          <button type="button" className="button-danger-solid" onClick={() => archiving && void archive(archiving)} disabled={busy}>
            {busy ? 'Archiving…' : 'Archive number'}
          </button>
        </div>
      </Dialog>
    </Screen>
  );
}
