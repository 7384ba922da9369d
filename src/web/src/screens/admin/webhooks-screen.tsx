import { useEffect, useState, type SyntheticEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { outboundWebhooksApi } from '../../api/outbound-webhooks.js';
import type { OutboundWebhook, OutboundWebhookDeliveryPage, OutboundWebhookEvent, OutboundWebhookList } from '../../api/types.js';
import { Dialog, ErrorAlert, LoadingOrError, SuccessAlert, Time } from '../../ui/components.js';
import { InputField } from '../../ui/fields.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { useRequest } from '../../ui/use-request.js';
import { ConfirmDelete } from '../../ui/confirm-delete.js';

/** Every event a subscription can choose, in words (keyed by the contract's list, so none is missed). */
const EVENT_KEYS = {
  'record.created': 'events.recordCreated',
  'record.updated': 'events.recordUpdated',
  'record.closed': 'events.recordClosed',
  'message.added': 'events.messageAdded',
  'message.status': 'events.messageStatus',
} as const satisfies Record<OutboundWebhookEvent, string>;
const EVENTS = Object.keys(EVENT_KEYS) as OutboundWebhookEvent[];
const MIN_SECRET = 16;
/** How often an open delivery log looks again while a delivery is still being tried. */
const PENDING_REFRESH_MS = 2000;

/**
 * Outbound webhooks (DESIGN.md §10): the organisation's subscriptions, a form to add one,
 * and per subscription its delivery log and a test ping. Admins only.
 */
export function WebhooksScreen() {
  const { t } = useTranslation('webhooks');
  const list = useLoad<OutboundWebhookList>(() => outboundWebhooksApi.list(), []);
  const [deleting, setDeleting] = useState<OutboundWebhook | null>(null);
  const reload = () => void list.reload();
  return (
    <Screen title={t('screen.title')} beside={<p className="page-sub">{t('screen.intro')}</p>}>
      <AddWebhookCard onAdded={reload} />
      {(!list.data || list.error !== null) && <LoadingOrError error={list.error} />}
      {list.data?.items.length === 0 && <p className="empty">{t('screen.empty')}</p>}
      {list.data?.items.map((webhook) => (
        <WebhookCard key={webhook.id} webhook={webhook} onDelete={() => setDeleting(webhook)} />
      ))}
      <Dialog title={t('delete.title')} open={deleting !== null} onClose={() => setDeleting(null)}>
        {deleting && (
          <DeleteWebhookConfirm
            key={deleting.id}
            webhook={deleting}
            onClose={() => setDeleting(null)}
            onDeleted={() => {
              setDeleting(null);
              reload();
            }}
          />
        )}
      </Dialog>
    </Screen>
  );
}

function AddWebhookCard({ onAdded }: { onAdded: () => void }) {
  const { t } = useTranslation('webhooks');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<OutboundWebhookEvent[]>([...EVENTS]);
  const [secret, setSecret] = useState('');
  const [added, setAdded] = useState<string | null>(null);
  const { busy, error, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setAdded(null);
    await run(async () => {
      const webhook = await outboundWebhooksApi.create({ url: url.trim(), events, secret });
      setAdded(t('add.done', { url: webhook.url }));
      setUrl('');
      setSecret('');
      onAdded();
    });
  };
  const toggle = (name: OutboundWebhookEvent, on: boolean) =>
    setEvents((chosen) => (on ? EVENTS.filter((e) => e === name || chosen.includes(e)) : chosen.filter((e) => e !== name)));

  return (
    <form className="card" aria-label={t('add.title')} onSubmit={(event) => void submit(event)}>
      <h2 className="card-title">{t('add.title')}</h2>
      <ErrorAlert error={error} />
      <SuccessAlert message={added} />
      <div className="form-grid">
        <InputField
          label={t('add.url')}
          type="url"
          required
          placeholder="https://example.org/caseline"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <InputField
          label={t('add.secret')}
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_SECRET}
          hint={t('add.secretHint', { count: MIN_SECRET })}
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
        />
      </div>
      <fieldset>
        <legend>{t('add.events')}</legend>
        {EVENTS.map((name) => (
          <label key={name} className="check">
            <input type="checkbox" checked={events.includes(name)} onChange={(e) => toggle(name, e.target.checked)} />
            <span className="mono">{name}</span> — {t(EVENT_KEYS[name])}
          </label>
        ))}
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={busy || events.length === 0}>
          {busy ? t('add.adding') : t('add.submit')}
        </button>
      </div>
    </form>
  );
}

function WebhookCard({ webhook, onDelete }: { webhook: OutboundWebhook; onDelete: () => void }) {
  const { t } = useTranslation('webhooks');
  const log = useLoad<OutboundWebhookDeliveryPage>(() => outboundWebhooksApi.deliveries(webhook.id), [webhook.id], {
    keepPreviousData: true,
  });
  const { busy, error, run } = useRequest();
  const pending = log.data?.items.some((d) => d.state === 'pending') ?? false;
  const { reload } = log;
  // A delivery being tried changes state on the server; look again until none is.
  useEffect(() => {
    if (!pending) return;
    const timer = window.setInterval(() => void reload(), PENDING_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [pending, reload]);

  const sendTest = () =>
    run(async () => {
      await outboundWebhooksApi.test(webhook.id);
      await log.reload();
    });

  return (
    <section className="card" aria-label={t('card.label', { url: webhook.url })}>
      <h2 className="card-title mono" dir="ltr">
        {webhook.url}
      </h2>
      <p className="hint">
        <Trans
          t={t}
          i18nKey="card.summary"
          values={{ events: webhook.events.join(', ') }}
          components={{ time: <Time at={webhook.createdAt} /> }}
        />
      </p>
      <ErrorAlert error={error} />
      <div className="form-actions">
        <button type="button" onClick={() => void sendTest()} disabled={busy}>
          {busy ? t('card.sending') : t('card.sendTest')}
        </button>
        <button type="button" onClick={() => void log.reload()}>
          {t('card.refresh')}
        </button>
        <button type="button" className="button-quiet button-danger" onClick={onDelete}>
          {t('card.delete')}
        </button>
      </div>
      <DeliveryLog
        page={log.data}
        error={log.error}
        onMore={(cursor) => log.extend(() => outboundWebhooksApi.deliveries(webhook.id, cursor), merge)}
      />
    </section>
  );
}

const merge = (shown: OutboundWebhookDeliveryPage, more: OutboundWebhookDeliveryPage): OutboundWebhookDeliveryPage => ({
  items: [...shown.items, ...more.items],
  nextCursor: more.nextCursor,
});

const STATE_KEYS = {
  pending: 'deliveries.states.pending',
  delivered: 'deliveries.states.delivered',
  failed: 'deliveries.states.failed',
} as const;

function DeliveryLog({
  page,
  error,
  onMore,
}: {
  page: OutboundWebhookDeliveryPage | undefined;
  error: string | null;
  onMore: (cursor: string) => Promise<void>;
}) {
  const { t } = useTranslation('webhooks');
  if (!page) return <LoadingOrError error={error} />;
  if (page.items.length === 0) return <p className="empty">{t('deliveries.empty')}</p>;
  return (
    <>
      <table className="data-table" aria-label={t('deliveries.label')}>
        <thead>
          <tr>
            <th scope="col">{t('deliveries.columns.event')}</th>
            <th scope="col">{t('deliveries.columns.time')}</th>
            <th scope="col">{t('deliveries.columns.attempts')}</th>
            <th scope="col">{t('deliveries.columns.lastAnswer')}</th>
            <th scope="col">{t('deliveries.columns.state')}</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((delivery) => (
            <tr key={delivery.id}>
              <td data-label={t('deliveries.columns.event')} className="mono">
                {delivery.event}
              </td>
              <td data-label={t('deliveries.columns.time')}>
                <Time at={delivery.createdAt} />
              </td>
              <td data-label={t('deliveries.columns.attempts')}>{delivery.attempts}</td>
              <td data-label={t('deliveries.columns.lastAnswer')}>{delivery.lastStatus ?? delivery.lastError ?? '—'}</td>
              <td data-label={t('deliveries.columns.state')}>{t(STATE_KEYS[delivery.state])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.nextCursor && (
        <button type="button" className="button-quiet" onClick={() => void onMore(page.nextCursor!)}>
          {t('deliveries.older')}
        </button>
      )}
    </>
  );
}

function DeleteWebhookConfirm({ webhook, onClose, onDeleted }: { webhook: OutboundWebhook; onClose: () => void; onDeleted: () => void }) {
  const { t } = useTranslation('webhooks');
  return (
    <ConfirmDelete
      action={t('delete.action')}
      remove={() => outboundWebhooksApi.remove(webhook.id)}
      onClose={onClose}
      onDeleted={onDeleted}
    >
      <Trans
        t={t}
        i18nKey="delete.body"
        components={{
          url: (
            <span className="mono" dir="ltr">
              {webhook.url}
            </span>
          ),
        }}
      />
    </ConfirmDelete>
  );
}
