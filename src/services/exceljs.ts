import type ExcelJS from 'exceljs';

let loading: Promise<typeof ExcelJS> | null = null;

/**
 * exceljs, loaded on the first spreadsheet a request reads or writes (a case export, an
 * XLSForm). Loaded at start it would hold its code and data in every server's memory, on
 * servers whose users may never ask for a spreadsheet (docs/benchmarks.md).
 */
export function loadExcelJs(): Promise<typeof ExcelJS> {
  loading ??= import('exceljs').then((module) => module.default);
  return loading;
}
