import { useState, type ChangeEvent, type SyntheticEvent } from 'react';
import { api } from '../../api/client.js';
import type { Channel, PhoneNumber, Provider } from '../../api/types.js';
import { channelLabel } from '../../format.js';
import { navigate, paths } from '../../router.js';
import { questionOptions, surveyOptions } from '../../select-options.js';
import { useApp } from '../../session.js';
import { ErrorAlert, LoadingOrError, Notice, SuccessAlert } from '../../ui/components.js';
import { InputField, SelectField, TextAreaField } from '../../ui/fields.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { useRequest } from '../../ui/use-request.js';
import { allowedIpList, defaultQuestions, draftFromNumber, newNumberDraft, numberRequestBody, type NumberDraft } from './number-draft.js';
import { AcknowledgementCard } from './number-acknowledgement-card.js';
import { NumberWebhooksCard } from './number-webhooks-card.js';
import { TemplateLibraryCard } from './template-library-card.js';
import { CREDENTIAL_FIELDS, PROVIDER_CHANNELS, PROVIDER_LABELS, PROVIDERS } from './providers.js';

const MULTI_CASE_EXAMPLE = 'You have {count} open cases: {cases}. Please start your reply with the case number, e.g. #12.';
/** The draft's fields that hold free text (not the provider or channel, which are chosen). */
type TextField = { [K in keyof NumberDraft]: string extends NumberDraft[K] ? K : never }[keyof NumberDraft];
const PROVIDER_OPTIONS = PROVIDERS.map((p) => ({ value: p, label: PROVIDER_LABELS[p] }));

export function NumberEditScreen({ numberId }: { numberId: string | null }) {
  const { surveys } = useApp();
  // The number as stored (null while adding one), and the form as the user changed it.
  const loaded = useLoad(
    async () => (numberId === null ? null : api<PhoneNumber>('GET', `/numbers/${encodeURIComponent(numberId)}`)),
    [numberId],
  );
  const saved = loaded.data ?? null;
  const [edited, setDraft] = useState<NumberDraft | null>(null);
  const { busy, error, setError, run } = useRequest();
  const [notice, setNotice] = useState<string | null>(null);
  const draft = edited ?? (numberId === null ? newNumberDraft(surveys[0]) : saved && draftFromNumber(saved));
  // An answer from the server is the number as stored now, and the form starts again from it.
  const setSaved = (number: PhoneNumber) => {
    loaded.update(() => number);
    setDraft(draftFromNumber(number));
  };

  if (!draft) return <LoadingOrError error={loaded.error} />;

  const survey = surveys.find((s) => String(s.id) === draft.surveyId);
  const phoneQuestions = survey?.questions.filter((q) => q.type === 'phone') ?? [];
  const conversationQuestions = survey?.questions.filter((q) => q.type === 'conversation') ?? [];
  const channels = PROVIDER_CHANNELS[draft.provider];
  const credentialFields = CREDENTIAL_FIELDS[draft.provider];
  const editing = numberId !== null;
  const set = (patch: Partial<NumberDraft>) => setDraft({ ...draft, ...patch });
  const setCredential = (key: string, value: string) => set({ credentials: { ...draft.credentials, [key]: value } });
  // The value and change handler of a control that edits one text field of the draft.
  const bind = (key: TextField) => ({
    value: draft[key],
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => set({ [key]: e.target.value }),
  });

  const restore = () =>
    run(async () => {
      if (!numberId) return;
      const result = await api<PhoneNumber>('POST', `/numbers/${encodeURIComponent(numberId)}/restore`);
      setSaved(result);
      setNotice('Restored. The number receives and sends again, at the same webhook addresses.');
    });

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setNotice(null);
    const body = numberRequestBody(draft, { editing, surveyId: survey ? survey.id : draft.surveyId, credentialFields });
    await run(async () => {
      const result = editing
        ? await api<PhoneNumber>('PATCH', `/numbers/${encodeURIComponent(numberId)}`, body)
        : await api<PhoneNumber>('POST', '/numbers', body);
      setSaved(result);
      setNotice(editing ? 'Saved.' : 'Number added. Paste the webhook addresses below into the provider’s console.');
      if (!editing) navigate(paths.number(result.id), { replace: true });
    });
  };

  return (
    <Screen title={editing ? `Number ${saved?.ourNumber ?? ''}` : 'Add a number'} crumb={{ href: paths.numbers(), label: 'Numbers' }}>
      <SuccessAlert message={notice} />
      {saved?.archivedAt && (
        <Notice tone="warning">
          <p>This number is archived: it neither receives nor sends messages, and cannot be changed until it is restored.</p>
          <button type="button" onClick={() => void restore()} disabled={busy}>
            {busy ? 'Restoring…' : 'Restore number'}
          </button>
        </Notice>
      )}
      {saved && (
        <NumberWebhooksCard
          number={saved}
          onChange={(next) => {
            loaded.update(() => next);
            setNotice(
              `New webhook addresses made. Paste them into ${PROVIDER_LABELS[next.provider]}’s console now; the old ones no longer work.`,
            );
          }}
        />
      )}
      <form onSubmit={(event) => void submit(event)} className="stack">
        <ErrorAlert error={error} onDismiss={() => setError(null)} />
        <fieldset className="card">
          <legend>Provider</legend>
          <div className="form-grid">
            <SelectField
              label="Provider"
              options={PROVIDER_OPTIONS}
              value={draft.provider}
              disabled={editing}
              onChange={(e) => {
                const provider = e.target.value as Provider;
                const allowed = PROVIDER_CHANNELS[provider];
                set({ provider, channel: allowed.includes(draft.channel) ? draft.channel : (allowed[0] ?? 'sms'), credentials: {} });
              }}
            />
            <SelectField
              label="Channel"
              options={channels.map((c) => ({ value: c, label: channelLabel(c) }))}
              value={draft.channel}
              onChange={(e) => set({ channel: e.target.value as Channel })}
            />
            <InputField
              label="Our number"
              hint="E.164, or the provider's id for it"
              required
              className="mono"
              placeholder="+447700900123"
              {...bind('ourNumber')}
            />
            <InputField
              label="Send rate (messages per second)"
              type="number"
              min={0.1}
              step="any"
              placeholder="Provider default"
              {...bind('sendRatePerSecond')}
            />
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>Credentials</legend>
          {editing && <p className="hint">Credentials are stored encrypted and never shown. Leave the fields empty to keep them.</p>}
          <div className="form-grid">
            {credentialFields.map((field) => {
              // Keyed by provider too, so switching provider starts the fields afresh.
              const key = `${draft.provider}-${field.key}`;
              const common = {
                label: field.label,
                hint: field.hint,
                required: !editing && !field.optional,
                value: draft.credentials[field.key] ?? '',
              };
              return field.multiline ? (
                <TextAreaField key={key} {...common} rows={4} className="mono" onChange={(e) => setCredential(field.key, e.target.value)} />
              ) : (
                <InputField
                  key={key}
                  {...common}
                  type={field.secret ? 'password' : 'text'}
                  autoComplete="off"
                  onChange={(e) => setCredential(field.key, e.target.value)}
                />
              );
            })}
          </div>
        </fieldset>

        {draft.provider === 'africastalking' && (
          <fieldset className="card">
            <legend>Allowed addresses</legend>
            <p className="hint">
              Africa&apos;s Talking does not sign its webhooks. List the addresses or CIDR ranges (e.g. 192.0.2.0/24) it posts from, one a
              line; webhooks from anywhere else are refused. Africa&apos;s Talking does not publish these addresses: ask its support for
              them.
            </p>
            {allowedIpList(draft.allowedIps).length === 0 && (
              <Notice tone="warning">
                Anyone who learns this number&apos;s webhook URL can post messages as any contact; add Africa&apos;s Talking&apos;s
                addresses.
              </Notice>
            )}
            <TextAreaField label="Allowed IP addresses" rows={3} className="mono" placeholder="192.0.2.0/24" {...bind('allowedIps')} />
          </fieldset>
        )}

        <fieldset className="card">
          <legend>Survey</legend>
          <div className="form-grid">
            <SelectField
              label="Survey"
              required
              placeholder="Choose a survey"
              options={surveyOptions(surveys)}
              value={draft.surveyId}
              onChange={(e) => {
                const next = surveys.find((s) => String(s.id) === e.target.value);
                set({ surveyId: e.target.value, ...defaultQuestions(next) });
              }}
            />
            <SelectField
              label="Question for their number"
              required
              placeholder="Choose a phone question"
              options={questionOptions(phoneQuestions)}
              {...bind('theirNumberQuestion')}
            />
            <SelectField
              label="Question for the conversation"
              required
              placeholder="Choose a conversation question"
              options={questionOptions(conversationQuestions)}
              {...bind('conversationQuestion')}
            />
          </div>
          {survey && (phoneQuestions.length === 0 || conversationQuestions.length === 0) && (
            <p className="hint">
              The survey needs a phone question and a conversation question. <a href={paths.survey(survey.id)}>Edit the survey</a>.
            </p>
          )}
          <TextAreaField
            label="Multi-case reply"
            hint={
              <>
                Sent once when a message joins two or more open cases. {'{count}'} is the number of cases, {'{cases}'} lists them. Leave
                empty to send nothing.
              </>
            }
            rows={3}
            placeholder={MULTI_CASE_EXAMPLE}
            {...bind('multiCaseReply')}
          />
        </fieldset>

        <AcknowledgementCard draft={draft} survey={survey} onChange={set} />

        {draft.channel === 'whatsapp' && (
          <TemplateLibraryCard
            templates={draft.templates}
            onChange={(templates) => set({ templates })}
            saved={saved}
            onSynced={(number, count) => {
              setSaved(number);
              setNotice(`Templates synced: ${count} approved template${count === 1 ? '' : 's'} from Meta.`);
            }}
          />
        )}

        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy || Boolean(saved?.archivedAt)}>
            {busy ? 'Saving…' : editing ? 'Save number' : 'Add number'}
          </button>
          <a href={paths.numbers()}>Back to numbers</a>
        </div>
      </form>
    </Screen>
  );
}
