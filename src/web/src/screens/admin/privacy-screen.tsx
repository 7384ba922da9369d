import { useCallback, useState, type SyntheticEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { ApiError, errorMessage } from '../../api/client.js';
import { privacyApi, type PersonQuery } from '../../api/privacy.js';
import type { ErasureCounts, PrivacyAuditPage } from '../../api/types.js';
import { describeCounts, privacyErrorText, sameNumber } from '../../privacy-words.js';
import { useApp } from '../../session.js';
import { ErrorAlert, Notice, SuccessAlert } from '../../ui/components.js';
import { InputField, SelectField } from '../../ui/fields.js';
import { saveFile } from '../../ui/save-file.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { PrivacyAuditTrail } from './privacy-audit-trail.js';

const PAGE_SIZE = 25;

/**
 * A person's data (DESIGN.md §9): erase it, export it for them, and the trail of every
 * erasure, export and retention run. Admins only.
 */
export function PrivacyScreen() {
  const { t } = useTranslation('privacy');
  const [action, setAction] = useState('');
  const audit = useLoad<PrivacyAuditPage>(() => privacyApi.audit({ action: action || undefined, limit: PAGE_SIZE }), [action], {
    keepPreviousData: true,
  });
  const reloadAudit = () => void audit.reload();

  return (
    <Screen title={t('screen.title')} beside={<p className="page-sub">{t('screen.intro')}</p>}>
      <EraseCard onErased={reloadAudit} />
      <ExportCard onExported={reloadAudit} />
      <PrivacyAuditTrail
        audit={audit}
        action={action}
        onAction={setAction}
        onMore={(cursor) =>
          audit.extend(
            () => privacyApi.audit({ action: action || undefined, limit: PAGE_SIZE, cursor }),
            (shown, more) => ({ items: [...shown.items, ...more.items], nextCursor: more.nextCursor }),
          )
        }
      />
    </Screen>
  );
}

/** One request at a time, its refusal in words chosen by its code. */
function usePrivacyRequest() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (task: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await task();
    } catch (e) {
      setError(e instanceof ApiError ? privacyErrorText(e.code, e.message) : errorMessage(e));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

/** The phone number and the optional survey that say whose data, and where. */
function PersonFields({
  person,
  onChange,
  disabled,
}: {
  person: PersonQuery;
  onChange: (person: PersonQuery) => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation('privacy');
  const { surveys } = useApp();
  return (
    <div className="form-grid">
      <InputField
        label={t('person.phoneNumber')}
        type="tel"
        autoComplete="off"
        required
        maxLength={64}
        disabled={disabled}
        value={person.contact}
        onChange={(e) => onChange({ ...person, contact: e.target.value })}
      />
      <SelectField
        label={t('person.survey')}
        placeholder={t('person.everySurvey')}
        disabled={disabled}
        options={surveys.map((s) => ({ value: String(s.id), label: s.name }))}
        value={person.surveyId ?? ''}
        onChange={(e) => onChange({ ...person, surveyId: e.target.value || undefined })}
      />
    </div>
  );
}

function EraseCard({ onErased }: { onErased: () => void }) {
  const { t } = useTranslation(['privacy', 'common']);
  const { surveys } = useApp();
  const [person, setPerson] = useState<PersonQuery>({ contact: '' });
  const [confirming, setConfirming] = useState(false);
  const [again, setAgain] = useState('');
  const [erased, setErased] = useState<ErasureCounts | null>(null);
  const { busy, error, setError, run } = usePrivacyRequest();
  const surveyName = person.surveyId ? surveys.find((s) => String(s.id) === person.surveyId)?.name : undefined;
  const warning = !person.surveyId
    ? 'erase.warningEverySurvey'
    : surveyName === undefined
      ? 'erase.warningThisSurvey'
      : 'erase.warningSurvey';

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setErased(null);
    if (!confirming) {
      setError(null);
      setConfirming(true);
      return;
    }
    if (!sameNumber(person.contact, again)) {
      setError(t('erase.numbersDiffer'));
      return;
    }
    await run(async () => {
      const counts = await privacyApi.erase({ contact: person.contact.trim(), surveyId: person.surveyId });
      setErased(counts);
      // The number is not left on the screen once its data is gone.
      setPerson({ contact: '' });
      setAgain('');
      setConfirming(false);
      onErased();
    });
  };

  return (
    <form className="card" aria-label={t('erase.title')} onSubmit={(event) => void submit(event)}>
      <h2 className="card-title">{t('erase.title')}</h2>
      <p className="hint">{t('erase.hint')}</p>
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      {erased && <SuccessAlert message={t('erase.done', { counts: describeCounts(erased) })} />}
      <PersonFields
        person={person}
        disabled={confirming || busy}
        onChange={(changed) => {
          setErased(null);
          setPerson(changed);
        }}
      />
      {confirming ? (
        <>
          <Notice tone="warning">
            <span>
              <Trans
                t={t}
                i18nKey={warning}
                components={{
                  number: (
                    <strong className="mono" dir="ltr">
                      {person.contact}
                    </strong>
                  ),
                  survey: <bdi>{surveyName}</bdi>,
                }}
              />
            </span>
          </Notice>
          <InputField
            label={t('erase.confirmNumber')}
            type="tel"
            autoComplete="off"
            required
            value={again}
            onChange={(e) => setAgain(e.target.value)}
          />
          <div className="form-actions">
            <button type="submit" className="button-danger-solid" disabled={busy || !sameNumber(person.contact, again)}>
              {busy ? t('erase.erasing') : t('erase.eraseForGood')}
            </button>
            <button
              type="button"
              onClick={() => {
                setConfirming(false);
                setAgain('');
                setError(null);
              }}
              disabled={busy}
            >
              {t('common:actions.cancel')}
            </button>
          </div>
        </>
      ) : (
        <div className="form-actions">
          <button type="submit" className="button-danger" disabled={person.contact.trim() === ''}>
            {t('erase.start')}
          </button>
        </div>
      )}
    </form>
  );
}

function ExportCard({ onExported }: { onExported: () => void }) {
  const { t } = useTranslation('privacy');
  const [person, setPerson] = useState<PersonQuery>({ contact: '' });
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, setError, run } = usePrivacyRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaved(null);
    await run(async () => {
      // Fetched with the session, then handed to the browser as a file: an error answers here, not as a downloaded file.
      const { blob, fileName } = await privacyApi.exportPerson({ contact: person.contact.trim(), surveyId: person.surveyId });
      const name = fileName ?? 'caseline-export.zip';
      saveFile(blob, name);
      setSaved(t('export.done', { name }));
      onExported();
    });
  };

  return (
    <form className="card" aria-label={t('export.title')} onSubmit={(event) => void submit(event)}>
      <h2 className="card-title">{t('export.title')}</h2>
      <p className="hint">{t('export.hint')}</p>
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      <SuccessAlert message={saved} />
      <PersonFields
        person={person}
        disabled={busy}
        onChange={(changed) => {
          setSaved(null);
          setPerson(changed);
        }}
      />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={busy || person.contact.trim() === ''}>
          {busy ? t('export.preparing') : t('export.download')}
        </button>
      </div>
    </form>
  );
}
