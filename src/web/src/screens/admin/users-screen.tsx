import { useId, useState, type SyntheticEvent } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.js';
import { sameId, type Page, type Role, type User } from '../../api/types.js';
import { useApp } from '../../session.js';
import { Dialog, ErrorAlert, RoleBadge, SaveOrCancel, SuccessAlert, Time } from '../../ui/components.js';
import { DataTable } from '../../ui/data-table.js';
import { InputField, SelectField } from '../../ui/fields.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { useRequest } from '../../ui/use-request.js';

const roleOptions = (t: TFunction<'admin'>): { value: Role; label: string }[] => [
  { value: 'admin', label: t('users.roleOptions.admin') },
  { value: 'analyst', label: t('users.roleOptions.analyst') },
  { value: 'viewer', label: t('users.roleOptions.viewer') },
];

export function UsersScreen() {
  const { t } = useTranslation(['admin', 'common']);
  const { session } = useApp();
  const { data, error, reload } = useLoad(() => api<Page<User>>('GET', '/users'), []);
  const [editing, setEditing] = useState<User | null>(null);
  const isMe = (user: User) => sameId(user.id, session.user.id);

  return (
    <Screen title={t('users.title')} beside={<p className="page-sub">{t('users.intro', { organisation: session.organisation.name })}</p>}>
      <ErrorAlert error={error} />
      <DataTable
        rows={data?.items ?? null}
        rowKey={(user) => String(user.id)}
        rowClassName={(user) => (user.active ? undefined : 'row-inactive')}
        columns={[
          {
            label: t('users.columns.name'),
            cell: (user) => (
              <>
                <span dir="auto">{user.name}</span>
                {isMe(user) && <span className="muted">{t('users.you')}</span>}
              </>
            ),
          },
          { label: t('users.columns.email'), cell: (user) => user.email },
          { label: t('users.columns.role'), cell: (user) => <RoleBadge role={user.role} /> },
          { label: t('users.columns.status'), cell: (user) => (user.active ? t('users.active') : t('users.deactivated')) },
          // Auto-assignment gives an available person new cases up to their capacity (DESIGN.md §7).
          {
            label: t('users.columns.newCases'),
            cell: (user) =>
              user.role === 'viewer' ? (
                <span className="muted">—</span>
              ) : (
                t(user.available ? 'users.available' : 'users.notAvailable', { capacity: user.capacity })
              ),
          },
          { label: t('users.columns.created'), cell: (user) => <Time at={user.createdAt} /> },
        ]}
        actions={(user) => (
          <button
            type="button"
            className="button-quiet"
            onClick={() => setEditing(user)}
            aria-label={t('users.editNamed', { name: user.name })}
          >
            {t('common:actions.edit')}
          </button>
        )}
      />
      <NewUserForm onCreated={reload} />
      <EditUserDialog
        user={editing}
        isSelf={editing !== null && isMe(editing)}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          void reload();
        }}
      />
    </Screen>
  );
}

const NO_NEW_USER = { email: '', name: '', role: 'analyst' as Role, password: '' };

function NewUserForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const { t } = useTranslation('admin');
  const id = useId();
  const [form, setForm] = useState(NO_NEW_USER);
  const [created, setCreated] = useState<string | null>(null);
  const { busy, error, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setCreated(null);
    await run(async () => {
      await api<User>('POST', '/users', { ...form, email: form.email.trim(), name: form.name.trim() });
      setCreated(t('users.new.created', { name: form.name.trim(), email: form.email.trim() }));
      setForm(NO_NEW_USER);
      await onCreated();
    });
  };

  return (
    <form className="card" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('users.new.title')}</h2>
      <ErrorAlert error={error} />
      <SuccessAlert message={created} />
      <div className="form-grid">
        <InputField
          label={t('users.fields.name')}
          required
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
        />
        <InputField
          label={t('users.fields.email')}
          type="email"
          required
          autoComplete="off"
          value={form.email}
          onChange={(e) => setForm({ ...form, email: e.target.value })}
        />
        <SelectField
          label={t('users.fields.role')}
          options={roleOptions(t)}
          value={form.role}
          onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
        />
        <InputField
          label={t('users.fields.initialPassword')}
          type="password"
          required
          minLength={10}
          autoComplete="new-password"
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
        />
      </div>
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? t('users.new.adding') : t('users.new.submit')}
      </button>
    </form>
  );
}

function EditUserDialog({
  user,
  isSelf,
  onClose,
  onSaved,
}: {
  user: User | null;
  isSelf: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation('admin');
  return (
    <Dialog title={user ? t('users.editNamed', { name: user.name }) : t('users.editUser')} open={user !== null} onClose={onClose}>
      {/* Keyed by the user, so each opening starts from the user as listed. */}
      {user && <EditUserForm key={String(user.id)} user={user} isSelf={isSelf} onClose={onClose} onSaved={onSaved} />}
    </Dialog>
  );
}

function EditUserForm({ user, isSelf, onClose, onSaved }: { user: User; isSelf: boolean; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation('admin');
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState<Role>(user.role);
  const [active, setActive] = useState(user.active);
  const [capacity, setCapacity] = useState(String(user.capacity));
  const [password, setPassword] = useState('');
  const { busy, error, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    const patch: Record<string, unknown> = {};
    if (name.trim() !== user.name) patch.name = name.trim();
    if (role !== user.role) patch.role = role;
    if (active !== user.active) patch.active = active;
    if (password) patch.password = password;
    if (capacity.trim() !== '' && Number(capacity) !== user.capacity) patch.capacity = Number(capacity);
    if (Object.keys(patch).length === 0) {
      onClose();
      return;
    }
    await run(async () => {
      await api('PATCH', `/users/${encodeURIComponent(String(user.id))}`, patch);
      onSaved();
    });
  };

  return (
    <form onSubmit={(event) => void submit(event)}>
      <ErrorAlert error={error} />
      <p className="muted">{user.email}</p>
      <InputField label={t('users.fields.name')} required value={name} onChange={(e) => setName(e.target.value)} />
      <SelectField
        label={t('users.fields.role')}
        options={roleOptions(t)}
        value={role}
        disabled={isSelf}
        onChange={(e) => setRole(e.target.value as Role)}
      />
      <label className="check">
        <input type="checkbox" checked={active} disabled={isSelf} onChange={(e) => setActive(e.target.checked)} />
        {t('users.fields.active')}
      </label>
      {isSelf && <p className="hint">{t('users.selfHint')}</p>}
      <InputField
        label={t('users.fields.capacity')}
        type="number"
        inputMode="numeric"
        min={0}
        max={1000}
        step={1}
        required
        hint={t('users.fields.capacityHint')}
        value={capacity}
        onChange={(e) => setCapacity(e.target.value)}
      />
      <InputField
        label={t('users.fields.newPassword')}
        type="password"
        minLength={10}
        autoComplete="new-password"
        placeholder={t('users.fields.newPasswordPlaceholder')}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <SaveOrCancel busy={busy} onCancel={onClose} />
    </form>
  );
}
