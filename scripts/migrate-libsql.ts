/**
 * Applies the committed migrations (db/migrations) to a libSQL database from a machine with
 * Node: a Turso database before the worker uses it, or an embedded file without starting the
 * server. The worker never migrates (it has no file system); D1 is migrated by
 * `wrangler d1 migrations apply`.
 *
 *   LIBSQL_URL=libsql://shuangfu-<org>.turso.io LIBSQL_AUTH_TOKEN=… npm run db:migrate:libsql
 *   DATABASE_URL=file:data/shuangfu.db npm run db:migrate:libsql
 */
import { openDatabase } from "../db/migrate-node";

const url = process.env.LIBSQL_URL ?? process.env.DATABASE_URL;
const authToken = process.env.LIBSQL_AUTH_TOKEN ?? process.env.DATABASE_AUTH_TOKEN;
if (!url) {
  console.error("Set LIBSQL_URL (and LIBSQL_AUTH_TOKEN) or DATABASE_URL.");
  process.exit(2);
}
const { close } = await openDatabase(url, authToken);
close();
console.log(`Migrations applied to ${url.replace(/\?.*$/, "")}.`);
