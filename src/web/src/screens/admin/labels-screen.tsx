import { useState, type SyntheticEvent } from 'react';
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
  const { data, error, reload } = useLoad(() => labelsApi.list(), [], { reloadOn: (event) => event.type === 'labels.changed' });
  const [editing, setEditing] = useState<Label | null>(null);
  const [deleting, setDeleting] = useState<Label | null>(null);

  return (
    <Screen title="Labels" beside={<p className="page-sub">Coloured tags that analysts put on cases, to sort and find them.</p>}>
      <ErrorAlert error={error} />
      <DataTable
        rows={data?.items ?? null}
        rowKey={(label) => label.id}
        empty="No labels yet. Add the first one below."
        columns={[
          { label: 'Label', cell: (label) => <LabelChip label={label} /> },
          { label: 'Colour', cell: (label) => <span className="mono">{label.color}</span> },
        ]}
        actionsClassName="row-actions"
        actions={(label) => <EditOrDelete name={label.name} onEdit={() => setEditing(label)} onDelete={() => setDeleting(label)} />}
      />
      <NewLabelForm onCreated={reload} />
      <Dialog title={editing ? `Edit label ${editing.name}` : 'Edit label'} open={editing !== null} onClose={() => setEditing(null)}>
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
  const [name, setName] = useState('');
  const [color, setColor] = useState(FIRST_COLOR);
  const [created, setCreated] = useState<string | null>(null);
  const { busy, error, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setCreated(null);
    await run(async () => {
      const label = await labelsApi.create({ name: name.trim(), color });
      setCreated(`Label “${label.name}” added.`);
      setName('');
      await onCreated();
    });
  };

  return (
    <form className="card" onSubmit={(event) => void submit(event)} aria-labelledby="new-label-title">
      <h2 id="new-label-title">Add a label</h2>
      <ErrorAlert error={error} />
      <SuccessAlert message={created} />
      <LabelFields name={name} color={color} onName={setName} onColor={setColor} />
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add label'}
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
  return (
    <>
      <div className="form-grid">
        <InputField label="Name" required maxLength={60} autoComplete="off" value={name} onChange={(e) => onName(e.target.value)} />
        <div className="field">
          <span className="label">Preview</span>
          <span>
            <LabelChip label={{ name: name.trim() || 'Label', color }} />
          </span>
        </div>
      </div>
      <ColorField label="Colour" value={color} onChange={onColor} />
    </>
  );
}

function EditLabelForm({ label, onClose, onSaved }: { label: Label; onClose: () => void; onSaved: () => void }) {
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
      <p className="hint">The new name and colour show on every case that carries the label.</p>
      <SaveOrCancel busy={busy} onCancel={onClose} />
    </form>
  );
}

function DeleteLabelDialog({ label, onClose, onDeleted }: { label: Label | null; onClose: () => void; onDeleted: () => void }) {
  return (
    <Dialog title="Delete this label?" open={label !== null} onClose={onClose}>
      {/* Keyed by the label, so an error shown for one is not shown for the next. */}
      {label && <DeleteLabelConfirm key={label.id} label={label} onClose={onClose} onDeleted={onDeleted} />}
    </Dialog>
  );
}

function DeleteLabelConfirm({ label, onClose, onDeleted }: { label: Label; onClose: () => void; onDeleted: () => void }) {
  return (
    <ConfirmDelete action="Delete label" remove={() => labelsApi.remove(label.id)} onClose={onClose} onDeleted={onDeleted}>
      <LabelChip label={label} /> is taken off every case that carries it, and each of those cases notes the removal in its history. This
      cannot be undone.
    </ConfirmDelete>
  );
}
