import { useEffect, useState, type SyntheticEvent } from 'react';
import { outboundWebhooksApi } from '../../api/outbound-webhooks.js';
import type { OutboundWebhook, OutboundWebhookDeliveryPage, OutboundWebhookEvent, OutboundWebhookList } from '../../api/types.js';
import { Dialog, ErrorAlert, LoadingOrError, SuccessAlert, Time } from '../../ui/components.js';
import { InputField } from '../../ui/fields.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { useRequest } from '../../ui/use-request.js';
import { ConfirmDelete } from '../../ui/confirm-delete.js';

/** Every event a subscription can choose, in words (keyed by the contract's list, so none is missed). */
const EVENT_WORDS: Record<OutboundWebhookEvent, string> = {
  'record.created': 'A case is created',
  'record.updated': 'A case changes',
  'record.closed': 'A case is closed',
  'message.added': 'A message is added to a case',
  'message.status': 'A sent message’s delivery status changes',
};
const EVENTS = Object.keys(EVENT_WORDS) as OutboundWebhookEvent[];
const MIN_SECRET = 16;
/** How often an open delivery log looks again while a delivery is still being tried. */
const PENDING_REFRESH_MS = 2000;

/**
 * Outbound webhooks (DESIGN.md §10): the organisation's subscriptions, a form to add one,
 * and per subscription its delivery log and a test ping. Admins only.
 */
export function WebhooksScreen() {
  const list = useLoad<OutboundWebhookList>(() => outboundWebhooksApi.list(), []);
  const [deleting, setDeleting] = useState<OutboundWebhook | null>(null);
  const reload = () => void list.reload();
  return (
    <Screen
      title="Webhooks"
      beside={
        <p className="page-sub">
          Tell another system when cases and messages change. Each delivery is signed with your secret and names the case and message, never
          what it says.
        </p>
      }
    >
      <AddWebhookCard onAdded={reload} />
      {(!list.data || list.error !== null) && <LoadingOrError error={list.error} />}
      {list.data?.items.length === 0 && <p className="empty">No webhooks yet.</p>}
      {list.data?.items.map((webhook) => (
        <WebhookCard key={webhook.id} webhook={webhook} onDelete={() => setDeleting(webhook)} />
      ))}
      <Dialog title="Delete this webhook?" open={deleting !== null} onClose={() => setDeleting(null)}>
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
      setAdded(`Added ${webhook.url}.`);
      setUrl('');
      setSecret('');
      onAdded();
    });
  };
  const toggle = (name: OutboundWebhookEvent, on: boolean) =>
    setEvents((chosen) => (on ? EVENTS.filter((e) => e === name || chosen.includes(e)) : chosen.filter((e) => e !== name)));

  return (
    <form className="card" aria-label="Add a webhook" onSubmit={(event) => void submit(event)}>
      <h2 className="card-title">Add a webhook</h2>
      <ErrorAlert error={error} />
      <SuccessAlert message={added} />
      <div className="form-grid">
        <InputField
          label="URL"
          type="url"
          required
          placeholder="https://example.org/caseline"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <InputField
          label="Secret"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_SECRET}
          hint={`At least ${MIN_SECRET} characters. Deliveries carry X-Caseline-Signature: sha256=HMAC of the body with it.`}
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
        />
      </div>
      <fieldset>
        <legend>Events</legend>
        {EVENTS.map((name) => (
          <label key={name} className="check">
            <input type="checkbox" checked={events.includes(name)} onChange={(e) => toggle(name, e.target.checked)} />
            <span className="mono">{name}</span> — {EVENT_WORDS[name]}
          </label>
        ))}
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={busy || events.length === 0}>
          {busy ? 'Adding…' : 'Add webhook'}
        </button>
      </div>
    </form>
  );
}

function WebhookCard({ webhook, onDelete }: { webhook: OutboundWebhook; onDelete: () => void }) {
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
    <section className="card" aria-label={`Webhook ${webhook.url}`}>
      <h2 className="card-title mono">{webhook.url}</h2>
      <p className="hint">
        {webhook.events.join(', ')} · added <Time at={webhook.createdAt} />
      </p>
      <ErrorAlert error={error} />
      <div className="form-actions">
        <button type="button" onClick={() => void sendTest()} disabled={busy}>
          {busy ? 'Sending…' : 'Send test'}
        </button>
        <button type="button" onClick={() => void log.reload()}>
          Refresh log
        </button>
        <button type="button" className="button-quiet button-danger" onClick={onDelete}>
          Delete…
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

const STATE_WORDS = { pending: 'Trying', delivered: 'Delivered', failed: 'Failed' } as const;

function DeliveryLog({
  page,
  error,
  onMore,
}: {
  page: OutboundWebhookDeliveryPage | undefined;
  error: string | null;
  onMore: (cursor: string) => Promise<void>;
}) {
  if (!page) return <LoadingOrError error={error} />;
  if (page.items.length === 0) return <p className="empty">No deliveries yet.</p>;
  return (
    <>
      <table className="data-table" aria-label="Deliveries">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Time</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((delivery) => (
            <tr key={delivery.id}>
              <td data-label="Event" className="mono">
                {delivery.event}
              </td>
              <td data-label="Time">
                <Time at={delivery.createdAt} />
              </td>
              <td data-label="Attempts">{delivery.attempts}</td>
              <td data-label="Last answer">{delivery.lastStatus ?? delivery.lastError ?? '—'}</td>
              <td data-label="State">{STATE_WORDS[delivery.state]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.nextCursor && (
        <button type="button" className="button-quiet" onClick={() => void onMore(page.nextCursor!)}>
          Show older deliveries
        </button>
      )}
    </>
  );
}

function DeleteWebhookConfirm({ webhook, onClose, onDeleted }: { webhook: OutboundWebhook; onClose: () => void; onDeleted: () => void }) {
  return (
    <ConfirmDelete action="Delete webhook" remove={() => outboundWebhooksApi.remove(webhook.id)} onClose={onClose} onDeleted={onDeleted}>
      <span className="mono">{webhook.url}</span> receives nothing more, deliveries still being tried are dropped, and its delivery log is
      deleted. This cannot be undone.
    </ConfirmDelete>
  );
}
