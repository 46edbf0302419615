/**
 * A consistent online copy of the embedded database, taken while the server keeps running:
 * `VACUUM INTO` reads one snapshot (a read transaction, so writers carry on under WAL) and writes
 * a compact, self-contained file, which is then checked with `PRAGMA integrity_check`.
 * Copying the .db file with cp while the server runs is NOT a backup (it can miss the -wal file
 * or catch a page mid-write). See docs/deploy.md for the schedule and for restoring.
 *
 *   npm run db:backup                      (to data/backups/shuangfu-<time>.db)
 *   DATABASE_URL=file:/srv/shuangfu/data/shuangfu.db npm run db:backup -- /srv/backups/x.db
 */
import { createClient } from "@libsql/client";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

const url = process.env.DATABASE_URL ?? "file:data/shuangfu.db";
const target = resolve(process.argv[2] ?? `data/backups/shuangfu-${new Date().toISOString().replace(/[:.]/g, "-")}.db`);
if (!url.startsWith("file:")) {
  console.error("db:backup copies an embedded file database; Turso and D1 have their own (docs/deploy.md).");
  process.exit(2);
}
if (existsSync(target)) {
  console.error(`${target} exists already; VACUUM INTO never overwrites.`);
  process.exit(2);
}
mkdirSync(dirname(target), { recursive: true });

const source = createClient({ url });
await source.execute("PRAGMA busy_timeout = 10000");
await source.execute({ sql: "VACUUM INTO ?", args: [target] });
source.close();

const copy = createClient({ url: `file:${target}` });
const check = await copy.execute("PRAGMA integrity_check");
const migrations = await copy.execute("SELECT COUNT(*) AS n FROM __drizzle_migrations");
copy.close();
const verdict = String(check.rows[0]?.[0]);
if (verdict !== "ok") {
  console.error(`Backup ${target} failed its integrity check: ${verdict}`);
  process.exit(1);
}
console.log(`Backed up ${url} to ${target} (integrity ok, ${migrations.rows[0]?.n} migrations).`);
