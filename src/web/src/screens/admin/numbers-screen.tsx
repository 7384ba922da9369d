import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage } from '../../api/client.js';
import type { Page, PhoneNumber } from '../../api/types.js';
import { paths } from '../../router.js';
import { useApp } from '../../session.js';
import { Dialog, ErrorAlert, Loading } from '../../ui/components.js';
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
    <section className="page" aria-labelledby="numbers-title">
      <div className="page-head">
        <h1 id="numbers-title">Numbers</h1>
        <a className="button button-primary" href={paths.number(null)}>
          Add number
        </a>
      </div>
      <p className="page-sub">Messaging numbers and the survey each one feeds. Everyone who texts a number gets a case.</p>
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      {numbers === null ? (
        <Loading />
      ) : numbers.length === 0 ? (
        <p className="empty">No numbers yet.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Our number</th>
              <th scope="col">Provider</th>
              <th scope="col">Channel</th>
              <th scope="col">Survey</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {numbers.map((n) => (
              <tr key={String(n.id)}>
                <td data-label="Our number" className="mono">
                  <a href={paths.number(n.id)}>{n.ourNumber}</a>
                </td>
                <td data-label="Provider">{PROVIDER_LABELS[n.provider] ?? n.provider}</td>
                <td data-label="Channel">{n.channel === 'whatsapp' ? 'WhatsApp' : 'SMS'}</td>
                <td data-label="Survey">{surveys.find((s) => String(s.id) === String(n.surveyId))?.name ?? '—'}</td>
                <td className="row-actions">
                  {n.provider === 'sandbox' && <a href={paths.simulator(n.id)}>Simulator</a>}
                  <button type="button" className="button-quiet button-danger" onClick={() => setDeleting(n)} aria-label={`Delete ${n.ourNumber}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
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
    </section>
  );
}
