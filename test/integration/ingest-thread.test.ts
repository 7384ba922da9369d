import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/db/database.js';
import { useCaseline, type Harness, type TestOrg } from '../support/harness.js';

/**
 * SQLite only: with a database file, inbound batches are stored on a thread of their own
 * (src/services/inbound/ingest-thread.ts, on src/db/sqlite/second-writer.ts) while the console's writes stay on the main connection.
 * PostgreSQL has no such thread; every other integration test runs on both.
 */
describe('the SQLite ingest thread', () => {
  const h = useCaseline('sqlite');
  const thread = () => {
    const ingestThread = h.caseline().ingestThread;
    if (!ingestThread) throw new Error('no ingest thread');
    return ingestThread;
  };

  it('stores webhooks on its thread, answers after the commit, and publishes the changes here', async () => {
    const org = await h.newOrg();
    const events: ChangeEvent[] = [];
    const listen = (event: ChangeEvent) => events.push(event);
    h.caseline().db.changes.on('change', listen);
    try {
      const before = thread().batchesStored;
      const res = await h.text(org, '+447700900123', 'I need help');
      expect(res.status).toBe(200);
      expect(thread().batchesStored).toBeGreaterThan(before);
      // Read on the main connection straight after the answer: the commit is there.
      const [only] = await h.records(org);
      expect(await h.conversation(org, only!.caseNumber)).toEqual(['I need help']);
      expect(events.filter((e) => e.orgId === org.orgId).map((e) => [e.type, e.caseNumber])).toEqual([
        ['record.created', only!.caseNumber],
        ['message.added', only!.caseNumber],
      ]);
    } finally {
      h.caseline().db.changes.off('change', listen);
    }
  });

  it('a domain error raised on the thread reaches the webhook as its own status, not as a server fault', async () => {
    const org = await h.newOrg();
    // A survey edited by hand in the database: its status question offers only the final
    // status, so a new case has no open status to start with (validation_failed).
    const { db } = h.caseline();
    const survey = await db.kysely.selectFrom('surveys').select('questions').where('id', '=', org.surveyId).executeTakeFirstOrThrow();
    const questions = (JSON.parse(survey.questions) as Array<{ name: string; choices?: Array<{ value: string }> }>).map((q) =>
      q.name === 'status' ? { ...q, choices: q.choices?.filter((c) => c.value === 'closed') } : q,
    );
    await db.kysely
      .updateTable('surveys')
      .set({ questions: JSON.stringify(questions) })
      .where('id', '=', org.surveyId)
      .execute();
    await h.text(await h.newOrg(), '+447700900124', 'starts the thread');
    const before = thread().batchesStored;

    const res = await h.text(org, '+447700900123', 'I need help');
    expect(res.status).toBe(400);
    expect((res.body as { error: { code: string } }).error.code).toBe('validation_failed');
    expect(await h.records(org)).toEqual([]);
    // The thread is still the one storing: the error was the batch's, not the thread's.
    const other = await h.newOrg();
    expect((await h.text(other, '+447700900125', 'still here')).status).toBe(200);
    expect(thread().batchesStored).toBeGreaterThan(before);
  });

  it('a job claim waits its turn behind the thread’s write, and the event loop runs meanwhile', async () => {
    const { db, jobs } = h.caseline();
    const writer = db.openSecondWriter<{ ms: number }, null>(new URL('../support/slow-writer.ts', import.meta.url), null);
    if (!writer) throw new Error('no second writer');
    try {
      await writer.write({ ms: 0 });
      const slow = writer.write({ ms: 400 });
      // The thread holds its write lock from here for about 400 ms.
      await new Promise((resolve) => setTimeout(resolve, 50));
      let ticks = 0;
      const timer = setInterval(() => (ticks += 1), 10);
      try {
        await jobs.runOnce();
      } finally {
        clearInterval(timer);
      }
      await slow;
      // Waiting for the lock inside SQLite's synchronous call would have let no timer fire.
      expect(ticks).toBeGreaterThanOrEqual(5);
    } finally {
      await writer.close();
    }
  });

  it('takes turns with the console’s writes: neither waits on the other’s lock, nothing fails', async () => {
    const org = await h.newOrg();
    const { db } = h.caseline();
    const webhooks = Array.from({ length: 200 }, (_, i) => h.text(org, `+4477009${String(i % 40).padStart(5, '0')}`, `message ${i}`));
    const consoleWrites = Array.from({ length: 50 }, (_, i) =>
      db.transaction((tx) => db.createOrganisation(tx, { id: `turns-${org.orgId}-${i}`, name: `Other ${i}`, createdAt: Date.now() })),
    );
    const answers = await Promise.all(webhooks);
    await Promise.all(consoleWrites);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const cases = await h.records(org);
    expect(cases).toHaveLength(40);
    const organisations = await db.kysely.selectFrom('organisations').select('id').where('id', 'like', `turns-${org.orgId}-%`).execute();
    expect(organisations).toHaveLength(50);
  });

  it('if the thread dies under load, every acknowledged message is stored once and ingest goes on here', async () => {
    const org = await h.newOrg();
    const sent = Array.from({ length: 300 }, (_, i) => ({
      id: randomUUID(),
      from: `+4477009${String(i % 60).padStart(5, '0')}`,
      text: `load ${i}`,
    }));
    const post = (m: (typeof sent)[number]) => h.text(org, m.from, m.text, m.id);

    const first = sent.map(post);
    await expect.poll(() => thread().batchesStored, { interval: 1 }).toBeGreaterThan(1);
    await thread().crash();
    const answers = await Promise.all(first);
    const storedOnThread = thread().batchesStored;
    // The batch the thread held when it died is stored again here: its webhooks get a 200
    // too, whether or not the thread had committed it.
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));

    // Providers sometimes deliver again what got a 200.
    const again = await Promise.all(sent.slice(0, 30).map(post));
    expect(again.map((a) => a.status)).toEqual(again.map(() => 200));

    expect(await storedIds(h, org)).toEqual(sent.map((m) => m.id).sort());
    // After the crash batches are stored on the main thread.
    const after = await h.text(org, '+447700955555', 'after the crash');
    expect(after.status).toBe(200);
    expect(thread().batchesStored).toBe(storedOnThread);
    expect((await h.records(org)).map((r) => r.contact)).toContain('+447700955555');
  });
});

/** The provider ids of a number's inbound messages, sorted, each as often as it is stored. */
async function storedIds(h: Harness, org: TestOrg): Promise<string[]> {
  const rows = await h
    .caseline()
    .db.kysely.selectFrom('messages')
    .select('provider_message_id')
    .where('number_id', '=', org.numberId)
    .where('direction', '=', 'in')
    .execute();
  return rows.map((r) => r.provider_message_id!).sort();
}
