import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation('caseDetails');
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
        <p className="empty">{t('notes.empty')}</p>
      ) : (
        <ul className="note-list" aria-label={t('notes.label')}>
          {notes.map((note) => (
            <li key={String(note.id)} className="note">
              <p className="note-text" dir="auto">
                {note.text}
              </p>
              <p className="note-meta">
                <bdi>{note.author?.name ?? 'Caseline'}</bdi> · <Time at={note.at} />
              </p>
            </li>
          ))}
        </ul>
      )}
      {canAdd && (
        <form onSubmit={(event) => void submit(event)} className="note-form">
          <ErrorAlert error={error} onDismiss={() => setError(null)} />
          <TextAreaField label={t('notes.newNote')} rows={3} dir="auto" value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit" disabled={busy || !text.trim()}>
            {busy ? t('notes.adding') : t('notes.add')}
          </button>
        </form>
      )}
    </div>
  );
}
