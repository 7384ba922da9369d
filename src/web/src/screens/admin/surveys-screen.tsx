import { useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
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
  const { t } = useTranslation('admin');
  const { surveys } = useApp();
  const download = useRequest();
  return (
    <Screen title={t('surveys.title')} action={{ href: paths.survey(null), label: t('surveys.newSurvey') }}>
      <XlsFormImportCard />
      <ErrorAlert error={download.error} onDismiss={() => download.setError(null)} />
      <DataTable
        rows={surveys}
        rowKey={(survey) => String(survey.id)}
        empty={t('surveys.empty')}
        columns={[
          {
            label: t('surveys.columns.name'),
            cell: (survey) => (
              <a href={paths.survey(survey.id)} dir="auto">
                {survey.name}
              </a>
            ),
          },
          { label: t('surveys.columns.questions'), cell: (survey) => survey.questions.length },
          { label: t('surveys.columns.caseManagement'), cell: (survey) => <CaseManagementSummary survey={survey} /> },
        ]}
        actions={(survey) => (
          <>
            <a href={paths.cases(survey.id)}>{t('surveys.cases')}</a>{' '}
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
              <Trans
                t={t}
                i18nKey="surveys.download"
                values={{ name: survey.name }}
                components={{ hidden: <span className="visually-hidden" /> }}
              />
            </button>
          </>
        )}
      />
    </Screen>
  );
}

/** "Import XLSForm": a workbook from ODK or KoboToolbox becomes a new survey; the rows left out are listed. */
function XlsFormImportCard() {
  const { t } = useTranslation('admin');
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
        {t('surveys.import.title')}
      </h2>
      <p className="hint">{t('surveys.import.hint')}</p>
      <label className="button" aria-disabled={busy}>
        {busy ? t('surveys.import.importing') : t('surveys.import.import')}
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
          <Trans
            t={t}
            i18nKey="surveys.import.created"
            count={result.survey.questions.length}
            values={{ name: result.survey.name, count: result.survey.questions.length }}
            components={{ anchor: <a href={paths.survey(result.survey.id)} dir="auto" /> }}
          />
          {result.skipped.length === 0 && ` ${t('surveys.import.everyRowUsed')}`}
        </p>
      )}
      {skipped.length > 0 && (
        <table className="data-table">
          <caption>{t('surveys.import.skippedCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('surveys.import.row')}</th>
              <th scope="col">{t('surveys.import.type')}</th>
              <th scope="col">{t('surveys.import.why')}</th>
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
  const { t } = useTranslation('admin');
  const cm = survey.caseManagement;
  if (!cm) return <span className="muted">{t('surveys.caseManagementOff')}</span>;
  const status = survey.questions.find((q) => q.name === cm.statusQuestion);
  return (
    <Trans
      t={t}
      i18nKey="surveys.closedWhen"
      values={{
        question: status?.label ?? cm.statusQuestion,
        status: status?.choices?.find((c) => c.value === cm.finalStatus)?.label ?? cm.finalStatus,
      }}
      components={{ strong: <strong dir="auto" /> }}
    />
  );
}
