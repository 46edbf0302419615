/**
 * Database handles. The app only ever sees `Db`: drizzle over libSQL (embedded file, memory or
 * Turso) or over Cloudflare D1. Both run `db.batch([...])` as one transaction, which is all the
 * money path needs (no interactive transactions: D1 has none).
 */
import type { Client } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema";

export type Db = LibSQLDatabase<typeof schema>;
export { schema };

/** Wraps an open libSQL client (from `@libsql/client` or `@libsql/client/web`). */
export function dbFromLibsql(client: Client): Db {
  return drizzle(client, { schema });
}
