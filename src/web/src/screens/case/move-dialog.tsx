import { useState, type SyntheticEvent } from 'react';
import { api } from '../../api/client.js';
import type { CaseRecord, Message } from '../../api/types.js';
import { Dialog, ErrorAlert, Time } from '../../ui/components.js';
import { TextAreaField } from '../../ui/fields.js';
import { useRequest } from '../../ui/use-request.js';

/** Moves an inbound message into a new case of its own (DESIGN.md §2 rule 9). */
export function MoveDialog({
  caseNumber,
  message,
  onClose,
  onMoved,
}: {
  caseNumber: number;
  message: Message | null;
  onClose: () => void;
  onMoved: (record: CaseRecord) => void;
}) {
  const [comment, setComment] = useState('');
  const { busy, error, setError, run } = useRequest();

  const close = () => {
    if (busy) return;
    setComment('');
    setError(null);
    onClose();
  };

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!message) return;
    await run(async () => {
      const record = await api<CaseRecord>('POST', `/records/${caseNumber}/messages/${encodeURIComponent(String(message.id))}/move`, {
        comment,
      });
      setComment('');
      onMoved(record);
    });
  };

  return (
    <Dialog title="Move message to a new case" open={message !== null} onClose={close}>
      {message && (
        <form onSubmit={(event) => void submit(event)}>
          <p>
            This message leaves case #{caseNumber} and starts a new open case with the same contact. The comment becomes a note of the new
            case.
          </p>
          <blockquote className="quoted">
            <p className="msg-text" dir="auto">
              {message.text}
            </p>
            <footer className="muted">
              <Time at={message.at} />
            </footer>
          </blockquote>
          <ErrorAlert error={error} />
          <TextAreaField
            label="Comment (optional)"
            rows={3}
            dir="auto"
            value={comment}
            autoFocus
            onChange={(e) => setComment(e.target.value)}
          />
          <div className="dialog-actions">
            <button type="button" onClick={close} disabled={busy}>
              Back out
            </button>
            <button type="submit" className="button-primary" disabled={busy}>
              {busy ? 'Moving…' : 'Confirm'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
