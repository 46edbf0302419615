/**
 * Bench part 5, the books that leave the system (issue 12), run by `npm run bench -- --books`
 * after the reads over a million transfers (part 3), on the same database:
 *
 * - the monthly report (JSON and XLSX) of a month in the middle of the filled two years, timed
 *   over HTTP; its summary must equal `GET /api/reports/summary` for that month;
 * - the register book: `entries` register entries (with their applications, publicity items and,
 *   for a third, their credits) are written with SQL by this process, then
 *   `GET /api/register.xlsx` is downloaded in full and timed, while the server process's
 *   resident memory (RSS, /proc/<pid>/status) is sampled every 20 ms: the figure is the peak
 *   during the download less the RSS just before it. The download is read back (unzipped, rows
 *   counted, the sheet's size and CRC-32 checked against the zip's central directory) so a
 *   truncated or corrupt book cannot pass.
 */
import { createClient, type InStatement } from "@libsql/client";
import { strFromU8, unzipSync } from "fflate";
import { readFileSync } from "node:fs";
import { crc32 } from "node:zlib";
import { chinaDay, chinaMonth } from "../../shared/time";
import type { NodeTarget } from "./server-target";

export interface BooksBenchOptions {
  /** Register entries to write and export. */
  entries: number;
  /** Timed repetitions of the monthly report after a first one. */
  repeats: number;
  /** The table rows of docs/bench.md are appended here. */
  results: string[];
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function fail(message: string): never {
  throw new Error(`books bench: ${message}`);
}

/** The resident memory of a process in MB (Linux), or null where /proc has no answer. */
function rssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used, in ms (Linux, /proc/<pid>/stat at 100 ticks a second). */
function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** The uncompressed size and CRC-32 the zip's central directory gives an entry (what Excel checks). */
function centralEntry(zip: Uint8Array, name: string): { size: number; crc: number } {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let at = zip.length - 22; at >= 0; at--) {
    if (view.getUint32(at, true) !== 0x06054b50) continue;
    // The end of central directory record: where the directory starts and how many entries it holds.
    let entry = view.getUint32(at + 16, true);
    for (let i = view.getUint16(at + 10, true); i > 0; i--) {
      const nameLength = view.getUint16(entry + 28, true);
      if (strFromU8(zip.subarray(entry + 46, entry + 46 + nameLength)) === name) return { crc: view.getUint32(entry + 16, true), size: view.getUint32(entry + 24, true) };
      entry += 46 + nameLength + view.getUint16(entry + 30, true) + view.getUint16(entry + 32, true);
    }
  }
  fail(`the zip has no entry ${name}`);
}

async function get(target: NodeTarget, token: string, path: string): Promise<Response> {
  const res = await fetch(`${target.baseUrl}/api${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) fail(`GET ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res;
}

/**
 * The fill spreads its transfers over the two years before yesterday, and the households are
 * imported today: the month a year ago is a full month of transfers (its households at the month's
 * end are none yet), this month holds every household and the last days' transfers.
 */
async function benchMonthly(target: NodeTarget, token: string, options: BooksBenchOptions) {
  for (const month of [chinaMonth(new Date(Date.now() - 365 * 86_400_000)), chinaMonth(new Date())]) await benchMonth(target, token, month, options);
}

async function benchMonth(target: NodeTarget, token: string, month: string, options: BooksBenchOptions) {
  const [y, m] = month.split("-").map(Number);
  const lastDay = chinaDay(new Date(Date.UTC(y, m, 1) - 8 * 3_600_000 - 1));
  const expected = await (await get(target, token, `/reports/summary?from=${month}-01&to=${lastDay}`)).json();
  const moved = Number(expected.pointsAwarded) + Number(expected.pointsRedeemed);
  for (const [label, path] of [["JSON", `/reports/monthly?month=${month}`], ["XLSX", `/reports/monthly.xlsx?month=${month}`]] as const) {
    const times: number[] = [];
    let first = 0;
    let buildings = 0;
    for (let r = 0; r <= options.repeats; r++) {
      const t0 = performance.now();
      const res = await get(target, token, path);
      const body = label === "JSON" ? await res.json() : new Uint8Array(await res.arrayBuffer());
      const ms = performance.now() - t0;
      if (r === 0) first = ms;
      else times.push(ms);
      if (label === "JSON") {
        if (JSON.stringify(body.summary) !== JSON.stringify(expected)) fail(`the monthly report's summary differs from /reports/summary for ${month}`);
        buildings = body.byBuilding.length;
      }
      if (label === "XLSX" && !strFromU8(unzipSync(body as Uint8Array)["xl/workbook.xml"]).includes("汇总")) fail("the monthly workbook has no summary sheet");
    }
    const over = median(times) > 2000 ? " ⚠ over 2 s" : "";
    const what = `${month}: ${fmt(expected.households)} households at its end, ${fmt(moved)} points awarded and redeemed${label === "JSON" ? `, ${fmt(buildings)} buildings` : ""}`;
    console.log(`monthly report ${label} (${what}): first ${fmt(first, 1)} ms, median ${fmt(median(times), 1)} ms${over}`);
    options.results.push(`| \`GET /api${path.replace(month, "YYYY-MM")}\` (monthly report ${label}, ${what}; its summary equals /reports/summary) | ${fmt(first, 0)} · **${fmt(median(times), 0)}** · ${fmt(Math.max(...times), 0)} ms${over} |`);
  }
}

/**
 * Writes `entries` register entries with SQL in chunks of 20,000, numbered after the community's
 * last: one award in ten is a penalty; a third credited (with its credits row), a third on a
 * publicity board, one in thirty cancelled, the rest registered only.
 */
async function fillRegister(target: NodeTarget, communityId: string, entries: number) {
  const client = createClient({ url: `file:${target.databaseFile}`, timeout: 30_000, concurrency: 1 });
  const admin = (await client.execute({ sql: "SELECT id FROM users WHERE community_id = ? AND role = 'admin' LIMIT 1", args: [communityId] })).rows[0]?.[0];
  if (!admin) fail("no admin to certify the entries");
  const at = new Date().toISOString();
  await client.batch(
    [
      "CREATE TEMP TABLE IF NOT EXISTS books_households (h INTEGER PRIMARY KEY, id TEXT NOT NULL, member_id TEXT)",
      "DELETE FROM books_households",
      {
        sql: `INSERT INTO books_households (h, id, member_id) SELECT ROW_NUMBER() OVER (ORDER BY h.id) - 1, h.id,
            (SELECT m.id FROM members m WHERE m.household_id = h.id ORDER BY m.created_at, m.id LIMIT 1)
          FROM households h WHERE h.community_id = ?`,
        args: [communityId],
      },
      { sql: "INSERT INTO rules (id, community_id, category, title, kind, min_points, max_points, active, created_at) VALUES ('bench-rule-award', ?, 'environment', '打扫楼道、清理小广告', 'award', 1, 20, 1, ?)", args: [communityId, at] },
      { sql: "INSERT INTO rules (id, community_id, category, title, kind, min_points, max_points, active, created_at) VALUES ('bench-rule-penalty', ?, 'penalty', '乱扔垃圾', 'penalty', 1, 20, 1, ?)", args: [communityId, at] },
      { sql: "INSERT INTO publicity_batches (id, community_id, starts_at, ends_at, created_by, created_at) VALUES ('bench-publicity', ?, ?, ?, ?, ?)", args: [communityId, at, at, `user:${admin}`, at] },
    ],
    "write",
  );
  const households = Number((await client.execute("SELECT COUNT(*) FROM books_households")).rows[0]?.[0]);
  if (households === 0) fail("no households for the register");
  const base = Number((await client.execute({ sql: "SELECT COALESCE(MAX(register_no), 0) FROM register_entries WHERE community_id = ?", args: [communityId] })).rows[0]?.[0]);
  const started = performance.now();
  const chunk = 20_000;
  for (let done = 0; done < entries; done += chunk) {
    const p = { n: BigInt(Math.min(chunk, entries - done)), off: BigInt(done), base: BigInt(base), H: BigInt(households), cid: communityId, by: `user:${admin}`, at };
    const g = `WITH RECURSIVE seq(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM seq WHERE j + 1 < :n),
      g AS (SELECT :off + j AS i, (:off + j) % :H AS h, (:off + j) % 10 = 9 AS penalty,
        CASE WHEN (:off + j) % 3 = 0 THEN 'credited' WHEN (:off + j) % 3 = 1 THEN 'publicised' WHEN (:off + j) % 30 = 2 THEN 'cancelled' ELSE 'registered' END AS status,
        1 + (:off + j) % 20 AS points FROM seq)`;
    const statements: InStatement[] = [
      {
        sql: `INSERT INTO applications (id, community_id, household_id, member_id, rule_id, notice_id, kind, category, description, evidence, status, points, register_no, reason, submitted_by, submitted_by_role, decided_by, created_at, decided_at, deed_key)
          ${g} SELECT printf('bench-app-%09d', g.i), :cid, b.id, b.member_id, CASE WHEN g.penalty THEN 'bench-rule-penalty' ELSE 'bench-rule-award' END, NULL,
            CASE WHEN g.penalty THEN 'penalty' ELSE 'award' END, CASE WHEN g.penalty THEN 'penalty' ELSE 'environment' END, 'bench', '[]', g.status, g.points,
            :base + g.i + 1, NULL, :by, 'volunteer', :by, :at, :at, NULL
          FROM g JOIN books_households b ON b.h = g.h`,
        args: p,
      },
      {
        sql: `INSERT INTO register_entries (id, community_id, register_no, entry_kind, application_id, household_id, member_id, rule_id, category, points, corrects_entry_id, note, created_by, created_at)
          ${g} SELECT printf('bench-reg-%09d', g.i), :cid, :base + g.i + 1, CASE WHEN g.penalty THEN 'penalty' ELSE 'award' END, printf('bench-app-%09d', g.i), b.id, b.member_id,
            CASE WHEN g.penalty THEN 'bench-rule-penalty' ELSE 'bench-rule-award' END, CASE WHEN g.penalty THEN 'penalty' ELSE 'environment' END, g.points, NULL, NULL, :by, :at
          FROM g JOIN books_households b ON b.h = g.h`,
        args: p,
      },
      {
        sql: `INSERT INTO publicity_items (id, community_id, publicity_id, application_id, created_at)
          ${g} SELECT printf('bench-pi-%09d', g.i), :cid, 'bench-publicity', printf('bench-app-%09d', g.i), :at FROM g WHERE g.status <> 'registered'`,
        args: p,
      },
      {
        sql: `INSERT INTO credits (application_id, community_id, top_up_id, household_id, kind, category, points, amount, score_delta, created_at)
          ${g} SELECT printf('bench-app-%09d', g.i), :cid, 'bench-topup', b.id, CASE WHEN g.penalty THEN 'penalty' ELSE 'award' END,
            CASE WHEN g.penalty THEN 'penalty' ELSE 'environment' END, g.points, 0, CASE WHEN g.penalty THEN -g.points ELSE g.points END, :at
          FROM g JOIN books_households b ON b.h = g.h WHERE g.status = 'credited'`,
        args: p,
      },
    ];
    await client.batch(statements, "write");
  }
  const fillMs = performance.now() - started;
  await client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
  const total = Number((await client.execute({ sql: "SELECT COUNT(*) FROM register_entries WHERE community_id = ?", args: [communityId] })).rows[0]?.[0]);
  client.close();
  return { fillMs, total };
}

async function benchRegister(target: NodeTarget, token: string, communityId: string, options: BooksBenchOptions) {
  const { fillMs, total } = await fillRegister(target, communityId, options.entries);
  console.log(`register fill: ${fmt(options.entries)} entries written with SQL in ${fmt(fillMs / 1000, 2)} s (the register now holds ${fmt(total)})`);
  // Let the server settle after the fill (its keep-alive sockets, its garbage) before measuring.
  await new Promise((r) => setTimeout(r, 1500));
  globalThis.gc?.();
  const before = rssMb(target.pid);
  let peak = before ?? 0;
  const sampler = setInterval(() => {
    const now = rssMb(target.pid);
    if (now !== null && now > peak) peak = now;
  }, 20);
  const cpuBefore = cpuMs(target.pid);
  const t0 = performance.now();
  let firstByteMs = 0;
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    const res = await get(target, token, "/register.xlsx");
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (bytes === 0) firstByteMs = performance.now() - t0;
      bytes += value.length;
      chunks.push(value);
    }
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - t0;
  const cpu = cpuBefore === null ? null : (cpuMs(target.pid) ?? cpuBefore) - cpuBefore;
  const after = rssMb(target.pid);
  if (after !== null && after > peak) peak = after;
  // Read back: every entry is a row (plus the header), the last one has the last register number.
  const file = new Uint8Array(bytes);
  let at = 0;
  for (const c of chunks) {
    file.set(c, at);
    at += c.length;
  }
  const sheetBytes = unzipSync(file)["xl/worksheets/sheet1.xml"];
  const entry = centralEntry(file, "xl/worksheets/sheet1.xml");
  if (entry.size !== sheetBytes.length || entry.crc !== crc32(sheetBytes)) fail("the register book's sheet has another size or CRC-32 than its zip entry says");
  const sheet = strFromU8(sheetBytes);
  const rows = sheet.split("<row ").length - 1;
  if (rows !== total + 1) fail(`the register book has ${rows} rows, expected ${total + 1}`);
  if (/<f[ >]/.test(sheet)) fail("the register book holds a formula");
  const growth = before === null ? null : peak - before;
  const over = ms > 5000 || (growth !== null && growth > 100) ? " ⚠ over the target (5 s, 100 MB)" : "";
  console.log(
    `register book XLSX: ${fmt(total)} entries, ${fmt(bytes / 1024 / 1024, 1)} MB, first byte ${fmt(firstByteMs, 0)} ms, whole ${fmt(ms / 1000, 2)} s, server CPU ${cpu === null ? "n/a" : `${fmt(cpu / 1000, 2)} s`}; server RSS ${before === null ? "n/a" : `${fmt(before, 0)} MB before, peak ${fmt(peak, 0)} MB (+${fmt(growth ?? 0, 0)} MB)`}${over}`,
  );
  options.results.push(`| fill: ${fmt(options.entries)} register entries (applications, publicity items, credits) written with SQL (not timed over HTTP) | ${fmt(fillMs / 1000, 2)} s |`);
  options.results.push(
    `| \`GET /api/register.xlsx\` (the register book, ${fmt(total)} entries, ${fmt(bytes / 1024 / 1024, 1)} MB, streamed; read back: ${fmt(rows - 1)} rows, CRC-32 checked) | first byte ${fmt(firstByteMs, 0)} ms, whole **${fmt(ms / 1000, 2)} s** (server CPU ${cpu === null ? "n/a" : `${fmt(cpu / 1000, 2)} s`}); server RSS **+${growth === null ? "n/a" : fmt(growth, 0)} MB** (${before === null ? "n/a" : fmt(before, 0)} → ${fmt(peak, 0)} MB)${over} |`,
  );
}

/** Part 5 of the bench: the monthly report over the filled ledger, then the register book streamed. */
export async function benchBooks(target: NodeTarget, token: string, communityId: string, options: BooksBenchOptions) {
  options.results.push("| **books** (issue 12) | first · median · max, or as said |");
  await benchMonthly(target, token, options);
  await benchRegister(target, token, communityId, options);
}
