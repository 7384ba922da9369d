import { describe, expect, it } from 'vitest';
import { validateSurvey, type SurveyDefinition } from '../../../src/domain/survey.js';
import { surveyFromXlsForm, xlsFormOf, type SheetGrid, type XlsFormSheets } from '../../../src/domain/xlsform.js';
import { HELPLINE_INTAKE, HELPLINE_INTAKE_SKIPPED_ROWS } from '../../support/xlsform-sample.js';

const form = (survey: SheetGrid, choices: SheetGrid | null = null, settings: SheetGrid | null = null): XlsFormSheets => ({
  survey,
  choices,
  settings,
});
const COLOURS: SheetGrid = [
  ['list_name', 'name', 'label'],
  ['colours', 'red', 'Red'],
  ['colours', 'dark blue', 'Dark blue'],
];

describe('XLSForm import (DESIGN.md §11)', () => {
  const imported = surveyFromXlsForm(HELPLINE_INTAKE, 'intake.xlsx');

  it('turns every supported row of a KoboToolbox-style form into a question, in order, with English labels', () => {
    expect(imported.survey.name).toBe('Helpline intake');
    expect(imported.survey.questions.map((q) => [q.name, q.type, q.label])).toEqual([
      ['caller_name', 'text', "Caller's name"],
      ['age', 'integer', 'Age'],
      ['gender', 'select_one', 'Gender'],
      ['callback', 'phone', 'Number to call back'],
      ['concerns', 'select_multiple', 'What are the concerns?'],
      ['incident_date', 'date', 'Date of the incident'],
      ['distance_km', 'decimal', 'Distance to the nearest clinic (km)'],
      ['thanks', 'note', 'Thank the caller and explain what happens next'],
      ['status', 'select_one', 'Case status'],
      ['conversation', 'conversation', 'Conversation'],
    ]);
    expect(imported.survey.questions.find((q) => q.name === 'concerns')?.choices).toEqual([
      { value: 'violence', label: 'Violence' },
      { value: 'health', label: 'Health' },
      { value: 'legal_aid', label: 'Legal aid' },
      { value: 'shelter', label: 'Shelter' },
    ]);
    expect(() => validateSurvey(imported.survey)).not.toThrow();
  });

  it('lists every row it cannot use by the row number the spreadsheet shows, with the type as written', () => {
    expect(imported.skipped.map((s) => [s.row, s.type])).toEqual(HELPLINE_INTAKE_SKIPPED_ROWS);
    const reason = (row: number) => imported.skipped.find((s) => s.row === row)?.reason;
    expect(reason(4)).toMatch(/group/i);
    expect(reason(14)).toMatch(/location/i);
    expect(reason(15)).toMatch(/calculation/i);
    expect(reason(17)).toMatch(/media/i);
    expect(reason(18)).toContain('referral_list');
    expect(reason(22)).toMatch(/unknown question type hologram/i);
  });

  it('turns case management on for a select_one named status with a closed choice', () => {
    expect(imported.survey.caseManagement).toEqual({ statusQuestion: 'status', finalStatus: 'closed' });
  });

  it("takes labels in the settings' default language", () => {
    const french = surveyFromXlsForm({ ...HELPLINE_INTAKE, settings: [['default_language'], ['Français (fr)']] }, null);
    expect(french.survey.questions[0]!.label).toBe("Nom de l'appelant");
    expect(french.survey.questions.find((q) => q.name === 'gender')?.choices?.[0]?.label).toBe('Femme');
  });

  it('without a default language, takes the plain label column, else the first translated one', () => {
    const plain = form([
      ['type', 'name', 'label::Français (fr)', 'label'],
      ['text', 'a', 'Un', 'One'],
    ]);
    expect(surveyFromXlsForm(plain, null).survey.questions[0]!.label).toBe('One');
    const translated = form([
      ['Type', 'Name', 'Label::Kiswahili (sw)', 'label::English (en)'],
      ['text', 'a', 'Moja', 'One'],
    ]);
    expect(surveyFromXlsForm(translated, null).survey.questions[0]!.label).toBe('Moja');
  });

  it('names the survey after form_title, else the file, else "Imported form"', () => {
    const sheet = [
      ['type', 'name'],
      ['text', 'a'],
    ];
    expect(surveyFromXlsForm(form(sheet), 'Water points.xlsx').survey.name).toBe('Water points');
    expect(surveyFromXlsForm(form(sheet), null).survey.name).toBe('Imported form');
  });

  it('skips a select_multiple whose choice names hold spaces, naming the choices row', () => {
    const result = surveyFromXlsForm(
      form(
        [
          ['type', 'name', 'label'],
          ['select_one colours', 'favourite', 'Favourite'],
          ['select_multiple colours', 'liked', 'Liked'],
        ],
        COLOURS,
      ),
      null,
    );
    expect(result.survey.questions.map((q) => q.name)).toEqual(['favourite']);
    expect(result.skipped).toEqual([
      { row: 3, type: 'select_multiple colours', reason: expect.stringContaining('choices row 3') as string },
    ]);
  });

  it('skips rows without a type, a name, a valid name, or with a name already used, and ignores blank rows', () => {
    const result = surveyFromXlsForm(
      form([
        ['type', 'name', 'label'],
        ['text', 'a', 'A'],
        ['', '', ''],
        ['', 'b', 'B'],
        ['text', '', 'No name'],
        ['text', '1st', 'Bad name'],
        ['text', 'a', 'Again'],
        ['select_one', 'c', 'No list'],
        ['select_one colours or_other', 'd', 'Other'],
        ['select one colours', 'e', 'Spelled with a space'],
      ]),
      null,
    );
    expect(result.survey.questions.map((q) => q.name)).toEqual(['a']);
    expect(result.skipped.map((s) => s.row)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(result.skipped.at(-1)?.reason).toContain('colours');
  });

  it('accepts the spellings pyxform accepts for types', () => {
    const result = surveyFromXlsForm(
      form(
        [
          ['type', 'name'],
          ['string', 'a'],
          ['int', 'b'],
          ['select all that apply colours', 'c'],
        ],
        [
          ['list name', 'name', 'label'],
          ['colours', 'red', 'Red'],
        ],
      ),
      null,
    );
    expect(result.survey.questions.map((q) => q.type)).toEqual(['text', 'integer', 'select_multiple']);
  });
});

describe('XLSForm export', () => {
  const survey: SurveyDefinition = {
    name: 'Água & saúde',
    questions: [
      { name: 'phone', label: 'Phone', type: 'phone' },
      { name: 'conversation', label: 'Conversation', type: 'conversation' },
      {
        name: 'stage',
        label: 'Stage',
        type: 'select_one',
        choices: [
          { value: 'open', label: 'Open' },
          { value: 'done', label: 'Done' },
        ],
      },
      { name: 'needs', label: 'Needs', type: 'select_multiple', choices: [{ value: 'food', label: 'Food' }] },
      { name: 'intro', label: 'Welcome', type: 'note' },
      { name: 'visits', label: '', type: 'integer' },
    ],
    caseManagement: { statusQuestion: 'stage', finalStatus: 'done' },
  };

  it('imports back to the same survey, case management included', () => {
    expect(surveyFromXlsForm(xlsFormOf(survey), 'other-name.xlsx')).toEqual({ survey, skipped: [] });
  });

  it('writes form_title, form_id and default_language in the settings sheet', () => {
    const [header, values] = xlsFormOf(survey).settings!;
    expect(header!.slice(0, 3)).toEqual(['form_title', 'form_id', 'default_language']);
    expect(values!.slice(0, 3)).toEqual(['Água & saúde', 'agua_saude', 'default']);
  });
});
