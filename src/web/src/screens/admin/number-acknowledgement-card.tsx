import { Trans, useTranslation } from 'react-i18next';
import type { Survey } from '../../api/types.js';
import { paths } from '../../router.js';
import { TextAreaField } from '../../ui/fields.js';
import type { NumberDraft } from './number-draft.js';

/**
 * The number's acknowledgement (DESIGN.md §8): a text sent once when a message opens a new
 * case, and its out-of-hours variant, which needs the survey's business hours to mean anything.
 */
export function AcknowledgementCard({
  draft,
  survey,
  onChange,
}: {
  draft: Pick<NumberDraft, 'acknowledgement' | 'outOfHoursText'>;
  survey: Survey | undefined;
  onChange: (change: Partial<Pick<NumberDraft, 'acknowledgement' | 'outOfHoursText'>>) => void;
}) {
  const { t } = useTranslation('numbers');
  return (
    <fieldset className="card">
      <legend>{t('acknowledgement.legend')}</legend>
      <p className="hint">{t('acknowledgement.intro')}</p>
      <TextAreaField
        label={t('acknowledgement.text')}
        hint={t('acknowledgement.textHint')}
        rows={3}
        maxLength={1600}
        // An out-of-hours text alone is not a setting: it replaces this one.
        required={draft.outOfHoursText.trim() !== ''}
        dir="auto"
        placeholder={t('acknowledgement.textExample')}
        value={draft.acknowledgement}
        onChange={(e) => onChange({ acknowledgement: e.target.value })}
      />
      <TextAreaField
        label={t('acknowledgement.outOfHours')}
        hint={<OutOfHoursHint survey={survey} />}
        rows={3}
        maxLength={1600}
        dir="auto"
        placeholder={t('acknowledgement.outOfHoursExample')}
        value={draft.outOfHoursText}
        onChange={(e) => onChange({ outOfHoursText: e.target.value })}
      />
    </fieldset>
  );
}

function OutOfHoursHint({ survey }: { survey: Survey | undefined }) {
  const { t } = useTranslation('numbers');
  if (!survey) return <>{t('acknowledgement.outOfHoursNoSurvey')}</>;
  if (survey.businessHours) {
    return <>{t('acknowledgement.outOfHoursHint', { survey: survey.name, timeZone: survey.businessHours.timeZone })}</>;
  }
  return (
    <Trans
      t={t}
      i18nKey="acknowledgement.outOfHoursNoHours"
      values={{ survey: survey.name }}
      components={{ anchor: <a href={paths.surveyTimeRules(survey.id)} /> }}
    />
  );
}
