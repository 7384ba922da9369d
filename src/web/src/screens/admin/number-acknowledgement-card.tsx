import type { Survey } from '../../api/types.js';
import { paths } from '../../router.js';
import { TextAreaField } from '../../ui/fields.js';
import type { NumberDraft } from './number-draft.js';

const ACK_EXAMPLE = 'Thank you, we received your message. Your case number is #{case}; someone will answer soon.';
const OUT_OF_HOURS_EXAMPLE = 'Thank you for your message (case #{case}). We are closed now and will answer when we open.';

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
  return (
    <fieldset className="card">
      <legend>Acknowledgement</legend>
      <p className="hint">
        Sent once when a message opens a new case, and shown in the conversation as automatic. Never sent to someone who opted out.
      </p>
      <TextAreaField
        label="Acknowledgement text"
        hint={
          <>
            {'{case}'} is the case number: write #{'{case}'} for “#123”. Leave empty to send none.
          </>
        }
        rows={3}
        maxLength={1600}
        // An out-of-hours text alone is not a setting: it replaces this one.
        required={draft.outOfHoursText.trim() !== ''}
        placeholder={ACK_EXAMPLE}
        value={draft.acknowledgement}
        onChange={(e) => onChange({ acknowledgement: e.target.value })}
      />
      <TextAreaField
        label="Out-of-hours text"
        hint={<OutOfHoursHint survey={survey} />}
        rows={3}
        maxLength={1600}
        placeholder={OUT_OF_HOURS_EXAMPLE}
        value={draft.outOfHoursText}
        onChange={(e) => onChange({ outOfHoursText: e.target.value })}
      />
    </fieldset>
  );
}

function OutOfHoursHint({ survey }: { survey: Survey | undefined }) {
  if (!survey) return <>Sent instead outside the survey&apos;s business hours; {'{case}'} is the case number here too.</>;
  if (survey.businessHours) {
    return (
      <>
        Sent instead outside the business hours of {survey.name} ({survey.businessHours.timeZone}); {'{case}'} is the case number here too.
        Leave empty to send the acknowledgement at all hours.
      </>
    );
  }
  return (
    <>
      Needs the survey&apos;s business hours, and {survey.name} keeps none: until it does, the acknowledgement goes out at all hours.{' '}
      <a href={paths.surveyTimeRules(survey.id)}>Set its business hours</a>.
    </>
  );
}
