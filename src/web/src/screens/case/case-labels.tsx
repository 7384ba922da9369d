import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { labelsApi } from '../../api/labels.js';
import type { CaseRecord } from '../../api/types.js';
import { paths } from '../../router.js';
import { useApp } from '../../session.js';
import { ErrorAlert, Loading } from '../../ui/components.js';
import { LabelChip, LabelChips } from '../../ui/label-chips.js';
import { useLoad } from '../../ui/use-load.js';
import { useRequest } from '../../ui/use-request.js';

/**
 * A case's labels as chips and, for those who work cases, a small panel to set them: each
 * tick saves at once. No lock is needed (DESIGN.md §7), so the panel is there whoever holds
 * the case.
 */
export function CaseLabels({
  record,
  canEdit,
  onChanged,
}: {
  record: CaseRecord;
  canEdit: boolean;
  onChanged: (record: CaseRecord) => void;
}) {
  const { t } = useTranslation('caseDetails');
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const toggle = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  const close = (returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) toggle.current?.focus();
  };

  // A click anywhere else closes the panel, as a menu would.
  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!panel.current?.contains(target) && !toggle.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  return (
    <div className="case-labels">
      {record.labels.length > 0 ? (
        <LabelChips labels={record.labels} />
      ) : canEdit ? null : (
        <span className="muted">{t('caseLabels.none')}</span>
      )}
      {canEdit && (
        <button
          ref={toggle}
          type="button"
          className="button-quiet case-labels-toggle"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((o) => !o)}
        >
          {record.labels.length > 0 ? t('caseLabels.edit') : t('caseLabels.add')}
        </button>
      )}
      {open && (
        <div
          ref={panel}
          id={panelId}
          className="popover case-labels-panel"
          role="group"
          aria-label={t('caseLabels.ofCase', { caseNumber: record.caseNumber })}
          onKeyDown={(event: KeyboardEvent) => {
            if (event.key === 'Escape') {
              event.preventDefault();
              event.stopPropagation();
              close(true);
            }
          }}
        >
          <LabelPicker record={record} onChanged={onChanged} onDone={() => close(true)} />
        </div>
      )}
    </div>
  );
}

function LabelPicker({ record, onChanged, onDone }: { record: CaseRecord; onChanged: (record: CaseRecord) => void; onDone: () => void }) {
  const { t } = useTranslation('caseDetails');
  const { session } = useApp();
  const { data, error: loadError } = useLoad(() => labelsApi.list(), [], { reloadOn: (event) => event.type === 'labels.changed' });
  const { busy, error, run } = useRequest();
  const first = useRef<HTMLInputElement>(null);
  const labels = data?.items ?? null;
  // The ticks as clicked, shown at once while they are saved; the case's own once saved or refused.
  const [pending, setPending] = useState<ReadonlySet<string> | null>(null);
  const chosen = pending ?? new Set(record.labels.map((l) => l.id));

  // Focus moves into the panel once its labels are there.
  useEffect(() => {
    if (labels) first.current?.focus();
  }, [labels]);

  const set = async (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setPending(next);
    await run(async () => {
      onChanged(await labelsApi.setOnCase(record.caseNumber, [...next]));
    });
    setPending(null);
  };

  if (!labels) return loadError ? <ErrorAlert error={loadError} /> : <Loading label={t('caseLabels.loading')} />;
  return (
    <>
      <ErrorAlert error={error} />
      {labels.length === 0 ? (
        <p className="empty">
          {session.user.role === 'admin' ? (
            <Trans t={t} i18nKey="caseLabels.emptyAdmin" components={{ labelsLink: <a href={paths.labels()} /> }} />
          ) : (
            t('caseLabels.emptyOther')
          )}
        </p>
      ) : (
        <fieldset className="label-options" aria-busy={busy}>
          <legend className="visually-hidden">{t('caseLabels.ofCase', { caseNumber: record.caseNumber })}</legend>
          {labels.map((label, i) => (
            <label key={label.id} className="check label-option">
              <input
                ref={i === 0 ? first : undefined}
                type="checkbox"
                checked={chosen.has(label.id)}
                // Not disabled while saving, which would throw focus out of the panel: a tick
                // made meanwhile is ignored, and the box shows the case as saved.
                onChange={(e) => {
                  if (!busy) void set(label.id, e.target.checked);
                }}
              />
              <LabelChip label={label} />
            </label>
          ))}
        </fieldset>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onDone}>
          {t('caseLabels.done')}
        </button>
      </div>
    </>
  );
}
