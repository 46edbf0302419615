/**
 * The double-entry points ledger.
 *
 * A transfer moves a positive amount from one account to another and names its cause; the
 * cause is UNIQUE, so nothing is ever credited twice. Each transfer writes two postings (−a on
 * the debit account, +a on the credit account) with the balance after it. Balances are
 * materialised on `accounts` and guarded by `CHECK (balance >= 0)` for households and shops, so a
 * transfer that would overdraw fails its whole batch. Nothing here reads then writes across an
 * `await`: callers collect the statements and run them in one `db.batch`.
 */
import { sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../db/client";
import { fixedSql, num, rowsOf, type Row } from "../../db/sql";
import type { AccountKind, LedgerEntryKind } from "../../shared/domain";

export type Statement = BatchItem<"sqlite">;

export function issuanceAccountId(communityId: string): string {
  return `issuance:${communityId}`;
}

export function openAccountStatement(db: Db, account: { id: string; communityId: string; kind: AccountKind; at: string }): Statement {
  return db.run(sql`INSERT INTO accounts (id, community_id, kind, balance, score, created_at)
    VALUES (${account.id}, ${account.communityId}, ${account.kind}, 0, 0, ${account.at})`);
}

export interface TransferSpec {
  id: string;
  communityId: string;
  debitAccountId: string;
  creditAccountId: string;
  /**
   * A positive integer, or an SQL expression evaluated inside the batch (a penalty takes
   * `MIN(points, balance)`). An expression that comes to zero or less moves nothing.
   */
  amount: number | SQL;
  kind: LedgerEntryKind;
  cause: string;
  ref?: string | null;
  reversesTransferId?: string | null;
  createdBy: string;
  at: string;
}

/** The five statements of one transfer: journal row, two balance updates, two postings. */
export function transferStatements(db: Db, t: TransferSpec): Statement[] {
  // An amount known in advance (a redemption, an award) goes in as a value, with the text fixed
  // (`fixedSql`: the counter writes one per sale); an SQL amount is computed in the batch, and a
  // transfer whose amount comes to 0 is not written at all.
  const journal =
    typeof t.amount === "number"
      ? fixedSql`INSERT INTO transfers (id, community_id, debit_account_id, credit_account_id, amount, kind, cause, ref, reverses_transfer_id, created_by, created_at)
          VALUES (${t.id}, ${t.communityId}, ${t.debitAccountId}, ${t.creditAccountId}, ${t.amount}, ${t.kind}, ${t.cause}, ${t.ref ?? null}, ${t.reversesTransferId ?? null}, ${t.createdBy}, ${t.at})`
      : db.run(sql`INSERT INTO transfers (id, community_id, debit_account_id, credit_account_id, amount, kind, cause, ref, reverses_transfer_id, created_by, created_at)
          SELECT ${t.id}, ${t.communityId}, ${t.debitAccountId}, ${t.creditAccountId}, amt, ${t.kind}, ${t.cause}, ${t.ref ?? null}, ${t.reversesTransferId ?? null}, ${t.createdBy}, ${t.at}
          FROM (SELECT (${t.amount}) AS amt) WHERE amt > 0`);
  // The rest reads the amount from the journal row (nothing moves when it was not written).
  return [
    journal,
    fixedSql`UPDATE accounts SET balance = balance - COALESCE((SELECT amount FROM transfers WHERE id = ${t.id}), 0) WHERE id = ${t.debitAccountId}`,
    fixedSql`UPDATE accounts SET balance = balance + COALESCE((SELECT amount FROM transfers WHERE id = ${t.id}), 0) WHERE id = ${t.creditAccountId}`,
    fixedSql`INSERT INTO postings (community_id, transfer_id, account_id, amount, balance_after, kind, ref, created_at)
      SELECT t.community_id, t.id, a.id, -1 * t.amount, a.balance, t.kind, t.ref, t.created_at
      FROM transfers t JOIN accounts a ON a.id = t.debit_account_id WHERE t.id = ${t.id}`,
    fixedSql`INSERT INTO postings (community_id, transfer_id, account_id, amount, balance_after, kind, ref, created_at)
      SELECT t.community_id, t.id, a.id, 1 * t.amount, a.balance, t.kind, t.ref, t.created_at
      FROM transfers t JOIN accounts a ON a.id = t.credit_account_id WHERE t.id = ${t.id}`,
  ];
}

/** Adds to a household's score (累计积分); not money, so it has no postings. */
export function scoreStatement(db: Db, householdId: string, delta: number): Statement {
  return db.run(sql`UPDATE accounts SET score = score + ${delta} WHERE id = ${householdId} AND kind = 'household'`);
}

export interface LedgerCheck {
  ok: boolean;
  sumOfBalances: number;
  issued: number;
  deducted: number;
  redeemed: number;
  outstanding: number;
  /** Points the community has settled with its shops (the settled account; settlements.ts). */
  settled: number;
  /** Points redeemed and not yet settled: the sum of the shops' balances. */
  unsettled: number;
  problems: string[];
}


/**
 * What the transfers of each kind add up to, as the ledger check and the reports name them:
 * awards issued, what penalties actually took, and redemptions net of their voids. The one
 * place that knows which transfer kind is which figure.
 */
export function pointFlows(totalsByKind: Row[]): { issued: number; deducted: number; redeemed: number } {
  const byKind = new Map(totalsByKind.map((r) => [String(r.kind), num(r.total)]));
  return {
    issued: byKind.get("award") ?? 0,
    deducted: byKind.get("penalty") ?? 0,
    redeemed: (byKind.get("redemption") ?? 0) - (byKind.get("reversal") ?? 0),
  };
}

/** The accounts' settlement totals, as columns `unsettled` and `settled` of a query over `accounts`. */
export const settlementTotals = sql`COALESCE(SUM(CASE WHEN kind = 'shop' THEN balance END), 0) AS unsettled,
  COALESCE(SUM(CASE WHEN kind = 'settled' THEN balance END), 0) AS settled`;

/**
 * Settled (the settled account) and unsettled (the shops' balances) from a row with
 * `settlementTotals`; a problem when they do not add up to what was redeemed (net of voids).
 */
/**
 * What the check's invariant queries found, in words: accounts whose balance is not their
 * postings' sum, transfers whose two postings do not balance, negative balances, and accounts
 * that do not sum to zero. Shared by the full check and the incremental one (ledger-check.ts).
 */
export function invariantProblems(drift: unknown, unbalanced: unknown, negative: unknown, totalsRow: Row): { problems: string[]; sumOfBalances: number } {
  const problems = [
    ...rowsOf(drift).map((r) => `account ${r.id}: balance ${r.balance} but postings sum to ${r.total}`),
    ...rowsOf(unbalanced).map((r) => `transfer ${r.id}: postings do not balance`),
    ...rowsOf(negative).map((r) => `account ${r.id}: negative balance`),
  ];
  const sumOfBalances = num(totalsRow.sum_all);
  if (sumOfBalances !== 0) problems.push(`accounts sum to ${sumOfBalances}, not 0`);
  return { problems, sumOfBalances };
}

export function settlementFigures(row: Row, redeemed: number, problems: string[]): { settled: number; unsettled: number } {
  const settled = num(row.settled);
  const unsettled = num(row.unsettled);
  if (redeemed !== settled + unsettled) problems.push(`redeemed ${redeemed} is not settled ${settled} + unsettled ${unsettled}`);
  return { settled, unsettled };
}

/**
 * The reads of the check over every entry, in one batch (one snapshot); every one of them is a
 * SELECT, so the batch runs as a read transaction beside the writers. Each streams an index:
 *
 * - each account's postings summed through `postings_account_idx` (account_id, seq, amount);
 *   the subquery has `LIMIT -1 OFFSET 0` so SQLite neither flattens it nor pushes the filter into
 *   it (either would sum every account twice: once to compare, once to answer);
 * - the pair test as a merge of two id-ordered streams, the community's transfers (by their
 *   primary key) EXCEPT the transfer ids whose postings in `postings_transfer_pair_idx`
 *   (community_id, transfer_id, amount) are exactly two summing to 0. The `COLLATE BINARY` makes
 *   the GROUP BY the same term as the compound's ORDER BY, so the groups come out of the index in
 *   order and nothing is sorted; a transfer with a missing, extra or changed posting is listed;
 * - the totals by kind from `transfers_community_idx` (community_id, kind, created_at, amount).
 */
export function ledgerCheckReads(db: Db, communityId: string): [Statement, Statement, Statement, Statement, Statement] {
  return [
    db.run(sql`SELECT COALESCE(SUM(balance), 0) AS sum_all,
        COALESCE(SUM(CASE WHEN kind = 'household' THEN balance END), 0) AS outstanding, ${settlementTotals}
      FROM accounts WHERE community_id = ${communityId}`),
    db.run(sql`SELECT id, balance, total FROM (SELECT a.id, a.balance,
        (SELECT COALESCE(SUM(p.amount), 0) FROM postings p WHERE p.account_id = a.id) AS total
      FROM accounts a WHERE a.community_id = ${communityId} LIMIT -1 OFFSET 0) WHERE balance <> total LIMIT 20`),
    db.run(sql`SELECT id FROM transfers WHERE community_id = ${communityId}
      EXCEPT SELECT transfer_id FROM postings WHERE community_id = ${communityId}
        GROUP BY transfer_id COLLATE BINARY HAVING COUNT(*) = 2 AND SUM(amount) = 0
      ORDER BY 1 LIMIT 20`),
    db.run(sql`SELECT id FROM accounts WHERE community_id = ${communityId} AND kind <> 'issuance' AND balance < 0 LIMIT 20`),
    db.run(sql`SELECT kind, COALESCE(SUM(amount), 0) AS total FROM transfers WHERE community_id = ${communityId} GROUP BY kind`),
  ];
}

/** The check's answer from the results of `ledgerCheckReads`, in their order. */
export function ledgerCheckResult([totals, drift, unbalanced, negative, flows]: unknown[]): LedgerCheck {
  const totalsRow = rowsOf(totals)[0] ?? {};
  const { problems, sumOfBalances } = invariantProblems(drift, unbalanced, negative, totalsRow);
  const pointsFlowed = pointFlows(rowsOf(flows));
  const settlement = settlementFigures(totalsRow, pointsFlowed.redeemed, problems);
  return {
    ok: problems.length === 0,
    sumOfBalances,
    ...pointsFlowed,
    outstanding: num(totalsRow.outstanding),
    ...settlement,
    problems,
  };
}

/**
 * Recomputes the community's ledger from its entries: all accounts sum to zero, every balance
 * equals the sum of its postings, every transfer's postings sum to zero, no household or shop
 * is below zero.
 */
export async function checkLedger(db: Db, communityId: string): Promise<LedgerCheck> {
  return ledgerCheckResult(await db.batch(ledgerCheckReads(db, communityId)));
}
