import { newId } from './ids.js';
import type { HistoryEntry, Message, Note, Page, RecordSummary, RecordView } from '../contract/index.js';
import type { Executor, Transaction } from '../db/database.js';
import { labelsOfRecords, recordLabels } from '../db/queries/labels.js';
import { lastInboundAt, lastMessages, selectRecordMessages } from '../db/queries/messages.js';
import { isOptedOut } from '../db/queries/opt-outs.js';
import { cursorAfter, recordsPageQuery, surveyRegions, type RecordQuery } from '../db/queries/record-list.js';
import { findRecord, findRecordForChange, personOf, type RecordRow } from '../db/queries/records.js';
import { DomainError, validationFailed } from '../domain/errors.js';
import { caseStatus, reopenedStatus, validateAnswers, type Answers } from '../domain/survey.js';
import { isWindowOpen, windowClosesAtOf } from '../domain/whatsapp-window.js';
import { addHistory, publishUpdated, requireWriter, type Actor, type ServiceContext } from './context.js';
import { answersFor, historyView, messageViews, noteView, recordSummary, recordView, viewerOf, type Viewer } from './presenters.js';
import { lockHeldError, requireLock, requireVersion } from './record-store.js';
import { distributeWaitingCases } from './auto-assignment.js';
import { loadSurvey } from './surveys.js';
import { bookOpenedCase } from './time-rules/case-timers.js';

export const MESSAGES_PER_PAGE = 100;

export function createRecordService(ctx: ServiceContext) {
  const { db } = ctx;

  /** The case as `actor` reads it (contact numbers masked for them or not, DESIGN.md §9). */
  async function view(executor: Executor, record: RecordRow, actor: Actor): Promise<RecordView> {
    const rows = await selectRecordMessages(executor, record.id)
      .orderBy('rm.added_at', 'desc')
      .orderBy('m.id', 'desc')
      .limit(MESSAGES_PER_PAGE + 1)
      .execute();
    const notes = await executor
      .selectFrom('notes')
      .leftJoin('users', 'users.id', 'notes.author_id')
      .select(['notes.id', 'notes.text', 'notes.created_at', 'notes.author_id', 'users.name'])
      .where('notes.record_id', '=', record.id)
      .orderBy('notes.created_at')
      .orderBy('notes.id')
      .execute();
    const number = record.number_id
      ? await executor
          .selectFrom('numbers')
          .select(['channel', 'their_number_question'])
          .where('id', '=', record.number_id)
          .executeTakeFirst()
      : undefined;
    let optedOut = false;
    let windowOpen: boolean | null = null;
    let windowClosesAt: number | null = null;
    if (record.number_id && record.contact) {
      optedOut = await isOptedOut(executor, record.number_id, record.contact);
      if (number?.channel === 'whatsapp') {
        const lastInbound = await lastInboundAt(executor, record.number_id, record.contact);
        windowOpen = isWindowOpen(lastInbound, ctx.now());
        windowClosesAt = windowClosesAtOf(lastInbound);
      }
    }
    return recordView(record, {
      lockedBy: await personOf(executor, record.locked_by),
      channel: number?.channel ?? null,
      optedOut,
      windowOpen,
      windowClosesAt,
      hasOlderMessages: rows.length > MESSAGES_PER_PAGE,
      messages: await messageViews(executor, rows.slice(0, MESSAGES_PER_PAGE).reverse()),
      notes: notes.map(noteView),
      labels: await recordLabels(executor, record.id),
      viewer: await viewerOf(executor, actor),
      theirNumberQuestion: number?.their_number_question ?? null,
    });
  }

  /** The "their number" question of the case's number: the answer that holds the contact. */
  async function theirNumberQuestion(executor: Executor, record: RecordRow): Promise<string | null> {
    if (!record.number_id) return null;
    const row = await executor.selectFrom('numbers').select('their_number_question').where('id', '=', record.number_id).executeTakeFirst();
    return row?.their_number_question ?? null;
  }

  /**
   * A masked reader saves answers as they were shown: a masked answer sent back unchanged
   * keeps the stored value, so saving never overwrites a number with its masked form.
   */
  async function unmaskedPatch(executor: Executor, record: RecordRow, viewer: Viewer, patch: Answers): Promise<Answers> {
    if (!viewer.masked) return patch;
    const stored = JSON.parse(record.answers) as Answers;
    const shown = answersFor(viewer, stored, { contact: record.contact, theirNumberQuestion: await theirNumberQuestion(executor, record) });
    return Object.fromEntries(Object.entries(patch).filter(([key, value]) => !(value === shown[key] && shown[key] !== stored[key])));
  }

  /** Runs a change to one case under its lock, with a history entry and a change event. */
  async function change(
    actor: Actor,
    caseNumber: number,
    apply: (tx: Transaction, record: RecordRow) => Promise<unknown>,
  ): Promise<RecordView> {
    requireWriter(actor);
    return db.transaction(async (tx) => {
      const record = await findRecordForChange(tx, actor.orgId, caseNumber);
      const closed = (await apply(tx, record)) === true;
      tx.publish({
        type: 'record.updated',
        orgId: actor.orgId,
        caseNumber,
        surveyId: record.survey_id,
        recordId: record.id,
        ...(closed ? { closed } : {}),
      });
      return view(tx.db, await findRecord(tx.db, actor.orgId, caseNumber), actor);
    });
  }

  /**
   * Writes new answers, recording a status change (close or reopen, rule 10). `by.userId`
   * null is the system (auto-close); `closedDetail` says why a close happened. Answers
   * whether this write closed the case.
   */
  async function writeAnswers(
    tx: Transaction,
    by: { orgId: string; userId: string | null },
    record: RecordRow,
    patch: Answers,
    closedDetail?: Record<string, unknown>,
  ): Promise<boolean> {
    const survey = await loadSurvey(tx.db, by.orgId, record.survey_id);
    validateAnswers(survey, patch);
    const before = JSON.parse(record.answers) as Answers;
    const answers = { ...before, ...patch };
    const status = caseStatus(survey.caseManagement, answers);
    const now = ctx.now();
    const stored = JSON.stringify(answers);
    const changes = stored !== record.answers || status !== record.status;
    await tx.db
      .updateTable('records')
      .set({
        answers: stored,
        status,
        closed_at: status === 'closed' ? (record.closed_at ?? now) : null,
        updated_at: now,
        // The row is locked (findRecordForChange), so the read version is the current one.
        version: changes ? Number(record.version) + 1 : Number(record.version),
      })
      .where('id', '=', record.id)
      .execute();
    const changed = Object.keys(patch).filter((k) => before[k] !== patch[k]);
    await addHistory(tx.db, {
      recordId: record.id,
      userId: by.userId,
      action: 'answers.edited',
      detail: { changed: Object.fromEntries(changed.map((k) => [k, { from: before[k] ?? null, to: patch[k] }])) },
      at: now,
    });
    if (status !== record.status) {
      await addHistory(tx.db, {
        recordId: record.id,
        userId: by.userId,
        action: status === 'closed' ? 'closed' : 'reopened',
        detail: status === 'closed' ? closedDetail : undefined,
        at: now,
      });
      // The holder has room for another case now (DESIGN.md §7, auto-assignment).
      if (status === 'closed' && record.locked_by !== null) await distributeWaitingCases(db, tx, by.orgId, now);
      // A reopened case is open again to the time rules: its quiet time starts now (DESIGN.md §8).
      if (status === 'open') await bookOpenedCase(tx, survey, record, now);
    }
    return status === 'closed' && record.status !== 'closed';
  }

  return {
    view,

    async get(actor: Actor, caseNumber: number): Promise<RecordView> {
      return view(db.kysely, await findRecord(db.kysely, actor.orgId, caseNumber), actor);
    },

    async olderMessages(actor: Actor, caseNumber: number, beforeMessageId: string): Promise<{ items: Message[]; hasMore: boolean }> {
      const record = await findRecord(db.kysely, actor.orgId, caseNumber);
      const anchor = await db.kysely
        .selectFrom('record_messages')
        .select(['added_at', 'message_id'])
        .where('record_id', '=', record.id)
        .where('message_id', '=', beforeMessageId)
        .executeTakeFirst();
      if (!anchor) throw validationFailed('before must be a message of this case');
      const rows = await selectRecordMessages(db.kysely, record.id)
        .where((eb) =>
          eb.or([
            eb('rm.added_at', '<', anchor.added_at),
            eb.and([eb('rm.added_at', '=', anchor.added_at), eb('m.id', '<', anchor.message_id)]),
          ]),
        )
        .orderBy('rm.added_at', 'desc')
        .orderBy('m.id', 'desc')
        .limit(MESSAGES_PER_PAGE + 1)
        .execute();
      return {
        items: await messageViews(db.kysely, rows.slice(0, MESSAGES_PER_PAGE).reverse()),
        hasMore: rows.length > MESSAGES_PER_PAGE,
      };
    },

    async list(actor: Actor, surveyId: string, query: RecordQuery): Promise<Page<RecordSummary>> {
      await loadSurvey(db.kysely, actor.orgId, surveyId);
      const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
      const regions = query.contact ? await surveyRegions(db.kysely, actor.orgId, surveyId) : [];
      const viewer = await viewerOf(db.kysely, actor);
      const lister = { ...actor, wholeNumbersOnly: viewer.masked };
      const person = query.sameContactAs === undefined ? null : await findRecord(db.kysely, actor.orgId, query.sameContactAs);
      if (person && person.contact === null) return { items: [], nextCursor: null };
      const filters = person?.contact ? { ...query, exactContact: person.contact } : query;
      const rows = await recordsPageQuery(db.kysely, lister, surveyId, filters, limit + 1, regions).execute();
      const page = rows.slice(0, limit);
      const last = await lastMessages(
        db.kysely,
        page.map((r) => r.id),
      );
      // One query for the page's labels, not one per case.
      const labels = await labelsOfRecords(
        db.kysely,
        page.map((r) => r.id),
      );
      const items = page.map((row) => recordSummary(row, last.get(row.id), labels.get(row.id) ?? [], viewer));
      const lastRow = page[page.length - 1];
      return {
        items,
        nextCursor: rows.length > limit && lastRow ? cursorAfter(lastRow, query) : null,
      };
    },

    lock: (actor: Actor, caseNumber: number) =>
      change(actor, caseNumber, async (tx, record) => {
        if (record.locked_by === actor.userId) return;
        if (record.locked_by !== null) throw await lockHeldError(tx.db, record);
        const now = ctx.now();
        await tx.db.updateTable('records').set({ locked_by: actor.userId, locked_at: now }).where('id', '=', record.id).execute();
        await addHistory(tx.db, { recordId: record.id, userId: actor.userId, action: 'locked', at: now });
      }),

    /** The holder releases; an admin may release anyone's lock. */
    release: (actor: Actor, caseNumber: number) =>
      change(actor, caseNumber, async (tx, record) => {
        if (record.locked_by === null) return;
        if (record.locked_by !== actor.userId && actor.role !== 'admin') {
          throw await lockHeldError(tx.db, record);
        }
        const now = ctx.now();
        await tx.db.updateTable('records').set({ locked_by: null, locked_at: null }).where('id', '=', record.id).execute();
        await addHistory(tx.db, {
          recordId: record.id,
          userId: actor.userId,
          action: 'released',
          detail: record.locked_by !== actor.userId ? { lockedBy: record.locked_by } : {},
          at: now,
        });
        // The case waits for someone else, and its holder has room for another one.
        if (record.status === 'open') await distributeWaitingCases(db, tx, actor.orgId, now, new Map([[record.id, [record.locked_by]]]));
      }),

    /** `version`, when given, is the one the change was based on (409 `stale_record` otherwise). */
    editAnswers: (actor: Actor, caseNumber: number, answers: Answers, version?: number) =>
      change(actor, caseNumber, async (tx, record) => {
        await requireLock(tx.db, record, actor);
        requireVersion(record, version);
        return writeAnswers(tx, actor, record, await unmaskedPatch(tx.db, record, await viewerOf(tx.db, actor), answers));
      }),

    close: (actor: Actor, caseNumber: number, version?: number) =>
      change(actor, caseNumber, async (tx, record) => {
        await requireLock(tx.db, record, actor);
        requireVersion(record, version);
        const survey = await loadSurvey(tx.db, actor.orgId, record.survey_id);
        if (!survey.caseManagement) throw new DomainError('no_case_management', 'This survey has no case management');
        if (record.status === 'closed') return;
        return writeAnswers(tx, actor, record, { [survey.caseManagement.statusQuestion]: survey.caseManagement.finalStatus });
      }),

    reopen: (actor: Actor, caseNumber: number, version?: number) =>
      change(actor, caseNumber, async (tx, record) => {
        await requireLock(tx.db, record, actor);
        requireVersion(record, version);
        const survey = await loadSurvey(tx.db, actor.orgId, record.survey_id);
        if (!survey.caseManagement) throw new DomainError('no_case_management', 'This survey has no case management');
        if (record.status === 'open') return;
        await writeAnswers(tx, actor, record, { [survey.caseManagement.statusQuestion]: reopenedStatus(survey) });
      }),

    /**
     * Closes an open case as the system (auto-close, DESIGN.md §8) exactly as Close does,
     * with the system as actor, in the caller's transaction; `record` was read for change.
     */
    async closeAsSystem(tx: Transaction, record: RecordRow, closedDetail: Record<string, unknown>): Promise<void> {
      const survey = await loadSurvey(tx.db, record.org_id, record.survey_id);
      const cm = survey.caseManagement;
      if (!cm || record.status === 'closed') return;
      const closed = await writeAnswers(
        tx,
        { orgId: record.org_id, userId: null },
        record,
        { [cm.statusQuestion]: cm.finalStatus },
        closedDetail,
      );
      publishUpdated(tx, [record], closed);
    },

    async notes(actor: Actor, caseNumber: number): Promise<Note[]> {
      return (await this.get(actor, caseNumber)).notes;
    },

    /** Notes need no lock: they add to a case without changing what the case says. */
    async addNote(actor: Actor, caseNumber: number, text: string): Promise<Note> {
      requireWriter(actor);
      const trimmed = text.trim();
      if (!trimmed) throw validationFailed('A note needs text');
      if (trimmed.length > 10_000) throw validationFailed('A note can be at most 10,000 characters');
      return db.transaction(async (tx) => {
        const record = await findRecordForChange(tx, actor.orgId, caseNumber);
        const note = { id: newId(), record_id: record.id, author_id: actor.userId, text: trimmed, created_at: ctx.now() };
        await tx.db.insertInto('notes').values(note).execute();
        await addHistory(tx.db, {
          recordId: record.id,
          userId: actor.userId,
          action: 'note.added',
          detail: { noteId: note.id },
          at: note.created_at,
        });
        tx.publish({ type: 'record.updated', orgId: actor.orgId, caseNumber, surveyId: record.survey_id, recordId: record.id });
        return noteView({ ...note, name: actor.name });
      });
    },

    async history(actor: Actor, caseNumber: number): Promise<HistoryEntry[]> {
      const record = await findRecord(db.kysely, actor.orgId, caseNumber);
      const rows = await db.kysely
        .selectFrom('history as h')
        .leftJoin('users as u', 'u.id', 'h.user_id')
        .select(['h.id', 'h.created_at', 'h.user_id', 'u.name', 'h.action', 'h.detail'])
        .where('h.record_id', '=', record.id)
        .orderBy('h.id')
        .execute();
      const viewer = await viewerOf(db.kysely, actor);
      const places = { contact: record.contact, theirNumberQuestion: viewer.masked ? await theirNumberQuestion(db.kysely, record) : null };
      return rows.map((row) => historyView(row, viewer, places));
    },
  };
}

export type RecordService = ReturnType<typeof createRecordService>;
