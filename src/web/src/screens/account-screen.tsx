import { useId, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { accountApi } from '../api/client.js';
import type { ApiToken } from '../api/types.js';
import { useApp } from '../session.js';
import { CopyField, Dialog, ErrorAlert, Notice, RoleBadge, SuccessAlert, Time } from '../ui/components.js';
import { DataTable } from '../ui/data-table.js';
import { InputField, SelectField } from '../ui/fields.js';
import { Screen } from '../ui/screen.js';
import { useLoad } from '../ui/use-load.js';
import { useRequest } from '../ui/use-request.js';
import { LanguageCard } from './language-card.js';
import { OtherSessionsCard, TwoFactorCard } from './two-factor-card.js';

const MIN_PASSWORD_LENGTH = 10;

const EXPIRY_OPTIONS = [
  { value: '30', label: 'tokens.in30Days' },
  { value: '90', label: 'tokens.in90Days' },
  { value: '365', label: 'tokens.inAYear' },
  { value: '', label: 'tokens.never' },
] as const;

/** My account: my password, two-factor sign-in, my sessions and my API tokens, for every role. */
export function AccountScreen() {
  const { t } = useTranslation('account');
  const { session } = useApp();
  const { data, error, reload: reloadTokens } = useLoad(() => accountApi.listTokens(), []);
  const tokens = data?.items ?? null;

  return (
    <Screen
      title={t('account.title')}
      beside={
        <p className="page-sub">
          <bdi>{session.user.name}</bdi> · <bdi>{session.user.email}</bdi> · <RoleBadge role={session.user.role} />
        </p>
      }
    >
      <LanguageCard />
      {/* A new password ends the API tokens too, so the list is read again. */}
      <PasswordForm onChanged={reloadTokens} />
      <TwoFactorCard enabled={session.twoFactor.enabled} />
      <OtherSessionsCard />
      <section className="card" aria-labelledby="api-tokens-title">
        <h2 id="api-tokens-title">{t('tokens.title')}</h2>
        <p className="muted">{t('tokens.intro')}</p>
        <ErrorAlert error={error} />
        <TokenList tokens={tokens} onRevoked={reloadTokens} />
        <NewTokenForm onCreated={reloadTokens} />
      </section>
    </Screen>
  );
}

const NO_PASSWORDS = { current: '', next: '', again: '' };

function PasswordForm({ onChanged }: { onChanged: () => Promise<void> }) {
  const { t } = useTranslation('account');
  const id = useId();
  const [form, setForm] = useState(NO_PASSWORDS);
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, setError, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDone(null);
    if (form.next !== form.again) {
      setError(t('password.mismatch'));
      return;
    }
    await run(async () => {
      await accountApi.changePassword(form.current, form.next);
      setForm(NO_PASSWORDS);
      setDone(t('password.changed'));
      await onChanged();
    });
  };

  return (
    <form className="card" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('password.title')}</h2>
      <ErrorAlert error={error} />
      <SuccessAlert message={done} />
      <div className="form-grid">
        <InputField
          label={t('password.current')}
          type="password"
          required
          autoComplete="current-password"
          value={form.current}
          onChange={(e) => setForm({ ...form, current: e.target.value })}
        />
        <InputField
          label={t('password.new')}
          type="password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          autoComplete="new-password"
          hint={t('password.hint', { count: MIN_PASSWORD_LENGTH })}
          value={form.next}
          onChange={(e) => setForm({ ...form, next: e.target.value })}
        />
        <InputField
          label={t('password.again')}
          type="password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          autoComplete="new-password"
          value={form.again}
          onChange={(e) => setForm({ ...form, again: e.target.value })}
        />
      </div>
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? t('password.changing') : t('password.change')}
      </button>
    </form>
  );
}

function TokenList({ tokens, onRevoked }: { tokens: ApiToken[] | null; onRevoked: () => Promise<void> }) {
  const { t } = useTranslation(['account', 'common']);
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
        empty={t('tokens.empty')}
        columns={[
          { label: t('tokens.name'), cell: (token) => <bdi>{token.name}</bdi> },
          { label: t('tokens.created'), cell: (token) => <Time at={token.createdAt} /> },
          {
            label: t('tokens.lastUsed'),
            cell: (token) => (token.lastUsedAt ? <Time at={token.lastUsedAt} /> : <span className="muted">{t('tokens.never')}</span>),
          },
          {
            label: t('tokens.expires'),
            cell: (token) => (token.expiresAt ? <Time at={token.expiresAt} /> : <span className="muted">{t('tokens.never')}</span>),
          },
        ]}
        actions={(token) => (
          <button
            type="button"
            className="button-quiet button-danger"
            onClick={() => {
              setError(null);
              setRevoking(token);
            }}
            aria-label={t('tokens.revokeNamed', { name: token.name })}
          >
            {t('tokens.revoke')}
          </button>
        )}
      />
      <Dialog
        title={revoking ? t('tokens.confirmTitle', { name: revoking.name }) : t('tokens.confirmTitleUnnamed')}
        open={revoking !== null}
        onClose={() => setRevoking(null)}
      >
        <ErrorAlert error={error} />
        <p>{t('tokens.confirmText')}</p>
        <div className="dialog-actions">
          <button type="button" onClick={() => setRevoking(null)} disabled={busy}>
            {t('common:actions.cancel')}
          </button>
          <button type="button" className="button-danger-solid" onClick={() => void revoke()} disabled={busy}>
            {busy ? t('tokens.revoking') : t('tokens.revokeToken')}
          </button>
        </div>
      </Dialog>
    </>
  );
}

function NewTokenForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const { t } = useTranslation('account');
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
      <h3 id={`${id}-title`}>{t('tokens.newTitle')}</h3>
      <ErrorAlert error={error} />
      {secret && (
        <>
          <Notice tone="warning">{t('tokens.copyNow')}</Notice>
          <CopyField label={t('tokens.newToken')} value={secret} />
        </>
      )}
      <div className="form-grid">
        <InputField
          label={t('tokens.name')}
          required
          maxLength={200}
          placeholder={t('tokens.namePlaceholder')}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <SelectField
          label={t('tokens.expires')}
          options={EXPIRY_OPTIONS.map((option) => ({ value: option.value, label: t(option.label) }))}
          value={expiry}
          onChange={(e) => setExpiry(e.target.value)}
        />
      </div>
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? t('tokens.creating') : t('tokens.create')}
      </button>
    </form>
  );
}
