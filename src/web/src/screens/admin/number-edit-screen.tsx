import { useState, type ChangeEvent, type SyntheticEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
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
import { CREDENTIAL_FIELDS, credentialLabel, PROVIDER_CHANNELS, providerLabel, PROVIDERS } from './providers.js';

/** The draft's fields that hold free text (not the provider or channel, which are chosen). */
type TextField = { [K in keyof NumberDraft]: string extends NumberDraft[K] ? K : never }[keyof NumberDraft];

export function NumberEditScreen({ numberId }: { numberId: string | null }) {
  const { t } = useTranslation(['numbers', 'common']);
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
      setNotice(t('edit.restored'));
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
      setNotice(editing ? t('edit.saved') : t('edit.added'));
      if (!editing) navigate(paths.number(result.id), { replace: true });
    });
  };

  return (
    <Screen
      title={
        editing ? (
          <Trans t={t} i18nKey="edit.title" values={{ number: saved?.ourNumber ?? '' }} components={{ bdi: <bdi /> }} />
        ) : (
          t('edit.titleNew')
        )
      }
      crumb={{ href: paths.numbers(), label: t('list.title') }}
    >
      <SuccessAlert message={notice} />
      {saved?.archivedAt && (
        <Notice tone="warning">
          <p>{t('edit.archived')}</p>
          <button type="button" onClick={() => void restore()} disabled={busy}>
            {busy ? t('edit.restoring') : t('edit.restore')}
          </button>
        </Notice>
      )}
      {saved && (
        <NumberWebhooksCard
          number={saved}
          onChange={(next) => {
            loaded.update(() => next);
            setNotice(t('edit.rotated', { provider: providerLabel(next.provider, t) }));
          }}
        />
      )}
      <form onSubmit={(event) => void submit(event)} className="stack">
        <ErrorAlert error={error} onDismiss={() => setError(null)} />
        <fieldset className="card">
          <legend>{t('edit.providerLegend')}</legend>
          <div className="form-grid">
            <SelectField
              label={t('edit.provider')}
              options={PROVIDERS.map((p) => ({ value: p, label: providerLabel(p, t) }))}
              value={draft.provider}
              disabled={editing}
              onChange={(e) => {
                const provider = e.target.value as Provider;
                const allowed = PROVIDER_CHANNELS[provider];
                set({ provider, channel: allowed.includes(draft.channel) ? draft.channel : (allowed[0] ?? 'sms'), credentials: {} });
              }}
            />
            <SelectField
              label={t('edit.channel')}
              options={channels.map((c) => ({ value: c, label: channelLabel(c) }))}
              value={draft.channel}
              onChange={(e) => set({ channel: e.target.value as Channel })}
            />
            <InputField
              label={t('edit.ourNumber')}
              hint={t('edit.ourNumberHint')}
              required
              className="mono"
              placeholder="+447700900123"
              {...bind('ourNumber')}
            />
            <InputField
              label={t('edit.sendRate')}
              type="number"
              min={0.1}
              step="any"
              placeholder={t('edit.sendRateDefault')}
              {...bind('sendRatePerSecond')}
            />
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>{t('edit.credentialsLegend')}</legend>
          {editing && <p className="hint">{t('edit.credentialsKept')}</p>}
          <div className="form-grid">
            {credentialFields.map((field) => {
              // Keyed by provider too, so switching provider starts the fields afresh.
              const key = `${draft.provider}-${field.key}`;
              const common = {
                label: credentialLabel(field, t),
                hint: field.hint && t(field.hint),
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
            <legend>{t('edit.allowedIpsLegend')}</legend>
            <p className="hint">{t('edit.allowedIpsIntro')}</p>
            {allowedIpList(draft.allowedIps).length === 0 && <Notice tone="warning">{t('edit.allowedIpsNone')}</Notice>}
            <TextAreaField label={t('edit.allowedIps')} rows={3} className="mono" placeholder="192.0.2.0/24" {...bind('allowedIps')} />
          </fieldset>
        )}

        <fieldset className="card">
          <legend>{t('edit.surveyLegend')}</legend>
          <div className="form-grid">
            <SelectField
              label={t('edit.survey')}
              required
              placeholder={t('edit.chooseSurvey')}
              options={surveyOptions(surveys)}
              value={draft.surveyId}
              onChange={(e) => {
                const next = surveys.find((s) => String(s.id) === e.target.value);
                set({ surveyId: e.target.value, ...defaultQuestions(next) });
              }}
            />
            <SelectField
              label={t('edit.theirNumberQuestion')}
              required
              placeholder={t('edit.choosePhoneQuestion')}
              options={questionOptions(phoneQuestions)}
              {...bind('theirNumberQuestion')}
            />
            <SelectField
              label={t('edit.conversationQuestion')}
              required
              placeholder={t('edit.chooseConversationQuestion')}
              options={questionOptions(conversationQuestions)}
              {...bind('conversationQuestion')}
            />
          </div>
          {survey && (phoneQuestions.length === 0 || conversationQuestions.length === 0) && (
            <p className="hint">
              <Trans t={t} i18nKey="edit.missingQuestions" components={{ anchor: <a href={paths.survey(survey.id)} /> }} />
            </p>
          )}
          <TextAreaField
            label={t('edit.multiCaseReply')}
            hint={t('edit.multiCaseReplyHint')}
            rows={3}
            dir="auto"
            placeholder={t('edit.multiCaseReplyExample')}
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
              setNotice(t('edit.templatesSynced', { count }));
            }}
          />
        )}

        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy || Boolean(saved?.archivedAt)}>
            {busy ? t('common:actions.saving') : editing ? t('edit.save') : t('list.add')}
          </button>
          <a href={paths.numbers()}>{t('edit.back')}</a>
        </div>
      </form>
    </Screen>
  );
}
