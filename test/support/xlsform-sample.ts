import ExcelJS from 'exceljs';
import type { XlsFormSheets } from '../../src/domain/xlsform.js';

/**
 * A helpline intake form in the shape KoboToolbox and ODK forms have: metadata rows, groups,
 * a calculate, a geopoint, an image, select_one/select_multiple with choice lists, English
 * and French labels, hints and `required`, and a settings sheet whose `default_language`
 * picks English. Built in code, so no binary is kept in the repository.
 */
export const HELPLINE_INTAKE: XlsFormSheets = {
  survey: [
    ['type', 'name', 'label::English (en)', 'label::Français (fr)', 'hint::English (en)', 'required', 'relevant', 'calculation'],
    ['start', 'start', '', '', '', '', '', ''],
    ['end', 'end', '', '', '', '', '', ''],
    ['begin group', 'caller', 'Caller', 'Appelant', '', '', '', ''],
    ['text', 'caller_name', "Caller's name", "Nom de l'appelant", 'As they give it', 'yes', '', ''],
    ['integer', 'age', 'Age', 'Âge', '', '', '', ''],
    ['select_one gender', 'gender', 'Gender', 'Genre', '', 'yes', '', ''],
    ['phone', 'callback', 'Number to call back', 'Numéro de rappel', '', '', '', ''],
    ['end group', '', '', '', '', '', '', ''],
    ['begin_group', 'issue', 'The issue', 'Le problème', '', '', '', ''],
    ['select_multiple concerns', 'concerns', 'What are the concerns?', 'Quelles sont les préoccupations ?', '', 'yes', '', ''],
    ['date', 'incident_date', 'Date of the incident', "Date de l'incident", '', '', '', ''],
    ['decimal', 'distance_km', 'Distance to the nearest clinic (km)', 'Distance au centre de santé (km)', '', '', '', ''],
    ['geopoint', 'location', 'Location', 'Position', '', '', '', ''],
    ['calculate', 'is_minor', '', '', '', '', '', "if(${age} < 18, 'yes', 'no')"],
    ['end_group', '', '', '', '', '', '', ''],
    ['image', 'photo', 'Photo of the document', 'Photo du document', '', '', '', ''],
    ['select_one referral_list', 'referral', 'Referred to', 'Orienté vers', '', '', "${is_minor} = 'yes'", ''],
    ['note', 'thanks', 'Thank the caller and explain what happens next', "Remerciez l'appelant", '', '', '', ''],
    ['select_one status', 'status', 'Case status', 'Statut du dossier', '', '', '', ''],
    ['conversation', 'conversation', 'Conversation', 'Conversation', '', '', '', ''],
    ['hologram', 'hologram_greeting', 'Greeting', 'Salutation', '', '', '', ''],
  ],
  choices: [
    ['list_name', 'name', 'label::English (en)', 'label::Français (fr)'],
    ['gender', 'female', 'Female', 'Femme'],
    ['gender', 'male', 'Male', 'Homme'],
    ['gender', 'other', 'Other or not said', 'Autre ou non précisé'],
    ['concerns', 'violence', 'Violence', 'Violence'],
    ['concerns', 'health', 'Health', 'Santé'],
    ['concerns', 'legal_aid', 'Legal aid', 'Aide juridique'],
    ['concerns', 'shelter', 'Shelter', 'Hébergement'],
    ['status', 'new', 'New', 'Nouveau'],
    ['status', 'in_progress', 'In progress', 'En cours'],
    ['status', 'closed', 'Closed', 'Clos'],
  ],
  settings: [
    ['form_title', 'form_id', 'version', 'default_language'],
    ['Helpline intake', 'helpline_intake', '2026113001', 'English (en)'],
  ],
};

/** The survey-sheet rows of HELPLINE_INTAKE that cannot become questions, by spreadsheet row. */
export const HELPLINE_INTAKE_SKIPPED_ROWS: Array<[number, string]> = [
  [2, 'start'],
  [3, 'end'],
  [4, 'begin group'],
  [9, 'end group'],
  [10, 'begin_group'],
  [14, 'geopoint'],
  [15, 'calculate'],
  [16, 'end_group'],
  [17, 'image'],
  [18, 'select_one referral_list'],
  [22, 'hologram'],
];

/** The sheets as an .xlsx workbook, as a spreadsheet program would save them. */
export async function xlsxOf(sheets: Partial<XlsFormSheets>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const [name, grid] of Object.entries(sheets)) {
    if (!grid) continue;
    const sheet = workbook.addWorksheet(name);
    for (const row of grid) sheet.addRow(row);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
