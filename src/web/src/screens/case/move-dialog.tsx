import { useId, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { caseJoinApi } from '../../api/case-joins.js';
import type { CaseRecord, Message } from '../../api/types.js';
import { Dialog, ErrorAlert, Time } from '../../ui/components.js';
import { TextAreaField } from '../../ui/fields.js';
import { useRequest } from '../../ui/use-request.js';
import { CaseOptions, usePersonOpenCases } from './person-cases.js';

/**
 * Moves an inbound message into a new case of its own (DESIGN.md §2 rule 9) or into one of
 * the person's other open cases (DESIGN.md §7).
 */
export function MoveDialog({
  caseNumber,
  surveyId,
  contact,
  message,
  onClose,
  onMoved,
}: {
  caseNumber: number;
  surveyId: string;
  contact: string | null;
  message: Message | null;
  onClose: () => void;
  onMoved: (record: CaseRecord) => void;
}) {
  const { t } = useTranslation('caseDetails');
  const [comment, setComment] = useState('');
  // null: a new case.
  const [toCase, setToCase] = useState<number | null>(null);
  const { busy, error, setError, run } = useRequest();
  const others = usePersonOpenCases({ surveyId, contact, caseNumber }, message !== null);
  const choiceName = useId();

  const close = () => {
    if (busy) return;
    setComment('');
    setToCase(null);
    setError(null);
    onClose();
  };

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!message) return;
    await run(async () => {
      const record = await caseJoinApi.moveMessage(caseNumber, String(message.id), comment, toCase ?? undefined);
      setComment('');
      setToCase(null);
      onMoved(record);
    });
  };

  return (
    <Dialog title={t('move.title')} open={message !== null} onClose={close}>
      {message && (
        <form onSubmit={(event) => void submit(event)}>
          <p>{t('move.explain', { caseNumber })}</p>
          <blockquote className="quoted">
            <p className="msg-text" dir="auto">
              {message.text}
            </p>
            <footer className="muted">
              <Time at={message.at} />
            </footer>
          </blockquote>
          <fieldset className="case-choice">
            <legend>{t('move.moveTo')}</legend>
            <label className="case-option">
              <input type="radio" name={choiceName} checked={toCase === null} onChange={() => setToCase(null)} />
              <span>
                <strong>{t('move.newCase')}</strong>
              </span>
            </label>
            <CaseOptions name={choiceName} cases={others.data ?? []} value={toCase} onChange={setToCase} />
            {others.error && <p className="hint">{t('move.othersFailed', { error: others.error })}</p>}
          </fieldset>
          <ErrorAlert error={error} />
          <TextAreaField
            label={t('move.comment')}
            rows={3}
            dir="auto"
            value={comment}
            autoFocus
            onChange={(e) => setComment(e.target.value)}
          />
          <div className="dialog-actions">
            <button type="button" onClick={close} disabled={busy}>
              {t('move.backOut')}
            </button>
            <button type="submit" className="button-primary" disabled={busy}>
              {busy ? t('move.moving') : t('move.confirm')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
