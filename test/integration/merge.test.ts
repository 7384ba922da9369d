import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { STATUS_QUESTIONS, useCaseline, type TestOrg } from '../support/harness.js';

/** Merging two cases a person opened (DESIGN.md §7 "Merge"), through the API and a webhook. */
describeEachDialect('merging cases', (dialect) => {
  const h = useCaseline(dialect);
  const ALICE = '+447700900123';
  const BOB = '+447700900456';
  const post = (token: string, url: string, body?: unknown) => h.request('POST', url, { token, body });
  const history = async (org: TestOrg, n: number) =>
    (await h.request('GET', `/api/v1/records/${n}/history`, { token: org.admin.token })).body.items as Array<{
      action: string;
      detail: Record<string, unknown>;
    }>;
  const texts = (record: { messages: Array<{ text: string }> }) => record.messages.map((m) => m.text);

  /**
   * Two open cases of one person: the first holds `first`, the second is made by moving
   * `second` out of it (rule 9). The admin holds the first; the second is unlocked.
   */
  async function twoCases(org: TestOrg, contact = ALICE): Promise<[number, number]> {
    await h.text(org, contact, `first from ${contact}`);
    const n = Math.max(...(await h.records(org, 'status=open')).map((r) => r.caseNumber));
    await h.text(org, contact, `second from ${contact}`);
    await post(org.admin.token, `/api/v1/records/${n}/lock`);
    const second = (await h.record(org, n)).messages.find((m: { text: string }) => m.text.startsWith('second'));
    const moved = await post(org.admin.token, `/api/v1/records/${n}/messages/${second.id}/move`, { comment: 'A separate matter' });
    expect(moved.status).toBe(201);
    return [n, moved.body.caseNumber];
  }

  it('a merge moves every message and note of the source into the target and closes the source with a note naming it', async () => {
    const org = await h.newOrg();
    const [n, m] = await twoCases(org);
    // A message fanned out to both open cases (rule 5) ends up once in the target.
    await h.text(org, ALICE, 'thanks for listening');
    expect(texts(await h.record(org, m))).toContain('thanks for listening');
    expect((await post(org.admin.token, `/api/v1/records/${n}/notes`, { text: 'Called the landlord' })).status).toBe(201);
    const reply = await post(org.admin.token, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'We will call you' });
    expect(reply.status).toBe(202);
    const sourceBefore = await h.record(org, n);
    expect((await h.record(org, m)).waitingSince).not.toBeNull();

    const res = await post(org.admin.token, `/api/v1/records/${n}/merge`, { into: m });
    expect(res.status).toBe(200);
    expect(res.body.caseNumber).toBe(m);
    expect(res.body.status).toBe('open');
    expect([...texts(res.body)].sort()).toEqual(
      ['first from +447700900123', 'second from +447700900123', 'thanks for listening', `We will call you #${n}`].sort(),
    );
    expect(res.body.notes.map((x: { text: string }) => x.text).sort()).toEqual(['A separate matter', 'Called the landlord']);
    // The reply that came from n answered the person's last message, so m no longer waits.
    expect(res.body.waitingSince).toBeNull();
    expect(res.body).toEqual(await h.record(org, m));

    const source = await h.record(org, n);
    expect(source).toMatchObject({ status: 'closed', answers: { status: 'closed' }, messages: [], waitingSince: null });
    expect(source.closedAt).not.toBeNull();
    expect(source.version).toBe(Number(sourceBefore.version) + 1);
    expect(source.notes.map((x: { text: string }) => x.text)).toEqual([`Merged into #${m}`]);

    const sourceHistory = await history(org, n);
    expect(sourceHistory.find((e) => e.action === 'merged.into')?.detail).toEqual({ into: m, messages: 3, notes: 1 });
    expect(sourceHistory.map((e) => e.action)).toEqual(expect.arrayContaining(['closed', 'note.added']));
    expect((await history(org, m)).at(-1)).toMatchObject({ action: 'merged.from', detail: { from: n, messages: 3, notes: 1 } });
  });

  it('a later #<merged case> from the person is a closed reference, so the message lands in the target', async () => {
    const org = await h.newOrg();
    const [n, m] = await twoCases(org);
    expect((await post(org.admin.token, `/api/v1/records/${n}/merge`, { into: m })).status).toBe(200);
    const before = await h.totals();
    const answer = await h.text(org, ALICE, `About #${n}: the heating is still broken`);
    expect(answer.status).toBe(200);
    expect(await h.conversation(org, m)).toContain(`About #${n}: the heating is still broken`);
    expect(await h.conversation(org, n)).toEqual([]);
    expect(await h.totals()).toEqual({ messages: before.messages + 1, records: before.records });
  });

  it('the target may be held by the one who merges; the answer shows it still held', async () => {
    const org = await h.newOrg();
    const [n, m] = await twoCases(org);
    await post(org.admin.token, `/api/v1/records/${m}/lock`);
    const res = await post(org.admin.token, `/api/v1/records/${n}/merge`, { into: m });
    expect(res.status).toBe(200);
    expect(res.body.lockedBy.id).toBe(org.admin.id);
  });

  it('a merge is refused across contacts, across surveys, for a case the organisation does not have, and into itself, changing nothing', async () => {
    const org = await h.newOrg();
    const [n] = await twoCases(org);
    const [bobs] = await twoCases(org, BOB);
    // A second survey of the organisation, where Alice also has a case.
    const survey = await post(org.admin.token, '/api/v1/surveys', {
      name: 'Other',
      questions: STATUS_QUESTIONS,
      caseManagement: { statusQuestion: 'status', finalStatus: 'closed' },
    });
    expect(survey.status).toBe(201);
    const number = await post(org.admin.token, '/api/v1/numbers', {
      provider: 'sandbox',
      channel: 'sms',
      ourNumber: '+447700900777',
      surveyId: survey.body.id,
      theirNumberQuestion: 'phone',
      conversationQuestion: 'conversation',
      credentials: { webhookSecret: 'other-survey-secret-1234567890' },
    });
    expect(number.status).toBe(201);
    const other = { webhookPath: new URL(number.body.webhooks.inbound).pathname, webhookSecret: 'other-survey-secret-1234567890' };
    const otherCase = (await h.text(other, ALICE, 'in the other survey')).status;
    expect(otherCase).toBe(200);
    const inOtherSurvey = Math.max(...(await h.records({ ...org, surveyId: survey.body.id }, 'status=open')).map((r) => r.caseNumber));

    const before = await h.record(org, n);
    const attempts = {
      otherPerson: await post(org.admin.token, `/api/v1/records/${n}/merge`, { into: bobs }),
      otherSurvey: await post(org.admin.token, `/api/v1/records/${n}/merge`, { into: inOtherSurvey }),
      noSuchCase: await post(org.admin.token, `/api/v1/records/${n}/merge`, { into: 99_999 }),
      itself: await post(org.admin.token, `/api/v1/records/${n}/merge`, { into: n }),
    };
    expect(Object.fromEntries(Object.entries(attempts).map(([k, r]) => [k, [r.status, r.body.error.code]]))).toEqual({
      otherPerson: [400, 'validation_failed'],
      otherSurvey: [400, 'validation_failed'],
      noSuchCase: [404, 'not_found'],
      itself: [400, 'validation_failed'],
    });
    expect(await h.record(org, n)).toEqual(before);
  });

  it("another organisation cannot merge this organisation's cases: the case numbers name none of theirs", async () => {
    const org = await h.newOrg();
    const [n, m] = await twoCases(org);
    const stranger = await h.newOrg();
    const res = await post(stranger.admin.token, `/api/v1/records/${n}/merge`, { into: m });
    expect(res.status).toBe(404);
    expect((await h.record(org, n)).status).toBe('open');
  });

  it("a merge needs the source's lock and is refused when someone else holds either case", async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const [n, m] = await twoCases(org);
    // The analyst holds neither: the source is the admin's.
    const notHolder = await post(analyst.token, `/api/v1/records/${n}/merge`, { into: m });
    expect([notHolder.status, notHolder.body.error.code]).toEqual([409, 'lock_held']);
    // Released, the source needs the lock first.
    await post(org.admin.token, `/api/v1/records/${n}/release`);
    const unlocked = await post(analyst.token, `/api/v1/records/${n}/merge`, { into: m });
    expect([unlocked.status, unlocked.body.error.code]).toEqual([400, 'lock_required']);
    // The analyst holds the source, the admin the target.
    await post(analyst.token, `/api/v1/records/${n}/lock`);
    await post(org.admin.token, `/api/v1/records/${m}/lock`);
    const targetHeld = await post(analyst.token, `/api/v1/records/${n}/merge`, { into: m });
    expect([targetHeld.status, targetHeld.body.error.code]).toEqual([409, 'lock_held']);
    expect(targetHeld.body.error.message).toContain(`#${m}`);
    expect((await h.record(org, n)).status).toBe('open');
    expect(await h.conversation(org, n)).toEqual(['first from +447700900123']);
  });

  it('a closed case is neither merged nor merged into; a viewer cannot merge', async () => {
    const org = await h.newOrg();
    const viewer = await h.addUser(org.orgId, 'viewer');
    const [n, m] = await twoCases(org);
    expect((await post(viewer.token, `/api/v1/records/${n}/merge`, { into: m })).status).toBe(403);
    await post(org.admin.token, `/api/v1/records/${m}/lock`);
    await post(org.admin.token, `/api/v1/records/${m}/close`);
    const intoClosed = await post(org.admin.token, `/api/v1/records/${n}/merge`, { into: m });
    expect([intoClosed.status, intoClosed.body.error.code]).toEqual([409, 'case_closed']);
    await post(org.admin.token, `/api/v1/records/${m}/reopen`);
    await post(org.admin.token, `/api/v1/records/${n}/close`);
    const closedSource = await post(org.admin.token, `/api/v1/records/${n}/merge`, { into: m });
    expect([closedSource.status, closedSource.body.error.code]).toEqual([409, 'case_closed']);
    expect(await h.conversation(org, n)).toEqual(['first from +447700900123']);
    expect(await h.conversation(org, m)).toEqual(['second from +447700900123']);
  });
});
