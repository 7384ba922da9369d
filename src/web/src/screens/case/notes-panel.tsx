import { useState, type SyntheticEvent } from 'react';
import { api } from '../../api/client.js';
import type { Note } from '../../api/types.js';
import { ErrorAlert, Time } from '../../ui/components.js';
import { TextAreaField } from '../../ui/fields.js';
import { useRequest } from '../../ui/use-request.js';

export function NotesPanel({
  caseNumber,
  notes,
  canAdd,
  onAdded,
}: {
  caseNumber: number;
  notes: Note[];
  canAdd: boolean;
  onAdded: () => void;
}) {
  const [text, setText] = useState('');
  const { busy, error, setError, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!text.trim()) return;
    await run(async () => {
      await api('POST', `/records/${caseNumber}/notes`, { text });
      setText('');
      onAdded();
    });
  };

  return (
    <div className="notes">
      {notes.length === 0 ? (
        <p className="empty">No notes yet.</p>
      ) : (
        <ul className="note-list" aria-label="Notes">
          {notes.map((note) => (
            <li key={String(note.id)} className="note">
              <p className="note-text" dir="auto">
                {note.text}
              </p>
              <p className="note-meta">
                {note.author?.name ?? 'Caseline'} · <Time at={note.at} />
              </p>
            </li>
          ))}
        </ul>
      )}
      {canAdd && (
        <form onSubmit={(event) => void submit(event)} className="note-form">
          <ErrorAlert error={error} onDismiss={() => setError(null)} />
          <TextAreaField label="New note" rows={3} dir="auto" value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit" disabled={busy || !text.trim()}>
            {busy ? 'Adding…' : 'Add note'}
          </button>
        </form>
      )}
    </div>
  );
}
