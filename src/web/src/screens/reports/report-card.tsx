import { useId, type ReactNode } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { currentLocale } from '../../i18n/setup.js';
import { saveFile } from '../../ui/save-file.js';
import { csvFileName, tableCsv } from './report-csv.js';
import type { ReportTable } from './report-tables.js';

/** A card of the dashboard: its chart (when it has one), the same numbers as a table, and that table as CSV. */
export function ReportCard({
  title,
  table,
  from,
  to,
  chart,
  empty,
}: {
  title: string;
  table: ReportTable;
  from: string;
  to: string;
  chart?: ReactNode;
  /** Shown instead of a table with no rows. */
  empty?: string;
}) {
  const { t } = useTranslation('reports');
  const titleId = useId();
  return (
    <section className="card report-card" aria-labelledby={titleId} data-report={table.id}>
      <div className="report-card-head">
        <h2 id={titleId} className="card-title">
          {title}
        </h2>
        <button
          type="button"
          onClick={() => saveFile(new Blob([tableCsv(table)], { type: 'text/csv;charset=utf-8' }), csvFileName(table, from, to))}
        >
          <Trans
            t={t}
            i18nKey="cards.downloadCsv"
            values={{ title: title.toLocaleLowerCase(currentLocale()) }}
            components={{ hidden: <span className="visually-hidden" /> }}
          />
        </button>
      </div>
      {chart}
      <ReportTableView table={table} empty={empty ?? t('cards.empty')} />
    </section>
  );
}

function ReportTableView({ table, empty }: { table: ReportTable; empty: string }) {
  if (table.rows.length === 0) return <p className="empty">{empty}</p>;
  return (
    // Focusable, so a keyboard can scroll a long table too.
    <div className="report-table-scroll" tabIndex={0} role="group" aria-label={table.caption}>
      <table className="data-table report-table">
        <caption className="visually-hidden">{table.caption}</caption>
        <thead>
          <tr>
            {table.columns.map((column) => (
              <th key={column.heading} scope="col" className={column.numeric ? 'report-number' : undefined}>
                {column.heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr key={row.key}>
              {row.cells.map((cell, i) => {
                const column = table.columns[i]!;
                return i === 0 ? (
                  <th key={column.heading} scope="row" data-label={column.heading}>
                    {/* Not a day: a worker's name, which reads in its own direction. */}
                    {cell.day ? <time dateTime={cell.day}>{cell.text}</time> : <bdi>{cell.text}</bdi>}
                  </th>
                ) : (
                  <td key={column.heading} data-label={column.heading} className={column.numeric ? 'report-number' : undefined}>
                    {cell.text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
