/**
 * Brings a backup (from `npm run backup`) back as the embedded database at DATABASE_URL.
 *
 *   systemctl stop shuangfu
 *   DATABASE_URL=file:/srv/shuangfu/data/shuangfu.db npm run restore -- /srv/backups/x.db
 *   systemctl start shuangfu
 *
 * Safe by construction, in this order:
 * 0. the script takes the restore lock, `<database>.restore-lock`, created exclusively: a second
 *    restore refuses, and so does a server started meanwhile (`api/node.ts` checks the lock
 *    before it opens the database and again once it has it open). The lock goes when the script
 *    ends, however it ends; one left by a killed restore is deleted by hand (the server says so);
 * 1. the backup must open and pass `PRAGMA integrity_check`, and hold the app's tables;
 * 2. the backup is copied to a temporary file beside the database (the backup itself is never
 *    written to), the committed migrations are applied to the copy, and the ledger check must
 *    pass for every community (`--force` restores a copy that fails the ledger check, never one
 *    that fails the integrity check); the copy is flushed to disk;
 * 3. the current database must not be open in another process (the server): the script asks
 *    SQLite to take the file out of WAL mode, which only the sole user of a database can do, and
 *    refuses when it cannot. As a side effect the current file absorbs its -wal, so the copy
 *    kept in step 4 is whole on its own;
 * 4. the current database (if any) is renamed to `<name>.before-restore-<time>`, and the
 *    temporary file is renamed into place: a rename is atomic, so the database path never
 *    holds half a file.
 *
 * Stop the server first. A server started while the script runs refuses to start (step 0), so
 * none can open the old file between the check in step 3 and the swap in step 4.
 *
 * Exit codes: 0 restored, 1 the backup failed a check, 2 bad usage or the database is in use.
 */
import { createClient } from "@libsql/client";
import { migrate } from "drizzle-orm/libsql/migrator";
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { systemClock } from "../api/domain/clock";
import { checkLedgerFull } from "../api/domain/ledger-check";
import { openSideReader } from "../db/side-reader";
import { dbFromLibsql } from "../db/client";
import { migrationsFolder } from "../db/migrate-node";
import { databaseFileOf, fileTimestamp, inspectDatabaseFile, restoreLockOf, takeRestoreLock } from "./db-file";

const args = process.argv.slice(2);
const force = args.includes("--force");
const positional = args.filter((a) => !a.startsWith("--"));
const url = process.env.DATABASE_URL ?? "file:data/shuangfu.db";

function refuse(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

if (positional.length !== 1) refuse("Usage: npm run restore -- <backup-file> [--force]   (restores into DATABASE_URL's file)");
const backupFile = resolve(positional[0]);
const targetFile = databaseFileOf(url);
if (!targetFile) refuse("npm run restore restores an embedded file database; Turso and D1 restore their own (docs/deploy.md).");
if (!existsSync(backupFile)) refuse(`${backupFile} does not exist.`);
if (backupFile === targetFile) refuse("The backup and DATABASE_URL are the same file.");

// 0. The restore lock, held until the script exits (process.exit included).
mkdirSync(dirname(targetFile), { recursive: true });
const releaseLock = takeRestoreLock(targetFile);
if (!releaseLock) {
  refuse(`${restoreLockOf(targetFile)} exists: another restore is running (if none is, one was killed: delete the file); nothing was changed.`);
}
process.on("exit", releaseLock);

// 1. The backup opens and is whole.
const backup = await inspectDatabaseFile(backupFile);
if (backup.integrity !== "ok") refuse(`${backupFile} failed its integrity check (${backup.integrity}); nothing was changed.`, 1);
if (backup.migrations === null) refuse(`${backupFile} is not a Shuangfu database (no __drizzle_migrations); nothing was changed.`, 1);

// 2. A migrated, checked copy beside the database (same file system, so the rename is atomic).
const stamp = fileTimestamp();
const temporary = join(dirname(targetFile), `.${basename(targetFile)}.restore-${stamp}.tmp`);
const giveUp = (message: string, code: number): never => {
  rmSync(temporary, { force: true });
  refuse(message, code);
};
copyFileSync(backupFile, temporary);
const restored = await prepare(temporary).catch((err: Error) => giveUp(`The backup could not be migrated: ${err.message}; nothing was changed.`, 1));
const failed = restored.ledgers.filter((l) => !l.ok);
if (failed.length > 0 && !force) {
  const detail = failed.map((l) => `${l.communityId}: ${l.problems.slice(0, 3).join("; ")}`).join(" | ");
  giveUp(`The backup's ledger check fails (${detail}); nothing was changed. Use --force to restore it anyway.`, 1);
}
flush(temporary);

// 3. Nobody else has the current database open.
if (existsSync(targetFile)) {
  const inUse = await inUseBy(targetFile);
  if (inUse) giveUp(inUse, 2);
}

// 4. Keep the old file, move the new one into place.
let kept: string | null = null;
if (existsSync(targetFile)) {
  kept = `${targetFile}.before-restore-${stamp}`;
  renameSync(targetFile, kept);
  for (const suffix of ["-wal", "-shm", "-journal"]) {
    if (existsSync(targetFile + suffix)) renameSync(targetFile + suffix, kept + suffix);
  }
}
renameSync(temporary, targetFile);
flush(dirname(targetFile));

console.log(
  `Restored ${backupFile} into ${targetFile}: ${restored.households} households, ${restored.transfers} transfers, ` +
    `ledger ${failed.length === 0 ? "ok" : "NOT ok (restored with --force)"} for ${restored.ledgers.length} communities.`,
);
if (kept) console.log(`The database it replaced is kept as ${kept}.`);

/**
 * Why the database cannot be replaced now, or null. A connection in WAL mode keeps a shared lock
 * for as long as it is open, so leaving WAL mode (which needs the only connection) fails with
 * SQLITE_BUSY, or answers "wal", while the server runs, even when it is idle.
 */
async function inUseBy(file: string): Promise<string | null> {
  const inUse = `${file} is in use by another process (is the server running?). Stop it first; nothing was changed.`;
  let client;
  try {
    client = createClient({ url: `file:${file}` });
  } catch (err) {
    // A file that does not even open as a database cannot be what a server is serving from.
    console.warn(`The current database does not open (${(err as Error).message}); it will be replaced and kept.`);
    return null;
  }
  try {
    const mode = await client.execute("PRAGMA journal_mode = DELETE");
    return String(mode.rows[0]?.[0]).toLowerCase() === "wal" ? inUse : null;
  } catch (err) {
    const { code, message } = err as Error & { code?: string };
    if (/BUSY|LOCKED/.test(`${code} ${message}`)) return inUse;
    console.warn(`The current database cannot be read (${message}); it will be replaced and kept.`);
    return null;
  } finally {
    client.close();
  }
}

/** Migrates the copy and checks every community's ledger; answers what the copy holds. */
async function prepare(file: string) {
  const client = createClient({ url: `file:${file}` });
  try {
    // A rollback journal, not WAL: everything written here stays inside the one file we rename.
    await client.execute("PRAGMA journal_mode = DELETE");
    const db = dbFromLibsql(client);
    await migrate(db, { migrationsFolder });
    const communities = await client.execute("SELECT id FROM communities ORDER BY id");
    const ledgers = [];
    // The verified ranges are summed on a second connection, beside the pass's other reads.
    const sideReader = openSideReader(file);
    try {
      for (const row of communities.rows) {
        const communityId = String(row.id);
        // The full pass over every entry, which also rebuilds the incremental check's proof.
        ledgers.push({ communityId, ...(await checkLedgerFull(db, systemClock, communityId, { sideReader })) });
      }
    } finally {
      sideReader.close();
    }
    const count = async (table: string) => Number((await client.execute(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]?.n ?? 0);
    return { ledgers, households: await count("households"), transfers: await count("transfers") };
  } finally {
    client.close();
  }
}

/** fsync a file or a directory, so a rename that follows cannot outrun the data. */
function flush(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
