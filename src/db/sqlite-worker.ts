import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';

/**
 * SQLite on its own thread: a Kysely dialect whose one connection lives in a worker.
 *
 * better-sqlite3 runs every statement — and the WAL write of every commit — on the thread
 * that calls it. On the event loop that was about 40% of the server's time under ingest
 * load (docs/benchmarks.md), time in which no HTTP request could be parsed or answered. Here
 * the event loop only compiles queries and posts them; statements run in the worker, on the
 * other core, while the event loop serves requests. Kysely still sees one connection used by
 * one caller at a time, exactly as with its own SQLite driver, so transactions (and the
 * group commit built on them) keep their meaning.
 */
export interface SqliteWorkerOptions {
  path: string;
  /** Run in order on the worker's connection before any query. */
  pragmas: string[];
}

interface Reply {
  id: number;
  rows?: unknown[];
  changes?: number;
  lastInsertRowid?: number | bigint;
  error?: { message: string; code?: string };
}

// Plain CommonJS, so the worker needs no TypeScript loader (it also runs under Vitest).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
for (const pragma of workerData.pragmas) db.pragma(pragma);
// Preparing costs more than running most of our statements: keep them by SQL text.
const statements = new Map();
function prepare(source) {
  let statement = statements.get(source);
  if (!statement) {
    if (statements.size >= 500) statements.clear();
    statement = db.prepare(source);
    statements.set(source, statement);
  }
  return statement;
}
parentPort.on('message', (request) => {
  if (request.close) {
    db.close();
    parentPort.close();
    return;
  }
  const { id, sql, parameters } = request;
  try {
    const statement = prepare(sql);
    if (statement.reader) {
      parentPort.postMessage({ id, rows: statement.all(parameters) });
    } else {
      const { changes, lastInsertRowid } = statement.run(parameters);
      parentPort.postMessage({ id, changes, lastInsertRowid });
    }
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String((error && error.message) || error), code: error && error.code } });
  }
});
parentPort.postMessage({ id: 0 });
`;

/** An error raised by SQLite in the worker, with SQLite's code (`SQLITE_CONSTRAINT_UNIQUE`, …). */
export class SqliteWorkerError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'SqliteError';
  }
}

export function sqliteWorkerDialect(options: SqliteWorkerOptions): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new SqliteWorkerDriver(options),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}

class SqliteWorkerDriver implements Driver {
  readonly #options: SqliteWorkerOptions;
  #connection: SqliteWorkerConnection | null = null;
  // One connection, one user at a time, as in Kysely's own SQLite driver.
  #locked: Promise<void> | null = null;
  #unlock: (() => void) | null = null;

  constructor(options: SqliteWorkerOptions) {
    this.#options = options;
  }

  async init(): Promise<void> {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path: this.#options.path, pragmas: this.#options.pragmas, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    this.#connection = new SqliteWorkerConnection(worker);
    await this.#connection.ready;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    while (this.#locked) await this.#locked;
    this.#locked = new Promise((resolve) => (this.#unlock = resolve));
    return this.#connection!;
  }

  async releaseConnection(): Promise<void> {
    const unlock = this.#unlock;
    this.#locked = null;
    this.#unlock = null;
    unlock?.();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    await this.#connection?.close();
    this.#connection = null;
  }
}

export class SqliteWorkerConnection implements DatabaseConnection {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void }>();
  #nextId = 1;
  #failure: Error | null = null;
  readonly ready: Promise<void>;

  constructor(worker: Worker) {
    this.#worker = worker;
    this.ready = new Promise((resolve, reject) => this.#pending.set(0, { resolve: () => resolve(), reject }));
    worker.on('message', (reply: Reply) => {
      const waiting = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      waiting?.resolve(reply);
    });
    // A worker that dies takes its statements with it: fail them, and everything after.
    const fail = (error: Error) => {
      this.#failure ??= error;
      for (const waiting of this.#pending.values()) waiting.reject(this.#failure);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('The SQLite worker has stopped')));
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const reply = await this.#request({ sql: compiledQuery.sql, parameters: compiledQuery.parameters });
    if (reply.error) throw new SqliteWorkerError(reply.error.message, reply.error.code);
    if (reply.rows) return { rows: reply.rows as R[] };
    return {
      rows: [],
      numAffectedRows: reply.changes === undefined ? undefined : BigInt(reply.changes),
      insertId: reply.lastInsertRowid === undefined ? undefined : BigInt(reply.lastInsertRowid),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported on SQLite here; page with limit and a key instead');
  }

  async close(): Promise<void> {
    if (this.#failure) return;
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    this.#worker.postMessage({ close: true });
    await exited;
  }

  #request(message: { sql: string; parameters: readonly unknown[] }): Promise<Reply> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, ...message });
    });
  }
}
