import { sameId, type CaseRecord } from '../api/types.js';
import { CaseListScreen } from '../screens/case-list-screen.js';
import { CaseScreen } from '../screens/case/case-screen.js';
import { useApp } from '../session.js';
import { useTabState } from './list-filters.js';
import { useMediaQuery } from './use-media-query.js';

/** From this width the list and the open case stand side by side. */
export const SIDE_BY_SIDE = '(min-width: 1100px)';

/**
 * `#/cases/12`: on a wide screen the case list beside the open case, so a worker moves between
 * cases without going back; on a narrower one the case alone (its crumb leads back to the list,
 * which keeps its filters). The list is of the open case's survey, or the last one shown until
 * the case has loaded.
 */
export function CaseWorkspace({ caseNumber }: { caseNumber: number }) {
  const wide = useMediaQuery(SIDE_BY_SIDE);
  const { surveys } = useApp();
  const [last, setLast] = useTabState('caseline.workspace', { surveyId: '' });
  const surveyId = surveys.some((s) => sameId(s.id, last.surveyId)) ? last.surveyId : String(surveys[0]?.id ?? '');
  const onShown = (record: CaseRecord) => {
    if (!sameId(record.surveyId, last.surveyId)) setLast(() => ({ surveyId: String(record.surveyId) }));
  };
  const caseScreen = <CaseScreen key={caseNumber} caseNumber={caseNumber} onShown={onShown} />;
  if (!wide || !surveyId) return caseScreen;
  return (
    <div className="workspace">
      <div className="workspace-list">
        <CaseListScreen key={surveyId} surveyId={surveyId} pane openCase={caseNumber} />
      </div>
      <div className="workspace-case">{caseScreen}</div>
    </div>
  );
}
