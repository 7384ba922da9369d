import { paths } from '../../router.js';
import { useApp } from '../../session.js';

export function SurveysScreen() {
  const { surveys } = useApp();
  return (
    <section className="page" aria-labelledby="surveys-title">
      <div className="page-head">
        <h1 id="surveys-title">Surveys</h1>
        <a className="button button-primary" href={paths.survey(null)}>
          New survey
        </a>
      </div>
      {surveys.length === 0 ? (
        <p className="empty">No surveys yet.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Questions</th>
              <th scope="col">Case management</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {surveys.map((survey) => {
              const cm = survey.caseManagement;
              const status = cm && survey.questions.find((q) => q.name === cm.statusQuestion);
              return (
                <tr key={String(survey.id)}>
                  <td data-label="Name">
                    <a href={paths.survey(survey.id)}>{survey.name}</a>
                  </td>
                  <td data-label="Questions">{survey.questions.length}</td>
                  <td data-label="Case management">
                    {cm ? (
                      <>
                        closed when <strong>{status?.label ?? cm.statusQuestion}</strong> is{' '}
                        <strong>{status?.choices?.find((c) => c.value === cm.finalStatus)?.label ?? cm.finalStatus}</strong>
                      </>
                    ) : (
                      <span className="muted">Off</span>
                    )}
                  </td>
                  <td>
                    <a href={paths.cases(survey.id)}>Cases</a>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
