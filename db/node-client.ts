/**
 * The embedded database's client on Node (issue 16): a `Client` of `@libsql/client`'s interface
 * over the `libsql` package's own `Database`, which the stock client also uses underneath, with
 * two things the stock client does not do:
 *
 * - **Statements prepared once.** The stock client prepares every statement again on every call
 *   (and asks it for its columns twice); drizzle sends the same SQL text for the same query, so
 *   each distinct text is prepared once and kept (`statementCacheSize`, least recently used
 *   dropped first). SQLite re-prepares a kept statement by itself when the schema changes.
 * - **Group commit.** Batches that arrive together (in the same turn of the event loop, as the
 *   requests of several counters do) share one transaction and so one COMMIT and one fsync. Each
 *   batch runs inside its own SAVEPOINT: a batch that fails (a guard, a repeated key) is rolled
 *   back to its savepoint alone and rejected, the others go on. Each batch's promise settles only
 *   after the shared COMMIT, so nothing is answered before it is durable. Should SQLite end the
 *   whole transaction (an I/O error, a full disk) or the COMMIT fail, nothing of the group was
 *   written, and every batch in it is run again on its own.
 *
 * Everything else keeps the stock client's behaviour: one connection (PRAGMAs are per
 * connection), integers as JavaScript numbers (an unsafe one is a RangeError), errors as
 * `LibsqlError` / `LibsqlBatchError` with SQLite's message, rows with named and indexed columns.
 * The worker and Turso keep `@libsql/client` (db/client.ts wraps either).
 */
import Database from "libsql";
import { LibsqlBatchError, LibsqlError, type Client, type InArgs, type InStatement, type InValue, type ResultSet, type Transaction, type TransactionMode } from "@libsql/client";

/** Distinct SQL texts kept prepared: the app's queries number a few hundred. */
export const statementCacheSize = 2_000;

interface Prepared {
  stmt: Database.Statement;
  reader: boolean;
  columns: string[];
  columnTypes: string[];
  /** Rows of this statement: named columns are own enumerable properties, indexed ones read through the prototype. */
  makeRow: (values: unknown[]) => Record<string, unknown>;
}

const VALUES = Symbol("values");

/** A row as the stock client gives it: `row.name` (first column of that name) and `row[i]`, `row.length`. */
function rowMaker(columns: string[]): (values: unknown[]) => Record<string, unknown> {
  const proto: Record<PropertyKey, unknown> = {};
  Object.defineProperty(proto, "length", { get(this: { [VALUES]: unknown[] }) { return this[VALUES].length; } });
  columns.forEach((_, i) => Object.defineProperty(proto, i, { get(this: { [VALUES]: unknown[] }) { return this[VALUES][i]; } }));
  const firstIndex = new Map<string, number>();
  columns.forEach((name, i) => { if (!firstIndex.has(name)) firstIndex.set(name, i); });
  const named = [...firstIndex];
  return (values) => {
    const row = Object.create(proto) as Record<PropertyKey, unknown>;
    Object.defineProperty(row, VALUES, { value: values });
    for (const [name, i] of named) row[name] = values[i];
    return row as Record<string, unknown>;
  };
}

const minSafe = BigInt(Number.MIN_SAFE_INTEGER);
const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

function valueFromSql(value: unknown): unknown {
  if (typeof value === "bigint") {
    if (value < minSafe || value > maxSafe) throw new RangeError("Received integer which cannot be safely represented as a JavaScript number");
    return Number(value);
  }
  if (value instanceof Buffer) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  return value;
}

function valueToSql(value: InValue): unknown {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError("Only finite numbers (not Infinity or NaN) can be passed as arguments");
    return value;
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError("undefined cannot be passed as argument to the database");
  return value;
}

function argsToSql(args: InArgs | undefined): unknown[] | Record<string, unknown> {
  if (!args) return [];
  if (Array.isArray(args)) return args.map(valueToSql);
  const named: Record<string, unknown> = {};
  for (const key in args) named[/^[@$:]/.test(key) ? key.slice(1) : key] = valueToSql(args[key] as InValue);
  return named;
}

const sqliteCodes: Record<number, string> = {
  1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT", 5: "SQLITE_BUSY", 6: "SQLITE_LOCKED",
  7: "SQLITE_NOMEM", 8: "SQLITE_READONLY", 9: "SQLITE_INTERRUPT", 10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT",
  12: "SQLITE_NOTFOUND", 13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN", 15: "SQLITE_PROTOCOL", 16: "SQLITE_EMPTY",
  17: "SQLITE_SCHEMA", 18: "SQLITE_TOOBIG", 19: "SQLITE_CONSTRAINT", 20: "SQLITE_MISMATCH", 21: "SQLITE_MISUSE",
  22: "SQLITE_NOLFS", 23: "SQLITE_AUTH", 24: "SQLITE_FORMAT", 25: "SQLITE_RANGE", 26: "SQLITE_NOTADB",
};

function mapError(e: unknown): unknown {
  if (e instanceof Database.SqliteError) {
    const raw = (e as { rawCode?: number }).rawCode;
    const code = raw === undefined ? "SQLITE_UNKNOWN" : (sqliteCodes[raw & 0xff] ?? `SQLITE_UNKNOWN_${raw & 0xff}`);
    return new LibsqlError(e.message, code, e.code, raw, e);
  }
  return e;
}

function batchError(e: unknown, index: number): unknown {
  const mapped = mapError(e);
  if (mapped instanceof LibsqlBatchError) return mapped;
  if (mapped instanceof LibsqlError) return new LibsqlBatchError(mapped.message, index, mapped.code, mapped.extendedCode, mapped.rawCode, mapped.cause instanceof Error ? mapped.cause : undefined);
  return mapped;
}

function resultSet(columns: string[], columnTypes: string[], rows: Record<string, unknown>[], rowsAffected: number, lastInsertRowid: bigint | undefined): ResultSet {
  return {
    columns,
    columnTypes,
    rows: rows as unknown as ResultSet["rows"],
    rowsAffected,
    lastInsertRowid,
    toJSON() {
      return { columns, columnTypes, rows: rows.map((r) => Array.prototype.slice.call(r)), rowsAffected, lastInsertRowid: lastInsertRowid === undefined ? null : String(lastInsertRowid) };
    },
  };
}

/** A statement that can only read: a plain SELECT (a WITH … may end in a write, so it is not one). */
const selectOnly = /^\s*select\b/i;

const begin: Record<TransactionMode, string> = { write: "BEGIN IMMEDIATE", read: "BEGIN TRANSACTION READONLY", deferred: "BEGIN DEFERRED" };

interface Pending {
  stmts: InStatement[];
  resolve: (results: ResultSet[]) => void;
  reject: (err: unknown) => void;
}

export class NodeClient implements Client {
  readonly protocol = "file";
  closed = false;
  #db: Database.Database;
  readonly #path: string;
  readonly #timeout: number;
  #cache = new Map<string, Prepared>();
  #pending: Pending[] = [];
  #flushScheduled = false;
  /** Groups committed, batches in them, and groups rerun batch by batch (tests/node-client.test.ts reads them). */
  readonly stats = { groups: 0, batches: 0, reruns: 0 };

  constructor(path: string, options: { timeout?: number } = {}) {
    this.#path = path;
    this.#timeout = options.timeout ?? 0;
    this.#db = new Database(path, { timeout: this.#timeout });
  }

  /** How many distinct statements are kept prepared. */
  get preparedStatements(): number {
    return this.#cache.size;
  }

  /** Opens the file again after `close()` (PRAGMAs must be set again by the caller). */
  reconnect(): void {
    if (!this.closed) return;
    this.#db = new Database(this.#path, { timeout: this.#timeout });
    this.closed = false;
  }

  #prepare(sqlText: string): Prepared {
    const kept = this.#cache.get(sqlText);
    if (kept) {
      // Least recently used goes first: a hit moves to the end.
      this.#cache.delete(sqlText);
      this.#cache.set(sqlText, kept);
      return kept;
    }
    const stmt = this.#db.prepare(sqlText);
    stmt.safeIntegers(true);
    const reader = stmt.reader;
    let columns: string[] = [];
    let columnTypes: string[] = [];
    if (reader) {
      stmt.raw(true);
      const defs = stmt.columns();
      columns = defs.map((c) => c.name);
      columnTypes = defs.map((c) => c.type ?? "");
    }
    const prepared: Prepared = { stmt, reader, columns, columnTypes, makeRow: rowMaker(columns) };
    this.#cache.set(sqlText, prepared);
    if (this.#cache.size > statementCacheSize) this.#cache.delete(this.#cache.keys().next().value as string);
    return prepared;
  }

  /** A statement of a batch: never outside the batch's transaction (a statement may have ended it). */
  #runInBatch(stmt: InStatement, index: number): ResultSet {
    if (!this.#db.inTransaction) throw new LibsqlBatchError("The transaction has been rolled back", index, "TRANSACTION_CLOSED");
    try {
      return this.#run(stmt);
    } catch (e) {
      throw batchError(e, index);
    }
  }

  #run(stmt: InStatement | string): ResultSet {
    const sqlText = typeof stmt === "string" ? stmt : stmt.sql;
    const args = typeof stmt === "string" ? [] : argsToSql(stmt.args);
    try {
      const p = this.#prepare(sqlText);
      if (p.reader) {
        const rows = (p.stmt.all(args) as unknown[][]).map((values) => p.makeRow(values.map(valueFromSql)));
        return resultSet(p.columns, p.columnTypes, rows, 0, undefined);
      }
      const info = p.stmt.run(args);
      return resultSet([], [], [], info.changes, BigInt(info.lastInsertRowid));
    } catch (e) {
      throw mapError(e);
    }
  }

  #checkOpen() {
    if (this.closed) throw new LibsqlError("The client is closed", "CLIENT_CLOSED");
  }

  async execute(stmtOrSql: InStatement | string, args?: InArgs): Promise<ResultSet> {
    this.#checkOpen();
    return this.#run(typeof stmtOrSql === "string" ? { sql: stmtOrSql, args: args ?? [] } : stmtOrSql);
  }

  /** One batch in its own transaction, as the stock client runs it. */
  #runAlone(stmts: InStatement[], mode: TransactionMode): ResultSet[] {
    this.#run(begin[mode]);
    try {
      const results = stmts.map((s, i) => this.#runInBatch(s, i));
      this.#run("COMMIT");
      return results;
    } finally {
      if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
    }
  }

  async batch(stmts: Array<InStatement | [string, InArgs?]>, mode: TransactionMode = "deferred"): Promise<ResultSet[]> {
    this.#checkOpen();
    const normalized = stmts.map((s): InStatement => (Array.isArray(s) ? { sql: s[0], args: s[1] ?? [] } : s));
    // Read-only and write-mode batches keep their own transaction; the app's batches are deferred.
    // A batch of SELECTs only writes nothing and needs no fsync: it runs at once, in its own read
    // transaction (one snapshot), instead of waiting for the next group.
    const readsOnly = normalized.every((s) => selectOnly.test(typeof s === "string" ? s : s.sql));
    // One SELECT is its own snapshot: no BEGIN and COMMIT around it (every request's session read).
    if (readsOnly && normalized.length === 1 && mode !== "write") return [this.#run(normalized[0]!)];
    if (mode !== "deferred" || readsOnly) return this.#runAlone(normalized, mode);
    return new Promise<ResultSet[]>((resolve, reject) => {
      this.#pending.push({ stmts: normalized, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Each batch in its own transaction, in arrival order, each answered with its own outcome. */
  #runEachAlone(group: Pending[]) {
    for (const p of group) {
      this.stats.groups++;
      this.stats.batches++;
      try {
        p.resolve(this.#runAlone(p.stmts, "deferred"));
      } catch (e) {
        p.reject(e);
      }
    }
  }

  /** Commits every batch that arrived since the last flush together (see the module's comment). */
  #flush() {
    this.#flushScheduled = false;
    const group = this.#pending;
    this.#pending = [];
    if (this.closed) {
      for (const p of group) p.reject(new LibsqlError("The client is closed", "CLIENT_CLOSED"));
      return;
    }
    if (group.length === 1) return this.#runEachAlone(group);
    const outcomes: Array<{ ok: true; results: ResultSet[] } | { ok: false; error: unknown }> = [];
    let groupFailed = false;
    try {
      this.#run("BEGIN IMMEDIATE");
      for (const p of group) {
        this.#run("SAVEPOINT batch");
        try {
          const results = p.stmts.map((s, i) => this.#runInBatch(s, i));
          this.#run("RELEASE batch");
          outcomes.push({ ok: true, results });
        } catch (error) {
          if (!this.#db.inTransaction) {
            // SQLite ended the whole transaction: nothing of the group is written.
            groupFailed = true;
            break;
          }
          this.#run("ROLLBACK TO batch");
          this.#run("RELEASE batch");
          outcomes.push({ ok: false, error });
        }
      }
      if (!groupFailed) this.#run("COMMIT");
    } catch {
      groupFailed = true;
    } finally {
      if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
    }
    if (groupFailed) {
      // Nothing was committed: each batch on its own, in the order it came.
      this.stats.reruns++;
      return this.#runEachAlone(group);
    }
    this.stats.groups++;
    this.stats.batches += group.length;
    group.forEach((p, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) p.resolve(outcome.results);
      else p.reject(outcome.error);
    });
  }

  async migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    this.#checkOpen();
    this.#run("PRAGMA foreign_keys=off");
    try {
      return this.#runAlone(stmts, "deferred");
    } finally {
      this.#run("PRAGMA foreign_keys=on");
    }
  }

  async executeMultiple(sqlText: string): Promise<void> {
    this.#checkOpen();
    try {
      this.#db.exec(sqlText);
    } catch (e) {
      throw mapError(e);
    }
  }

  async transaction(_mode?: TransactionMode): Promise<Transaction> {
    // The app never holds a transaction open across an await (D1 has none): batches only.
    throw new LibsqlError("Interactive transactions are not supported by this client; use batch()", "TRANSACTION_UNSUPPORTED");
  }

  async sync(): Promise<undefined> {
    return undefined;
  }

  close(): void {
    if (this.closed) return;
    // Batches still waiting for their group are run before the connection goes.
    if (this.#pending.length > 0) this.#flush();
    this.closed = true;
    this.#cache.clear();
    this.#db.close();
  }
}

/** The file path of a `file:` URL (`file:data/x.db`, `file:/abs/x.db`, `file:///abs/x.db`); `:memory:` as is. */
export function embeddedPath(url: string): string {
  const rest = url.startsWith("file:") ? url.slice("file:".length) : url;
  const path = rest.startsWith("///") ? rest.slice(2) : rest;
  if (path.includes("?")) throw new Error(`the embedded database URL takes no options: ${url}`);
  return path;
}

/** Opens an embedded file (or `:memory:`) with the prepared-statement cache and group commit. */
export function createNodeClient(path: string, options: { timeout?: number } = {}): NodeClient {
  return new NodeClient(path, options);
}
