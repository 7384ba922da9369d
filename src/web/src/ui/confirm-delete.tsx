import { useTranslation } from 'react-i18next';
import type { ReactNode } from 'react';
import { ErrorAlert } from './components.js';
import { useRequest } from './use-request.js';

/**
 * The body of a "Delete this …?" dialog: what deleting does (`children`), *Keep it*, and the
 * destructive button, which runs `remove` and then `onDeleted`; a failure shows here.
 */
export function ConfirmDelete({
  children,
  action,
  remove,
  onClose,
  onDeleted,
}: {
  children: ReactNode;
  /** The destructive button's words, e.g. "Delete label". */
  action: string;
  remove: () => Promise<unknown>;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const { t } = useTranslation();
  const { busy, error, run } = useRequest();
  const confirm = () =>
    run(async () => {
      await remove();
      onDeleted();
    });
  return (
    <>
      <ErrorAlert error={error} />
      <p>{children}</p>
      <div className="dialog-actions">
        <button type="button" onClick={onClose} disabled={busy}>
          {t('confirmDelete.keep')}
        </button>
        <button type="button" className="button-danger-solid" onClick={() => void confirm()} disabled={busy}>
          {busy ? t('actions.deleting') : action}
        </button>
      </div>
    </>
  );
}
