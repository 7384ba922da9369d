import { useTranslation } from 'react-i18next';
import type { ReactNode } from 'react';
import { Loading } from './components.js';

export interface Column<T> {
  label: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

/**
 * The admin lists (users, surveys, numbers): a table with a last column of row actions.
 * Every cell carries its column's name in `data-label`, which narrow screens show in
 * place of the header row.
 */
export function DataTable<T>({
  rows,
  rowKey,
  rowClassName,
  columns,
  actions,
  actionsClassName,
  empty,
}: {
  /** null while loading. */
  rows: readonly T[] | null;
  rowKey: (row: T) => string;
  rowClassName?: (row: T) => string | undefined;
  columns: readonly Column<T>[];
  actions: (row: T) => ReactNode;
  actionsClassName?: string;
  /** Shown instead of an empty table; without it an empty table is shown. */
  empty?: string;
}) {
  const { t } = useTranslation();
  if (rows === null) return <Loading />;
  if (rows.length === 0 && empty !== undefined) return <p className="empty">{empty}</p>;
  return (
    <table className="data-table">
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.label} scope="col">
              {column.label}
            </th>
          ))}
          <th scope="col">
            <span className="visually-hidden">{t('table.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} className={rowClassName?.(row)}>
            {columns.map((column) => (
              <td key={column.label} data-label={column.label} className={column.className}>
                {column.cell(row)}
              </td>
            ))}
            <td className={actionsClassName}>{actions(row)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
