/**
 * `npm run backup` and `npm run restore` against the real Node server on an embedded file: the
 * data is made through the HTTP API (points through a real ledger transfer on the same file, as
 * the fixtures do), the scripts run as child processes exactly as an operator runs them, and the
 * round trip is compared table by table, row by row.
 */
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterEach, describe, expect, it } from "vitest";
import { checkLedger } from "../api/domain/ledger";
import { createCommunity } from "../api/domain/community";
import { systemClock } from "../api/domain/clock";
import { dbFromLibsql } from "../db/client";
import { openDatabase } from "../db/migrate-node";
import { takeRestoreLock } from "../scripts/db-file";
import { grantPoints } from "./support/fixtures";
import { startNodeTarget, targetPassword, type NodeTarget } from "../scripts/lib/server-target";

const pin = "1234";
const clerkPassword = "clerk-password-0001";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "shuangfu-backup-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startServer(databaseFile: string): Promise<NodeTarget> {
  const target = await startNodeTarget({}, { databaseFile });
  cleanups.push(() => target.stop());
  return target;
}

interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
  startedAt: number;
  endedAt: number;
}

/** Runs `npm run <script> -- <args>` as an operator would, with DATABASE_URL set. */
function npmRun(script: "backup" | "restore", args: string[], databaseFile: string): Promise<ScriptRun> {
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
      env: { ...process.env, DATABASE_URL: `file:${databaseFile}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr, startedAt, endedAt: Date.now() }));
  });
}

interface Community {
  communityId: string;
  adminToken: string;
  clerkToken: string;
  shopId: string;
  goodsId: string;
  households: Array<{ id: string; qr: string }>;
}

/**
 * A community built through the API: a shop with a clerk and goods, households with members and
 * cards, and points on every household (a real `adjustment` transfer written to the same file).
 */
async function buildCommunity(target: NodeTarget, householdCount: number): Promise<Community> {
  const login = await target.call("POST", "/auth/login", { body: { username: "admin", password: targetPassword } });
  expect(login.status).toBe(200);
  const adminToken = login.body.token as string;
  const communityId = login.body.user.communityId as string;
  const shop = await target.call("POST", "/shops", { token: adminToken, body: { name: "双扶驿站便民超市" } });
  expect(shop.status).toBe(201);
  const clerk = await target.call("POST", "/users", {
    token: adminToken,
    body: { username: "clerk-backup", password: clerkPassword, name: "店员", role: "clerk", shopId: shop.body.id },
  });
  expect(clerk.status).toBe(201);
  const clerkLogin = await target.call("POST", "/auth/login", { body: { username: "clerk-backup", password: clerkPassword } });
  expect(clerkLogin.status).toBe(200);
  const goods = await target.call("POST", "/goods", { token: adminToken, body: { shopId: shop.body.id, name: "洗衣粉", points: 5, stock: 10_000, unit: "袋" } });
  expect(goods.status).toBe(201);

  const opened = await openDatabase(`file:${target.databaseFile}`);
  cleanups.push(() => opened.close());
  const households: Community["households"] = [];
  for (let i = 0; i < householdCount; i++) {
    const created = await target.call("POST", "/households", {
      token: adminToken,
      body: {
        householdNo: `XXL-B${String(i).padStart(3, "0")}`,
        headName: `吴${i}杰`,
        building: `${(i % 3) + 1}号楼`,
        unit: "1单元",
        room: String(101 + i),
        phone: `1380000${String(i).padStart(4, "0")}`,
        members: [{ name: `吴${i}杰`, relation: "户主" }, { name: `胡${i}凤`, relation: "配偶" }],
      },
    });
    expect(created.status).toBe(201);
    const card = await target.call("POST", `/households/${created.body.id}/card`, { token: adminToken, body: { pin } });
    expect(card.status).toBe(201);
    await grantPoints(opened.db, communityId, created.body.id, 1_000);
    households.push({ id: created.body.id, qr: card.body.qr });
  }
  return { communityId, adminToken, clerkToken: clerkLogin.body.token, shopId: shop.body.id, goodsId: goods.body.id, households };
}

function redeem(target: NodeTarget, c: Community, household: { qr: string }, key: string, quantity = 1) {
  return target.call("POST", "/redemptions", {
    token: c.clerkToken,
    headers: { "idempotency-key": key },
    body: { qr: household.qr, items: [{ goodsId: c.goodsId, quantity }] },
  });
}

interface Dump {
  schema: unknown[];
  tables: Record<string, unknown[]>;
}

/** Every schema object and every row of every table, rows in a canonical order (all columns). */
async function dumpDatabase(file: string): Promise<Dump> {
  const client = createClient({ url: `file:${file}` });
  try {
    const schema = (await client.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")).rows.map((r) => ({ ...r }));
    const names = (await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).rows.map((r) => String(r.name));
    const tables: Dump["tables"] = {};
    for (const name of names) {
      const columns = (await client.execute(`PRAGMA table_info("${name}")`)).rows.length;
      const order = Array.from({ length: columns }, (_, i) => i + 1).join(", ");
      tables[name] = (await client.execute(`SELECT * FROM "${name}" ORDER BY ${order}`)).rows.map((r) => ({ ...r }));
    }
    return { schema, tables };
  } finally {
    client.close();
  }
}

async function integrityOf(file: string): Promise<string> {
  const client = createClient({ url: `file:${file}` });
  try {
    return String((await client.execute("PRAGMA integrity_check")).rows[0]?.[0]);
  } finally {
    client.close();
  }
}

async function ledgerOf(file: string, communityId: string) {
  const client = createClient({ url: `file:${file}` });
  try {
    return await checkLedger(dbFromLibsql(client), communityId);
  } finally {
    client.close();
  }
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("npm run backup, then npm run restore", () => {
  it("restores every table row for row as it was when the writes stopped, and the restored server replays old idempotency keys", async () => {
    const dir = tempDir();
    const live = join(dir, "live.db");
    const target = await startServer(live);
    const c = await buildCommunity(target, 6);

    // Redemptions from several counters at once, one replayed key and one void.
    const keys = c.households.map(() => randomUUID());
    const receipts = await Promise.all(c.households.map((h, i) => redeem(target, c, h, keys[i], i + 1)));
    expect(receipts.map((r) => r.status)).toEqual(c.households.map(() => 201));
    const replay = await redeem(target, c, c.households[0], keys[0], 1);
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(receipts[0].body.id);
    const voided = await target.call("POST", `/redemptions/${receipts[1].body.id}/void`, { token: c.adminToken, body: { reason: "店员扫错" } });
    expect(voided.status).toBe(200);

    const backupFile = join(dir, "backups", "shuangfu-backup.db");
    const backup = await npmRun("backup", [backupFile], live);
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/integrity ok/);
    await target.stop();

    const restoredFile = join(dir, "restored", "shuangfu.db");
    const restore = await npmRun("restore", [backupFile], restoredFile);
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/6 households/);

    const original = await dumpDatabase(live);
    const restored = await dumpDatabase(restoredFile);
    // The comparison means something only if the tables that carry money are not empty.
    for (const table of ["households", "members", "cards", "goods", "accounts", "transfers", "postings", "redemptions", "redemption_lines", "redemption_voids", "idempotency_keys", "stock_movements", "audit_log", "sessions", "__drizzle_migrations"]) {
      expect(original.tables[table]?.length, table).toBeGreaterThan(0);
    }
    expect(Object.keys(restored.tables)).toEqual(Object.keys(original.tables));
    // The ledger check's proof (ledger_check_*) is derived: restore runs the full check on the
    // restored copy, which writes the proof afresh; every record table must be as it was.
    const proof = (table: string) => table.startsWith("ledger_check_");
    for (const table of Object.keys(original.tables).filter((name) => !proof(name))) expect(restored.tables[table], table).toEqual(original.tables[table]);
    expect(restored.tables.ledger_check_marks?.length, "the restore's full check left its proof").toBeGreaterThan(0);
    expect(restored.schema).toEqual(original.schema);
    expect((await ledgerOf(restoredFile, c.communityId)).ok).toBe(true);

    // The restored file serves: the ledger check says ok, a key used before the backup replays
    // its first receipt and debits nothing, and a new key redeems.
    const again = await startServer(restoredFile);
    const check = await again.call("GET", "/ledger/check", { token: c.adminToken });
    expect(check.status).toBe(200);
    expect(check.body.ok).toBe(true);
    const replayed = await redeem(again, c, c.households[2], keys[2], 3);
    expect(replayed.status).toBe(201);
    expect(replayed.body).toEqual(receipts[2].body);
    const fresh = await redeem(again, c, c.households[2], randomUUID(), 1);
    expect(fresh.status).toBe(201);
    expect(fresh.body.balanceAfter).toBe(receipts[2].body.balanceAfter - 5);
  }, 120_000);

  it("takes a consistent copy while redemptions are in flight: it opens, passes the integrity check and the ledger check, and holds whole redemptions only", async () => {
    const dir = tempDir();
    const live = join(dir, "live.db");
    const target = await startServer(live);
    const c = await buildCommunity(target, 8);

    const completions: Array<{ at: number; status: number }> = [];
    let stopping = false;
    const writer = async (counter: number) => {
      for (let n = 0; !stopping; n++) {
        const res = await redeem(target, c, c.households[(counter + n) % c.households.length], randomUUID());
        completions.push({ at: Date.now(), status: res.status });
        if (res.status !== 201) throw new Error(`redemption answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
    };
    const writers = Array.from({ length: 6 }, (_, i) => writer(i));
    const waitFor = async (done: () => boolean, what: string) => {
      const until = Date.now() + 30_000;
      while (!done()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    await waitFor(() => completions.length >= 20, "20 redemptions before the backup");
    const backupFile = join(dir, "during.db");
    const backup = await npmRun("backup", [backupFile], live);
    const afterBackup = () => completions.filter((x) => x.at > backup.endedAt).length;
    await waitFor(() => afterBackup() >= 20, "20 redemptions after the backup");
    stopping = true;
    await Promise.all(writers);

    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    // Writes ran before, all through and after the backup's run.
    const before = completions.filter((x) => x.at < backup.startedAt).length;
    const during = completions.filter((x) => x.at >= backup.startedAt && x.at <= backup.endedAt).length;
    expect(before).toBeGreaterThanOrEqual(20);
    expect(during).toBeGreaterThan(0);
    expect(completions.every((x) => x.status === 201)).toBe(true);

    expect(await integrityOf(backupFile)).toBe("ok");
    const ledger = await ledgerOf(backupFile, c.communityId);
    expect(ledger.problems).toEqual([]);
    expect(ledger.ok).toBe(true);

    // The snapshot falls between writes: it has everything finished before the script started,
    // not what came after it, and every redemption in it is whole.
    const client = createClient({ url: `file:${backupFile}` });
    cleanups.push(() => client.close());
    const one = async (query: string) => Number((await client.execute(query)).rows[0]?.[0]);
    const inBackup = await one("SELECT COUNT(*) FROM redemptions");
    expect(inBackup).toBeGreaterThanOrEqual(before);
    expect(inBackup).toBeLessThan(completions.length);
    expect(await one("SELECT COUNT(*) FROM transfers WHERE kind = 'redemption'")).toBe(inBackup);
    expect(await one("SELECT COUNT(*) FROM postings WHERE kind = 'redemption'")).toBe(2 * inBackup);
    expect(await one("SELECT COUNT(*) FROM redemption_lines")).toBe(inBackup);
    expect(await one("SELECT COUNT(*) FROM idempotency_keys WHERE scope = 'redemption'")).toBe(inBackup);
    expect(await one("SELECT 10000 - stock FROM goods")).toBe(inBackup);
    expect(await one("SELECT COALESCE(SUM(points), 0) FROM redemption_days")).toBe(5 * inBackup);

    const live2 = await target.call("GET", "/ledger/check", { token: c.adminToken });
    expect(live2.body.ok).toBe(true);

    // And restore takes it: integrity, migrations and the ledger check all pass on its copy.
    const restoredFile = join(dir, "restored.db");
    const restore = await npmRun("restore", [backupFile], restoredFile);
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/ledger ok for 1 communities/);
    expect((await dumpDatabase(restoredFile)).tables.redemptions).toHaveLength(inBackup);
  }, 120_000);

  it("refuses to restore while the server holds the database open, and afterwards keeps the replaced file as <name>.before-restore-<time>", async () => {
    const dir = tempDir();
    const live = join(dir, "shuangfu.db");
    const target = await startServer(live);
    const login = await target.call("POST", "/auth/login", { body: { username: "admin", password: targetPassword } });
    const token = login.body.token as string;
    const household = (n: string) => ({ householdNo: n, headName: "沈浩然", building: "83号楼", members: [{ name: "沈浩然" }] });
    expect((await target.call("POST", "/households", { token, body: household("XXL-000001") })).status).toBe(201);

    const backupFile = join(dir, "one-household.db");
    expect((await npmRun("backup", [backupFile], live)).code).toBe(0);
    expect((await target.call("POST", "/households", { token, body: household("XXL-000002") })).status).toBe(201);

    const refused = await npmRun("restore", [backupFile], live);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/in use by another process \(is the server running\?\)/);
    // Nothing changed: the server goes on serving both households from the same file.
    const list = await target.call("GET", "/households", { token });
    expect(list.body.items.map((h: { householdNo: string }) => h.householdNo).sort()).toEqual(["XXL-000001", "XXL-000002"]);
    expect(readdirSync(dir).filter((f) => f.includes("before-restore") || f.endsWith(".tmp"))).toEqual([]);

    await target.stop();
    const restored = await npmRun("restore", [backupFile], live);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    const kept = readdirSync(dir).filter((f) => /^shuangfu\.db\.before-restore-\d{4}-\d\d-\d\dT[\d-]+Z$/.test(f));
    expect(kept).toHaveLength(1);
    expect(restored.stdout).toContain(join(dir, kept[0]));
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    const count = async (file: string) => {
      const client = createClient({ url: `file:${file}` });
      try {
        return (await client.execute("SELECT household_no FROM households ORDER BY household_no")).rows.map((r) => String(r.household_no));
      } finally {
        client.close();
      }
    };
    expect(await count(live)).toEqual(["XXL-000001"]);
    expect(await count(join(dir, kept[0]))).toEqual(["XXL-000001", "XXL-000002"]);
    expect(await integrityOf(join(dir, kept[0]))).toBe("ok");
  }, 120_000);

  it("takes a restore lock the server honours: a server started during a restore refuses, naming the lock; so does a second restore; the lock goes when the restore ends", async () => {
    const dir = tempDir();
    const source = join(dir, "source.db");
    const opened = await openDatabase(`file:${source}`);
    cleanups.push(() => opened.close());
    await createCommunity(opened.db, systemClock, { name: "兴贤里社区", code: "XXL", admin: { username: "admin", password: targetPassword, name: "管理员" } });
    const backupFile = join(dir, "good.db");
    expect((await npmRun("backup", [backupFile], source)).code).toBe(0);
    const live = join(dir, "shuangfu.db");
    copyFileSync(backupFile, live);
    const liveHash = sha256(live);
    const lock = `${live}.restore-lock`;

    // While a restore holds the lock (taken here exactly as the script takes it), `npm start`
    // refuses to open the database, and says which file to look at; a second restore refuses too.
    const release = takeRestoreLock(live);
    expect(release).not.toBeNull();
    expect(takeRestoreLock(live), "the lock is exclusive").toBeNull();
    await expect(startNodeTarget({}, { databaseFile: live })).rejects.toThrow(`Refusing to start: ${lock} exists`);
    const second = await npmRun("restore", [backupFile], live);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`${lock} exists: another restore is running`);
    expect(sha256(live)).toBe(liveHash);
    release!();

    // A real restore holds the lock while it runs and removes it when it ends.
    let seen = false;
    const watching = setInterval(() => (seen ||= existsSync(lock)), 5);
    const restored = await npmRun("restore", [backupFile], live);
    clearInterval(watching);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(seen, "the lock existed while the restore ran").toBe(true);
    expect(existsSync(lock)).toBe(false);

    // A restore refused because the server holds the database also leaves no lock behind, and
    // the server, started with no lock present, serves.
    const target = await startServer(live);
    const refused = await npmRun("restore", [backupFile], live);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/in use by another process/);
    expect(existsSync(lock)).toBe(false);
    expect((await target.call("GET", "/health")).status).toBe(200);
  }, 120_000);

  it("refuses a backup that is not a database, is damaged or is not a Shuangfu database, and leaves the current database untouched", async () => {
    const dir = tempDir();
    // A real database to restore over, made without a server.
    const source = join(dir, "source.db");
    const opened = await openDatabase(`file:${source}`);
    cleanups.push(() => opened.close());
    await createCommunity(opened.db, systemClock, { name: "兴贤里社区", code: "XXL", admin: { username: "admin", password: targetPassword, name: "管理员" } });
    const good = join(dir, "good.db");
    expect((await npmRun("backup", [good], source)).code).toBe(0);
    const live = join(dir, "live.db");
    copyFileSync(good, live);
    const liveHash = sha256(live);

    const notDb = join(dir, "notes.db");
    writeFileSync(notDb, "户号,户主姓名\nXXL-1,吴俊杰\n".repeat(500));
    const damaged = join(dir, "damaged.db");
    const bytes = readFileSync(good);
    bytes.fill(0x5a, 4096 * 2, 4096 * 6);
    writeFileSync(damaged, bytes);
    const foreign = join(dir, "foreign.db");
    const other = createClient({ url: `file:${foreign}` });
    await other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
    other.close();

    for (const [file, why] of [
      [notDb, /integrity check/],
      [damaged, /integrity check/],
      [foreign, /not a Shuangfu database/],
    ] as const) {
      const run = await npmRun("restore", [file], live);
      expect(run.code, file).toBe(1);
      expect(run.stderr, file).toMatch(why);
      expect(run.stderr, file).toMatch(/nothing was changed/);
    }
    const missing = await npmRun("restore", [join(dir, "missing.db")], live);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);

    expect(sha256(live)).toBe(liveHash);
    expect(readdirSync(dir).filter((f) => f.includes("before-restore") || f.endsWith(".tmp"))).toEqual([]);
  }, 120_000);

  it("backup refuses a DATABASE_URL whose file does not exist rather than back up an empty database, and never overwrites a backup", async () => {
    const dir = tempDir();
    const missing = join(dir, "typo.db");
    const run = await npmRun("backup", [join(dir, "out.db")], missing);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/does not exist; check DATABASE_URL/);
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(join(dir, "out.db"))).toBe(false);

    const source = join(dir, "source.db");
    const opened = await openDatabase(`file:${source}`);
    cleanups.push(() => opened.close());
    const out = join(dir, "out.db");
    expect((await npmRun("backup", [out], source)).code).toBe(0);
    const first = sha256(out);
    const again = await npmRun("backup", [out], source);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists already/);
    expect(sha256(out)).toBe(first);
    expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
  }, 60_000);
});
