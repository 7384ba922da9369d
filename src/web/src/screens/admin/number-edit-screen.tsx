import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../api/client.js';
import { PROVIDERS, type Channel, type PhoneNumber, type Provider } from '../../api/types.js';
import { navigate, paths } from '../../router.js';
import { useApp } from '../../session.js';
import { CopyField, ErrorAlert, Loading } from '../../ui/components.js';
import { CREDENTIAL_FIELDS, PROVIDER_CHANNELS, PROVIDER_LABELS } from './providers.js';

interface Draft {
  provider: Provider;
  channel: Channel;
  ourNumber: string;
  surveyId: string;
  theirNumberQuestion: string;
  conversationQuestion: string;
  multiCaseReply: string;
  sendRatePerSecond: string;
  templateName: string;
  templateLanguage: string;
  templateParameters: string;
  credentials: Record<string, string>;
}

const MULTI_CASE_EXAMPLE = 'You have {count} open cases: {cases}. Please start your reply with the case number, e.g. #12.';

function fromNumber(n: PhoneNumber): Draft {
  return {
    provider: n.provider,
    channel: n.channel,
    ourNumber: n.ourNumber,
    surveyId: String(n.surveyId),
    theirNumberQuestion: n.theirNumberQuestion,
    conversationQuestion: n.conversationQuestion,
    multiCaseReply: n.multiCaseReply ?? '',
    sendRatePerSecond: n.sendRatePerSecond ? String(n.sendRatePerSecond) : '',
    templateName: n.template?.name ?? '',
    templateLanguage: n.template?.language ?? '',
    templateParameters: (n.template?.parameters ?? []).join(', '),
    credentials: {},
  };
}

export function NumberEditScreen({ numberId }: { numberId: string | null }) {
  const { surveys } = useApp();
  const id = useId();
  const [saved, setSaved] = useState<PhoneNumber | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    if (numberId === null) {
      const survey = surveys[0];
      setDraft({
        provider: 'sandbox',
        channel: 'sms',
        ourNumber: '',
        surveyId: survey ? String(survey.id) : '',
        theirNumberQuestion: survey?.questions.find((q) => q.type === 'phone')?.name ?? '',
        conversationQuestion: survey?.questions.find((q) => q.type === 'conversation')?.name ?? '',
        multiCaseReply: '',
        sendRatePerSecond: '',
        templateName: '',
        templateLanguage: '',
        templateParameters: '',
        credentials: {},
      });
      return;
    }
    api<PhoneNumber>('GET', `/numbers/${encodeURIComponent(numberId)}`)
      .then((n) => {
        setSaved(n);
        setDraft(fromNumber(n));
      })
      .catch((e: unknown) => setError(errorMessage(e)));
  }, [numberId, surveys]);

  if (!draft) return error ? <ErrorAlert error={error} /> : <Loading />;

  const survey = surveys.find((s) => String(s.id) === draft.surveyId);
  const phoneQuestions = survey?.questions.filter((q) => q.type === 'phone') ?? [];
  const conversationQuestions = survey?.questions.filter((q) => q.type === 'conversation') ?? [];
  const channels = PROVIDER_CHANNELS[draft.provider];
  const credentialFields = CREDENTIAL_FIELDS[draft.provider];
  const editing = numberId !== null;
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    const credentials = Object.fromEntries(
      credentialFields.map((f) => [f.key, (draft.credentials[f.key] ?? '').trim()]).filter(([, v]) => v),
    );
    const body: Record<string, unknown> = {
      channel: draft.channel,
      ourNumber: draft.ourNumber.trim(),
      surveyId: survey ? survey.id : draft.surveyId,
      theirNumberQuestion: draft.theirNumberQuestion,
      conversationQuestion: draft.conversationQuestion,
      multiCaseReply: draft.multiCaseReply.trim() || null,
      template:
        draft.channel === 'whatsapp' && draft.templateName.trim()
          ? {
              name: draft.templateName.trim(),
              language: draft.templateLanguage.trim() || 'en',
              parameters: draft.templateParameters.split(',').map((p) => p.trim()).filter(Boolean),
            }
          : null,
    };
    // An empty rate keeps the server's default for the provider.
    if (draft.sendRatePerSecond) body.sendRatePerSecond = Number(draft.sendRatePerSecond);
    if (!editing) body.provider = draft.provider;
    if (Object.keys(credentials).length > 0 || (!editing && draft.provider !== 'sandbox')) body.credentials = credentials;
    try {
      const result = editing
        ? await api<PhoneNumber>('PATCH', `/numbers/${encodeURIComponent(numberId)}`, body)
        : await api<PhoneNumber>('POST', '/numbers', body);
      setSaved(result);
      setDraft(fromNumber(result));
      setNotice(editing ? 'Saved.' : 'Number added. Paste the webhook addresses below into the provider’s console.');
      if (!editing) navigate(paths.number(result.id), { replace: true });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="page" aria-labelledby={`${id}-title`}>
      <p className="crumbs">
        <a href={paths.numbers()}>Numbers</a>
      </p>
      <h1 id={`${id}-title`}>{editing ? `Number ${saved?.ourNumber ?? ''}` : 'Add a number'}</h1>
      {notice && (
        <p className="alert alert-success" role="status">
          {notice}
        </p>
      )}
      {saved && (
        <section className="card" aria-labelledby={`${id}-hooks`}>
          <h2 id={`${id}-hooks`}>Webhooks</h2>
          <p className="hint">Give these addresses to {PROVIDER_LABELS[saved.provider]} for incoming messages and delivery reports.</p>
          <CopyField label="Inbound webhook URL" value={saved.webhooks.inbound} />
          <CopyField label="Status webhook URL" value={saved.webhooks.status} />
          {saved.provider === 'sandbox' && <a href={paths.simulator(saved.id)}>Open the phone simulator for this number</a>}
        </section>
      )}
      <form onSubmit={submit} className="stack">
        <ErrorAlert error={error} onDismiss={() => setError(null)} />
        <fieldset className="card">
          <legend>Provider</legend>
          <div className="form-grid">
            <div className="field">
              <label htmlFor={`${id}-provider`}>Provider</label>
              <select
                id={`${id}-provider`}
                value={draft.provider}
                disabled={editing}
                onChange={(e) => {
                  const provider = e.target.value as Provider;
                  const allowed = PROVIDER_CHANNELS[provider];
                  set({ provider, channel: allowed.includes(draft.channel) ? draft.channel : (allowed[0] ?? 'sms'), credentials: {} });
                }}
              >
                {PROVIDERS.map((p) => (
                  <option key={p} value={p}>
                    {PROVIDER_LABELS[p]}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-channel`}>Channel</label>
              <select id={`${id}-channel`} value={draft.channel} onChange={(e) => set({ channel: e.target.value as Channel })}>
                {channels.map((c) => (
                  <option key={c} value={c}>
                    {c === 'whatsapp' ? 'WhatsApp' : 'SMS'}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-our`}>Our number</label>
              <input
                id={`${id}-our`}
                required
                className="mono"
                placeholder="+447700900123"
                value={draft.ourNumber}
                aria-describedby={`${id}-our-hint`}
                onChange={(e) => set({ ourNumber: e.target.value })}
              />
              <span id={`${id}-our-hint`} className="hint">
                E.164, or the provider&apos;s id for it
              </span>
            </div>
            <div className="field">
              <label htmlFor={`${id}-rate`}>Send rate (messages per second)</label>
              <input
                id={`${id}-rate`}
                type="number"
                min={0.1}
                step="any"
                placeholder="Provider default"
                value={draft.sendRatePerSecond}
                onChange={(e) => set({ sendRatePerSecond: e.target.value })}
              />
            </div>
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>Credentials</legend>
          {editing && <p className="hint">Credentials are stored encrypted and never shown. Leave the fields empty to keep them.</p>}
          <div className="form-grid">
            {credentialFields.map((field) => (
              <div className="field" key={`${draft.provider}-${field.key}`}>
                <label htmlFor={`${id}-cred-${field.key}`}>{field.label}</label>
                {field.multiline ? (
                  <textarea
                    id={`${id}-cred-${field.key}`}
                    rows={4}
                    className="mono"
                    required={!editing && !field.optional}
                    value={draft.credentials[field.key] ?? ''}
                    onChange={(e) => set({ credentials: { ...draft.credentials, [field.key]: e.target.value } })}
                  />
                ) : (
                  <input
                    id={`${id}-cred-${field.key}`}
                    type={field.secret ? 'password' : 'text'}
                    autoComplete="off"
                    required={!editing && !field.optional}
                    value={draft.credentials[field.key] ?? ''}
                    onChange={(e) => set({ credentials: { ...draft.credentials, [field.key]: e.target.value } })}
                  />
                )}
                {field.hint && <span className="hint">{field.hint}</span>}
              </div>
            ))}
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>Survey</legend>
          <div className="form-grid">
            <div className="field">
              <label htmlFor={`${id}-survey`}>Survey</label>
              <select
                id={`${id}-survey`}
                required
                value={draft.surveyId}
                onChange={(e) => {
                  const next = surveys.find((s) => String(s.id) === e.target.value);
                  set({
                    surveyId: e.target.value,
                    theirNumberQuestion: next?.questions.find((q) => q.type === 'phone')?.name ?? '',
                    conversationQuestion: next?.questions.find((q) => q.type === 'conversation')?.name ?? '',
                  });
                }}
              >
                <option value="">Choose a survey</option>
                {surveys.map((s) => (
                  <option key={String(s.id)} value={String(s.id)}>
                    {s.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-their`}>Question for their number</label>
              <select id={`${id}-their`} required value={draft.theirNumberQuestion} onChange={(e) => set({ theirNumberQuestion: e.target.value })}>
                <option value="">Choose a phone question</option>
                {phoneQuestions.map((q) => (
                  <option key={q.name} value={q.name}>
                    {q.label || q.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-conv`}>Question for the conversation</label>
              <select id={`${id}-conv`} required value={draft.conversationQuestion} onChange={(e) => set({ conversationQuestion: e.target.value })}>
                <option value="">Choose a conversation question</option>
                {conversationQuestions.map((q) => (
                  <option key={q.name} value={q.name}>
                    {q.label || q.name}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {survey && (phoneQuestions.length === 0 || conversationQuestions.length === 0) && (
            <p className="hint">
              The survey needs a phone question and a conversation question. <a href={paths.survey(survey.id)}>Edit the survey</a>.
            </p>
          )}
          <div className="field">
            <label htmlFor={`${id}-multi`}>Multi-case reply</label>
            <textarea
              id={`${id}-multi`}
              rows={3}
              placeholder={MULTI_CASE_EXAMPLE}
              value={draft.multiCaseReply}
              aria-describedby={`${id}-multi-hint`}
              onChange={(e) => set({ multiCaseReply: e.target.value })}
            />
            <span id={`${id}-multi-hint`} className="hint">
              Sent once when a message joins two or more open cases. {'{count}'} is the number of cases, {'{cases}'} lists them.
              Leave empty to send nothing.
            </span>
          </div>
        </fieldset>

        {draft.channel === 'whatsapp' && (
          <fieldset className="card">
            <legend>WhatsApp template</legend>
            <p className="hint">Sent when the contact&apos;s 24-hour window has closed. Leave the name empty for none.</p>
            <div className="form-grid">
              <div className="field">
                <label htmlFor={`${id}-tname`}>Template name</label>
                <input id={`${id}-tname`} value={draft.templateName} onChange={(e) => set({ templateName: e.target.value })} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-tlang`}>Template language</label>
                <input id={`${id}-tlang`} placeholder="en" value={draft.templateLanguage} onChange={(e) => set({ templateLanguage: e.target.value })} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-tparams`}>Template parameters (comma separated)</label>
                <input id={`${id}-tparams`} value={draft.templateParameters} onChange={(e) => set({ templateParameters: e.target.value })} />
              </div>
            </div>
          </fieldset>
        )}

        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Saving…' : editing ? 'Save number' : 'Add number'}
          </button>
          <a href={paths.numbers()}>Back to numbers</a>
        </div>
      </form>
    </section>
  );
}
