import { useState, type SyntheticEvent } from 'react';
import { organisationApi } from '../../api/two-factor.js';
import type { Organisation } from '../../api/types.js';
import { ErrorAlert, LoadingOrError, SuccessAlert } from '../../ui/components.js';
import { InputField, SelectField } from '../../ui/fields.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { useRequest } from '../../ui/use-request.js';

const POLICY_OPTIONS = [
  { value: 'none', label: 'Nobody is required to' },
  { value: 'admins', label: 'Administrators must' },
  { value: 'everyone', label: 'Everyone must' },
];
/** The server's bounds (src/domain/sign-in.ts): five minutes to thirty days. */
const MIN_IDLE_MINUTES = 5;
const MAX_IDLE_MINUTES = 30 * 24 * 60;

/** The organisation's name, privacy and sign-in settings (DESIGN.md §9), for admins. */
export function OrganisationScreen() {
  const { data, error } = useLoad(() => organisationApi.get(), []);
  return (
    <Screen title="Organisation" beside={<p className="page-sub">Privacy and sign-in settings for everyone in it.</p>}>
      {data ? <OrganisationForm organisation={data} /> : <LoadingOrError error={error} />}
    </Screen>
  );
}

function OrganisationForm({ organisation }: { organisation: Organisation }) {
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
      setDone('Settings saved.');
    });
  };

  return (
    <form className="card" onSubmit={(event) => void submit(event)} aria-label="Organisation settings">
      <ErrorAlert error={error} />
      <SuccessAlert message={done} />
      <InputField label="Name" required maxLength={200} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
      <label className="check">
        <input type="checkbox" checked={draft.maskContacts} onChange={(e) => setDraft({ ...draft, maskContacts: e.target.checked })} />
        Mask contact numbers for analysts and viewers
      </label>
      <SelectField
        label="Two-factor sign-in"
        options={POLICY_OPTIONS}
        value={draft.requireTwoFactor}
        hint="Those it covers who have not set it up can only set it up until they do, their API tokens included."
        onChange={(e) => setDraft({ ...draft, requireTwoFactor: e.target.value as Organisation['requireTwoFactor'] })}
      />
      <InputField
        label="End idle sessions after (minutes)"
        type="number"
        inputMode="numeric"
        required
        min={MIN_IDLE_MINUTES}
        max={MAX_IDLE_MINUTES}
        step={1}
        hint="A session unused this long ends; the default is 480 (8 hours)."
        value={idle}
        onChange={(e) => setIdle(e.target.value)}
      />
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? 'Saving…' : 'Save settings'}
      </button>
    </form>
  );
}
