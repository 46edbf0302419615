/**
 * The household statement (积分对账单): a book that leaves the system — printed on A4 at the
 * office or on a 58 mm receipt at the counter and handed to a resident who has only a card.
 * Every posting on the household's account within the period, oldest first, each with the
 * balance after it and the sentence the history page shows; the opening balance is the balance
 * after the last posting before the period, and opening + the sum of the amounts = closing.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { Lang, LedgerEntryKind } from "../../shared/domain";
import { limits } from "../../shared/limits";
import type { Actor } from "./actor";
import { DomainError } from "./errors";
import { assertCanSeeHousehold, describe, type EntryRow } from "./household-ledger";
import { linesOf } from "./redemption";

export interface StatementEntry {
  at: string;
  kind: LedgerEntryKind;
  /** Signed from the household's point of view. */
  amount: number;
  balanceAfter: number;
  text: string;
}

export interface Statement {
  household: { householdNo: string; headName: string; building: string; room: string | null };
  /** Start of the period (inclusive); null: since the household's first entry. */
  from: string | null;
  /** End of the period (exclusive). */
  to: string;
  opening: number;
  closing: number;
  entries: StatementEntry[];
}

/**
 * The statement of a household over `[from, to)`; `to` defaults to now. Staff of the community
 * and the household itself (its card, or a family helper) may read it.
 */
export async function householdStatement(db: Db, actor: Actor, householdId: string, period: { from: string | null; to: string }, lang: Lang): Promise<Statement> {
  const household = await assertCanSeeHousehold(db, actor, householdId);
  const from = period.from ?? "";
  const [before] = await db.all<{ balance_after: number }>(sql`SELECT balance_after FROM postings
    WHERE account_id = ${householdId} AND created_at < ${from} ORDER BY seq DESC LIMIT 1`);
  const opening = before ? Number(before.balance_after) : 0;
  // Causes are `redemption:<id>`, `void:<redemption id>` and `application:<id>` (decision 001).
  const rows = await db.all<EntryRow>(sql`SELECT p.seq, p.transfer_id, p.amount, p.balance_after, p.kind, p.ref, p.created_at,
      r.id AS redemption_id, r.receipt_no, ru.title AS rule_title, a.category, cr.points AS credit_points
    FROM postings p
    JOIN transfers t ON t.id = p.transfer_id
    LEFT JOIN redemptions r ON r.id = CASE WHEN t.cause LIKE 'redemption:%' THEN substr(t.cause, 12)
                                           WHEN t.cause LIKE 'void:%' THEN substr(t.cause, 6) END
    LEFT JOIN applications a ON a.id = CASE WHEN t.cause LIKE 'application:%' THEN substr(t.cause, 13) END
    LEFT JOIN rules ru ON ru.id = a.rule_id
    LEFT JOIN credits cr ON cr.application_id = a.id
    WHERE p.account_id = ${householdId} AND p.created_at >= ${from} AND p.created_at < ${period.to}
    ORDER BY p.seq LIMIT ${limits.statementEntriesMax + 1}`);
  if (rows.length > limits.statementEntriesMax) throw new DomainError("STATEMENT_TOO_LONG", { max: limits.statementEntriesMax });
  const lines = await linesOf(db, [...new Set(rows.map((r) => r.redemption_id).filter((id): id is string => !!id))]);
  const goodsOf = (redemptionId: string) =>
    lines
      .filter((l) => l.redemptionId === redemptionId)
      .map((l) => `${l.name}×${l.quantity}`)
      .join(lang === "zh" ? "、" : ", ");
  const entries: StatementEntry[] = rows.map((r) => ({
    at: String(r.created_at),
    kind: r.kind,
    amount: Number(r.amount),
    balanceAfter: Number(r.balance_after),
    text: describe(r, r.redemption_id ? goodsOf(String(r.redemption_id)) : "", lang),
  }));
  const last = entries[entries.length - 1];
  const closing = last ? last.balanceAfter : opening;
  return {
    household: { householdNo: household.householdNo, headName: household.headName, building: household.building, room: household.room },
    from: period.from,
    to: period.to,
    opening,
    closing,
    entries,
  };
}
