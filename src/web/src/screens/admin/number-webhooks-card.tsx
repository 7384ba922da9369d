import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.js';
import type { PhoneNumber } from '../../api/types.js';
import { paths } from '../../router.js';
import { CopyField, Dialog, ErrorAlert, Notice } from '../../ui/components.js';
import { useRequest } from '../../ui/use-request.js';
import { providerLabel } from './providers.js';
import { isUnreachableFromInternet } from './webhook-address.js';

/**
 * A saved number's webhook addresses, with what is wrong with them (still the number's id,
 * or an address providers cannot reach) and a way to give them a new secret.
 */
export function NumberWebhooksCard({ number, onChange }: { number: PhoneNumber; onChange: (next: PhoneNumber) => void }) {
  const { t } = useTranslation('numbers');
  const id = useId();
  const [confirming, setConfirming] = useState(false);
  const { busy, error, setError, run } = useRequest();
  const provider = providerLabel(number.provider, t);

  const rotate = () =>
    run(async () => {
      onChange(await api<PhoneNumber>('POST', `/numbers/${encodeURIComponent(number.id)}/webhook-token/rotate`));
      setConfirming(false);
    });

  return (
    <section className="card" aria-labelledby={`${id}-hooks`}>
      <h2 id={`${id}-hooks`}>{t('webhooks.title')}</h2>
      {number.webhooks === null ? (
        <p className="hint">{t('webhooks.adminsOnly')}</p>
      ) : (
        <>
          <p className="hint">{t('webhooks.intro', { provider })}</p>
          {number.webhookTokenIsId && <Notice tone="warning">{t('webhooks.tokenIsId', { provider })}</Notice>}
          {isUnreachableFromInternet(number.webhooks.inbound) && <Notice tone="warning">{t('webhooks.unreachable')}</Notice>}
          <CopyField label={t('webhooks.inbound')} value={number.webhooks.inbound} />
          <CopyField label={t('webhooks.status')} value={number.webhooks.status} />
          <div className="form-actions">
            <button type="button" onClick={() => setConfirming(true)} disabled={number.archivedAt !== null}>
              {t('webhooks.rotate')}
            </button>
            {number.provider === 'sandbox' && <a href={paths.simulator(number.id)}>{t('webhooks.simulator')}</a>}
          </div>
        </>
      )}
      <Dialog title={t('webhooks.rotateDialog.title')} open={confirming} onClose={() => setConfirming(false)}>
        <ErrorAlert error={error} onDismiss={() => setError(null)} />
        <p>{t('webhooks.rotateDialog.body', { provider })}</p>
        <div className="dialog-actions">
          <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
            {t('webhooks.rotateDialog.keep')}
          </button>
          <button type="button" className="button-danger-solid" onClick={() => void rotate()} disabled={busy}>
            {busy ? t('webhooks.rotateDialog.rotating') : t('webhooks.rotateDialog.confirm')}
          </button>
        </div>
      </Dialog>
    </section>
  );
}
