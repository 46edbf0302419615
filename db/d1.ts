/**
 * Cloudflare D1 as a `Db`: drizzle-orm/d1 with the same schema, adjusted in two places so the
 * app's code runs on it unchanged (the worker is the only user; nothing here touches Node).
 *
 * 1. `db.batch([db.run(sql`…`), …])` — raw SQL in a batch, which every money write uses — throws
 *    "Cannot read properties of undefined (reading 'bind')" in drizzle-orm/d1 (open bug
 *    https://github.com/drizzle-team/drizzle-orm/issues/2277): a raw query has no prepared D1
 *    statement. Our batch prepares one for it, and still sends the whole list as ONE
 *    `D1Database.batch()` call, which D1 runs as one transaction.
 * 2. libSQL's `run()` answers `{rows, …}`, D1's `{results, …}`. D1's answers get `rows` too,
 *    so code that reads `db.run(...)` results (`rowsOf` in db/sql.ts) sees the same shape on both.
 */
import { drizzle } from "drizzle-orm/d1";
import type { Db } from "./client";
import * as schema from "./schema";

/** The part of the D1 binding this module uses (types stay local; see api/worker.ts). */
export interface D1Binding {
  prepare(query: string): D1Statement;
  batch(statements: D1Statement[]): Promise<unknown[]>;
}
interface D1Statement {
  bind(...values: unknown[]): D1Statement;
}

/** drizzle's internal shapes, as far as this adapter relies on them (drizzle-orm 0.45). */
interface BatchQuery {
  _prepare(): PreparedQuery;
}
interface PreparedQuery {
  stmt?: D1Statement;
  getQuery(): { sql: string; params: unknown[] };
  mapResult(result: unknown, isFromBatch: boolean): unknown;
}
interface D1Session {
  batch(queries: BatchQuery[]): Promise<unknown[]>;
  run(query: unknown): Promise<unknown>;
}

/** Adds libSQL's `rows` to a D1 result (leaves anything else alone). */
export function withLibsqlShape(result: unknown): unknown {
  if (!result || typeof result !== "object" || !("results" in result)) return result;
  const r = result as { results?: unknown[] };
  return Object.assign(r, { rows: r.results ?? [] });
}

/** Wraps a D1 binding. */
export function dbFromD1(binding: D1Binding): Db {
  const db = drizzle(binding as never, { schema });
  const session = (db as unknown as { session: D1Session }).session;

  const run = session.run.bind(session);
  session.run = async (query) => withLibsqlShape(await run(query));

  session.batch = async (queries) => {
    const prepared = queries.map((query) => query._prepare());
    const statements = prepared.map((p) => {
      const { sql, params } = p.getQuery();
      return (p.stmt ?? binding.prepare(sql)).bind(...params);
    });
    const results = await binding.batch(statements);
    return results.map((result, i) => prepared[i].mapResult(withLibsqlShape(result), true));
  };

  // Both drivers extend drizzle's async SQLite database; the app only uses what they share.
  return db as unknown as Db;
}
