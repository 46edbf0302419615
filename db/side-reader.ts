/**
 * Reads on a second connection to the embedded file, run off the main thread by the `libsql`
 * package's promise API. The app's own client (db/node-client.ts) is synchronous: a long read
 * holds the event loop and one core. Reads on this connection run beside it, on the second core:
 * two scans of two million postings took 273 ms side by side against 605 ms one after the other.
 *
 * For plain SELECTs over rows that no longer change, because this connection reads its own
 * snapshot: the full ledger pass's verified ranges, whose ids are bounded beforehand
 * (api/domain/ledger-check.ts). Node only.
 */
import Database from "libsql/promise";
import { embeddedPath } from "./node-client";
import type { Row } from "./sql";

export interface SideReader {
  /**
   * Starts every query at once and answers their rows, in order. The queries are under way
   * when this returns: the caller may block its thread meanwhile (a synchronous batch), and they
   * go on.
   */
  start(queries: Array<{ sql: string; params: unknown[] }>): Promise<() => Promise<Row[][]>>;
  close(): void;
}

export function openSideReader(path: string): SideReader {
  const db = new Database(path, { timeout: 10 });
  return {
    async start(queries) {
      for (const q of queries) {
        if (!/^\s*select\b/i.test(q.sql)) throw new Error("assertion failed: the side reader only reads");
      }
      const statements = await Promise.all(queries.map((q) => db.prepare(q.sql)));
      // Each `all` hands its statement to the driver's threads before it first awaits.
      const running = statements.map((s, i) => s.all(queries[i]!.params) as Promise<Row[]>);
      const all = Promise.all(running);
      all.catch(() => undefined); // read by the caller once its own work is done
      return () => all;
    },
    close: () => db.close(),
  };
}

/** A side reader for an embedded file's URL; none for Turso or `:memory:` (no second connection to the same data). */
export function sideReaderFor(url: string): SideReader | null {
  if (!url.startsWith("file:") || url.includes(":memory:")) return null;
  return openSideReader(embeddedPath(url));
}
