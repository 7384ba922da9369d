import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestUser } from '../support/harness.js';
import { HELPLINE_INTAKE, HELPLINE_INTAKE_SKIPPED_ROWS, xlsxOf } from '../support/xlsform-sample.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A multipart form with one file, as a browser sends it. */
function multipart(fileName: string, bytes: Buffer, field = 'file') {
  const boundary = `----caseline-${randomUUID()}`;
  return {
    payload: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: ${XLSX_TYPE}\r\n\r\n`,
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/**
 * XLSForm (DESIGN.md §11, §13): `POST /surveys/import` builds a survey from an ODK or
 * KoboToolbox workbook and lists the rows it could not use; `GET /surveys/{id}/xlsform`
 * writes one back that imports to the same survey.
 */
describeEachDialect('XLSForm import and export', (dialect) => {
  const h = useCaseline(dialect);

  async function importForm(user: TestUser, bytes: Buffer, fileName = 'form.xlsx', field = 'file') {
    const form = multipart(fileName, bytes, field);
    const res = await h.caseline().app.inject({
      method: 'POST',
      url: '/api/v1/surveys/import',
      headers: { ...form.headers, authorization: `Bearer ${user.token}` },
      payload: form.payload,
    });
    return { status: res.statusCode, body: res.json() };
  }

  const exportForm = (user: TestUser, surveyId: string) =>
    h.caseline().app.inject({
      method: 'GET',
      url: `/api/v1/surveys/${surveyId}/xlsform`,
      headers: { authorization: `Bearer ${user.token}` },
    });

  it('builds a survey from every supported row, with English labels and choice lists, and lists the others by row', async () => {
    const org = await h.newOrg();
    const res = await importForm(org.admin, await xlsxOf(HELPLINE_INTAKE), 'intake.xlsx');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { survey, skipped } = res.body;
    expect(survey.name).toBe('Helpline intake');
    expect(survey.questions.map((q: { name: string; type: string }) => `${q.name}:${q.type}`)).toEqual([
      'caller_name:text',
      'age:integer',
      'gender:select_one',
      'callback:phone',
      'concerns:select_multiple',
      'incident_date:date',
      'distance_km:decimal',
      'thanks:note',
      'status:select_one',
      'conversation:conversation',
    ]);
    expect(survey.questions.find((q: { name: string }) => q.name === 'gender')).toEqual({
      name: 'gender',
      label: 'Gender',
      type: 'select_one',
      choices: [
        { value: 'female', label: 'Female' },
        { value: 'male', label: 'Male' },
        { value: 'other', label: 'Other or not said' },
      ],
    });
    expect(survey.caseManagement).toEqual({ statusQuestion: 'status', finalStatus: 'closed' });
    expect(skipped.map((s: { row: number; type: string }) => [s.row, s.type])).toEqual(HELPLINE_INTAKE_SKIPPED_ROWS);
    for (const entry of skipped) expect(entry.reason).toEqual(expect.any(String));
    // The survey in the answer is the survey as GET /surveys/{id} shows it.
    const stored = await h.request('GET', `/api/v1/surveys/${survey.id}`, { token: org.admin.token });
    expect(stored.body).toEqual(survey);
  });

  it('writes a survey back as an .xlsx that imports to the same questions, choices, labels and case management', async () => {
    const org = await h.newOrg();
    const first = (await importForm(org.admin, await xlsxOf(HELPLINE_INTAKE))).body.survey;
    const res = await exportForm(org.admin, first.id);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX_TYPE);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="helpline-intake-xlsform\.xlsx"/);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets.map((ws) => ws.name)).toEqual(['survey', 'choices', 'settings']);
    const settings = workbook.getWorksheet('settings')!;
    expect((settings.getRow(1).values as string[]).slice(1, 4)).toEqual(['form_title', 'form_id', 'default_language']);
    expect(settings.getRow(2).getCell(1).text).toBe('Helpline intake');
    expect(workbook.getWorksheet('survey')!.getRow(6).getCell(1).text).toBe('select_multiple concerns');

    const again = await importForm(org.admin, res.rawPayload, 'renamed.xlsx');
    expect(again.status).toBe(201);
    expect(again.body.skipped).toEqual([]);
    const { id: firstId, ...firstRest } = first;
    const { id: secondId, ...secondRest } = again.body.survey;
    expect(secondId).not.toBe(firstId);
    expect(secondRest).toEqual(firstRest);
  });

  it('only admins import; any user of the organisation may download the form', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const refused = await importForm(analyst, await xlsxOf(HELPLINE_INTAKE));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await exportForm(analyst, org.surveyId)).statusCode).toBe(200);
    const other = await h.newOrg();
    expect((await exportForm(other.admin, org.surveyId)).statusCode).toBe(404);
  });

  it('refuses a file that is not an XLSForm workbook with invalid_xlsform, creating nothing', async () => {
    const org = await h.newOrg();
    const before = await h.request('GET', '/api/v1/surveys', { token: org.admin.token });
    const notXlsx = await importForm(org.admin, Buffer.from('type,name\ntext,a\n'), 'form.csv');
    expect(notXlsx.status).toBe(400);
    expect(notXlsx.body.error.code).toBe('invalid_xlsform');
    const brokenZip = await importForm(org.admin, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 7)]));
    expect(brokenZip.body.error.code).toBe('invalid_xlsform');
    const noSurveySheet = await importForm(org.admin, await xlsxOf({ choices: HELPLINE_INTAKE.choices }));
    expect(noSurveySheet.status).toBe(400);
    expect(noSurveySheet.body.error).toMatchObject({ code: 'invalid_xlsform', message: expect.stringContaining('survey') as string });
    const nothingUsable = await importForm(
      org.admin,
      await xlsxOf({
        survey: [
          ['type', 'name'],
          ['geopoint', 'where'],
        ],
      }),
    );
    expect(nothingUsable.status).toBe(400);
    expect(nothingUsable.body.error.details.skipped).toEqual([{ row: 2, type: 'geopoint', reason: expect.any(String) as string }]);
    const wrongField = await importForm(org.admin, await xlsxOf(HELPLINE_INTAKE), 'form.xlsx', 'upload');
    expect(wrongField.status).toBe(400);
    expect((await h.request('GET', '/api/v1/surveys', { token: org.admin.token })).body).toEqual(before.body);
  });

  it('refuses a workbook over 5 MiB with 413', async () => {
    const org = await h.newOrg();
    const res = await importForm(org.admin, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(5 * 1024 * 1024 + 10)]));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });
});
