/** Helpers for raw SQL (`sql\`…\``): reading result rows the same way on libSQL and D1, and LIKE patterns. */
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";

/** A row of a raw `db.run`/`db.all` query, column names as SQL spells them. */
export type Row = Record<string, unknown>;

/** The rows of a raw `db.run` result, batched or not: libSQL answers `rows`, D1 `results`. */
export function rowsOf(result: unknown): Row[] {
  const r = result as { rows?: Row[]; results?: Row[] };
  return r.rows ?? r.results ?? [];
}

/** A column read as a number (SQL NULL and a missing column are 0: sums over no rows). */
export const num = (v: unknown): number => Number(v ?? 0);

/** A nullable text column. */
export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Escapes `%`, `_` and `\\` so text matches literally in a LIKE with `ESCAPE '\\'`. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** A value bound to a `?` of a fixed statement. */
export type SqlParam = string | number | bigint | null | Uint8Array;

/** drizzle's batch protocol, as far as a fixed statement answers it (what db/d1.ts relies on too). */
class FixedStatement {
  constructor(private readonly query: { sql: string; params: SqlParam[] }) {}
  _prepare(): this {
    return this;
  }
  getQuery(): { sql: string; params: SqlParam[] } {
    return this.query;
  }
  /** Answers as `db.run(sql`…`)` does in a batch: the driver's result (rows, rowsAffected). */
  mapResult(result: unknown): unknown {
    return result;
  }
}

const fixedTexts = new WeakMap<TemplateStringsArray, string>();

/**
 * A statement of the counter's hot path whose text is fixed at its call site:
 * `fixedSql\`UPDATE goods SET stock = stock - ${n} WHERE id = ${id}\``. Every value is a plain
 * parameter (`?`), never SQL. The text is joined once per call site (JavaScript hands a tag the
 * same strings array each time), where drizzle's sql`…` walks its chunks and checks each one's
 * kind on every call — with its insert builders, a tenth of a redemption's CPU. It goes in
 * `db.batch([...])` beside drizzle's statements, on libSQL and on D1 (db/d1.ts), and answers
 * as `db.run` does there.
 */
export function fixedSql(strings: TemplateStringsArray, ...params: SqlParam[]): BatchItem<"sqlite"> {
  for (const p of params) {
    if (typeof p === "object" && p !== null && !(p instanceof Uint8Array)) throw new Error("assertion failed: fixedSql takes plain values, not SQL");
  }
  let text = fixedTexts.get(strings);
  if (text === undefined) {
    text = strings.join("?");
    fixedTexts.set(strings, text);
  }
  return new FixedStatement({ sql: text, params }) as unknown as BatchItem<"sqlite">;
}

/** The rows of one fixed read, on its own (a batch of one: one round trip, one snapshot). */
export async function readFixed(db: Db, statement: BatchItem<"sqlite">): Promise<Row[]> {
  const [result] = await db.batch([statement]);
  return rowsOf(result);
}

/** The SQL text and parameters of a statement, as drizzle builds them for a batch. */
export function queryOf(statement: BatchItem<"sqlite">): { sql: string; params: unknown[] } {
  return (statement as unknown as { _prepare(): { getQuery(): { sql: string; params: unknown[] } } })._prepare().getQuery();
}
