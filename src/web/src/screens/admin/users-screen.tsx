import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../api/client.js';
import { sameId, type Page, type Role, type User } from '../../api/types.js';
import { useApp } from '../../session.js';
import { Dialog, ErrorAlert, Loading, RoleBadge, Time } from '../../ui/components.js';

const ROLES: { value: Role; label: string }[] = [
  { value: 'admin', label: 'Admin: everything in the organisation' },
  { value: 'analyst', label: 'Analyst: works cases' },
  { value: 'viewer', label: 'Viewer: reads' },
];

export function UsersScreen() {
  const { session } = useApp();
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<User | null>(null);

  const reload = useCallback(async () => {
    try {
      const page = await api<Page<User>>('GET', '/users');
      setUsers(page.items);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  return (
    <section className="page" aria-labelledby="users-title">
      <div className="page-head">
        <h1 id="users-title">Users</h1>
        <p className="page-sub">People of {session.organisation.name} who can log in to Caseline.</p>
      </div>
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      {users === null ? (
        <Loading />
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={String(user.id)} className={user.active ? undefined : 'row-inactive'}>
                <td data-label="Name">
                  {user.name}
                  {sameId(user.id, session.user.id) && <span className="muted"> (you)</span>}
                </td>
                <td data-label="Email">{user.email}</td>
                <td data-label="Role">
                  <RoleBadge role={user.role} />
                </td>
                <td data-label="Status">{user.active ? 'Active' : 'Deactivated'}</td>
                <td data-label="Created">
                  <Time at={user.createdAt} />
                </td>
                <td>
                  <button type="button" className="button-quiet" onClick={() => setEditing(user)} aria-label={`Edit ${user.name}`}>
                    Edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewUserForm onCreated={reload} />
      <EditUserDialog
        user={editing}
        isSelf={editing !== null && sameId(editing.id, session.user.id)}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          void reload();
        }}
      />
    </section>
  );
}

function NewUserForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const id = useId();
  const empty = { email: '', name: '', role: 'analyst' as Role, password: '' };
  const [form, setForm] = useState(empty);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      await api<User>('POST', '/users', { ...form, email: form.email.trim(), name: form.name.trim() });
      setCreated(`${form.name.trim()} can now log in as ${form.email.trim()}.`);
      setForm(empty);
      await onCreated();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Add a user</h2>
      <ErrorAlert error={error} />
      {created && (
        <p className="alert alert-success" role="status">
          {created}
        </p>
      )}
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            id={`${id}-email`}
            type="email"
            required
            autoComplete="off"
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-role`}>Role</label>
          <select id={`${id}-role`} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Initial password</label>
          <input
            id={`${id}-password`}
            type="password"
            required
            minLength={8}
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
          />
        </div>
      </div>
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add user'}
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
  const id = useId();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const [active, setActive] = useState(true);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!user) return;
    setName(user.name);
    setRole(user.role);
    setActive(user.active);
    setPassword('');
    setError(null);
  }, [user]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!user) return;
    const patch: Record<string, unknown> = {};
    if (name.trim() !== user.name) patch.name = name.trim();
    if (role !== user.role) patch.role = role;
    if (active !== user.active) patch.active = active;
    if (password) patch.password = password;
    if (Object.keys(patch).length === 0) return onClose();
    setBusy(true);
    setError(null);
    try {
      await api('PATCH', `/users/${encodeURIComponent(String(user.id))}`, patch);
      onSaved();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={user ? `Edit ${user.name}` : 'Edit user'} open={user !== null} onClose={onClose}>
      <form onSubmit={submit}>
        <ErrorAlert error={error} />
        <p className="muted">{user?.email}</p>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} required value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-role`}>Role</label>
          <select id={`${id}-role`} value={role} disabled={isSelf} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <label className="check">
          <input type="checkbox" checked={active} disabled={isSelf} onChange={(e) => setActive(e.target.checked)} />
          Active (can log in)
        </label>
        {isSelf && <p className="hint">You cannot change your own role or deactivate yourself.</p>}
        <div className="field">
          <label htmlFor={`${id}-password`}>New password</label>
          <input
            id={`${id}-password`}
            type="password"
            minLength={8}
            autoComplete="new-password"
            placeholder="Leave empty to keep the current one"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <div className="dialog-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
