import { useId, useState } from 'react';
import { api } from '../../api/client.js';
import type { PhoneNumber } from '../../api/types.js';
import { paths } from '../../router.js';
import { CopyField, Dialog, ErrorAlert, Notice } from '../../ui/components.js';
import { useRequest } from '../../ui/use-request.js';
import { PROVIDER_LABELS } from './providers.js';
import { isUnreachableFromInternet } from './webhook-address.js';

/**
 * A saved number's webhook addresses, with what is wrong with them (still the number's id,
 * or an address providers cannot reach) and a way to give them a new secret.
 */
export function NumberWebhooksCard({ number, onChange }: { number: PhoneNumber; onChange: (next: PhoneNumber) => void }) {
  const id = useId();
  const [confirming, setConfirming] = useState(false);
  const { busy, error, setError, run } = useRequest();
  const provider = PROVIDER_LABELS[number.provider];

  const rotate = () =>
    run(async () => {
      onChange(await api<PhoneNumber>('POST', `/numbers/${encodeURIComponent(number.id)}/webhook-token/rotate`));
      setConfirming(false);
    });

  return (
    <section className="card" aria-labelledby={`${id}-hooks`}>
      <h2 id={`${id}-hooks`}>Webhooks</h2>
      {number.webhooks === null ? (
        <p className="hint">Only admins see this number&apos;s webhook addresses.</p>
      ) : (
        <>
          <p className="hint">
            Give these addresses to {provider} for incoming messages and delivery reports. Keep them private: they are the key to posting
            messages into this number&apos;s cases.
          </p>
          {number.webhookTokenIsId && (
            <Notice tone="warning">
              This number&apos;s webhook URL is still its id, which every user can see. Rotate it, then paste the new addresses into{' '}
              {provider}&apos;s console.
            </Notice>
          )}
          {isUnreachableFromInternet(number.webhooks.inbound) && (
            <Notice tone="warning">
              Providers cannot reach this address; set PUBLIC_URL to the address the internet reaches Caseline on.
            </Notice>
          )}
          <CopyField label="Inbound webhook URL" value={number.webhooks.inbound} />
          <CopyField label="Status webhook URL" value={number.webhooks.status} />
          <div className="form-actions">
            <button type="button" onClick={() => setConfirming(true)} disabled={number.archivedAt !== null}>
              Rotate webhook URLs
            </button>
            {number.provider === 'sandbox' && <a href={paths.simulator(number.id)}>Open the phone simulator for this number</a>}
          </div>
        </>
      )}
      <Dialog title="Rotate the webhook URLs?" open={confirming} onClose={() => setConfirming(false)}>
        <ErrorAlert error={error} onDismiss={() => setError(null)} />
        <p>
          The current addresses stop working at once: anything {provider} sends to them is refused until you paste the new addresses into
          its console. Delivery reports for messages already sent go to the old address and are lost.
        </p>
        <div className="dialog-actions">
          <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
            Keep the current URLs
          </button>
          <button type="button" className="button-danger-solid" onClick={() => void rotate()} disabled={busy}>
            {busy ? 'Rotating…' : 'Rotate URLs'}
          </button>
        </div>
      </Dialog>
    </section>
  );
}
