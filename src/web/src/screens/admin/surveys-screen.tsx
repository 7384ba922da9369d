import type { Survey } from '../../api/types.js';
import { paths } from '../../router.js';
import { useApp } from '../../session.js';
import { DataTable } from '../../ui/data-table.js';
import { Screen } from '../../ui/screen.js';

export function SurveysScreen() {
  const { surveys } = useApp();
  return (
    <Screen title="Surveys" action={{ href: paths.survey(null), label: 'New survey' }}>
      <DataTable
        rows={surveys}
        rowKey={(survey) => String(survey.id)}
        empty="No surveys yet."
        columns={[
          { label: 'Name', cell: (survey) => <a href={paths.survey(survey.id)}>{survey.name}</a> },
          { label: 'Questions', cell: (survey) => survey.questions.length },
          { label: 'Case management', cell: (survey) => <CaseManagementSummary survey={survey} /> },
        ]}
        actions={(survey) => <a href={paths.cases(survey.id)}>Cases</a>}
      />
    </Screen>
  );
}

function CaseManagementSummary({ survey }: { survey: Survey }) {
  const cm = survey.caseManagement;
  if (!cm) return <span className="muted">Off</span>;
  const status = survey.questions.find((q) => q.name === cm.statusQuestion);
  return (
    <>
      closed when <strong>{status?.label ?? cm.statusQuestion}</strong> is{' '}
      <strong>{status?.choices?.find((c) => c.value === cm.finalStatus)?.label ?? cm.finalStatus}</strong>
    </>
  );
}
