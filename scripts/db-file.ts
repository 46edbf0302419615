/**
 * What `npm run backup`, `npm run restore` and the server's start share: where an embedded
 * database's file is, the lock a restore holds on it, and the checks a copy of it must pass
 * before anyone relies on it.
 */
import { createClient } from "@libsql/client";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { resolve } from "node:path";

/** The file behind a `file:` libSQL URL (absolute), or null for `:memory:` and remote URLs. */
export function databaseFileOf(url: string): string | null {
  if (!url.startsWith("file:") || url.includes(":memory:")) return null;
  const path = url.slice("file:".length).replace(/\?.*$/, "");
  // file:///srv/x.db and file:/srv/x.db are both /srv/x.db; file:data/x.db is relative.
  return resolve(path.startsWith("//") ? path.replace(/^\/+/, "/") : path);
}

/** The lock `npm run restore` holds while it checks and swaps the database file. */
export function restoreLockOf(databaseFile: string): string {
  return `${databaseFile}.restore-lock`;
}

/**
 * Takes the restore lock: creates the lock file exclusively (O_EXCL, so of two processes only
 * one can), recording who holds it. Answers how to release it, or null when it is already held.
 */
export function takeRestoreLock(databaseFile: string): (() => void) | null {
  const lock = restoreLockOf(databaseFile);
  let fd: number;
  try {
    fd = openSync(lock, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return null;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`);
  } finally {
    closeSync(fd);
  }
  return () => rmSync(lock, { force: true });
}

/**
 * Why nothing may open the database now (a restore holds its lock), naming the lock file, or
 * null. The server asks this before it opens the database and again once it has it open.
 */
export function restoreInProgress(databaseFile: string): string | null {
  const lock = restoreLockOf(databaseFile);
  if (!existsSync(lock)) return null;
  let holder = "";
  try {
    const { pid, since } = JSON.parse(readFileSync(lock, "utf8")) as { pid?: number; since?: string };
    holder = ` (process ${pid}, since ${since})`;
  } catch {
    /* unreadable: the message below still names the file */
  }
  return (
    `${lock} exists: \`npm run restore\` is replacing ${databaseFile}${holder}. ` +
    `Start the server once the restore has finished; if no restore is running (one was killed), delete ${lock}.`
  );
}

/** A timestamp that is safe in a file name: 2026-11-24T06-31-36-000Z. */
export function fileTimestamp(at = new Date()): string {
  return at.toISOString().replace(/[:.]/g, "-");
}

export interface CopyReport {
  /** `PRAGMA integrity_check`'s verdict: "ok" or the first problem it found. */
  integrity: string;
  /** Rows in `__drizzle_migrations` (null when the file is not a Shuangfu database). */
  migrations: number | null;
  households: number | null;
  transfers: number | null;
}

/**
 * Opens a database file and checks it: SQLite's own integrity check, and whether it holds the
 * app's tables. It only reads (`query_only`). Never throws for a damaged file; the verdict says
 * what is wrong. The file must exist: opening a missing one would create it.
 */
export async function inspectDatabaseFile(path: string): Promise<CopyReport> {
  let client;
  try {
    client = createClient({ url: `file:${path}` });
  } catch (err) {
    return { integrity: `cannot open: ${(err as Error).message}`, migrations: null, households: null, transfers: null };
  }
  try {
    await client.execute("PRAGMA query_only = 1");
    const check = await client.execute("PRAGMA integrity_check");
    const integrity = check.rows.map((r) => String(r[0])).join("; ");
    const count = async (table: string) => {
      const exists = await client.execute({ sql: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", args: [table] });
      if (exists.rows.length === 0) return null;
      return Number((await client.execute(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]?.n ?? 0);
    };
    return { integrity, migrations: await count("__drizzle_migrations"), households: await count("households"), transfers: await count("transfers") };
  } catch (err) {
    return { integrity: `cannot read: ${(err as Error).message}`, migrations: null, households: null, transfers: null };
  } finally {
    client.close();
  }
}
