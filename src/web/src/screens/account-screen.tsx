import { useId, useState, type SyntheticEvent } from 'react';
import { accountApi } from '../api/client.js';
import type { ApiToken } from '../api/types.js';
import { useApp } from '../session.js';
import { CopyField, Dialog, ErrorAlert, Notice, RoleBadge, SuccessAlert, Time } from '../ui/components.js';
import { DataTable } from '../ui/data-table.js';
import { InputField, SelectField } from '../ui/fields.js';
import { Screen } from '../ui/screen.js';
import { useLoad } from '../ui/use-load.js';
import { useRequest } from '../ui/use-request.js';
import { OtherSessionsCard, TwoFactorCard } from './two-factor-card.js';

const MIN_PASSWORD_LENGTH = 10;

const EXPIRY_OPTIONS = [
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In a year' },
  { value: '', label: 'Never' },
];

/** My account: my password, two-factor sign-in, my sessions and my API tokens, for every role. */
export function AccountScreen() {
  const { session } = useApp();
  const { data, error, reload: reloadTokens } = useLoad(() => accountApi.listTokens(), []);
  const tokens = data?.items ?? null;

  return (
    <Screen
      title="My account"
      beside={
        <p className="page-sub">
          {session.user.name} · {session.user.email} · <RoleBadge role={session.user.role} />
        </p>
      }
    >
      {/* A new password ends the API tokens too, so the list is read again. */}
      <PasswordForm onChanged={reloadTokens} />
      <TwoFactorCard enabled={session.twoFactor.enabled} />
      <OtherSessionsCard />
      <section className="card" aria-labelledby="api-tokens-title">
        <h2 id="api-tokens-title">API tokens</h2>
        <p className="muted">A token lets a script act as you. Revoke any you no longer use.</p>
        <ErrorAlert error={error} />
        <TokenList tokens={tokens} onRevoked={reloadTokens} />
        <NewTokenForm onCreated={reloadTokens} />
      </section>
    </Screen>
  );
}

const NO_PASSWORDS = { current: '', next: '', again: '' };

function PasswordForm({ onChanged }: { onChanged: () => Promise<void> }) {
  const id = useId();
  const [form, setForm] = useState(NO_PASSWORDS);
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, setError, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDone(null);
    if (form.next !== form.again) {
      setError('The new password and its repetition differ.');
      return;
    }
    await run(async () => {
      await accountApi.changePassword(form.current, form.next);
      setForm(NO_PASSWORDS);
      setDone('Password changed. Your other sessions and your API tokens have ended; this one goes on.');
      await onChanged();
    });
  };

  return (
    <form className="card" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Password</h2>
      <ErrorAlert error={error} />
      <SuccessAlert message={done} />
      <div className="form-grid">
        <InputField
          label="Current password"
          type="password"
          required
          autoComplete="current-password"
          value={form.current}
          onChange={(e) => setForm({ ...form, current: e.target.value })}
        />
        <InputField
          label="New password"
          type="password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          autoComplete="new-password"
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          value={form.next}
          onChange={(e) => setForm({ ...form, next: e.target.value })}
        />
        <InputField
          label="New password again"
          type="password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          autoComplete="new-password"
          value={form.again}
          onChange={(e) => setForm({ ...form, again: e.target.value })}
        />
      </div>
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}

function TokenList({ tokens, onRevoked }: { tokens: ApiToken[] | null; onRevoked: () => Promise<void> }) {
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const { busy, error, setError, run } = useRequest();

  const revoke = async () => {
    if (!revoking) return;
    await run(async () => {
      await accountApi.revokeToken(revoking.id);
      setRevoking(null);
      await onRevoked();
    });
  };

  return (
    <>
      <DataTable
        rows={tokens}
        rowKey={(token) => token.id}
        empty="You have no API tokens."
        columns={[
          { label: 'Name', cell: (token) => token.name },
          { label: 'Created', cell: (token) => <Time at={token.createdAt} /> },
          {
            label: 'Last used',
            cell: (token) => (token.lastUsedAt ? <Time at={token.lastUsedAt} /> : <span className="muted">Never</span>),
          },
          { label: 'Expires', cell: (token) => (token.expiresAt ? <Time at={token.expiresAt} /> : <span className="muted">Never</span>) },
        ]}
        actions={(token) => (
          <button
            type="button"
            className="button-quiet button-danger"
            onClick={() => {
              setError(null);
              setRevoking(token);
            }}
            aria-label={`Revoke ${token.name}`}
          >
            Revoke
          </button>
        )}
      />
      <Dialog title={`Revoke ${revoking?.name ?? 'token'}?`} open={revoking !== null} onClose={() => setRevoking(null)}>
        <ErrorAlert error={error} />
        <p>Scripts using this token stop working at once. This cannot be undone.</p>
        <div className="dialog-actions">
          <button type="button" onClick={() => setRevoking(null)} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="button-danger-solid" onClick={() => void revoke()} disabled={busy}>
            {busy ? 'Revoking…' : 'Revoke token'}
          </button>
        </div>
      </Dialog>
    </>
  );
}

function NewTokenForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const id = useId();
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState('90');
  const [secret, setSecret] = useState<string | null>(null);
  const { busy, error, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSecret(null);
    await run(async () => {
      const created = await accountApi.createToken(name.trim(), expiry ? Number(expiry) : null);
      setSecret(created.token);
      setName('');
      await onCreated();
    });
  };

  return (
    <form className="token-form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>New token</h3>
      <ErrorAlert error={error} />
      {secret && (
        <>
          <Notice tone="warning">Copy the token now: it is shown only this once.</Notice>
          <CopyField label="New API token" value={secret} />
        </>
      )}
      <div className="form-grid">
        <InputField
          label="Name"
          required
          maxLength={200}
          placeholder="What uses it, e.g. reporting script"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <SelectField label="Expires" options={EXPIRY_OPTIONS} value={expiry} onChange={(e) => setExpiry(e.target.value)} />
      </div>
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create token'}
      </button>
    </form>
  );
}
