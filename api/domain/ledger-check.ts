/**
 * The ledger check that does not grow with the ledger (issue 16).
 *
 * The full pass (`checkLedger`'s reads in ledger.ts, plus every range's checksum) re-reads every
 * posting and transfer: about a second and a half at a million transfers. This module keeps the
 * proof of the last verified point — the mark (postings through a seq, transfers through a rowid,
 * the transfer totals by kind), each account's sum of postings through the mark, and checksums of
 * the verified ledger in ranges of 32,768 ids — and each check then reads only:
 *
 * - the accounts (every balance = its verified sum + its postings since the mark; all sum to 0;
 *   none below 0 but issuance), which do not grow with the ledger;
 * - what arrived since the mark (each new transfer has two postings summing to 0; the totals by
 *   kind are the verified ones plus the new);
 * - one verified range, the one verified longest ago, re-summed against its checksum — so a
 *   posting or transfer changed behind the app's back (the tables refuse UPDATE; someone would
 *   have to drop the guard or edit the file) is found within a round of checks, and at once by
 *   the full pass.
 *
 * When the check is ok the mark moves forward in the same guarded batch. The full pass runs
 * when no proof exists yet, on `npm run ledger:check -- --full`, after every restore, and from
 * the scheduled job once a day; it rebuilds the proof from scratch.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { SideReader } from "../../db/side-reader";
import { num, queryOf, rowsOf, type Row } from "../../db/sql";
import { isoNow, type Clock } from "./clock";
import { invariantProblems, ledgerCheckReads, ledgerCheckResult, pointFlows, settlementFigures, settlementTotals, type LedgerCheck, type Statement } from "./ledger";

/** Ids per verified range: one range is re-summed per check (a few ms at this size). */
export const ledgerRangeSpan = 32_768;

/** How often the scheduled job runs the full pass. */
export const fullCheckHours = 24;

/**
 * The checksums are kept modulo a prime below 2^31, each one normalised to [0, M): a year of a
 * county's ledger has balances in the millions (the issuance account's) and more, whose weighted
 * sums over a range would overflow SQLite's 64-bit integers and JavaScript's safe ones. Each row
 * is weighted by its place in its range (1 to `ledgerRangeSpan`, not its id), so a weight times a
 * value taken modulo M stays below 2^46 and a range's sum below 2^61 without reducing every term
 * (the full pass sums two million rows: each operation per row shows). A changed amount,
 * balance, account or kind still moves a sum: the weight (below M) times a change below M is
 * never a multiple of the prime. The accounts and the transfer are told apart by their ids'
 * first character (`unicode()` reads it without walking the text).
 */
const M = 2_147_483_647;
const norm = (expr: string) => `(((${expr}) % ${M}) + ${M}) % ${M}`;
/** `SUM(term)` normalised to [0, M), as column `name`; `term` may carry the range's start as a parameter. */
const sumOf = (name: string, term: SQL) => sql`(((COALESCE(SUM(${term}), 0) % ${sql.raw(String(M))}) + ${sql.raw(String(M))}) % ${sql.raw(String(M))}) AS ${sql.raw(name)}`;
const mod = (column: string) => sql.raw(`(${column} % ${M})`);

/** The checksum of a range starting at id `lo`: count and weighted sums (a changed amount, balance, account or kind moves them). */
const postingSums = (lo: number) => {
  const w = sql`(r.seq - ${lo - 1})`;
  return sql.join([sql`COUNT(*) AS rows`, sumOf("sum1", mod("r.amount")), sumOf("sum2", sql`${w} * ${mod("r.amount")}`),
    sumOf("sum3", sql`${w} * ${mod("r.balance_after")}`), sumOf("sum4", sql`${w} * (unicode(r.account_id) + 256 * unicode(r.transfer_id))`)], sql`, `);
};
const transferSums = (lo: number) => {
  const w = sql`(r.rowid - ${lo - 1})`;
  return sql.join([sql`COUNT(*) AS rows`, sumOf("sum1", mod("r.amount")), sumOf("sum2", sql`${w} * ${mod("r.amount")}`),
    sumOf("sum3", sql`${w} * unicode(r.kind)`), sumOf("sum4", sql`${w} * (unicode(r.debit_account_id) + 256 * unicode(r.credit_account_id))`)], sql`, `);
};

type Ids = { seq: number; rowid: number };

/** The two kinds of verified range: their rows (as `r`, walked by key), their ids and their checksum. */
const ranged = {
  postings: { rows: sql.raw("postings r NOT INDEXED"), id: sql.raw("r.seq"), sums: postingSums, upTo: (ids: Ids) => ids.seq },
  transfers: { rows: sql.raw("transfers r NOT INDEXED"), id: sql.raw("r.rowid"), sums: transferSums, upTo: (ids: Ids) => ids.rowid },
};

interface Mark {
  postingSeq: number;
  transferRowid: number;
  totalsByKind: Record<string, number>;
  fullAt: string;
  /** The verified range re-summed by this check: the one verified longest ago. */
  oldest: Row | null;
}

async function readMark(db: Db, communityId: string): Promise<Mark | null> {
  // The mark and the range to re-sum in one read, so the range's bounds reach the check's
  // batch as numbers: SQLite then walks exactly those ids by their key.
  const [row] = rowsOf(await db.run(sql`SELECT m.posting_seq, m.transfer_rowid, m.totals_by_kind, m.full_at,
      r.kind, r.bucket, r.rows AS kept_rows, r.sum1 AS kept_sum1, r.sum2 AS kept_sum2, r.sum3 AS kept_sum3, r.sum4 AS kept_sum4
    FROM ledger_check_marks m
    LEFT JOIN (SELECT * FROM ledger_check_ranges WHERE community_id = ${communityId} ORDER BY verified_round, kind, bucket LIMIT 1) r ON 1 = 1
    WHERE m.community_id = ${communityId}`));
  if (!row) return null;
  return {
    postingSeq: num(row.posting_seq),
    transferRowid: num(row.transfer_rowid),
    totalsByKind: JSON.parse(String(row.totals_by_kind)) as Record<string, number>,
    fullAt: String(row.full_at),
    oldest: row.kind === null || row.kind === undefined ? null : row,
  };
}

/** The community's rows of a kind with ids lo..hi, walked by their key (as `r`). */
function rangeRows(communityId: string, kind: keyof typeof ranged, lo: number, hi: number): SQL {
  const t = ranged[kind];
  return sql`FROM ${t.rows} WHERE ${t.id} BETWEEN ${lo} AND ${hi} AND r.community_id = ${communityId}`;
}

/** Re-sums one verified range (ids up to the mark only: later rows are new) for comparison with its kept sums. */
function rangeSumQuery(db: Db, communityId: string, range: Row, m: Ids): Statement {
  const kind = range.kind as keyof typeof ranged;
  const t = ranged[kind];
  const lo = num(range.bucket) * ledgerRangeSpan;
  return db.run(sql`SELECT ${t.sums(lo)} ${rangeRows(communityId, kind, lo, Math.min(lo + ledgerRangeSpan - 1, t.upTo(m)))}`);
}

/**
 * The statements that upsert the ranges of postings and transfers in (from, to], adding to a
 * bucket's sums: one statement per bucket, each walking its ids by the key (no sort, which a
 * GROUP BY over a million rows would need).
 */
function rangeStatements(db: Db, communityId: string, from: Ids, to: Ids, guard: SqlGuard): Statement[] {
  const round = sql`(SELECT COALESCE(MAX(verified_round), 0) + 1 FROM ledger_check_ranges WHERE community_id = ${communityId})`;
  const upsert = sql.raw(`ON CONFLICT (community_id, kind, bucket) DO UPDATE SET rows = rows + excluded.rows,
    ${(["sum1", "sum2", "sum3", "sum4"] as const).map((s) => `${s} = ${norm(`${s} + excluded.${s}`)}`).join(", ")}`);
  return bucketsBetween(from, to).map(({ kind, bucket, lo, hi }) =>
    db.run(sql`INSERT INTO ledger_check_ranges (community_id, kind, bucket, rows, sum1, sum2, sum3, sum4, verified_round)
      SELECT ${communityId}, ${kind}, ${bucket}, ${ranged[kind].sums(bucket * ledgerRangeSpan)}, ${round}
      ${rangeRows(communityId, kind, lo, hi)} AND ${guard} HAVING COUNT(*) > 0 ${upsert}`),
  );
}

type SqlGuard = ReturnType<typeof sql>;

/** The buckets of postings and transfers with ids in (from, to], each with its ids' bounds. */
function bucketsBetween(from: Ids, to: Ids): Array<{ kind: keyof typeof ranged; bucket: number; lo: number; hi: number }> {
  const buckets = [];
  for (const kind of ["postings", "transfers"] as const) {
    const t = ranged[kind];
    const [after, through] = [t.upTo(from), t.upTo(to)];
    for (let bucket = Math.floor((after + 1) / ledgerRangeSpan); through > after && bucket <= Math.floor(through / ledgerRangeSpan); bucket++) {
      buckets.push({ kind, bucket, lo: Math.max(after + 1, bucket * ledgerRangeSpan), hi: Math.min(through, (bucket + 1) * ledgerRangeSpan - 1) });
    }
  }
  return buckets;
}

/**
 * The full pass: `checkLedger`'s reads over every entry and the checksums of every range through
 * the ids read before the pass, all in one read batch (one snapshot, no write lock); then, when
 * ok, the proof rebuilt from what was read in one short write batch. Each figure is read once:
 * the proof's account totals are the balances (just found equal to their postings) less the
 * postings after the bounds, its totals by kind the figures' less the transfers after them.
 */
export async function checkLedgerFull(db: Db, clock: Clock, communityId: string, options: { sideReader?: SideReader } = {}): Promise<LedgerCheck> {
  const [bounds] = rowsOf(await db.run(sql`SELECT (SELECT COALESCE(MAX(seq), 0) FROM postings) AS seq, (SELECT COALESCE(MAX(rowid), 0) FROM transfers) AS rowid`));
  const to = { seq: num(bounds?.seq), rowid: num(bounds?.rowid) };
  const buckets = bucketsBetween({ seq: 0, rowid: 0 }, to);
  const rangeSums = buckets.map(({ kind, bucket, lo, hi }) =>
    db.run(sql`SELECT ${ranged[kind].sums(bucket * ledgerRangeSpan)} ${rangeRows(communityId, kind, lo, hi)}`),
  );
  // The ranges' ids are bounded above, and those rows are append-only: on a second connection
  // (its own snapshot, off the main thread) they sum to the same figures, beside the reads below.
  const aside = options.sideReader ? await options.sideReader.start(rangeSums.map(queryOf)) : null;
  const [totals, drift, unbalanced, negative, flows, laterKinds, ...sumsHere] = await db.batch([
    ...ledgerCheckReads(db, communityId),
    db.run(sql`SELECT kind, COALESCE(SUM(amount), 0) AS total FROM transfers NOT INDEXED WHERE rowid > ${to.rowid} AND community_id = ${communityId} GROUP BY kind`),
    ...(aside ? [] : rangeSums),
  ]);
  const sums: unknown[] = aside ? (await aside()).map((rows) => ({ rows })) : sumsHere;
  const result = ledgerCheckResult([totals, drift, unbalanced, negative, flows]);
  if (!result.ok) return result;

  const byKind = new Map(rowsOf(flows).map((r) => [String(r.kind), num(r.total)]));
  for (const r of rowsOf(laterKinds)) byKind.set(String(r.kind), (byKind.get(String(r.kind)) ?? 0) - num(r.total));
  const at = isoNow(clock);
  const ranges = buckets.map((b, i) => ({ ...b, sums: rowsOf(sums[i])[0] ?? {} })).filter((r) => num(r.sums.rows) > 0);
  await db.batch([
    db.run(sql`DELETE FROM ledger_check_ranges WHERE community_id = ${communityId}`),
    db.run(sql`DELETE FROM ledger_check_accounts WHERE community_id = ${communityId}`),
    db.run(sql`INSERT INTO ledger_check_accounts (account_id, community_id, total)
      SELECT a.id, a.community_id, a.balance - COALESCE((SELECT SUM(p.amount) FROM postings p WHERE p.account_id = a.id AND p.seq > ${to.seq}), 0)
      FROM accounts a WHERE a.community_id = ${communityId}`),
    // Verified in the order they are listed, so the incremental check re-sums them in that order.
    ...ranges.map(({ kind, bucket, sums: r }, i) =>
      db.run(sql`INSERT INTO ledger_check_ranges (community_id, kind, bucket, rows, sum1, sum2, sum3, sum4, verified_round)
        VALUES (${communityId}, ${kind}, ${bucket}, ${num(r.rows)}, ${num(r.sum1)}, ${num(r.sum2)}, ${num(r.sum3)}, ${num(r.sum4)}, ${i + 1})`),
    ),
    db.run(sql`INSERT INTO ledger_check_marks (community_id, posting_seq, transfer_rowid, totals_by_kind, checked_at, full_at)
      VALUES (${communityId}, ${to.seq}, ${to.rowid}, ${JSON.stringify(Object.fromEntries(byKind))}, ${at}, ${at})
      ON CONFLICT (community_id) DO UPDATE SET posting_seq = excluded.posting_seq, transfer_rowid = excluded.transfer_rowid,
        totals_by_kind = excluded.totals_by_kind, checked_at = excluded.checked_at, full_at = excluded.full_at`),
  ]);
  return result;
}

/**
 * The check the office runs (`GET /ledger/check`): reads only the accounts, what came since the
 * mark and one verified range; falls back to the full pass when there is no proof yet. Answers
 * the same figures as the full pass.
 */
export async function checkLedgerIncremental(db: Db, clock: Clock, communityId: string): Promise<LedgerCheck> {
  const mark = await readMark(db, communityId);
  if (!mark) return checkLedgerFull(db, clock, communityId);
  const m = { seq: mark.postingSeq, rowid: mark.transferRowid };
  // One read batch, so every figure comes from the same snapshot of the database.
  const [bounds, totals, drift, unbalanced, negative, newKinds, oldest] = await db.batch([
    db.run(sql`SELECT (SELECT COALESCE(MAX(seq), 0) FROM postings) AS seq, (SELECT COALESCE(MAX(rowid), 0) FROM transfers) AS rowid`),
    db.run(sql`SELECT COALESCE(SUM(balance), 0) AS sum_all, COALESCE(SUM(CASE WHEN kind = 'household' THEN balance END), 0) AS outstanding, ${settlementTotals}
      FROM accounts WHERE community_id = ${communityId}`),
    db.run(sql`SELECT a.id, a.balance, COALESCE(v.total, 0) + COALESCE(n.total, 0) AS total FROM accounts a
      LEFT JOIN ledger_check_accounts v ON v.account_id = a.id
      LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM postings NOT INDEXED WHERE seq > ${m.seq} AND community_id = ${communityId} GROUP BY account_id) n ON n.account_id = a.id
      WHERE a.community_id = ${communityId} AND a.balance <> COALESCE(v.total, 0) + COALESCE(n.total, 0) LIMIT 20`),
    db.run(sql`SELECT t.id FROM transfers t
      LEFT JOIN (SELECT transfer_id, COUNT(*) AS n, SUM(amount) AS total FROM postings NOT INDEXED WHERE seq > ${m.seq} AND community_id = ${communityId} GROUP BY transfer_id) p
        ON p.transfer_id = t.id
      WHERE t.rowid > ${m.rowid} AND +t.community_id = ${communityId} AND (COALESCE(p.n, 0) <> 2 OR COALESCE(p.total, 1) <> 0) LIMIT 20`),
    db.run(sql`SELECT id FROM accounts WHERE community_id = ${communityId} AND kind <> 'issuance' AND balance < 0 LIMIT 20`),
    db.run(sql`SELECT kind, COALESCE(SUM(amount), 0) AS total FROM transfers NOT INDEXED WHERE rowid > ${m.rowid} AND community_id = ${communityId} GROUP BY kind`),
    // The range verified longest ago, summed again now.
    mark.oldest ? rangeSumQuery(db, communityId, mark.oldest, m) : db.run(sql`SELECT NULL AS rows`),
  ]);
  const totalsRow = rowsOf(totals)[0] ?? {};
  const { problems, sumOfBalances } = invariantProblems(drift, unbalanced, negative, totalsRow);
  const checked = mark.oldest ? { ...mark.oldest, ...rowsOf(oldest)[0] } : null;
  if (checked && !sameSums(checked)) {
    problems.push(`the verified ${String(checked.kind)} in range ${num(checked.bucket)} changed since they were verified`);
  }
  const byKind = new Map(Object.entries(mark.totalsByKind));
  for (const r of rowsOf(newKinds)) byKind.set(String(r.kind), (byKind.get(String(r.kind)) ?? 0) + num(r.total));
  const flows = pointFlows([...byKind].map(([kind, total]) => ({ kind, total })));
  const settlement = settlementFigures(totalsRow, flows.redeemed, problems);
  const result: LedgerCheck = {
    ok: problems.length === 0,
    sumOfBalances,
    ...flows,
    outstanding: num(totalsRow.outstanding),
    ...settlement,
    problems,
  };
  if (!result.ok) return result;

  const b = rowsOf(bounds)[0] ?? {};
  const to = { seq: num(b.seq), rowid: num(b.rowid) };
  const at = isoNow(clock);
  // Everything below applies only while the mark is still where this check found it: two
  // checks racing add the new rows once.
  const guard = sql`EXISTS (SELECT 1 FROM ledger_check_marks WHERE community_id = ${communityId} AND posting_seq = ${m.seq} AND transfer_rowid = ${m.rowid})`;
  const statements: Statement[] = [];
  if (to.seq > m.seq || to.rowid > m.rowid) {
    statements.push(
      db.run(sql`INSERT INTO ledger_check_accounts (account_id, community_id, total)
        SELECT p.account_id, ${communityId}, SUM(p.amount) FROM postings p NOT INDEXED
        WHERE p.community_id = ${communityId} AND p.seq > ${m.seq} AND p.seq <= ${to.seq} AND ${guard} GROUP BY p.account_id
        ON CONFLICT (account_id) DO UPDATE SET total = total + excluded.total`),
      ...rangeStatements(db, communityId, m, to, guard),
    );
  }
  if (checked) {
    statements.push(db.run(sql`UPDATE ledger_check_ranges SET verified_round = (SELECT MAX(verified_round) + 1 FROM ledger_check_ranges WHERE community_id = ${communityId}) WHERE community_id = ${communityId} AND kind = ${String(checked.kind)} AND bucket = ${num(checked.bucket)}`));
  }
  statements.push(
    db.run(sql`UPDATE ledger_check_marks SET posting_seq = ${to.seq}, transfer_rowid = ${to.rowid}, totals_by_kind = ${JSON.stringify(Object.fromEntries(byKind))}, checked_at = ${at}
      WHERE community_id = ${communityId} AND posting_seq = ${m.seq} AND transfer_rowid = ${m.rowid}`),
  );
  await db.batch(statements as [Statement, ...Statement[]]);
  return result;
}

function sameSums(r: Row): boolean {
  return (["rows", "sum1", "sum2", "sum3", "sum4"] as const).every((k) => num(r[k]) === num(r[`kept_${k}`]));
}

/** Communities whose last full pass is older than `fullCheckHours` (for the scheduled job). */
export async function communitiesDueFullCheck(db: Db, clock: Clock): Promise<string[]> {
  const before = new Date(clock.now().getTime() - fullCheckHours * 3_600_000).toISOString();
  const rows = rowsOf(await db.run(sql`SELECT c.id FROM communities c LEFT JOIN ledger_check_marks m ON m.community_id = c.id WHERE m.full_at IS NULL OR m.full_at < ${before}`));
  return rows.map((r) => String(r.id));
}
