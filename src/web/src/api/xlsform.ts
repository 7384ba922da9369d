import { download, upload } from './client.js';
import type { XlsFormImport } from './types.js';

/** Surveys as XLSForm workbooks (DESIGN.md §11, §13). */
export const xlsFormApi = {
  /** Builds a new survey from the workbook; the answer lists the rows left out. */
  import: (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return upload<XlsFormImport>('/surveys/import', form);
  },
  download: (surveyId: string) => download(`/surveys/${encodeURIComponent(surveyId)}/xlsform`),
};
