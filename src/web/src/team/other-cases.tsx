import { useTranslation } from 'react-i18next';
import { teamApi } from '../api/team.js';
import { sameId, type CaseRecord } from '../api/types.js';
import { paths } from '../router.js';
import { StatusBadge, Time } from '../ui/components.js';
import { useLoad } from '../ui/use-load.js';

/** The same person's other cases in this survey, as links beside the conversation. */
export function OtherCases({ record }: { record: CaseRecord }) {
  const { t } = useTranslation('cases');
  const { surveyId, contact, caseNumber } = record;
  const { data } = useLoad(
    async () => (contact ? (await teamApi.casesOf(surveyId, contact)).items.filter((c) => c.caseNumber !== caseNumber) : []),
    [surveyId, contact, caseNumber],
    { reloadOn: (event) => event.type !== 'message.status' && sameId(event.surveyId, surveyId), keepPreviousData: true },
  );
  if (!data || data.length === 0) return null;
  return (
    <nav className="other-cases" aria-labelledby="other-cases-title">
      <h2 id="other-cases-title" className="other-cases-title">
        {t('otherCases.title')}
      </h2>
      <ul>
        {data.map((c) => (
          <li key={c.caseNumber}>
            <a href={paths.case(c.caseNumber)}>#{c.caseNumber}</a> <StatusBadge status={c.status} />{' '}
            <span className="muted">
              <Time at={c.lastMessage?.at ?? c.updatedAt} />
            </span>
          </li>
        ))}
      </ul>
    </nav>
  );
}
