import { DomainError, ERROR_CODES, type ErrorCode } from '../domain/errors.js';
import type { Db } from './database.js';

/**
 * A second writer (`Db.openSecondWriter`): a connection of its own, on a thread of its own,
 * that runs the writes of a module it is given by URL. The database module owns the thread,
 * the connection and the turn-taking with the main connection; the module it runs (an
 * "entry", such as src/services/inbound/store-batch-thread.ts) owns what is written, so this
 * module never imports the layers above it.
 */
export interface SecondWriter<In, Out> {
  /**
   * Runs one write on the second connection and answers once its commit is on disk, with
   * the changes it made published on the main handle. `committed` is called as soon as it
   * has committed, before that: the next write may start then. Rejects with
   * `SecondWriterStopped` once the thread is gone (the write may or may not have committed),
   * and with the write's own error, a `DomainError` still a `DomainError`, when it failed.
   */
  write(input: In, committed?: () => void): Promise<Out>;
  /** Writes the thread has committed. */
  readonly writesCommitted: number;
  /** Lets the write in flight finish, then ends the thread. */
  close(): Promise<void>;
  /** Ends the thread as a crash would (for the tests that prove nothing is lost then). */
  crash(): Promise<void>;
}

/**
 * What an entry module exports as `openWriter`: given the second connection and the data the
 * writer was opened with, the function that runs one write (in a transaction of its own).
 */
export type OpenWriter<In, Out> = (db: Db, data: unknown) => (input: In) => Promise<Out>;

export class SecondWriterStopped extends Error {}

/**
 * The module `name` beside the module at `moduleUrl`, with the same extension: the `.js`
 * file of a compiled build, the `.ts` source when running from sources.
 */
export function moduleBeside(moduleUrl: string, name: string): URL {
  const extension = /\.[cm]?[jt]s$/.exec(new URL(moduleUrl).pathname)?.[0] ?? '.js';
  return new URL(`./${name}${extension}`, moduleUrl);
}

/** An error as it crosses between threads: a domain error keeps its code and details. */
export interface CodedError {
  code?: string;
  message: string;
  details?: Record<string, unknown>;
}

export function toCodedError(error: unknown): CodedError {
  if (error instanceof DomainError) return { code: error.code, message: error.message, details: error.details };
  return { message: error instanceof Error ? error.message : String(error) };
}

export function fromCodedError(coded: CodedError): Error {
  const { code } = coded;
  if (code !== undefined && (ERROR_CODES as readonly string[]).includes(code)) {
    return new DomainError(code as ErrorCode, coded.message, coded.details);
  }
  return new Error(coded.message);
}
