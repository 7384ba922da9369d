import type { TFunction } from 'i18next';
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { api, errorMessage } from '../../api/client.js';
import type { Page, PhoneNumber } from '../../api/types.js';
import { channelLabel } from '../../format.js';
import { paths } from '../../router.js';
import { useApp } from '../../session.js';
import { Dialog, ErrorAlert, Notice, SuccessAlert, Time } from '../../ui/components.js';
import { DataTable } from '../../ui/data-table.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { providerLabel } from './providers.js';
import { isUnreachableFromInternet } from './webhook-address.js';

/** What an admin should fix about a live number's webhooks, in a few words. */
function webhookWarnings(n: PhoneNumber, t: TFunction<'numbers'>): string[] {
  const warnings: string[] = [];
  if (n.webhookTokenIsId) warnings.push(t('list.warnings.tokenIsId'));
  if (n.provider === 'africastalking' && n.allowedIps?.length === 0) warnings.push(t('list.warnings.noAllowedIps'));
  return warnings;
}

export function NumbersScreen() {
  const { t } = useTranslation('numbers');
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
      return t('list.archivedNotice', { number: n.ourNumber });
    });
  const restore = (n: PhoneNumber) =>
    act(async () => {
      await api('POST', `/numbers/${encodeURIComponent(n.id)}/restore`);
      return t('list.restoredNotice', { number: n.ourNumber });
    });

  // Every number's URLs share the server's PUBLIC_URL, so one warning covers them all.
  const unreachable = numbers?.find((n) => n.webhooks && isUnreachableFromInternet(n.webhooks.inbound));

  return (
    <Screen title={t('list.title')} action={{ href: paths.number(null), label: t('list.add') }}>
      <p className="page-sub">{t('list.intro')}</p>
      <ErrorAlert error={list.error} />
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      <SuccessAlert message={notice} />
      {unreachable?.webhooks && !showArchived && (
        <Notice tone="warning">{t('list.unreachable', { origin: new URL(unreachable.webhooks.inbound).origin })}</Notice>
      )}
      <label className="check">
        <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} /> {t('list.showArchived')}
      </label>
      <DataTable
        rows={numbers}
        rowKey={(n) => String(n.id)}
        empty={showArchived ? t('list.emptyArchived') : t('list.empty')}
        columns={[
          { label: t('list.columns.ourNumber'), className: 'mono', cell: (n) => <a href={paths.number(n.id)}>{n.ourNumber}</a> },
          { label: t('list.columns.provider'), cell: (n) => providerLabel(n.provider, t) },
          { label: t('list.columns.channel'), cell: (n) => channelLabel(n.channel) },
          {
            label: t('list.columns.survey'),
            cell: (n) => <span dir="auto">{surveys.find((s) => String(s.id) === String(n.surveyId))?.name ?? '—'}</span>,
          },
          showArchived
            ? { label: t('list.columns.archived'), cell: (n) => <Time at={n.archivedAt} /> }
            : {
                label: t('list.columns.attention'),
                cell: (n) =>
                  webhookWarnings(n, t).map((w) => (
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
              aria-label={t('list.restoreLabel', { number: n.ourNumber })}
            >
              {t('list.restore')}
            </button>
          ) : (
            <>
              {n.provider === 'sandbox' && <a href={paths.simulator(n.id)}>{t('list.simulator')}</a>}
              <button
                type="button"
                className="button-quiet button-danger"
                onClick={() => setArchiving(n)}
                aria-label={t('list.archiveLabel', { number: n.ourNumber })}
              >
                {t('list.archive')}
              </button>
            </>
          )
        }
      />
      <Dialog title={t('list.archiveDialog.title')} open={archiving !== null} onClose={() => setArchiving(null)}>
        <p>
          <Trans t={t} i18nKey="list.archiveDialog.body" values={{ number: archiving?.ourNumber ?? '' }} components={{ bdi: <bdi /> }} />
        </p>
        <div className="dialog-actions">
          <button type="button" onClick={() => setArchiving(null)} disabled={busy}>
            {t('list.archiveDialog.keep')}
          </button>
          <button type="button" className="button-danger-solid" onClick={() => archiving && void archive(archiving)} disabled={busy}>
            {busy ? t('list.archiveDialog.archiving') : t('list.archiveDialog.confirm')}
          </button>
        </div>
      </Dialog>
    </Screen>
  );
}
