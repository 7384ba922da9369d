import { useState, type SyntheticEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { savedRepliesApi, type SavedReplyInput } from '../../api/labels.js';
import type { SavedReply } from '../../api/types.js';
import { shorten } from '../../format.js';
import { Dialog, EditOrDelete, ErrorAlert, SaveOrCancel, SuccessAlert, Time } from '../../ui/components.js';
import { DataTable } from '../../ui/data-table.js';
import { InputField, TextAreaField } from '../../ui/fields.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { useRequest } from '../../ui/use-request.js';
import { ConfirmDelete } from '../../ui/confirm-delete.js';

const EMPTY: SavedReplyInput = { title: '', text: '', language: null };

/** The organisation's saved replies (DESIGN.md §7): analysts and admins keep them; `/` in the reply box inserts one. */
export function SavedRepliesScreen() {
  const { t } = useTranslation('admin');
  const { data, error, reload } = useLoad(() => savedRepliesApi.list(), []);
  const [editing, setEditing] = useState<SavedReply | null>(null);
  const [deleting, setDeleting] = useState<SavedReply | null>(null);

  return (
    <Screen
      title={t('savedReplies.title')}
      beside={
        <p className="page-sub">
          <Trans t={t} i18nKey="savedReplies.intro" components={{ kbd: <kbd /> }} />
        </p>
      }
    >
      <ErrorAlert error={error} />
      <DataTable
        rows={data?.items ?? null}
        rowKey={(reply) => reply.id}
        empty={t('savedReplies.empty')}
        columns={[
          { label: t('savedReplies.columns.title'), cell: (reply) => <strong dir="auto">{reply.title}</strong> },
          { label: t('savedReplies.columns.text'), cell: (reply) => <span dir="auto">{shorten(reply.text, 120)}</span> },
          {
            label: t('savedReplies.columns.language'),
            cell: (reply) => reply.language ?? <span className="muted">{t('savedReplies.anyLanguage')}</span>,
          },
          { label: t('savedReplies.columns.updated'), cell: (reply) => <Time at={reply.updatedAt} /> },
        ]}
        actionsClassName="row-actions"
        actions={(reply) => <EditOrDelete name={reply.title} onEdit={() => setEditing(reply)} onDelete={() => setDeleting(reply)} />}
      />
      <NewReplyForm onCreated={reload} />
      <Dialog
        title={editing ? t('savedReplies.editNamed', { title: editing.title }) : t('savedReplies.editReply')}
        open={editing !== null}
        onClose={() => setEditing(null)}
      >
        {editing && (
          <EditReplyForm
            key={editing.id}
            reply={editing}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              void reload();
            }}
          />
        )}
      </Dialog>
      <Dialog title={t('savedReplies.delete.title')} open={deleting !== null} onClose={() => setDeleting(null)}>
        {deleting && (
          <DeleteReplyConfirm
            key={deleting.id}
            reply={deleting}
            onClose={() => setDeleting(null)}
            onDeleted={() => {
              setDeleting(null);
              void reload();
            }}
          />
        )}
      </Dialog>
    </Screen>
  );
}

function ReplyFields({ value, onChange }: { value: SavedReplyInput; onChange: (value: SavedReplyInput) => void }) {
  const { t } = useTranslation('admin');
  return (
    <>
      <div className="form-grid">
        <InputField
          label={t('savedReplies.fields.title')}
          required
          dir="auto"
          maxLength={200}
          value={value.title}
          onChange={(e) => onChange({ ...value, title: e.target.value })}
        />
        <InputField
          label={t('savedReplies.fields.language')}
          hint={t('savedReplies.fields.languageHint')}
          maxLength={20}
          value={value.language ?? ''}
          onChange={(e) => onChange({ ...value, language: e.target.value })}
        />
      </div>
      <TextAreaField
        label={t('savedReplies.fields.text')}
        required
        rows={4}
        maxLength={5000}
        dir="auto"
        hint={t('savedReplies.fields.textHint')}
        value={value.text}
        onChange={(e) => onChange({ ...value, text: e.target.value })}
      />
    </>
  );
}

const cleaned = (value: SavedReplyInput): SavedReplyInput => ({
  title: value.title.trim(),
  text: value.text.trim(),
  language: value.language?.trim() ? value.language.trim() : null,
});

function NewReplyForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const { t } = useTranslation('admin');
  const [value, setValue] = useState(EMPTY);
  const [created, setCreated] = useState<string | null>(null);
  const { busy, error, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setCreated(null);
    await run(async () => {
      const reply = await savedRepliesApi.create(cleaned(value));
      setCreated(t('savedReplies.new.created', { title: reply.title }));
      setValue(EMPTY);
      await onCreated();
    });
  };

  return (
    <form className="card" onSubmit={(event) => void submit(event)} aria-labelledby="new-reply-title">
      <h2 id="new-reply-title">{t('savedReplies.new.title')}</h2>
      <ErrorAlert error={error} />
      <SuccessAlert message={created} />
      <ReplyFields value={value} onChange={setValue} />
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? t('savedReplies.new.adding') : t('savedReplies.new.submit')}
      </button>
    </form>
  );
}

function EditReplyForm({ reply, onClose, onSaved }: { reply: SavedReply; onClose: () => void; onSaved: () => void }) {
  const [value, setValue] = useState<SavedReplyInput>({ title: reply.title, text: reply.text, language: reply.language });
  const { busy, error, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    await run(async () => {
      await savedRepliesApi.update(reply.id, cleaned(value));
      onSaved();
    });
  };

  return (
    <form onSubmit={(event) => void submit(event)}>
      <ErrorAlert error={error} />
      <ReplyFields value={value} onChange={setValue} />
      <SaveOrCancel busy={busy} onCancel={onClose} />
    </form>
  );
}

function DeleteReplyConfirm({ reply, onClose, onDeleted }: { reply: SavedReply; onClose: () => void; onDeleted: () => void }) {
  const { t } = useTranslation('admin');
  return (
    <ConfirmDelete
      action={t('savedReplies.delete.action')}
      remove={() => savedRepliesApi.remove(reply.id)}
      onClose={onClose}
      onDeleted={onDeleted}
    >
      <Trans t={t} i18nKey="savedReplies.delete.body" values={{ title: reply.title }} components={{ title: <span dir="auto" /> }} />
    </ConfirmDelete>
  );
}
