import { useRef, useState } from 'react';
import { ApiError } from '../../api/client.js';
import type { SkippedXlsFormRow, Survey } from '../../api/types.js';
import { xlsFormApi } from '../../api/xlsform.js';
import { paths } from '../../router.js';
import { useApp } from '../../session.js';
import { ErrorAlert } from '../../ui/components.js';
import { DataTable } from '../../ui/data-table.js';
import { saveFile } from '../../ui/save-file.js';
import { Screen } from '../../ui/screen.js';
import { useRequest } from '../../ui/use-request.js';

export function SurveysScreen() {
  const { surveys } = useApp();
  const download = useRequest();
  return (
    <Screen title="Surveys" action={{ href: paths.survey(null), label: 'New survey' }}>
      <XlsFormImportCard />
      <ErrorAlert error={download.error} onDismiss={() => download.setError(null)} />
      <DataTable
        rows={surveys}
        rowKey={(survey) => String(survey.id)}
        empty="No surveys yet."
        columns={[
          { label: 'Name', cell: (survey) => <a href={paths.survey(survey.id)}>{survey.name}</a> },
          { label: 'Questions', cell: (survey) => survey.questions.length },
          { label: 'Case management', cell: (survey) => <CaseManagementSummary survey={survey} /> },
        ]}
        actions={(survey) => (
          <>
            <a href={paths.cases(survey.id)}>Cases</a>{' '}
            <button
              type="button"
              className="button-link"
              disabled={download.busy}
              onClick={() =>
                void download.run(async () => {
                  const { blob, fileName } = await xlsFormApi.download(String(survey.id));
                  saveFile(blob, fileName ?? 'survey-xlsform.xlsx');
                })
              }
            >
              Download XLSForm<span className="visually-hidden"> of {survey.name}</span>
            </button>
          </>
        )}
      />
    </Screen>
  );
}

/** "Import XLSForm": a workbook from ODK or KoboToolbox becomes a new survey; the rows left out are listed. */
function XlsFormImportCard() {
  const { reloadSurveys } = useApp();
  const input = useRef<HTMLInputElement>(null);
  const { busy, error, setError, run } = useRequest();
  const [result, setResult] = useState<{ survey: Survey; skipped: SkippedXlsFormRow[] } | null>(null);
  const [refusedRows, setRefusedRows] = useState<SkippedXlsFormRow[]>([]);

  const importFile = (file: File) =>
    run(async () => {
      setResult(null);
      setRefusedRows([]);
      try {
        const imported = await xlsFormApi.import(file);
        setResult(imported);
        await reloadSurveys();
      } catch (e) {
        // A form with no usable question is refused, with the rows that were left out.
        const skipped = e instanceof ApiError ? (e.details as { skipped?: SkippedXlsFormRow[] } | undefined)?.skipped : undefined;
        setRefusedRows(skipped ?? []);
        throw e;
      } finally {
        if (input.current) input.current.value = '';
      }
    });

  const skipped = result?.skipped ?? refusedRows;
  return (
    <section className="card" aria-labelledby="xlsform-import-title">
      <h2 id="xlsform-import-title" className="card-title">
        Forms from ODK and KoboToolbox
      </h2>
      <p className="hint">
        An .xlsx form from ODK or KoboToolbox (sheets survey, choices and settings) becomes a new survey. Rows Caseline cannot use, such as
        groups, calculations and locations, are listed below.
      </p>
      <label className="button" aria-disabled={busy}>
        {busy ? 'Importing…' : 'Import XLSForm'}
        <input
          ref={input}
          type="file"
          className="visually-hidden"
          accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          disabled={busy}
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void importFile(file);
          }}
        />
      </label>
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      {result && (
        <p role="status">
          Created <a href={paths.survey(result.survey.id)}>{result.survey.name}</a> with {result.survey.questions.length} questions.
          {result.skipped.length === 0 && ' Every row was used.'}
        </p>
      )}
      {skipped.length > 0 && (
        <table className="data-table">
          <caption>Rows left out of the survey sheet</caption>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Type</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {skipped.map((row) => (
              <tr key={row.row}>
                <td>{row.row}</td>
                <td className="mono">{row.type}</td>
                <td>{row.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
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
