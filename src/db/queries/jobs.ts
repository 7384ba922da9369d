import type { Transaction } from '../database.js';

/** A job to write in the transaction of the change that causes it (src/jobs/job-worker.ts). */
export interface NewJob {
  id: string;
  orgId: string | null;
  kind: string;
  subjectId: string;
  /** When it may run; `now` for at once. */
  dueAt: number;
}

/**
 * Writes durable work in the caller's transaction, so it exists if and only if the change
 * that causes it commits, and wakes the job workers once it does.
 */
export async function enqueueJobs(tx: Transaction, jobs: NewJob[], now: number): Promise<void> {
  if (jobs.length === 0) return;
  await tx.db
    .insertInto('jobs')
    .values(
      jobs.map((job) => ({
        id: job.id,
        org_id: job.orgId,
        kind: job.kind,
        subject_id: job.subjectId,
        state: 'pending' as const,
        due_at: job.dueAt,
        attempts: 0,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  for (const orgId of new Set(jobs.map((job) => job.orgId ?? ''))) tx.publish({ type: 'jobs.ready', orgId });
}
