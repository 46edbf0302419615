/**
 * A consistent online copy of the embedded database, taken while the server keeps running:
 * `VACUUM INTO` reads one snapshot (a read transaction, so writers carry on under WAL) and writes
 * a compact, self-contained file, which is then checked with `PRAGMA integrity_check`.
 * Copying the .db file with cp while the server runs is NOT a backup (it can miss the -wal file
 * or catch a page mid-write). See docs/deploy.md for the schedule, and `npm run restore`.
 *
 *   npm run backup                      (to data/backups/shuangfu-<time>.db)
 *   DATABASE_URL=file:/srv/shuangfu/data/shuangfu.db npm run backup -- /srv/backups/x.db
 *
 * The copy is written as `<target>.partial` and renamed only once it has passed its checks, so
 * a file with the target's name is always a whole, checked backup. Exit codes: 0 done, 1 the
 * copy failed its checks, 2 bad usage (remote URL, missing database, target exists).
 */
import { createClient } from "@libsql/client";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { databaseFileOf, fileTimestamp, inspectDatabaseFile } from "./db-file";

const url = process.env.DATABASE_URL ?? "file:data/shuangfu.db";
const target = resolve(process.argv[2] ?? `data/backups/shuangfu-${fileTimestamp()}.db`);
const partial = `${target}.partial`;

function refuse(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

const sourceFile = databaseFileOf(url);
if (!sourceFile) refuse("npm run backup copies an embedded file database; Turso and D1 have their own (docs/deploy.md).");
// Opening a missing file would create an empty database and "back it up": a wrong DATABASE_URL
// must fail loudly instead.
if (!existsSync(sourceFile)) refuse(`${sourceFile} does not exist; check DATABASE_URL.`);
if (existsSync(target)) refuse(`${target} exists already; a backup never overwrites.`);
mkdirSync(dirname(target), { recursive: true });
rmSync(partial, { force: true });

// busy timeout on every pooled connection: VACUUM INTO waits for a checkpoint or a schema
// change in progress instead of failing at once.
const source = createClient({ url: `file:${sourceFile}`, timeout: 10_000 });
const started = performance.now();
try {
  await source.execute({ sql: "VACUUM INTO ?", args: [partial] });
} catch (err) {
  rmSync(partial, { force: true });
  refuse(`VACUUM INTO failed: ${(err as Error).message}`, 1);
} finally {
  source.close();
}
const copyMs = Math.round(performance.now() - started);

const report = await inspectDatabaseFile(partial);
if (report.integrity !== "ok" || report.migrations === null) {
  rmSync(partial, { force: true });
  refuse(`The copy failed its check (integrity: ${report.integrity}, migrations: ${report.migrations}); nothing was kept.`, 1);
}
renameSync(partial, target);
console.log(
  `Backed up ${sourceFile} to ${target} in ${copyMs} ms (integrity ok, ${report.migrations} migrations, ` +
    `${report.households} households, ${report.transfers} transfers).`,
);
