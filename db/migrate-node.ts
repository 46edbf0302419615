/**
 * Opens the embedded (or remote) libSQL database on Node and applies the committed migrations.
 * Node-only: drizzle's migrator reads the migrations folder from disk. The worker applies the
 * same SQL through `wrangler d1 migrations apply`.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@libsql/client";
import { migrate } from "drizzle-orm/libsql/migrator";
import { dbFromLibsql, type Db } from "./client";
import { createNodeClient, embeddedPath } from "./node-client";

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), "migrations");

export interface OpenedDb {
  db: Db;
  close: () => void;
}

/**
 * The embedded file's pragmas, per connection: the server's and the bench's raw ceiling's.
 */
export const embeddedPragmas: readonly string[] = [
  "PRAGMA journal_mode = WAL",
  "PRAGMA synchronous = FULL",
  // 64 MB of pages kept in the process (SQLite's default is 2 MB): at a million transfers the
  // counter's batch touches each household's own index pages, which a small cache keeps reading
  // back from the file (docs/bench.md).
  "PRAGMA cache_size = -65536",
];

/**
 * Opens `url`, sets the durability pragmas and migrates. WAL keeps readers off the writer's
 * back; synchronous=FULL makes every acknowledged commit survive a crash or power loss.
 */
export async function openDatabase(url: string, authToken?: string): Promise<OpenedDb> {
  if (url.startsWith("file:") && !url.includes(":memory:")) {
    mkdirSync(dirname(resolve(url.slice("file:".length))), { recursive: true });
  }
  const local = url.startsWith("file:") && !url.includes(":memory:");
  // One connection for an embedded file: PRAGMAs are per connection, so a pool would leave
  // later connections without synchronous=FULL. SQLite writes one at a time anyway, and the
  // driver's calls are synchronous, so a second connection would add no throughput. The
  // embedded file gets the Node client that keeps its statements prepared and commits
  // concurrent batches together (db/node-client.ts); Turso keeps the stock client.
  const client = local ? createNodeClient(embeddedPath(url), { timeout: 10_000 }) : createClient({ url, authToken, timeout: 10_000 });
  if (local) for (const pragma of embeddedPragmas) await client.execute(pragma);
  const db = dbFromLibsql(client);
  await migrate(db, { migrationsFolder });
  return { db, close: () => client.close() };
}
