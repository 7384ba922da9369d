import { useState, type SyntheticEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { labelsApi } from '../../api/labels.js';
import type { Label } from '../../api/types.js';
import { LABEL_SWATCHES } from '../../label-colors.js';
import { ColorField } from '../../ui/color-field.js';
import { Dialog, EditOrDelete, ErrorAlert, SaveOrCancel, SuccessAlert } from '../../ui/components.js';
import { DataTable } from '../../ui/data-table.js';
import { InputField } from '../../ui/fields.js';
import { LabelChip } from '../../ui/label-chips.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { useRequest } from '../../ui/use-request.js';
import { ConfirmDelete } from '../../ui/confirm-delete.js';

const FIRST_COLOR = LABEL_SWATCHES[0]?.[0] ?? '#1f77b4';

/** The organisation's labels (DESIGN.md §7): admins add, rename, recolour and delete them. */
export function LabelsScreen() {
  const { t } = useTranslation('admin');
  const { data, error, reload } = useLoad(() => labelsApi.list(), [], { reloadOn: (event) => event.type === 'labels.changed' });
  const [editing, setEditing] = useState<Label | null>(null);
  const [deleting, setDeleting] = useState<Label | null>(null);

  return (
    <Screen title={t('labels.title')} beside={<p className="page-sub">{t('labels.intro')}</p>}>
      <ErrorAlert error={error} />
      <DataTable
        rows={data?.items ?? null}
        rowKey={(label) => label.id}
        empty={t('labels.empty')}
        columns={[
          { label: t('labels.columns.label'), cell: (label) => <LabelChip label={label} /> },
          { label: t('labels.columns.colour'), cell: (label) => <span className="mono">{label.color}</span> },
        ]}
        actionsClassName="row-actions"
        actions={(label) => <EditOrDelete name={label.name} onEdit={() => setEditing(label)} onDelete={() => setDeleting(label)} />}
      />
      <NewLabelForm onCreated={reload} />
      <Dialog
        title={editing ? t('labels.editNamed', { name: editing.name }) : t('labels.editLabel')}
        open={editing !== null}
        onClose={() => setEditing(null)}
      >
        {editing && (
          <EditLabelForm
            key={editing.id}
            label={editing}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              void reload();
            }}
          />
        )}
      </Dialog>
      <DeleteLabelDialog
        label={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={() => {
          setDeleting(null);
          void reload();
        }}
      />
    </Screen>
  );
}

function NewLabelForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const { t } = useTranslation('admin');
  const [name, setName] = useState('');
  const [color, setColor] = useState(FIRST_COLOR);
  const [created, setCreated] = useState<string | null>(null);
  const { busy, error, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setCreated(null);
    await run(async () => {
      const label = await labelsApi.create({ name: name.trim(), color });
      setCreated(t('labels.new.created', { name: label.name }));
      setName('');
      await onCreated();
    });
  };

  return (
    <form className="card" onSubmit={(event) => void submit(event)} aria-labelledby="new-label-title">
      <h2 id="new-label-title">{t('labels.new.title')}</h2>
      <ErrorAlert error={error} />
      <SuccessAlert message={created} />
      <LabelFields name={name} color={color} onName={setName} onColor={setColor} />
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? t('labels.new.adding') : t('labels.new.submit')}
      </button>
    </form>
  );
}

function LabelFields({
  name,
  color,
  onName,
  onColor,
}: {
  name: string;
  color: string;
  onName: (name: string) => void;
  onColor: (color: string) => void;
}) {
  const { t } = useTranslation('admin');
  return (
    <>
      <div className="form-grid">
        <InputField
          label={t('labels.fields.name')}
          required
          dir="auto"
          maxLength={60}
          autoComplete="off"
          value={name}
          onChange={(e) => onName(e.target.value)}
        />
        <div className="field">
          <span className="label">{t('labels.fields.preview')}</span>
          <span>
            <LabelChip label={{ name: name.trim() || t('labels.fields.previewPlaceholder'), color }} />
          </span>
        </div>
      </div>
      <ColorField label={t('labels.fields.colour')} value={color} onChange={onColor} />
    </>
  );
}

function EditLabelForm({ label, onClose, onSaved }: { label: Label; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation('admin');
  const [name, setName] = useState(label.name);
  const [color, setColor] = useState(label.color);
  const { busy, error, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    const patch: { name?: string; color?: string } = {};
    if (name.trim() !== label.name) patch.name = name.trim();
    if (color !== label.color) patch.color = color;
    if (Object.keys(patch).length === 0) {
      onClose();
      return;
    }
    await run(async () => {
      await labelsApi.update(label.id, patch);
      onSaved();
    });
  };

  return (
    <form onSubmit={(event) => void submit(event)}>
      <ErrorAlert error={error} />
      <LabelFields name={name} color={color} onName={setName} onColor={setColor} />
      <p className="hint">{t('labels.editHint')}</p>
      <SaveOrCancel busy={busy} onCancel={onClose} />
    </form>
  );
}

function DeleteLabelDialog({ label, onClose, onDeleted }: { label: Label | null; onClose: () => void; onDeleted: () => void }) {
  const { t } = useTranslation('admin');
  return (
    <Dialog title={t('labels.delete.title')} open={label !== null} onClose={onClose}>
      {/* Keyed by the label, so an error shown for one is not shown for the next. */}
      {label && <DeleteLabelConfirm key={label.id} label={label} onClose={onClose} onDeleted={onDeleted} />}
    </Dialog>
  );
}

function DeleteLabelConfirm({ label, onClose, onDeleted }: { label: Label; onClose: () => void; onDeleted: () => void }) {
  const { t } = useTranslation('admin');
  return (
    <ConfirmDelete action={t('labels.delete.action')} remove={() => labelsApi.remove(label.id)} onClose={onClose} onDeleted={onDeleted}>
      <Trans t={t} i18nKey="labels.delete.body" components={{ chip: <LabelChip label={label} /> }} />
    </ConfirmDelete>
  );
}
