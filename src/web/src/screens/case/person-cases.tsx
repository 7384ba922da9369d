import { useTranslation } from 'react-i18next';
import { caseJoinApi } from '../../api/case-joins.js';
import { sameId, type CaseSummary } from '../../api/types.js';
import { shorten } from '../../format.js';
import { useApp } from '../../session.js';
import { Time } from '../../ui/components.js';
import { useLoad } from '../../ui/use-load.js';

/**
 * The same person's other open cases in the survey: where a message can be moved or a case
 * merged (DESIGN.md §7). Loaded while a dialog is open, and again when a case of the survey changes.
 */
export function usePersonOpenCases(record: { surveyId: string; contact: string | null; caseNumber: number }, open: boolean) {
  const { surveyId, contact, caseNumber } = record;
  return useLoad<CaseSummary[]>(
    async () =>
      open && contact ? (await caseJoinApi.openCasesOf(surveyId, caseNumber)).items.filter((c) => c.caseNumber !== caseNumber) : [],
    [open, surveyId, contact, caseNumber],
    { reloadOn: (event) => open && event.type !== 'message.status' && sameId(event.surveyId, surveyId) },
  );
}

/** Whether the case can receive from me: nobody else holds it. */
export function isFreeForMe(item: CaseSummary, myId: string): boolean {
  return item.lockedBy === null || sameId(item.lockedBy.id, myId);
}

/** One radio button per open case, named by its number, last message and holder. */
export function CaseOptions({
  name,
  cases,
  value,
  onChange,
}: {
  name: string;
  cases: readonly CaseSummary[];
  value: number | null;
  onChange: (caseNumber: number) => void;
}) {
  const { t } = useTranslation('caseDetails');
  const { session } = useApp();
  return (
    <>
      {cases.map((item) => {
        const free = isFreeForMe(item, session.user.id);
        return (
          <label key={item.caseNumber} className={`case-option${free ? '' : ' is-disabled'}`}>
            <input
              type="radio"
              name={name}
              value={item.caseNumber}
              checked={value === item.caseNumber}
              disabled={!free}
              onChange={() => onChange(item.caseNumber)}
            />
            <span>
              <strong>{t('personCases.caseNumber', { caseNumber: item.caseNumber })}</strong>
              {item.lastMessage && (
                <span className="muted">
                  {' '}
                  · <bdi>{t('personCases.lastMessage', { text: shorten(item.lastMessage.text, 60) })}</bdi>{' '}
                  <Time at={item.lastMessage.at} />
                </span>
              )}
              {item.lockedBy && (
                <span className="muted">
                  {' '}
                  · {free ? t('personCases.lockedByYou') : t('personCases.lockedBy', { name: item.lockedBy.name })}
                </span>
              )}
            </span>
          </label>
        );
      })}
    </>
  );
}
