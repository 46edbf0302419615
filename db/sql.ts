/** Helpers for raw SQL (`sql\`…\``): reading result rows the same way on libSQL and D1, and LIKE patterns. */

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
