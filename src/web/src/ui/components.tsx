import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '../api/types.js';
import { formatFullTime, formatTime } from '../format.js';

export function ErrorAlert({ error, onDismiss }: { error: string | null; onDismiss?: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      <span>{error}</span>
      {onDismiss && (
        <button type="button" className="button-link" onClick={onDismiss} aria-label={t('dismissError')}>
          {t('actions.dismiss')}
        </button>
      )}
    </div>
  );
}

/** What just succeeded ("Saved."), announced politely; nothing when `message` is null. */
export function SuccessAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="alert alert-success" role="status">
      {message}
    </p>
  );
}

/** Shows the first-load error of a screen, or "Loading…" until it has one. */
export function LoadingOrError({ error }: { error: string | null }) {
  return error ? <ErrorAlert error={error} /> : <Loading />;
}

export function Notice({ tone = 'info', children }: { tone?: 'info' | 'warning' | 'success'; children: ReactNode }) {
  return <div className={`alert alert-${tone}`}>{children}</div>;
}

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status">
      {label ?? t('loading')}
    </p>
  );
}

export function Time({ at }: { at: string | null | undefined }) {
  // Subscribed to the language, so a time is written again in the one just chosen.
  useTranslation();
  if (!at) return null;
  return (
    <time dateTime={at} title={formatFullTime(at)}>
      {formatTime(at)}
    </time>
  );
}

/**
 * A modal dialog on the native <dialog> element: it traps focus, closes on Escape, and
 * gives focus back to whatever opened it.
 */
export function Dialog({
  title,
  open,
  onClose,
  className,
  children,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  /** Added to `dialog`, e.g. for a wider one. */
  className?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={className ? `dialog ${className}` : 'dialog'}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <h2 id={titleId} className="dialog-title">
            {title}
          </h2>
          {children}
        </>
      )}
    </dialog>
  );
}

/** A read-only value with a Copy button, for webhook URLs. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      inputRef.current?.select();
      // Outside a secure context (the console over plain HTTP on a local network) there is no
      // Clipboard API: the old command is the only way left to copy.
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      document.execCommand('copy');
    }
    setCopied(true);
    window.setTimeout(() => setCopied(false), 2000);
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-field">
        <input id={id} ref={inputRef} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={() => void copy()}>
          {copied ? t('actions.copied') : t('actions.copy')}
          <span className="visually-hidden"> {label}</span>
        </button>
      </div>
    </div>
  );
}

export const ROLE_KEYS = { admin: 'roles.admin', analyst: 'roles.analyst', viewer: 'roles.viewer' } as const satisfies Record<Role, string>;

export function RoleBadge({ role }: { role: Role }) {
  const { t } = useTranslation();
  return <span className={`badge badge-role-${role}`}>{t(ROLE_KEYS[role])}</span>;
}

export function StatusBadge({ status }: { status: 'open' | 'closed' }) {
  const { t } = useTranslation();
  return <span className={`badge badge-${status}`}>{status === 'open' ? t('caseStatus.open') : t('caseStatus.closed')}</span>;
}

/** A dialog form's closing buttons: Cancel, and Save (a submit) that reads "Saving…" while busy. */
export function SaveOrCancel({ busy, onCancel }: { busy: boolean; onCancel: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="dialog-actions">
      <button type="button" onClick={onCancel} disabled={busy}>
        {t('actions.cancel')}
      </button>
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? t('actions.saving') : t('actions.save')}
      </button>
    </div>
  );
}

/** A table row's Edit and Delete buttons, named after the row for screen readers. */
export function EditOrDelete({ name, onEdit, onDelete }: { name: string; onEdit: () => void; onDelete: () => void }) {
  const { t } = useTranslation();
  return (
    <>
      <button type="button" className="button-quiet" onClick={onEdit} aria-label={t('actions.editNamed', { name })}>
        {t('actions.edit')}
      </button>
      <button type="button" className="button-quiet button-danger" onClick={onDelete} aria-label={t('actions.deleteNamed', { name })}>
        {t('actions.delete')}
      </button>
    </>
  );
}
