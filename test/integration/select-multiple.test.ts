import * as XLSX from '@e965/xlsx';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { STATUS_QUESTIONS, useCaseline, type TestOrg } from '../support/harness.js';

const NEEDS = {
  name: 'needs',
  label: 'Needs',
  type: 'select_multiple',
  choices: [
    { value: 'food', label: 'Food' },
    { value: 'water', label: 'Water' },
    { value: 'shelter', label: 'Shelter' },
  ],
};

/**
 * `select_multiple` questions (DESIGN.md §11, §13): answers are arrays of the question's
 * choice values in the API, and space-separated in the CSV and XLSX export.
 */
describeEachDialect('select_multiple answers', (dialect) => {
  const h = useCaseline(dialect);
  const ALICE = '+447700900123';

  async function orgWithNeeds(): Promise<TestOrg> {
    const org = await h.newOrg();
    const res = await h.request('PATCH', `/api/v1/surveys/${org.surveyId}`, {
      token: org.admin.token,
      body: { questions: [...STATUS_QUESTIONS, NEEDS, { name: 'intro', label: 'Welcome', type: 'note' }] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return org;
  }

  async function lockedCase(org: TestOrg): Promise<number> {
    await h.text(org, ALICE, 'We need help');
    const [summary] = await h.records(org);
    const n = summary!.caseNumber;
    expect((await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token })).status).toBe(200);
    return n;
  }

  const patch = (org: TestOrg, n: number, answers: unknown) =>
    h.request('PATCH', `/api/v1/records/${n}`, { token: org.admin.token, body: { answers } });

  it('stores an array of choice values and reads it back as one', async () => {
    const org = await orgWithNeeds();
    const n = await lockedCase(org);
    const saved = await patch(org, n, { needs: ['water', 'food'] });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.answers.needs).toEqual(['water', 'food']);
    expect((await h.record(org, n)).answers.needs).toEqual(['water', 'food']);
    // An empty array is no answer, like null.
    expect((await patch(org, n, { needs: [] })).status).toBe(200);
    expect((await patch(org, n, { needs: null })).status).toBe(200);
  });

  it.each([
    ['a value the question does not offer', ['soap']],
    ['the same value twice', ['food', 'food']],
    ['a string rather than an array', 'food water'],
    ['an array of numbers', [1, 2]],
  ])('refuses %s with validation_failed and changes nothing', async (_, value) => {
    const org = await orgWithNeeds();
    const n = await lockedCase(org);
    expect((await patch(org, n, { needs: ['food'] })).status).toBe(200);
    const before = await h.record(org, n);
    const res = await patch(org, n, { needs: value, notes_text: 'changed' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const after = await h.record(org, n);
    expect(after.answers).toEqual(before.answers);
    expect(after.version).toBe(before.version);
  });

  it('an array is refused for a question that is not select_multiple', async () => {
    const org = await orgWithNeeds();
    const n = await lockedCase(org);
    const res = await patch(org, n, { status: ['closed'] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect((await h.record(org, n)).status).toBe('open');
  });

  it('a survey refuses select_multiple choice values with spaces, and a select_multiple status question', async () => {
    const org = await h.newOrg();
    const spaced = { ...NEEDS, choices: [{ value: 'clean water', label: 'Clean water' }] };
    const res = await h.request('PATCH', `/api/v1/surveys/${org.surveyId}`, {
      token: org.admin.token,
      body: { questions: [...STATUS_QUESTIONS, spaced] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const asStatus = await h.request('PATCH', `/api/v1/surveys/${org.surveyId}`, {
      token: org.admin.token,
      body: { questions: [...STATUS_QUESTIONS, NEEDS], caseManagement: { statusQuestion: 'needs', finalStatus: 'food' } },
    });
    expect(asStatus.status).toBe(400);
  });

  it('is exported space-separated in CSV and XLSX; a note has no column', async () => {
    const org = await orgWithNeeds();
    const n = await lockedCase(org);
    expect((await patch(org, n, { needs: ['food', 'shelter'] })).status).toBe(200);
    const exportOf = (format: string) =>
      h.caseline().app.inject({
        method: 'GET',
        url: `/api/v1/surveys/${org.surveyId}/export?format=${format}`,
        headers: { authorization: `Bearer ${org.admin.token}` },
      });

    const csv = (await exportOf('csv')).rawPayload.subarray(3).toString('utf8').trimEnd().split('\r\n');
    const header = csv[0]!.split(',');
    expect(csv[1]!.split(',')[header.indexOf('needs')]).toBe('food shelter');
    expect(header).not.toContain('intro');

    const workbook = XLSX.read((await exportOf('xlsx')).rawPayload, { type: 'buffer' });
    const rows = XLSX.utils.sheet_to_json<Array<string | number | null>>(workbook.Sheets[workbook.SheetNames[0]!]!, {
      header: 1,
      raw: true,
      defval: null,
    });
    expect(rows[1]![rows[0]!.indexOf('needs')]).toBe('food shelter');
  });
});
