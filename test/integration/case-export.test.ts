import * as XLSX from '@e965/xlsx';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg, type TestUser } from '../support/harness.js';

/** RFC 4180 CSV, read back independently of the writer: rows of text cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

const FIXED = 'case_number,status,created_at,closed_at,updated_at,contact,number,channel,assignee,labels,messages'.split(',');
const ISO_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * The case export (DESIGN.md §10 "Export"): a survey's cases, one row each, as CSV (UTF-8
 * with a byte-order mark) or XLSX; formulas neutralised; contacts masked for analysts as
 * the API masks them; the export recorded in the privacy audit trail and the access log.
 */
describeEachDialect('case export', (dialect) => {
  const h = useCaseline(dialect);
  let seq = 0;
  const newContact = () => `+447700901${String(100 + ++seq)}`;

  const exportOf = (user: TestUser, surveyId: string, query: string) =>
    h.caseline().app.inject({
      method: 'GET',
      url: `/api/v1/surveys/${surveyId}/export?${query}`,
      headers: { authorization: `Bearer ${user.token}` },
    });

  async function csvOf(user: TestUser, org: TestOrg, query: string) {
    const res = await exportOf(user, org.surveyId, `format=csv&${query}`);
    expect(res.statusCode, res.body).toBe(200);
    const bytes = res.rawPayload;
    const [header, ...rows] = parseCsv(bytes.subarray(3).toString('utf8'));
    return { res, bytes, header: header!, rows, cell: (row: string[], name: string) => row[header!.indexOf(name)] };
  }

  const post = (user: TestUser, url: string, body?: unknown) => h.request('POST', url, { token: user.token, body });
  const caseNumbers = (rows: string[][]) => rows.map((row) => Number(row[0]));

  async function newCase(org: TestOrg, text: string, contact = newContact()): Promise<number> {
    expect((await h.text(org, contact, text)).status).toBe(200);
    const mine = (await h.records(org)).filter((r) => r.contact === contact);
    return Math.max(...mine.map((r) => r.caseNumber));
  }

  const setCreatedAt = (n: number, orgId: string, iso: string) =>
    h
      .caseline()
      .db.kysely.updateTable('records')
      .set({ created_at: Date.parse(iso) })
      .where('org_id', '=', orgId)
      .where('case_number', '=', n)
      .execute();

  /** A case worked on: answers, a label, a reply, a note; every text starting like a formula. */
  async function workedCase(org: TestOrg) {
    const contact = newContact();
    const n = await newCase(org, '=HYPERLINK("http://evil.example","click")', contact);
    expect((await post(org.admin, `/api/v1/records/${n}/lock`)).status).toBe(200);
    const patched = await h.request('PATCH', `/api/v1/records/${n}`, {
      token: org.admin.token,
      body: { answers: { notes_text: '@SUM(1+1)', status: 'working' } },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const label = await post(org.admin, '/api/v1/labels', { name: `+Urgent ${seq}`, color: '#d62728' });
    expect(label.status, JSON.stringify(label.body)).toBe(201);
    const second = await post(org.admin, '/api/v1/labels', { name: `Housing ${seq}`, color: '#1f77b4' });
    expect(
      (
        await h.request('PUT', `/api/v1/records/${n}/labels`, {
          token: org.admin.token,
          body: { labelIds: [second.body.id, label.body.id] },
        })
      ).status,
    ).toBe(200);
    expect((await h.reply(org, n, '-1 is not an answer')).status).toBe(202);
    expect((await post(org.admin, `/api/v1/records/${n}/notes`, { text: '=1+1 rang back' })).status).toBe(201);
    const view = await h.record(org, n);
    return { n, contact, view, labels: [label.body.name as string, second.body.name as string] };
  }

  it('writes one row per case with the fixed columns, the answers, the transcript and the notes, behind a byte-order mark', async () => {
    const org = await h.newOrg();
    const worked = await workedCase(org);
    const quiet = await newCase(org, 'Just a question');
    const { res, bytes, header, rows, cell } = await csvOf(org.admin, org, 'include=answers,transcript,notes');

    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="helpline-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // The conversation question is the transcript, not a column of its own.
    expect(header).toEqual([...FIXED, 'phone', 'status', 'notes_text', 'transcript', 'notes']);
    expect(caseNumbers(rows)).toEqual([worked.n, quiet]);

    const [row] = rows;
    const adminName = (await h.request('GET', '/api/v1/users/me', { token: org.admin.token })).body.name as string;
    expect(cell(row!, 'status')).toBe('open');
    for (const column of ['created_at', 'updated_at']) expect(cell(row!, column)).toMatch(ISO_SECOND);
    expect(cell(row!, 'created_at')).toBe(worked.view.createdAt.replace(/\.\d{3}Z$/, 'Z'));
    expect(cell(row!, 'closed_at')).toBe('');
    expect(cell(row!, 'contact')).toBe(`'${worked.contact}`);
    const ourNumber = (await h.request('GET', `/api/v1/numbers/${org.numberId}`, { token: org.admin.token })).body.ourNumber as string;
    expect(cell(row!, 'number')).toBe(`'${ourNumber}`);
    expect(cell(row!, 'channel')).toBe('sms');
    expect(cell(row!, 'assignee')).toBe(adminName);
    // Labels by name; the one starting with "+" neutralised.
    expect(cell(row!, 'labels')).toBe(`'${[...worked.labels].sort((a, b) => a.localeCompare(b)).join(', ')}`);
    expect(cell(row!, 'messages')).toBe('2');
    expect(cell(row!, 'phone')).toBe(`'${worked.contact}`);
    expect(cell(row!, 'notes_text')).toBe("'@SUM(1+1)");
    const [inbound, outbound] = worked.view.messages as Array<{ at: string; text: string }>;
    const second = (at: string) => at.replace(/\.\d{3}Z$/, 'Z');
    expect(cell(row!, 'transcript')).toBe(
      `${second(inbound!.at)} in: =HYPERLINK("http://evil.example","click")\n${second(outbound!.at)} out: ${outbound!.text}`,
    );
    expect(cell(row!, 'notes')).toBe(`${second(worked.view.notes[0].at)} ${adminName}: =1+1 rang back`);

    const quietRow = rows[1]!;
    expect(cell(quietRow, 'messages')).toBe('1');
    expect(cell(quietRow, 'labels')).toBe('');
    expect(cell(quietRow, 'assignee')).toBe('');
    expect(cell(quietRow, 'notes')).toBe('');
  });

  it('neutralises every text cell that starts like a formula, and only those', async () => {
    const org = await h.newOrg();
    await workedCase(org);
    const { rows } = await csvOf(org.admin, org, 'include=answers,transcript,notes');
    for (const row of rows) {
      for (const value of row) {
        if (/^[=+\-@\t\r]/.test(value)) throw new Error(`a cell starts like a formula: ${JSON.stringify(value)}`);
      }
    }
    // The phone number "+44…" is a formula start too: neutralised, then still readable.
    expect(rows[0]!.filter((value) => value.startsWith("'")).length).toBeGreaterThanOrEqual(5);
  });

  it('answers only the cases asked for: by status, and by creation day in a time zone', async () => {
    const org = await h.newOrg();
    const late = await newCase(org, 'late on the 29th in UTC');
    const next = await newCase(org, 'late on the 30th in UTC');
    const closed = await newCase(org, 'closed one');
    await setCreatedAt(late, org.orgId, '2026-11-29T23:30:00Z');
    await setCreatedAt(next, org.orgId, '2026-11-30T23:30:00Z');
    await setCreatedAt(closed, org.orgId, '2026-11-15T12:00:00Z');
    expect((await post(org.admin, `/api/v1/records/${closed}/lock`)).status).toBe(200);
    const closing = await post(org.admin, `/api/v1/records/${closed}/close`, {});
    expect(closing.status, JSON.stringify(closing.body)).toBe(200);

    expect(caseNumbers((await csvOf(org.admin, org, '')).rows)).toEqual([late, next, closed]);
    expect(caseNumbers((await csvOf(org.admin, org, 'status=all')).rows)).toEqual([late, next, closed]);
    expect(caseNumbers((await csvOf(org.admin, org, 'status=open')).rows)).toEqual([late, next]);
    expect(caseNumbers((await csvOf(org.admin, org, 'status=closed')).rows)).toEqual([closed]);
    // 23:30 UTC on the 29th is already the 30th in Berlin (UTC+1); 23:30 on the 30th is 1 December there.
    expect(caseNumbers((await csvOf(org.admin, org, 'from=2026-11-30&to=2026-11-30')).rows)).toEqual([next]);
    expect(caseNumbers((await csvOf(org.admin, org, 'from=2026-11-30&to=2026-11-30&tz=Europe/Berlin')).rows)).toEqual([late]);
    expect(caseNumbers((await csvOf(org.admin, org, 'from=2026-11-16&tz=Europe/Berlin')).rows)).toEqual([late, next]);
    expect(caseNumbers((await csvOf(org.admin, org, 'to=2026-11-29')).rows)).toEqual([late, closed]);
    const { rows: closedRows, cell } = await csvOf(org.admin, org, 'status=closed');
    expect(cell(closedRows[0]!, 'closed_at')).toMatch(ISO_SECOND);
    // An empty export still has its header.
    const empty = await csvOf(org.admin, org, 'from=2020-01-01&to=2020-01-02');
    expect(empty.header).toEqual([...FIXED, 'phone', 'status', 'notes_text']);
    expect(empty.rows).toEqual([]);
  });

  it('leaves the answers out when include names only other parts, and keeps a redacted case with its fields empty', async () => {
    const org = await h.newOrg();
    const n = await newCase(org, 'about to be emptied');
    await h
      .caseline()
      .db.kysely.updateTable('records')
      .set({ contact: null, answers: '{}', redacted_at: Date.now() })
      .where('org_id', '=', org.orgId)
      .where('case_number', '=', n)
      .execute();
    const notes = await csvOf(org.admin, org, 'include=notes');
    expect(notes.header).toEqual([...FIXED, 'notes']);
    const { rows, cell } = await csvOf(org.admin, org, 'include=answers');
    expect(caseNumbers(rows)).toEqual([n]);
    expect(cell(rows[0]!, 'contact')).toBe('');
    expect(cell(rows[0]!, 'phone')).toBe('');
    expect(cell(rows[0]!, 'messages')).toBe('1');
  });

  it("masks an analyst's contacts and their-number answers as the API does; an admin sees them whole", async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    expect((await h.request('PATCH', '/api/v1/organisation', { token: org.admin.token, body: { maskContacts: true } })).status).toBe(200);
    const { contact } = await workedCase(org);
    const masked = (await h.record(org, (await h.records(org))[0]!.caseNumber, analyst.token)).contact as string;
    expect(masked).not.toBe(contact);

    const mine = await csvOf(analyst, org, 'include=answers,transcript,notes');
    expect(mine.cell(mine.rows[0]!, 'contact')).toBe(`'${masked}`);
    expect(mine.cell(mine.rows[0]!, 'phone')).toBe(`'${masked}`);
    expect(mine.bytes.toString('utf8')).not.toContain(contact.slice(3));
    const admin = await csvOf(org.admin, org, 'include=answers');
    expect(admin.cell(admin.rows[0]!, 'contact')).toBe(`'${contact}`);
  });

  it('refuses viewers, hides another organisation’s survey, and refuses a bad format, zone or day, recording nothing', async () => {
    const org = await h.newOrg();
    await newCase(org, 'hello');
    const viewer = await h.addUser(org.orgId, 'viewer');
    const outsider = await h.newOrg();
    const audits = async () => (await h.request('GET', '/api/v1/audit/privacy?action=case-export', { token: org.admin.token })).body.items;

    const refused = await exportOf(viewer, org.surveyId, 'format=csv');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');
    expect((await exportOf(outsider.admin, org.surveyId, 'format=csv')).statusCode).toBe(404);
    for (const query of ['format=pdf', 'format=csv&tz=Mars/Olympus', 'format=csv&from=30-11-2026', 'format=csv&from=2026-02-30']) {
      const res = await exportOf(org.admin, org.surveyId, query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code, query).toBe('validation_failed');
    }
    for (const query of ['format=csv&status=pending', 'format=csv&include=answers,secrets', 'format=csv&from=2026-12-02&to=2026-12-01']) {
      expect((await exportOf(org.admin, org.surveyId, query)).statusCode, query).toBe(400);
    }
    expect(await audits()).toEqual([]);
  });

  it('records the export in the privacy audit trail and the access log', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    await newCase(org, 'one');
    await newCase(org, 'two');
    const before = Date.now();
    await csvOf(analyst, org, 'status=open');
    const audit = (await h.request('GET', '/api/v1/audit/privacy?action=case-export', { token: org.admin.token })).body.items;
    expect(audit).toMatchObject([{ action: 'case-export', userId: analyst.id, surveyId: org.surveyId, counts: { cases: 2 } }]);
    expect(Date.parse(audit[0].at)).toBeGreaterThanOrEqual(before - 1000);
    const access = (await h.request('GET', `/api/v1/audit/access?userId=${analyst.id}`, { token: org.admin.token })).body.items;
    expect(access).toMatchObject([{ userId: analyst.id, caseNumber: null, kind: 'export' }]);
  });

  it('writes an XLSX that a second library reads back with the same cells, text never as a formula', async () => {
    const org = await h.newOrg();
    await workedCase(org);
    await newCase(org, 'plain');
    const csv = await csvOf(org.admin, org, 'include=answers,transcript,notes');
    const res = await exportOf(org.admin, org.surveyId, 'format=xlsx&include=answers,transcript,notes');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="helpline-\d{4}-\d{2}-\d{2}\.xlsx"$/);

    const workbook = XLSX.read(res.rawPayload, { type: 'buffer', cellFormula: true });
    expect(workbook.SheetNames).toEqual(['Cases']);
    const sheet = workbook.Sheets.Cases!;
    const formulas = Object.entries(sheet).filter(([address, cell]) => !address.startsWith('!') && (cell as XLSX.CellObject).f);
    expect(formulas).toEqual([]);
    const cells = XLSX.utils.sheet_to_json<Array<string | number | null>>(sheet, { header: 1, raw: true, defval: null });
    // The same cells as the CSV, where text is stored as itself rather than with the CSV's leading quote.
    const asCsv = cells.map((row) =>
      row.map((value) => (value === null ? '' : typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value))),
    );
    expect(asCsv).toEqual([csv.header, ...csv.rows]);
    expect(typeof cells[1]![0]).toBe('number');
    expect(cells[1]![FIXED.indexOf('messages')]).toBe(2);
    expect(cells[1]).toContain('@SUM(1+1)');
  });
});
