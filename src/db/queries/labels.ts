import { byLabelName } from '../../domain/labels.js';
import type { Executor, Transaction } from '../database.js';

/** A label as cases carry it (DESIGN.md §13, "labels on records"). */
export interface LabelRow {
  id: string;
  name: string;
  color: string;
}

/** An organisation's labels, by name. */
export async function orgLabels(db: Executor, orgId: string): Promise<LabelRow[]> {
  const rows = await db.selectFrom('labels').select(['id', 'name', 'color']).where('org_id', '=', orgId).execute();
  return rows.sort(byLabelName);
}

/** The label of the organisation with this folded name, if any (besides `exceptId`). */
export async function labelWithKey(db: Executor, orgId: string, nameKey: string, exceptId?: string): Promise<LabelRow | undefined> {
  let query = db.selectFrom('labels').select(['id', 'name', 'color']).where('org_id', '=', orgId).where('name_key', '=', nameKey);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  return query.executeTakeFirst();
}

/**
 * The organisation's labels among `ids`, locked until the transaction ends: a label being
 * deleted at the same moment either is found and deleted after this change, taking its
 * place on the case with it, or is gone and refused — never a case pointing at no label.
 */
export function lockLabels(tx: Transaction, orgId: string, ids: readonly string[]): Promise<LabelRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return tx
    .forUpdate(tx.db.selectFrom('labels').select(['id', 'name', 'color']).where('org_id', '=', orgId).where('id', 'in', ids).orderBy('id'))
    .execute();
}

/** The labels of one case, by name. */
export async function recordLabels(db: Executor, recordId: string): Promise<LabelRow[]> {
  const rows = await db
    .selectFrom('record_labels as rl')
    .innerJoin('labels as l', 'l.id', 'rl.label_id')
    .select(['l.id', 'l.name', 'l.color'])
    .where('rl.record_id', '=', recordId)
    .execute();
  return rows.sort(byLabelName);
}

/** The labels of a page of cases, in one query: record id → its labels by name (none: absent). */
export async function labelsOfRecords(db: Executor, recordIds: readonly string[]): Promise<Map<string, LabelRow[]>> {
  const byRecord = new Map<string, LabelRow[]>();
  if (recordIds.length === 0) return byRecord;
  const rows = await db
    .selectFrom('record_labels as rl')
    .innerJoin('labels as l', 'l.id', 'rl.label_id')
    .select(['rl.record_id', 'l.id', 'l.name', 'l.color'])
    .where('rl.record_id', 'in', [...recordIds])
    .execute();
  for (const { record_id, ...label } of rows) {
    const list = byRecord.get(record_id);
    if (list) list.push(label);
    else byRecord.set(record_id, [label]);
  }
  for (const list of byRecord.values()) list.sort(byLabelName);
  return byRecord;
}

/** The cases carrying a label, with what their change events name. */
export function casesWithLabel(db: Executor, labelId: string) {
  return db
    .selectFrom('record_labels as rl')
    .innerJoin('records as r', 'r.id', 'rl.record_id')
    .select(['r.id', 'r.case_number', 'r.survey_id', 'r.org_id'])
    .where('rl.label_id', '=', labelId)
    .execute();
}
