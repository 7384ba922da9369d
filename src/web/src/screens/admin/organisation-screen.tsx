import { useState, type SyntheticEvent } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { organisationApi } from '../../api/two-factor.js';
import type { Organisation } from '../../api/types.js';
import { ErrorAlert, LoadingOrError, SuccessAlert } from '../../ui/components.js';
import { InputField, SelectField } from '../../ui/fields.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { useRequest } from '../../ui/use-request.js';

const policyOptions = (t: TFunction<'admin'>): { value: Organisation['requireTwoFactor']; label: string }[] => [
  { value: 'none', label: t('organisation.policy.none') },
  { value: 'admins', label: t('organisation.policy.admins') },
  { value: 'everyone', label: t('organisation.policy.everyone') },
];
/** The server's bounds (src/domain/sign-in.ts): five minutes to thirty days. */
const MIN_IDLE_MINUTES = 5;
const MAX_IDLE_MINUTES = 30 * 24 * 60;

/** The organisation's name, privacy and sign-in settings (DESIGN.md §9), for admins. */
export function OrganisationScreen() {
  const { t } = useTranslation('admin');
  const { data, error } = useLoad(() => organisationApi.get(), []);
  return (
    <Screen title={t('organisation.title')} beside={<p className="page-sub">{t('organisation.intro')}</p>}>
      {data ? <OrganisationForm organisation={data} /> : <LoadingOrError error={error} />}
    </Screen>
  );
}

function OrganisationForm({ organisation }: { organisation: Organisation }) {
  const { t } = useTranslation(['admin', 'common']);
  const [draft, setDraft] = useState(organisation);
  const [idle, setIdle] = useState(String(organisation.sessionIdleMinutes));
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDone(null);
    await run(async () => {
      const saved = await organisationApi.update({
        name: draft.name.trim(),
        maskContacts: draft.maskContacts,
        requireTwoFactor: draft.requireTwoFactor,
        sessionIdleMinutes: Number(idle),
      });
      setDraft(saved);
      setIdle(String(saved.sessionIdleMinutes));
      setDone(t('organisation.saved'));
    });
  };

  return (
    <form className="card" onSubmit={(event) => void submit(event)} aria-label={t('organisation.formLabel')}>
      <ErrorAlert error={error} />
      <SuccessAlert message={done} />
      <InputField
        label={t('organisation.name')}
        required
        dir="auto"
        maxLength={200}
        value={draft.name}
        onChange={(e) => setDraft({ ...draft, name: e.target.value })}
      />
      <label className="check">
        <input type="checkbox" checked={draft.maskContacts} onChange={(e) => setDraft({ ...draft, maskContacts: e.target.checked })} />
        {t('organisation.maskContacts')}
      </label>
      <SelectField
        label={t('organisation.twoFactor')}
        options={policyOptions(t)}
        value={draft.requireTwoFactor}
        hint={t('organisation.twoFactorHint')}
        onChange={(e) => setDraft({ ...draft, requireTwoFactor: e.target.value as Organisation['requireTwoFactor'] })}
      />
      <InputField
        label={t('organisation.idleMinutes')}
        type="number"
        inputMode="numeric"
        required
        min={MIN_IDLE_MINUTES}
        max={MAX_IDLE_MINUTES}
        step={1}
        hint={t('organisation.idleHint')}
        value={idle}
        onChange={(e) => setIdle(e.target.value)}
      />
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? t('common:actions.saving') : t('organisation.submit')}
      </button>
    </form>
  );
}
