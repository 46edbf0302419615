/**
 * The figures in docs/bench.md, measured against the real Node server (api/node.ts on an
 * embedded libSQL file, started as `npm start` starts it) over HTTP:
 *
 * 1. importing a community's household register (CSV, as the office keeps it);
 * 2. redemption throughput: N clerks at once, each basket with its own Idempotency-Key, then
 *    `GET /api/ledger/check` must say ok;
 * 3. reads at scale: ~1,000,000 ledger transfers are written straight into the same file with
 *    SQL (valid double-entry transfers, postings with their balance after, account balances),
 *    then the read endpoints are timed;
 * 4. a county (issue 11): 200 communities in 10 townships, 500,000 households and 5,000,000
 *    transfers written with SQL (the database's triggers keep the per-day totals as they go in),
 *    then the county officer's overview, its workbook and the trend are timed over HTTP.
 *
 *   npm run bench
 *   npm run bench -- --households 3000 --redemptions 2000 --clients 50 --transfers 1000000
 *   npm run bench -- --households 300 --redemptions 200 --clients 10 --transfers 50000   (quick)
 *
 * Points reach the households the way scripts/lib/points.ts `grantPoints` gives them: a real
 * ledger transfer of kind `adjustment`, written by this process to the server's database file
 * (the award procedures need a publicity period to pass before a top-up). Any wrong answer, any
 * failed redemption or a ledger check that is not ok stops the bench with exit code 1.
 */
import { createClient, type Client, type InArgs, type InStatement } from "@libsql/client";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { newId, systemClock } from "../api/domain/clock";
import { checkLedgerFull } from "../api/domain/ledger-check";
import { benchTopUp } from "./lib/bench-topup";
import { createNodeClient } from "../db/node-client";
import { redemptionStatements } from "../api/domain/redemption";
import { createCounty } from "../api/domain/regions";
import { dbFromLibsql } from "../db/client";
import { embeddedPragmas, openDatabase } from "../db/migrate-node";
import { queryOf } from "../db/sql";
import { openSideReader } from "../db/side-reader";
import { limits } from "../shared/limits";
import { benchBooks } from "./lib/bench-books";
import { grantPoints } from "./lib/points";
import { loadCaller, startNodeTarget, targetPassword, type NodeTarget } from "./lib/server-target";

const { values: flags } = parseArgs({
  options: {
    households: { type: "string", default: "3000" },
    redemptions: { type: "string", default: "2000" },
    clients: { type: "string", default: "50" },
    transfers: { type: "string", default: "1000000" },
    /** Households that get a card and points for the redemption run. */
    cards: { type: "string", default: "300" },
    /** The county of part 4: communities, their households and transfers (0 communities skips it). */
    communities: { type: "string", default: "200" },
    "county-households": { type: "string", default: "500000" },
    "county-transfers": { type: "string", default: "5000000" },
    /** Timed repetitions of each read, after a first (untimed-for-the-median) one. */
    reads: { type: "string", default: "10" },
    /** Part 5, the books (issue 12): the monthly report, then this many register entries exported as XLSX. */
    books: { type: "boolean", default: false },
    "register-entries": { type: "string", default: "100000" },
    /** The top-up part: one publicity batch of this many households' awards, credited over HTTP (0 skips it). */
    "topup-households": { type: "string", default: "3000" },
    /** Redemptions made before the timed ones and not counted: the server's JIT warms up, as on a counter open all day. */
    warmup: { type: "string", default: "1000" },
    keep: { type: "boolean", default: false },
    /** End with one JSON line of the headline figures (see `summary`). */
    json: { type: "boolean", default: false },
    /** Profile the server's main thread during the redemption phase; the .cpuprofile goes to this folder. */
    "cpu-prof": { type: "string" },
  },
});

function count(name: keyof typeof flags, min: number, max: number): number {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}; got ${flags[name]}`);
    process.exit(2);
  }
  return value;
}

const householdCount = count("households", 1, 20_000);
const redemptionCount = count("redemptions", 1, 1_000_000);
const warmupCount = count("warmup", 0, 100_000);
const clientCount = count("clients", 1, 1_000);
const transferCount = count("transfers", 0, 50_000_000);
const cardCount = Math.min(count("cards", 1, 20_000), householdCount);
const readRepeats = count("reads", 1, 1_000);
const countyCommunities = count("communities", 0, 10_000);
const countyHouseholds = count("county-households", countyCommunities, 10_000_000);
const countyTransfers = count("county-transfers", 0, 100_000_000);
const topUpHouseholds = count("topup-households", 0, 100_000);

/** A new community's pinThreshold: baskets at or under it need no PIN. */
const basketPointsMax = limits.pinThresholdDefault;
const grantedPoints = 100_000;
const clerkPassword = "bench-clerk-password";
const goodsPrices = [3, 5, 8, 12];

const results: string[] = [];

/**
 * The headline figures, printed as the last line with `--json`: the redemption rate over HTTP
 * beside the raw rate of the same batch (the ceiling), their ratio, the latency, the server's
 * CPU per redemption, and the reads that must not grow with the ledger.
 */
const summary: Record<"redemptionsPerSec" | "rawBatchPerSec" | "ratio" | "p50Ms" | "p99Ms" | "cpuMsPerRedemption" | "ledgerCheckMs" | "fullLedgerCheckMs" | "summaryMs" | "topUpMs", number | null> & { transfers: number } = {
  redemptionsPerSec: null,
  rawBatchPerSec: null,
  ratio: null,
  p50Ms: null,
  p99Ms: null,
  cpuMsPerRedemption: null,
  ledgerCheckMs: null,
  fullLedgerCheckMs: null,
  summaryMs: null,
  topUpMs: null,
  transfers: 0,
};
/** Rounded for the JSON line; null stays null (not measured, e.g. no /proc). */
const round = (n: number | null, digits = 1): number | null => (n === null || !Number.isFinite(n) ? null : Math.round(n * 10 ** digits) / 10 ** digits);
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const seconds = (ms: number) => `${fmt(ms / 1000, 2)} s`;

function fail(message: string): never {
  throw new Error(`BENCH FAILED: ${message}`);
}

const clockTicksPerSecond = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux); null elsewhere.
 * The server's CPU per request is the figure that the rest of the machine's load does not bend.
 */
function cpuMsOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    // After the command name: state is field 3, utime 14 and stime 15 (proc(5)).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
  } catch {
    return null;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Runs `work` for every index from 0 to total - 1, at most `parallel` at a time. */
async function pool(total: number, parallel: number, work: (index: number, worker: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, total) }, async (_, worker) => {
      while (next < total) await work(next++, worker);
    }),
  );
}

async function expectStatus<T = any>(what: string, promise: Promise<{ status: number; body: T }>, status: number): Promise<T> {
  const res = await promise;
  if (res.status !== status) fail(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  return res.body;
}

// ---------------------------------------------------------------------------------------------
// 1. Import

/** The register as an office keeps it (the generator of tests/import.test.ts). */
function registerCsv(households: number): string {
  const surnames = "吴董文戴沈钟何白武程范袁";
  const lines = ["户号,户主姓名,楼栋,单元,房号,联系电话,家庭成员,人口数,户类型"];
  for (let i = 0; i < households; i++) {
    const surname = surnames[i % surnames.length];
    const building = `${(i % 83) + 1}号楼`;
    const memberList = [`${surname}建国`, `刘桂兰（配偶）`, `${surname}小明（长子）`, `${surname}小红（长女）`].join("、");
    lines.push(`XXL-${String(i).padStart(5, "0")},${surname}建国,${building},${(i % 3) + 1}单元,${100 + (i % 40)},138${String(i).padStart(8, "0")},${memberList},4,一般户`);
  }
  return `\ufeff${lines.join("\r\n")}\r\n`;
}

async function benchImport(target: NodeTarget, adminToken: string) {
  const form = new FormData();
  form.append("file", new Blob([registerCsv(householdCount)]), "花名册.csv");
  const started = performance.now();
  const res = await target.call("POST", "/households/import", { token: adminToken, rawBody: form });
  const elapsed = performance.now() - started;
  if (res.status !== 201 || res.body.imported !== householdCount) fail(`import: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  console.log(`import: ${householdCount} households in ${seconds(elapsed)}`);
  results.push(`| import ${fmt(householdCount)} households (${fmt(householdCount * 4)} members), CSV over HTTP | **${seconds(elapsed)}** |`);
  return res.body.households as Array<{ id: string; householdNo: string }>;
}

// ---------------------------------------------------------------------------------------------
// 2. Redemptions

interface Counter {
  token: string;
  goodsIds: string[];
  userId: string;
  shopId: string;
  name: string;
}

async function setUpShops(target: NodeTarget, adminToken: string): Promise<{ counters: Counter[]; shopIds: string[] }> {
  const shopCount = Math.max(1, Math.ceil(clientCount / 10));
  const shops: Array<{ id: string; goodsIds: string[] }> = [];
  for (let s = 0; s < shopCount; s++) {
    const shop = await expectStatus("POST /shops", target.call("POST", "/shops", { token: adminToken, body: { name: `驿站超市${s + 1}` } }), 201);
    const goodsIds: string[] = [];
    for (const [g, points] of goodsPrices.entries()) {
      const goods = await expectStatus(
        "POST /goods",
        target.call("POST", "/goods", { token: adminToken, body: { shopId: shop.id, name: `商品${s + 1}-${g + 1}`, points, stock: 1_000_000, unit: "件" } }),
        201,
      );
      goodsIds.push(goods.id);
    }
    shops.push({ id: shop.id, goodsIds });
  }
  const counters: Counter[] = new Array(clientCount);
  await pool(clientCount, 4, async (c) => {
    const shop = shops[c % shops.length];
    const username = `bench-clerk-${c}`;
    await expectStatus("POST /users", target.call("POST", "/users", { token: adminToken, body: { username, password: clerkPassword, name: `店员${c}`, role: "clerk", shopId: shop.id } }), 201);
    const login = await expectStatus("clerk login", target.call("POST", "/auth/login", { body: { username, password: clerkPassword } }), 200);
    counters[c] = { token: login.token, goodsIds: shop.goodsIds, userId: login.user.id, shopId: shop.id, name: `店员${c}` };
  });
  return { counters, shopIds: shops.map((s) => s.id) };
}

/**
 * Basket i: 1–3 lines of distinct goods (by their index in `goodsPrices`), quantities 1–2, never
 * over the PIN threshold (the dearest is 2 × (12 + 8 + 5) = 50).
 */
function basketLines(i: number) {
  return Array.from({ length: 1 + (i % 3) }, (_, l) => ({ goods: (i + l) % goodsPrices.length, quantity: 1 + ((i + l) % 2) }));
}

function basket(i: number, goodsIds: string[]) {
  if (basketTotal(i) > basketPointsMax) fail(`basket ${i} is over the PIN threshold`);
  return basketLines(i).map((l) => ({ goodsId: goodsIds[l.goods], quantity: l.quantity }));
}

const basketTotal = (i: number) => basketLines(i).reduce((sum, l) => sum + l.quantity * goodsPrices[l.goods], 0);

/**
 * The ceiling beside us: the exact batch a redemption writes (`redemptionStatements`, the same
 * guards), built beforehand and driven from this process straight into the server's database
 * file on one connection with the server's pragmas (WAL, synchronous=FULL), one batch after
 * another — no HTTP, no reads, no statement building inside the timed loop. SQLite writes one
 * batch at a time, so this is what the database alone can commit per second on this machine.
 */
async function benchRawBatch(target: NodeTarget, communityId: string, counters: Counter[], holderIds: string[]) {
  // The server's own client (statements prepared once); one batch awaited after another, so each
  // is its own transaction and fsync: the ceiling without HTTP, reads or group commit.
  const client = createNodeClient(target.databaseFile, { timeout: 30_000 });
  for (const pragma of embeddedPragmas) await client.execute(pragma);
  const db = dbFromLibsql(client);
  const cardRows = await client.execute({
    sql: "SELECT id, household_id FROM cards WHERE community_id = ? AND status = 'active' AND household_id IN (SELECT value FROM json_each(?))",
    args: [communityId, JSON.stringify(holderIds)],
  });
  const cardOf = new Map(cardRows.rows.map((r) => [String(r.household_id), String(r.id)]));
  const goodsRows = await client.execute({ sql: "SELECT id, name, points FROM goods WHERE community_id = ?", args: [communityId] });
  const goodsOf = new Map(goodsRows.rows.map((r) => [String(r.id), { name: String(r.name), points: Number(r.points) }]));
  const runId = `raw-${Date.now().toString(36)}`;
  const batches: InStatement[][] = [];
  let points = 0;
  for (let i = 0; i < redemptionCount; i++) {
    const counter = counters[i % counters.length];
    const householdId = holderIds[i % holderIds.length];
    const cardId = cardOf.get(householdId) ?? fail(`no active card for household ${householdId}`);
    const lines = basket(i, counter.goodsIds).map((l) => {
      const g = goodsOf.get(l.goodsId) ?? fail(`unknown goods ${l.goodsId}`);
      return { goodsId: l.goodsId, name: g.name, points: g.points, quantity: l.quantity, subtotal: g.points * l.quantity };
    });
    const priced = { lines, total: lines.reduce((sum, l) => sum + l.subtotal, 0) };
    points += priced.total;
    const actor = { kind: "user" as const, id: counter.userId, communityId, role: "clerk" as const, shopId: counter.shopId, name: counter.name, sessionId: "bench" };
    const id = newId();
    const statements = redemptionStatements(db, actor, { ip: "127.0.0.1", userAgent: "bench" }, {
      id,
      at: new Date().toISOString(),
      shopId: counter.shopId,
      householdId,
      cardId,
      codeHash: null,
      key: `${runId}-${i}`,
      hash: "0".repeat(64),
      priced,
      pinChecked: false,
      via: "qr",
    });
    batches.push(
      statements.map((st) => {
        const q = queryOf(st);
        return { sql: q.sql, args: q.params as InArgs };
      }),
    );
  }
  const started = performance.now();
  for (const batch of batches) await client.batch(batch, "deferred");
  const elapsed = performance.now() - started;
  client.close();
  const rate = redemptionCount / (elapsed / 1000);
  return { rate, elapsed, points };
}

async function benchRedemptions(target: NodeTarget, adminToken: string, communityId: string, households: Array<{ id: string }>) {
  const setupStarted = performance.now();
  const { counters, shopIds } = await setUpShops(target, adminToken);
  const step = Math.max(1, Math.floor(households.length / cardCount));
  const holders = Array.from({ length: cardCount }, (_, i) => households[(i * step) % households.length]);
  const qrs: string[] = new Array(holders.length);
  await pool(holders.length, 4, async (i) => {
    const card = await expectStatus("POST card", target.call("POST", `/households/${holders[i].id}/card`, { token: adminToken, body: { pin: "123456" } }), 201);
    qrs[i] = card.qr;
  });
  const opened = await openDatabase(`file:${target.databaseFile}`);
  for (const holder of holders) await grantPoints(opened.db, communityId, holder.id, grantedPoints);
  opened.close();
  console.log(`redemptions: ${shopIds.length} shops, ${clientCount} clerks, ${holders.length} cards with ${fmt(grantedPoints)} points each, set up in ${seconds(performance.now() - setupStarted)}`);

  const latencies: number[] = [];
  const failures = new Map<string, number>();
  const runId = Date.now().toString(36);
  const receipts: Array<{ key: string; id: string; counter: number; i: number }> = [];
  // The clerks' load goes through node:http with kept-alive sockets (loadCaller): fetch would take
  // the bench ~1.8 ms of CPU per request on the two cores the server needs.
  const load = loadCaller(target.baseUrl, clientCount);
  const redeem = async (key: string, i: number, worker: number, timed: boolean) => {
    const counter = counters[worker];
    const t0 = performance.now();
    const res = await load("POST", "/redemptions", {
      token: counter.token,
      headers: { "idempotency-key": key },
      body: { qr: qrs[i % qrs.length], items: basket(i, counter.goodsIds) },
    });
    if (timed) latencies.push(performance.now() - t0);
    if (res.status === 201) {
      if (timed && i % 100 === 0) receipts.push({ key, id: res.body.id, counter: worker, i });
    } else {
      const code = `${res.status} ${res.body?.error?.code ?? JSON.stringify(res.body).slice(0, 200)}`;
      failures.set(code, (failures.get(code) ?? 0) + 1);
    }
  };
  // Warm-up, not counted: a server just started runs its hot paths unoptimised and spends a core
  // compiling them (V8's optimising compiler took a fifth of the samples of a cold run's first
  // seconds); a counter's server runs all day.
  await pool(warmupCount, clientCount, (i, worker) => redeem(`bench-${runId}-warm-${i}`, i, worker, false));
  const profiling = flags["cpu-prof"] !== undefined && target.pid !== undefined;
  if (profiling) process.kill(target.pid!, "SIGUSR2");
  const serverCpuBefore = cpuMsOf(target.pid);
  const benchCpuBefore = process.cpuUsage();
  const started = performance.now();
  await pool(redemptionCount, clientCount, (i, worker) => redeem(`bench-${runId}-${i}`, i, worker, true));
  const elapsed = performance.now() - started;
  const serverCpuAfter = cpuMsOf(target.pid);
  if (profiling) process.kill(target.pid!, "SIGUSR2");
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const serverCpuPerRedemption = serverCpuBefore === null || serverCpuAfter === null ? null : (serverCpuAfter - serverCpuBefore) / redemptionCount;
  const benchCpuPerRedemption = (benchCpu.user + benchCpu.system) / 1000 / redemptionCount;
  if (failures.size > 0) fail(`redemptions failed: ${JSON.stringify(Object.fromEntries(failures))}`);

  // Replaying a key answers the first receipt and debits nothing more.
  for (const r of receipts) {
    const counter = counters[r.counter];
    const again = await target.call("POST", "/redemptions", {
      token: counter.token,
      headers: { "idempotency-key": r.key },
      body: { qr: qrs[r.i % qrs.length], items: basket(r.i, counter.goodsIds) },
    });
    if (again.status !== 201 || again.body.id !== r.id) fail(`replay of ${r.key} answered ${again.status} ${again.body?.id} instead of ${r.id}`);
  }
  const check = await expectStatus("GET /ledger/check", target.call("GET", "/ledger/check", { token: adminToken }), 200);
  if (!check.ok) fail(`ledger check after the redemptions: ${JSON.stringify(check)}`);
  let expectedRedeemed = 0;
  for (let i = 0; i < redemptionCount; i++) expectedRedeemed += basketTotal(i);
  for (let i = 0; i < warmupCount; i++) expectedRedeemed += basketTotal(i);
  if (check.redeemed !== expectedRedeemed) fail(`ledger says ${check.redeemed} points redeemed, the baskets add up to ${expectedRedeemed}`);

  const raw = await benchRawBatch(target, communityId, counters, holders.map((h) => h.id));
  await settle(target); // the raw batches blocked this process's event loop (see settle)
  const rawCheck = await expectStatus("GET /ledger/check", target.call("GET", "/ledger/check", { token: adminToken }), 200);
  if (!rawCheck.ok || rawCheck.redeemed !== expectedRedeemed + raw.points) fail(`ledger check after the raw batches: ${JSON.stringify(rawCheck).slice(0, 500)}`);

  latencies.sort((a, b) => a - b);
  const rate = redemptionCount / (elapsed / 1000);
  Object.assign(summary, {
    redemptionsPerSec: round(rate),
    rawBatchPerSec: round(raw.rate),
    ratio: round(rate / raw.rate, 3),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    cpuMsPerRedemption: round(serverCpuPerRedemption, 2),
  });
  console.log(`redemptions: the same batch written raw (no HTTP, no reads, statements built beforehand): ${fmt(raw.rate, 1)}/s; HTTP is ${fmt((100 * rate) / raw.rate, 0)} % of it`);
  const cpuNote =
    serverCpuPerRedemption === null
      ? `the bench's own HTTP clients: ${fmt(benchCpuPerRedemption, 1)} ms CPU per redemption`
      : `server: ${fmt(serverCpuPerRedemption, 1)} ms CPU per redemption (one core's ceiling: ${fmt(1000 / serverCpuPerRedemption, 0)}/s); the bench's own HTTP clients: ${fmt(benchCpuPerRedemption, 1)} ms`;
  console.log(`redemptions: ${cpuNote}`);
  console.log(
    `redemptions: ${redemptionCount} in ${seconds(elapsed)} = ${fmt(rate, 1)}/s; p50 ${fmt(percentile(latencies, 50), 1)} ms, p95 ${fmt(percentile(latencies, 95), 1)} ms, ` +
      `p99 ${fmt(percentile(latencies, 99), 1)} ms, max ${fmt(latencies[latencies.length - 1] ?? 0, 1)} ms; ${receipts.length} replays identical; ledger check ok (${fmt(check.redeemed)} points redeemed)`,
  );
  results.push(
    `| ${fmt(redemptionCount)} redemptions, ${clientCount} clerks at once (${shopIds.length} shops, ${holders.length} cards, 1–3 lines each) | **${fmt(rate, 0)} redemptions/s** (${seconds(elapsed)}) |`,
    `| CPU per redemption | ${cpuNote} |`,
    `| the same batch raw, from the bench process on one connection (the ceiling) | ${fmt(raw.rate, 0)}/s; HTTP redemptions are **${fmt((100 * rate) / raw.rate, 0)} %** of it |`,
    `| redemption latency p50 / p95 / p99 / max | ${fmt(percentile(latencies, 50), 0)} / ${fmt(percentile(latencies, 95), 0)} / ${fmt(percentile(latencies, 99), 0)} / ${fmt(latencies[latencies.length - 1] ?? 0, 0)} ms |`,
    `| then \`GET /api/ledger/check\` | ok: true (${fmt(check.redeemed)} points redeemed = the baskets' sum; ${receipts.length} replayed keys gave the first receipt) |`,
  );
  await benchShiftStart(target, adminToken, counters, qrs, runId);
  return { shopId: shopIds[0], cardHolder: holders[0].id };
}

/**
 * A shift starts: `clients` clerks sign in at once (PBKDF2 each) while the counters already
 * open keep redeeming. Redemption latency is measured with and without the sign-ins beside it.
 */
async function benchShiftStart(target: NodeTarget, adminToken: string, counters: Counter[], qrs: string[], runId: string) {
  const usernames = Array.from({ length: clientCount }, (_, c) => `bench-shift-${runId}-${c}`);
  await pool(usernames.length, 4, async (c) => {
    await expectStatus("POST /users", target.call("POST", "/users", { token: adminToken, body: { username: usernames[c], password: clerkPassword, name: `早班${c}`, role: "clerk", shopId: counters[c % counters.length].shopId } }), 201);
  });
  const open = counters.slice(0, Math.max(1, Math.ceil(counters.length / 5)));
  const count = Math.max(50, Math.min(300, Math.floor(redemptionCount / 4)));
  const redeemSome = async (tag: string, stop: () => boolean) => {
    const times: number[] = [];
    let i = 0;
    await Promise.all(
      open.map(async (counter) => {
        while (i < count && !stop()) {
          const n = i++;
          const t0 = performance.now();
          const res = await target.call("POST", "/redemptions", { token: counter.token, headers: { "idempotency-key": `shift-${runId}-${tag}-${n}` }, body: { qr: qrs[n % qrs.length], items: basket(n, counter.goodsIds) } });
          times.push(performance.now() - t0);
          if (res.status !== 201) fail(`redemption during the shift start: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      }),
    );
    return times.sort((a, b) => a - b);
  };
  const quiet = await redeemSome("quiet", () => false);
  let signedIn = 0;
  const loginTimes: number[] = [];
  const storm = Promise.all(
    usernames.map(async (username) => {
      const t0 = performance.now();
      await expectStatus("shift login", target.call("POST", "/auth/login", { body: { username, password: clerkPassword } }), 200);
      loginTimes.push(performance.now() - t0);
      signedIn++;
    }),
  );
  const during = await redeemSome("storm", () => signedIn === usernames.length);
  await storm;
  loginTimes.sort((a, b) => a - b);
  const line = `${open.length} counters redeeming: p50 / p99 ${fmt(percentile(quiet, 50), 0)} / ${fmt(percentile(quiet, 99), 0)} ms alone, ${fmt(percentile(during, 50), 0)} / ${fmt(percentile(during, 99), 0)} ms (${during.length} redemptions) while ${usernames.length} clerks sign in (the last sign-in after ${fmt(loginTimes[loginTimes.length - 1] ?? 0, 0)} ms)`;
  console.log(`shift start: ${line}`);
  results.push(`| shift start: ${usernames.length} clerks sign in at once | ${line} |`);
}

// ---------------------------------------------------------------------------------------------
// 3. A million transfers

/**
 * Writes `total` transfers in chunks, each one transaction: transfer j of a chunk goes to
 * household h = j mod H in round k = j div H; even rounds are awards of 10 points from the
 * issuance account, odd rounds redemptions of 6 points to the shop. Rounds alternate, so no
 * balance ever goes below zero, and every running balance has a closed form — which is what
 * lets one INSERT … SELECT write the postings with their true `balance_after`. Chunks hold whole
 * pairs of rounds, so a round's parity is the same inside a chunk as overall.
 */
async function fillLedger(client: Client, communityId: string, shopId: string) {
  const issuance = `issuance:${communityId}`;
  await client.execute("PRAGMA cache_size = -262144");
  await client.batch(
    [
      "CREATE TEMP TABLE IF NOT EXISTS bench_households (h INTEGER PRIMARY KEY, id TEXT NOT NULL, base INTEGER NOT NULL DEFAULT 0)",
      "CREATE TEMP TABLE IF NOT EXISTS bench_mark (seq INTEGER NOT NULL)",
      "DELETE FROM bench_households",
      {
        sql: "INSERT INTO bench_households (h, id) SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id FROM accounts WHERE community_id = ? AND kind = 'household'",
        args: [communityId],
      },
    ],
    "write",
  );
  const households = Number((await client.execute("SELECT COUNT(*) FROM bench_households")).rows[0]?.[0]);
  if (households === 0) fail("no household accounts to fill");
  const chunk = 2 * households * Math.max(1, Math.floor(100_000 / (2 * households)));
  const spanSeconds = 730 * 86_400;
  const stepSeconds = Math.max(1, Math.floor(spanSeconds / Math.max(1, transferCount)));
  const startEpoch = Math.floor(Date.now() / 1000) - spanSeconds - 86_400;
  const { rows } = await client.execute("SELECT COUNT(*) FROM transfers WHERE cause LIKE 'bench:%'");
  let offset = Number(rows[0]?.[0] ?? 0);
  if (offset !== 0) fail("this database already holds bench transfers");

  const started = performance.now();
  for (let done = 0; done < transferCount; done += chunk) {
    const n = Math.min(chunk, transferCount - done);
    // Whole numbers go in as BigInt: libSQL binds a JS number as REAL, and j / :H must divide integers.
    const p = { n: BigInt(n), H: BigInt(households), off: BigInt(offset), cid: communityId, iss: issuance, shop: shopId, t0: BigInt(startEpoch), step: BigInt(stepSeconds) };
    const generated = `WITH RECURSIVE seq(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM seq WHERE j + 1 < :n),
      g AS (SELECT j, j / :H AS k, j % :H AS h, (j / :H) % 2 = 0 AS award FROM seq)`;
    const at = "strftime('%Y-%m-%dT%H:%M:%S.000Z', :t0 + (:off + g.j) * :step, 'unixepoch')";
    const statements: InStatement[] = [
      "DELETE FROM bench_mark",
      "INSERT INTO bench_mark SELECT COALESCE(MAX(seq), 0) FROM postings",
      "UPDATE bench_households SET base = (SELECT balance FROM accounts WHERE accounts.id = bench_households.id)",
      {
        sql: `INSERT INTO transfers (id, community_id, debit_account_id, credit_account_id, amount, kind, cause, ref, reverses_transfer_id, created_by, created_at)
          ${generated}
          SELECT printf('bench-%09d', :off + g.j), :cid,
            CASE WHEN g.award THEN :iss ELSE b.id END, CASE WHEN g.award THEN b.id ELSE :shop END,
            CASE WHEN g.award THEN 10 ELSE 6 END, CASE WHEN g.award THEN 'award' ELSE 'redemption' END,
            printf('bench:%09d', :off + g.j), NULL, NULL, 'bench', ${at}
          FROM g JOIN bench_households b ON b.h = g.h ORDER BY g.j`,
        args: p,
      },
      {
        sql: `INSERT INTO postings (community_id, transfer_id, account_id, amount, balance_after, kind, ref, created_at)
          ${generated}
          SELECT :cid, printf('bench-%09d', :off + g.j),
            CASE WHEN s.side = 0 THEN (CASE WHEN g.award THEN :iss ELSE b.id END) ELSE (CASE WHEN g.award THEN b.id ELSE :shop END) END,
            (CASE WHEN s.side = 0 THEN -1 ELSE 1 END) * (CASE WHEN g.award THEN 10 ELSE 6 END),
            CASE
              WHEN s.side = 0 AND g.award THEN (SELECT balance FROM accounts WHERE id = :iss) - 10 * (((g.k + 1) / 2) * :H + g.h + 1)
              WHEN s.side = 1 AND NOT g.award THEN (SELECT balance FROM accounts WHERE id = :shop) + 6 * ((g.k / 2) * :H + g.h + 1)
              ELSE b.base + 10 * (g.k / 2 + 1) - 6 * ((g.k + 1) / 2)
            END,
            CASE WHEN g.award THEN 'award' ELSE 'redemption' END, NULL, ${at}
          FROM g JOIN bench_households b ON b.h = g.h CROSS JOIN (SELECT 0 AS side UNION ALL SELECT 1) s
          ORDER BY g.j, s.side`,
        args: p,
      },
      {
        sql: `UPDATE accounts SET
            balance = balance + COALESCE((SELECT SUM(p.amount) FROM postings p WHERE p.account_id = accounts.id AND p.seq > (SELECT seq FROM bench_mark)), 0),
            score = score + CASE WHEN kind = 'household'
              THEN COALESCE((SELECT SUM(p.amount) FROM postings p WHERE p.account_id = accounts.id AND p.seq > (SELECT seq FROM bench_mark) AND p.kind = 'award'), 0)
              ELSE 0 END
          WHERE id IN (SELECT id FROM bench_households) OR id IN (:iss, :shop)`,
        args: { iss: issuance, shop: shopId },
      },
    ];
    await client.batch(statements, "write");
    offset += n;
    process.stdout.write(`${process.stdout.isTTY ? "\r" : "\n"}ledger fill: ${fmt(offset)} / ${fmt(transferCount)} transfers`);
  }
  const fillMs = performance.now() - started;
  process.stdout.write("\n");
  await client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
  return { fillMs, households };
}

/**
 * The fill blocked this process's event loop (libSQL runs each statement synchronously), so the
 * HTTP client could not notice the server closing its idle keep-alive sockets meanwhile. Let it
 * drop them before anything is timed: otherwise the first read goes out on a dead socket.
 */
async function settle(target: NodeTarget) {
  await new Promise((r) => setTimeout(r, 1500));
  for (let attempt = 1; ; attempt++) {
    try {
      if ((await fetch(`${target.baseUrl}/api/health`)).ok) return;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function timeRead(target: NodeTarget, token: string, path: string, check: (body: any) => void, repeats: number) {
  const times: number[] = [];
  for (let r = 0; r <= repeats; r++) {
    const t0 = performance.now();
    const res = await target.call("GET", path, { token });
    times.push(performance.now() - t0);
    if (res.status !== 200) fail(`GET ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    check(res.body);
  }
  const [first, ...rest] = times;
  rest.sort((a, b) => a - b);
  return { first, median: percentile(rest, 50), max: rest[rest.length - 1] ?? first };
}

async function benchReads(target: NodeTarget, adminToken: string, communityId: string, shopId: string, householdId: string) {
  const client = createClient({ url: `file:${target.databaseFile}`, timeout: 30_000, concurrency: 1 });
  let fill = { fillMs: 0, households: 0 };
  if (transferCount > 0) fill = await fillLedger(client, communityId, shopId);
  const transfers = Number((await client.execute({ sql: "SELECT COUNT(*) FROM transfers WHERE community_id = ?", args: [communityId] })).rows[0]?.[0]);
  const postings = Number((await client.execute({ sql: "SELECT COUNT(*) FROM postings WHERE community_id = ?", args: [communityId] })).rows[0]?.[0]);
  const householdPostings = Number((await client.execute({ sql: "SELECT COUNT(*) FROM postings WHERE account_id = ?", args: [householdId] })).rows[0]?.[0]);
  // Every posting's balance_after is the one before it plus its amount (accounts open at 0), and
  // every account's last balance_after is its balance: the fill wrote a real ledger.
  const walkStarted = performance.now();
  const broken = await client.execute({
    sql: `SELECT
        (SELECT COUNT(*) FROM (SELECT balance_after - amount - COALESCE(LAG(balance_after) OVER (PARTITION BY account_id ORDER BY seq), 0) AS drift
          FROM postings WHERE community_id = :cid) WHERE drift <> 0) AS drifting,
        (SELECT COUNT(*) FROM accounts a WHERE a.community_id = :cid
          AND a.balance <> COALESCE((SELECT p.balance_after FROM postings p WHERE p.account_id = a.id ORDER BY p.seq DESC LIMIT 1), 0)) AS stale`,
    args: { cid: communityId },
  });
  const { drifting, stale } = broken.rows[0] as unknown as { drifting: number; stale: number };
  if (Number(drifting) !== 0 || Number(stale) !== 0) fail(`balance_after walk: ${drifting} postings drift, ${stale} accounts disagree with their last posting`);
  console.log(`balance_after walk over ${fmt(postings)} postings: consistent (${seconds(performance.now() - walkStarted)})`);
  client.close();
  const fileMb = statSync(target.databaseFile).size / 1024 / 1024;
  if (transferCount > 0) {
    console.log(`ledger fill: ${fmt(transferCount)} transfers (${fmt(transferCount * 2)} postings) in ${seconds(fill.fillMs)}; database ${fmt(fileMb, 0)} MB`);
    results.push(
      `| fill: ${fmt(transferCount)} transfers + ${fmt(transferCount * 2)} postings written with SQL (not timed over HTTP) | ${seconds(fill.fillMs)} (${fmt(transferCount / (fill.fillMs / 1000), 0)} transfers/s); database file ${fmt(fileMb, 0)} MB |`,
    );
  }

  await settle(target);
  const reads: Array<[string, string, (body: any) => void, number]> = [
    ["household with balance", `/households/${householdId}`, (b) => typeof b.balance === "number" || fail("no balance"), readRepeats],
    ["household ledger, first page", `/households/${householdId}/ledger`, (b) => b.items.length > 0 || fail("empty ledger page"), readRepeats],
    ["reports/summary", "/reports/summary", (b) => typeof b.pointsOutstanding === "number" || fail("no summary"), readRepeats],
    ["reports/ranking", "/reports/ranking", (b) => b.items.length > 0 || fail("empty ranking"), readRepeats],
    ["ledger/check", "/ledger/check", (b) => b.ok === true || fail(`ledger check not ok: ${JSON.stringify(b).slice(0, 500)}`), Math.min(readRepeats, 3)],
  ];
  results.push(`| **reads** on ${fmt(transfers)} transfers / ${fmt(postings)} postings (this household: ${fmt(householdPostings)} postings) | first · median · max of the next runs |`);
  for (const [label, path, check, repeats] of reads) {
    const t = await timeRead(target, adminToken, path, check, repeats);
    const slow = t.median > 1000 ? " ⚠ over 1 s" : "";
    console.log(`read ${label} (GET /api${path}): first ${fmt(t.first, 1)} ms, median ${fmt(t.median, 1)} ms, max ${fmt(t.max, 1)} ms (${repeats} runs)${slow}`);
    results.push(`| \`GET /api${path.replace(householdId, ":id")}\` (${label}) | ${fmt(t.first, 0)} · **${fmt(t.median, 0)}** · ${fmt(t.max, 0)} ms${slow} |`);
    if (label === "reports/summary") summary.summaryMs = round(t.median);
  }
  summary.transfers = transfers;

  // The full pass (`npm run ledger:check -- --full`, after every restore, nightly), timed in
  // this process on its own connection to the same file: it re-reads every entry.
  const fullDb = await openDatabase(`file:${target.databaseFile}`);
  const sideReader = openSideReader(target.databaseFile); // as `npm run ledger:check -- --full` does
  const fullTimes: number[] = [];
  for (let r = 0; r < Math.min(readRepeats, 3); r++) {
    const t0 = performance.now();
    const full = await checkLedgerFull(fullDb.db, systemClock, communityId, { sideReader });
    fullTimes.push(performance.now() - t0);
    if (!full.ok) fail(`full ledger check not ok: ${JSON.stringify(full).slice(0, 300)}`);
  }
  sideReader.close();
  fullDb.close();
  await settle(target); // the full pass blocked this process's event loop too
  fullTimes.sort((a, b) => a - b);
  summary.fullLedgerCheckMs = round(percentile(fullTimes, 50));
  console.log(`ledger check, the full pass (in process): median ${fmt(percentile(fullTimes, 50), 0)} ms (${fullTimes.length} runs)`);
  results.push(`| the full ledger check (\`npm run ledger:check -- --full\`; in the bench process) | median **${fmt(percentile(fullTimes, 50), 0)} ms** of ${fullTimes.length} |`);

  // The check as the office meets it: new transfers keep arriving between two checks. Each round
  // writes one real transfer (as grantPoints does) from this process, then times the check.
  const granting = await openDatabase(`file:${target.databaseFile}`);
  const afterNew: number[] = [];
  for (let r = 0; r < Math.min(readRepeats, 5); r++) {
    await grantPoints(granting.db, communityId, householdId, 1);
    const t0 = performance.now();
    const res = await target.call("GET", "/ledger/check", { token: adminToken });
    afterNew.push(performance.now() - t0);
    if (res.status !== 200 || res.body.ok !== true) fail(`ledger check after a new transfer: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  }
  granting.close();
  afterNew.sort((a, b) => a - b);
  summary.ledgerCheckMs = round(percentile(afterNew, 50));
  console.log(`read ledger/check right after a new transfer: median ${fmt(percentile(afterNew, 50), 1)} ms (${afterNew.length} runs)`);
  results.push(`| \`GET /api/ledger/check\` right after a new transfer arrived | median **${fmt(percentile(afterNew, 50), 0)} ms** of ${afterNew.length} |`);
}

// ---------------------------------------------------------------------------------------------
// 4. A county

/**
 * Writes a county with SQL: `countyCommunities` communities spread over 10 townships, their
 * households (and accounts) and `countyTransfers` transfers over two years, in pairs: an award of
 * 10 points to household h, then a redemption of 4 points by it at its community's shop. A tenth
 * of the awards are credited applications (one of the seven carriers each), a tenth of the
 * redemptions have their receipt. Postings and balances are not written: nothing the officer reads
 * uses them. The database's own triggers keep the per-day totals as the rows go in, exactly as
 * they do for the app's writes; the fill's time includes them.
 */
async function fillCounty(client: Client, regionId: string) {
  const C = BigInt(countyCommunities);
  const H = BigInt(countyHouseholds);
  const at0 = "2024-01-01T00:00:00.000Z";
  const started = performance.now();
  await client.execute("PRAGMA cache_size = -262144");
  await client.batch(
    [
      { sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9)
          INSERT INTO regions (id, name, kind, parent_id, created_at) SELECT 'bench-town-' || i, '乡镇' || i, 'township', :r, :at FROM n`, args: { r: regionId, at: at0 } },
      { sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :C)
          INSERT INTO communities (id, name, code, region_id, publicity_days, min_publicity_hours, pin_threshold, card_secret, created_at)
          SELECT 'bench-c' || i, '社区' || i, 'BENCH' || i, 'bench-town-' || (i % 10), 5, 72, 50, 'bench', :at FROM n`, args: { C, at: at0 } },
      { sql: "INSERT INTO accounts (id, community_id, kind, balance, score, created_at) SELECT 'issuance:' || id, id, 'issuance', 0, 0, created_at FROM communities WHERE id LIKE 'bench-c%'", args: [] },
      { sql: "INSERT INTO shops (id, community_id, name, created_at) SELECT 'shop-' || id, id, '驿站超市', created_at FROM communities WHERE id LIKE 'bench-c%'", args: [] },
      { sql: "INSERT INTO accounts (id, community_id, kind, balance, score, created_at) SELECT 'shop-' || id, id, 'shop', 0, 0, created_at FROM communities WHERE id LIKE 'bench-c%'", args: [] },
    ],
    "write",
  );
  for (let start = 0n; start < H; start += 100_000n) {
    const args = { s: start, e: (start + 100_000n < H ? start + 100_000n : H) - 1n, C, at: at0 };
    await client.batch(
      [
        { sql: `WITH RECURSIVE n(i) AS (SELECT :s UNION ALL SELECT i + 1 FROM n WHERE i < :e)
            INSERT INTO households (id, community_id, household_no, head_name, building, created_at, updated_at)
            SELECT 'bench-h' || i, 'bench-c' || (i % :C), 'H' || i, '户主', '1号楼', strftime('%Y-%m-%dT%H:%M:%fZ', :at, '+' || (i % 90) || ' days'), :at FROM n`, args },
        { sql: `WITH RECURSIVE n(i) AS (SELECT :s UNION ALL SELECT i + 1 FROM n WHERE i < :e)
            INSERT INTO accounts (id, community_id, kind, balance, score, created_at) SELECT 'bench-h' || i, 'bench-c' || (i % :C), 'household', 0, 0, :at FROM n`, args },
      ],
      "write",
    );
  }
  const carriers = "'policy','enterprise','neighbour','volunteer','bravery','environment','civility'";
  const chunk = 250_000n;
  const total = BigInt(countyTransfers);
  for (let start = 0n; start < total; start += chunk) {
    // Transfer i: pair p = i / 2 of household p mod H; even i the award, odd i the redemption;
    // spread evenly over 730 days from 2024-03-01 (China time does not matter to the fill).
    const args = { s: start, e: (start + chunk < total ? start + chunk : total) - 1n, C, H, T: total };
    const pairs = `WITH RECURSIVE n(i) AS (SELECT :s UNION ALL SELECT i + 1 FROM n WHERE i < :e),
      g AS (SELECT i, (i / 2) % :H AS h, ((i / 2) % :H) % :C AS c, i % 2 = 0 AS award,
        strftime('%Y-%m-%dT%H:%M:%fZ', '2024-03-01', '+' || (i * 730 / :T) || ' days', '+' || (i % 86400) || ' seconds') AS at FROM n)`;
    await client.batch(
      [
        { sql: `INSERT INTO transfers (id, community_id, debit_account_id, credit_account_id, amount, kind, cause, created_by, created_at)
            ${pairs} SELECT 'bench-t' || i, 'bench-c' || c, CASE WHEN award THEN 'issuance:bench-c' || c ELSE 'bench-h' || h END,
              CASE WHEN award THEN 'bench-h' || h ELSE 'shop-bench-c' || c END, CASE WHEN award THEN 10 ELSE 4 END,
              CASE WHEN award THEN 'award' ELSE 'redemption' END, 'bench-county:' || i, 'bench', at FROM g`, args },
        { sql: `INSERT INTO credits (application_id, community_id, top_up_id, household_id, kind, category, points, amount, score_delta, created_at)
            ${pairs} SELECT 'bench-a' || i, 'bench-c' || c, 'bench', 'bench-h' || h, 'award', json_extract(json_array(${carriers}), '$[' || (i / 20 % 7) || ']'), 10, 10, 10, at
            FROM g WHERE i % 20 = 0`, args },
        { sql: `INSERT INTO redemptions (id, community_id, shop_id, household_id, receipt_no, total, balance_after, clerk_id, created_at)
            ${pairs} SELECT 'bench-r' || i, 'bench-c' || c, 'shop-bench-c' || c, 'bench-h' || h, i, 4, 0, 'bench', at FROM g WHERE i % 20 = 1`, args },
      ],
      "write",
    );
    process.stdout.write(`${process.stdout.isTTY ? "\r" : "\n"}county fill: ${fmt(Number(start + chunk < total ? start + chunk : total))} / ${fmt(countyTransfers)} transfers`);
  }
  process.stdout.write("\n");
  await client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
  await client.execute("ANALYZE");
  return performance.now() - started;
}

async function benchCounty(target: NodeTarget) {
  const client = createClient({ url: `file:${target.databaseFile}`, timeout: 30_000, concurrency: 1 });
  const officerPassword = "bench-officer-password";
  const { regionId } = await createCounty(dbFromLibsql(client), systemClock, { name: "卢氏县", officer: { username: "bench-officer", password: officerPassword, name: "县乡村振兴局" } });
  const fillMs = await fillCounty(client, regionId);
  const days = Number((await client.execute("SELECT (SELECT COUNT(*) FROM community_days) + (SELECT COUNT(*) FROM community_day_flows) + (SELECT COUNT(*) FROM community_day_categories)")).rows[0]?.[0]);
  client.close();
  const fileMb = statSync(target.databaseFile).size / 1024 / 1024;
  console.log(`county fill: ${fmt(countyCommunities)} communities, ${fmt(countyHouseholds)} households, ${fmt(countyTransfers)} transfers in ${seconds(fillMs)}; ${fmt(days)} rows of kept totals; database ${fmt(fileMb, 0)} MB`);
  results.push(
    `| county fill: ${fmt(countyCommunities)} communities in 10 townships, ${fmt(countyHouseholds)} households, ${fmt(countyTransfers)} transfers over two years, written with SQL through the totals' triggers | ${seconds(fillMs)} (${fmt(countyTransfers / (fillMs / 1000), 0)} transfers/s); ${fmt(days)} rows of kept totals; database file ${fmt(fileMb, 0)} MB |`,
  );

  await settle(target);
  const login = await expectStatus("officer login", target.call("POST", "/auth/login", { body: { username: "bench-officer", password: officerPassword } }), 200);
  const token = login.token as string;
  const pairs = Math.floor(countyTransfers / 2);
  const whole = (b: any) => {
    if (b.communities.length !== countyCommunities) fail(`overview lists ${b.communities.length} communities`);
    if (b.totals.households !== countyHouseholds) fail(`overview counts ${b.totals.households} households`);
    if (b.totals.pointsAwarded !== 10 * Math.ceil(countyTransfers / 2) || b.totals.pointsRedeemed !== 4 * pairs) fail(`overview totals ${JSON.stringify(b.totals).slice(0, 300)}`);
  };
  const period = (b: any) => b.communities.length === countyCommunities || fail("period overview incomplete");
  const reads: Array<[string, string, (body: any) => void]> = [
    ["the county, all time", `/regions/${regionId}/overview`, whole],
    ["the county, a quarter (whole days)", `/regions/${regionId}/overview?from=2025-01-01&to=2025-03-31`, period],
    ["the county, bounds inside days", `/regions/${regionId}/overview?from=2025-01-01T05:30:00Z&to=2025-04-01T09:00:00Z`, period],
    ["one township", `/regions/bench-town-3/overview`, (b) => b.communities.length === Math.ceil((countyCommunities - 3) / 10) || fail("township overview")],
    ["12-month trend", `/regions/${regionId}/trend`, (b) => b.months.length === 12 || fail("trend")],
    ["the workbook", `/regions/${regionId}/overview.xlsx`, () => undefined],
    ["one community's summary", "/communities/bench-c7/summary", (b) => typeof b.pointsOutstanding === "number" || fail("summary")],
  ];
  results.push(`| **the county officer**, over ${fmt(countyCommunities)} communities / ${fmt(countyHouseholds)} households / ${fmt(countyTransfers)} transfers | first · median · max of the next runs |`);
  for (const [label, path, check] of reads) {
    const t = await timeRead(target, token, path, check, readRepeats);
    const slow = t.median > 300 ? " ⚠ over 300 ms" : "";
    console.log(`read ${label} (GET /api${path}): first ${fmt(t.first, 1)} ms, median ${fmt(t.median, 1)} ms, max ${fmt(t.max, 1)} ms${slow}`);
    results.push(`| \`GET /api${path.replace(regionId, ":id")}\` (${label}) | ${fmt(t.first, 0)} · **${fmt(t.median, 0)}** · ${fmt(t.max, 0)} ms${slow} |`);
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), ${fmt(totalmem() / 1024 ** 3, 1)} GB RAM, Node ${process.version}, ${process.platform}`;
  const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
  console.log(`load average at start: ${load()}`);
  const command = `npm run bench -- --households ${householdCount} --redemptions ${redemptionCount} --clients ${clientCount} --transfers ${transferCount} --cards ${cardCount} --communities ${countyCommunities} --county-households ${countyHouseholds} --county-transfers ${countyTransfers} --topup-households ${topUpHouseholds} --warmup ${warmupCount}${flags.books ? ` --books --register-entries ${flags["register-entries"]}` : ""}`;
  console.log(`${new Date().toISOString()}  ${machine}\n${command}`);
  const dir = mkdtempSync(join(tmpdir(), "shuangfu-bench-"));
  let target: NodeTarget | null = null;
  const started = performance.now();
  try {
    const profiling: Record<string, string> = flags["cpu-prof"]
      ? { NODE_OPTIONS: `--import=${resolve("scripts/lib/cpu-profile.mjs")}`, BENCH_CPU_PROF_DIR: resolve(flags["cpu-prof"]) }
      : {};
    target = await startNodeTarget({ JOB_INTERVAL_SECONDS: "86400", ...profiling }, { databaseFile: join(dir, "bench.db") });
    const login = await expectStatus("admin login", target.call("POST", "/auth/login", { body: { username: "admin", password: targetPassword } }), 200);
    const adminToken = login.token as string;
    const communityId = login.user.communityId as string;

    const households = await benchImport(target, adminToken);
    const { shopId, cardHolder } = await benchRedemptions(target, adminToken, communityId, households);
    if (topUpHouseholds > 0) {
      const t = await benchTopUp(target, adminToken, communityId, topUpHouseholds, fail);
      summary.topUpMs = round(t.ms);
      console.log(`top-up: ${fmt(t.credited)} households' awards (${fmt(t.points)} points) credited in ${fmt(t.ms, 0)} ms (POST /api/topups); the repeat credited nothing`);
      results.push(`| top-up of one publicity batch, ${fmt(t.credited)} households (\`POST /api/topups\`, one batch) | **${fmt(t.ms, 0)} ms** |`);
    }
    await benchReads(target, adminToken, communityId, shopId, cardHolder);
    if (flags.books) await benchBooks(target, adminToken, communityId, { entries: count("register-entries", 1, 10_000_000), repeats: readRepeats, results });
    if (countyCommunities > 0) await benchCounty(target);

    console.log(`\nTotal ${seconds(performance.now() - started)}; load average at the end: ${load()}. For docs/bench.md:\n`);
    console.log(`${new Date().toISOString().slice(0, 10)} · ${machine}\n\n\`${command}\`\n`);
    console.log("| what | figure |\n|---|---|");
    console.log(results.join("\n"));
    if (flags.json) console.log(`\n${JSON.stringify(summary)}`);
  } catch (err) {
    const cause = (err as Error & { cause?: unknown }).cause;
    console.error(`\n${(err as Error).message}${cause ? ` (${String(cause)})` : ""}`);
    if (target) console.error(`--- server output ---\n${target.output().slice(-4000)}`);
    process.exitCode = 1;
  } finally {
    await target?.stop();
    if (flags.keep) console.log(`Database kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
