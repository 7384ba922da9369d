import { useId, useState, type SyntheticEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { caseJoinApi } from '../../api/case-joins.js';
import type { CaseRecord } from '../../api/types.js';
import { navigate, paths } from '../../router.js';
import { Dialog, ErrorAlert } from '../../ui/components.js';
import { useRequest } from '../../ui/use-request.js';
import { CaseOptions, usePersonOpenCases } from './person-cases.js';

/**
 * "Merge into…" (DESIGN.md §7 "Merge"): choose another open case of the same person, then
 * confirm. Every message and note of this case joins the chosen one and this case is closed.
 */
export function MergeDialog({
  record,
  open,
  onClose,
  onMerged,
}: {
  record: CaseRecord;
  open: boolean;
  onClose: () => void;
  onMerged: (target: CaseRecord) => void;
}) {
  const { t } = useTranslation(['caseDetails', 'common']);
  const [into, setInto] = useState<number | null>(null);
  const [confirming, setConfirming] = useState(false);
  const { busy, error, setError, run } = useRequest();
  const others = usePersonOpenCases(record, open);
  const choiceName = useId();
  const n = record.caseNumber;

  const close = () => {
    if (busy) return;
    setInto(null);
    setConfirming(false);
    setError(null);
    onClose();
  };

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (into === null) return;
    if (!confirming) {
      setConfirming(true);
      return;
    }
    await run(async () => {
      const target = await caseJoinApi.merge(n, into);
      setInto(null);
      setConfirming(false);
      onMerged(target);
    });
  };

  const cases = others.data;
  // A number or a name, kept whole in its own direction inside the sentence.
  const contactTag = { contact: <bdi /> };
  const contactValue = { contact: record.contact ?? '' };
  return (
    <Dialog title={t('merge.title', { caseNumber: n })} open={open} onClose={close}>
      <form onSubmit={(event) => void submit(event)}>
        {confirming && into !== null ? (
          <p role="status">
            <Trans t={t} i18nKey="merge.confirm" values={{ from: n, into, ...contactValue }} components={contactTag} />
          </p>
        ) : cases === undefined ? (
          <p>
            <Trans t={t} i18nKey="merge.loadingOthers" values={contactValue} components={contactTag} />
          </p>
        ) : cases.length === 0 ? (
          <p>
            <Trans t={t} i18nKey="merge.noOthers" values={contactValue} components={contactTag} />
          </p>
        ) : (
          <fieldset className="case-choice">
            <legend>{t('merge.into')}</legend>
            <CaseOptions name={choiceName} cases={cases} value={into} onChange={setInto} />
          </fieldset>
        )}
        <ErrorAlert error={error ?? others.error} />
        <div className="dialog-actions">
          <button type="button" onClick={confirming ? () => setConfirming(false) : close} disabled={busy}>
            {confirming ? t('common:actions.back') : t('common:actions.cancel')}
          </button>
          <button type="submit" className="button-primary" disabled={busy || into === null}>
            {busy ? t('merge.merging') : confirming && into !== null ? t('merge.mergeInto', { caseNumber: into }) : t('merge.next')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The case screen's "Merge into…" button and its dialog; the holder of an open case may merge it. */
export function MergeAction({ record, available, disabled }: { record: CaseRecord; available: boolean; disabled: boolean }) {
  const { t } = useTranslation('caseDetails');
  const [open, setOpen] = useState(false);
  if (!available || record.status !== 'open') return null;
  return (
    <>
      <button type="button" disabled={disabled} onClick={() => setOpen(true)}>
        {t('merge.open')}
      </button>
      <MergeDialog
        record={record}
        open={open}
        onClose={() => setOpen(false)}
        onMerged={(target) => {
          setOpen(false);
          navigate(paths.case(target.caseNumber));
        }}
      />
    </>
  );
}
