import type { Label, LabelCreate, LabelPatch, RecordView } from '../contract/index.js';
import type { Transaction } from '../db/database.js';
import { casesWithLabel, labelWithKey, lockLabels, orgLabels, recordLabels, type LabelRow } from '../db/queries/labels.js';
import { findRecordForChange } from '../db/queries/records.js';
import { DomainError, notFound } from '../domain/errors.js';
import { labelColor, labelName, labelNameKey, planLabelChange } from '../domain/labels.js';
import { addHistory, requireAdmin, requireWriter, type Actor, type HistoryEntry, type ServiceContext } from './context.js';
import { newId } from './ids.js';
import type { RecordService } from './records.js';

/** History entries written per statement when a deleted label leaves many cases. */
const HISTORY_CHUNK = 500;

const nameTaken = (name: string) => new DomainError('conflict', `A label named “${name}” exists already`);

/**
 * Labels (DESIGN.md §7): admins keep the organisation's list; analysts and admins put them
 * on cases without the lock, like notes. Every change to a case's labels is a
 * `labels.changed` history entry naming the labels added and removed.
 */
export function createLabelService(ctx: ServiceContext, records: Pick<RecordService, 'view'>) {
  const { db } = ctx;

  /**
   * Runs a write that may break the unique folded name: two admins creating "Urgent" and
   * "urgent" at once both pass the check, and the index refuses the second. The failed
   * transaction cannot be asked why (PostgreSQL aborts it), so the name is looked up after.
   */
  async function uniqueName<T>(actor: Actor, name: string, exceptId: string | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (await labelWithKey(db.kysely, actor.orgId, labelNameKey(name), exceptId)) throw nameTaken(name);
      throw error;
    }
  }

  return {
    /** Everyone signed in reads the labels: they show on every case. */
    list: (actor: Actor): Promise<Label[]> => orgLabels(db.kysely, actor.orgId),

    async create(actor: Actor, input: LabelCreate): Promise<Label> {
      requireAdmin(actor);
      const name = labelName(input.name);
      const row = { id: newId(), org_id: actor.orgId, name, name_key: labelNameKey(name), color: labelColor(input.color) };
      return uniqueName(actor, name, undefined, () =>
        db.transaction(async (tx) => {
          if (await labelWithKey(tx.db, actor.orgId, row.name_key)) throw nameTaken(name);
          const now = ctx.now();
          await tx.db
            .insertInto('labels')
            .values({ ...row, created_at: now, updated_at: now })
            .execute();
          tx.publish({ type: 'labels.changed', orgId: actor.orgId });
          return { id: row.id, name: row.name, color: row.color };
        }),
      );
    },

    /** A rename or recolour shows on every case carrying the label; their histories are unchanged (their set of labels is). */
    async update(actor: Actor, id: string, patch: LabelPatch): Promise<Label> {
      requireAdmin(actor);
      const name = patch.name === undefined ? undefined : labelName(patch.name);
      const color = patch.color === undefined ? undefined : labelColor(patch.color);
      const write = () =>
        db.transaction(async (tx) => {
          const [label] = await lockLabels(tx, actor.orgId, [id]);
          if (!label) throw notFound('Label');
          const change: { name?: string; name_key?: string; color?: string } = {};
          if (name !== undefined && name !== label.name) {
            const key = labelNameKey(name);
            if (await labelWithKey(tx.db, actor.orgId, key, id)) throw nameTaken(name);
            Object.assign(change, { name, name_key: key });
          }
          if (color !== undefined && color !== label.color) change.color = color;
          if (Object.keys(change).length === 0) return label;
          await tx.db
            .updateTable('labels')
            .set({ ...change, updated_at: ctx.now() })
            .where('id', '=', id)
            .execute();
          tx.publish({ type: 'labels.changed', orgId: actor.orgId });
          return { ...label, ...change } satisfies LabelRow;
        });
      const label = await (name === undefined ? write() : uniqueName(actor, name, id, write));
      return { id: label.id, name: label.name, color: label.color };
    },

    /**
     * Deletes a label and takes it off every case, each of which records the removal in its
     * history and is announced as changed, so open consoles drop the chip.
     */
    async remove(actor: Actor, id: string): Promise<void> {
      requireAdmin(actor);
      await db.transaction(async (tx) => {
        // Locked first: a case being given this label at the same moment either did so
        // before (and is among the cases below) or finds it gone.
        const [label] = await lockLabels(tx, actor.orgId, [id]);
        if (!label) throw notFound('Label');
        const cases = await casesWithLabel(tx.db, id);
        await tx.db.deleteFrom('record_labels').where('label_id', '=', id).execute();
        await tx.db.deleteFrom('labels').where('id', '=', id).execute();
        const now = ctx.now();
        const entries: HistoryEntry[] = cases.map((c) => ({
          recordId: c.id,
          userId: actor.userId,
          action: 'labels.changed',
          detail: { added: [], removed: [label.name], labelDeleted: true },
          at: now,
        }));
        for (let i = 0; i < entries.length; i += HISTORY_CHUNK) await addHistory(tx.db, entries.slice(i, i + HISTORY_CHUNK));
        for (const c of cases) {
          tx.publish({ type: 'record.updated', orgId: actor.orgId, caseNumber: c.case_number, surveyId: c.survey_id, recordId: c.id });
        }
        tx.publish({ type: 'labels.changed', orgId: actor.orgId });
      });
    },

    /**
     * Replaces a case's labels (`PUT /records/{n}/labels`). No lock is needed: labels sort
     * and find cases without changing what they say. A closed case can be labelled too.
     */
    async setRecordLabels(actor: Actor, caseNumber: number, labelIds: readonly string[]): Promise<RecordView> {
      requireWriter(actor);
      return db.transaction(async (tx: Transaction) => {
        // Labels before the case: the order a label's deletion takes them in (it locks the
        // label, then writes the cases' history), so the two never wait on each other.
        const found = await lockLabels(tx, actor.orgId, [...new Set(labelIds)]);
        const record = await findRecordForChange(tx, actor.orgId, caseNumber);
        const current = await recordLabels(tx.db, record.id);
        const { add, remove } = planLabelChange(current, labelIds, found);
        if (add.length === 0 && remove.length === 0) return records.view(tx.db, record, actor);
        const now = ctx.now();
        if (remove.length > 0) {
          await tx.db
            .deleteFrom('record_labels')
            .where('record_id', '=', record.id)
            .where(
              'label_id',
              'in',
              remove.map((l) => l.id),
            )
            .execute();
        }
        if (add.length > 0) {
          await tx.db
            .insertInto('record_labels')
            .values(add.map((l) => ({ record_id: record.id, label_id: l.id, added_at: now })))
            .execute();
        }
        await addHistory(tx.db, {
          recordId: record.id,
          userId: actor.userId,
          action: 'labels.changed',
          detail: { added: add.map((l) => l.name), removed: remove.map((l) => l.name) },
          at: now,
        });
        tx.publish({ type: 'record.updated', orgId: actor.orgId, caseNumber, surveyId: record.survey_id, recordId: record.id });
        return records.view(tx.db, record, actor);
      });
    },
  };
}

export type LabelService = ReturnType<typeof createLabelService>;
