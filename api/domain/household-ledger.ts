/**
 * A household's points history (积分明细), as the resident reads it: every posting on the
 * household's account, newest first, with the balance after it and a sentence saying why the
 * points moved (the rule for awards and penalties, the receipt and goods for redemptions).
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { households } from "../../db/schema";
import { linesOf } from "./redemption";
import { carrierNamesZh, type Category, type Lang, type LedgerEntryKind } from "../../shared/domain";
import type { Actor } from "./actor";
import { DomainError } from "./errors";

export interface LedgerEntry {
  id: string;
  at: string;
  kind: LedgerEntryKind;
  /** Signed from the household's point of view: + points in, − points out. */
  amount: number;
  balanceAfter: number;
  ref: string | null;
  receiptNo: number | null;
  /** A redemption made at the counter while offline and synced later (issue 14). */
  offline: boolean;
  description: string;
}


export interface EntryRow {
  seq: number;
  transfer_id: string;
  amount: number;
  balance_after: number;
  kind: LedgerEntryKind;
  ref: string | null;
  created_at: string;
  redemption_id: string | null;
  receipt_no: number | null;
  rule_title: string | null;
  category: string | null;
  credit_points: number | null;
  offline_made_at: string | null;
  shortfall_of: string | null;
}

/** Staff of the community see any household; a resident sees only their own. */
export async function assertCanSeeHousehold(db: Db, actor: Actor, householdId: string) {
  const household = await db.query.households.findFirst({ where: and(eq(households.id, householdId), eq(households.communityId, actor.communityId)) });
  if (!household) throw new DomainError("NOT_FOUND", { householdId });
  if (actor.kind === "household" && actor.householdId !== householdId) throw new DomainError("FORBIDDEN");
  return household;
}

/** One page of the household's history, newest first; the cursor is the posting's `seq`. */
export async function householdLedger(db: Db, actor: Actor, householdId: string, query: { cursor: number | null; limit: number; lang: Lang }) {
  await assertCanSeeHousehold(db, actor, householdId);
  const before = query.cursor ? sql`AND p.seq < ${query.cursor}` : sql``;
  // Causes are `redemption:<id>`, `void:<redemption id>` and `application:<id>` (decision 001).
  const rows = await db.all<EntryRow>(sql`SELECT p.seq, p.transfer_id, p.amount, p.balance_after, p.kind, p.ref, p.created_at,
      r.id AS redemption_id, r.receipt_no, ru.title AS rule_title, a.category, cr.points AS credit_points,
      o.made_at AS offline_made_at, sf.id AS shortfall_of
    FROM postings p
    JOIN transfers t ON t.id = p.transfer_id
    -- An offline shortfall recovered later names the shortfall (cause shortfall:<id>:…, ref = its id).
    LEFT JOIN offline_shortfalls sf ON t.cause LIKE 'shortfall:%' AND sf.id = t.ref
    LEFT JOIN redemptions r ON r.id = CASE WHEN t.cause LIKE 'redemption:%' THEN substr(t.cause, 12)
                                           WHEN t.cause LIKE 'void:%' THEN substr(t.cause, 6)
                                           WHEN t.cause LIKE 'shortfall:%' THEN sf.redemption_id END
    LEFT JOIN offline_redemptions o ON o.redemption_id = r.id
    LEFT JOIN applications a ON a.id = CASE WHEN t.cause LIKE 'application:%' THEN substr(t.cause, 13) END
    LEFT JOIN rules ru ON ru.id = a.rule_id
    LEFT JOIN credits cr ON cr.application_id = a.id
    WHERE p.account_id = ${householdId} ${before}
    ORDER BY p.seq DESC LIMIT ${query.limit + 1}`);
  const page = rows.slice(0, query.limit);
  const redemptionIds = [...new Set(page.map((r) => r.redemption_id).filter((id): id is string => !!id))];
  const lines = await linesOf(db, redemptionIds);
  const goodsOf = (redemptionId: string) =>
    lines
      .filter((l) => l.redemptionId === redemptionId)
      .map((l) => `${l.name}×${l.quantity}`)
      .join(query.lang === "zh" ? "、" : ", ");
  const items: LedgerEntry[] = page.map((r) => ({
    id: String(r.transfer_id),
    at: String(r.created_at),
    kind: r.kind,
    amount: Number(r.amount),
    balanceAfter: Number(r.balance_after),
    ref: r.ref === null ? null : String(r.ref),
    receiptNo: r.receipt_no === null ? null : Number(r.receipt_no),
    offline: r.offline_made_at !== null,
    description: describe(r, r.redemption_id ? goodsOf(String(r.redemption_id)) : "", query.lang),
  }));
  const last = page[page.length - 1];
  return { items, nextCursor: rows.length > query.limit && last ? String(last.seq) : null };
}

function categoryName(category: string | null, lang: Lang): string {
  if (!category) return "";
  if (lang === "en") return ` (${category})`;
  const name = carrierNamesZh[category as Category];
  return name ? `（${name}）` : "";
}

/** The sentence a resident reads for one movement. */
export function describe(r: EntryRow, goods: string, lang: Lang): string {
  const zh = lang === "zh";
  const rule = r.rule_title ?? (zh ? "积分细则" : "a rule");
  const moved = Math.abs(Number(r.amount));
  switch (r.kind) {
    case "award":
      return zh ? `积分奖励：${rule}${categoryName(r.category, lang)}` : `Points awarded: ${rule}${categoryName(r.category, lang)}`;
    case "penalty": {
      const decided = r.credit_points === null ? moved : Number(r.credit_points);
      const partial = decided > moved;
      // Said as a deduction, with the points taken, so a penalty never reads like an award.
      if (zh) return `惩戒扣分：${rule}${partial ? `（应扣 ${decided} 分，余额不足，实扣 ${moved} 分）` : `，扣 ${moved} 分`}`;
      return `Penalty: ${rule}${partial ? ` (${decided} points decided; the balance allowed ${moved})` : `, ${moved} points deducted`}`;
    }
    case "redemption":
      if (r.shortfall_of) return zh ? `补扣离线兑换差额，小票 No.${r.receipt_no ?? "?"}` : `Offline shortfall recovered, receipt No.${r.receipt_no ?? "?"}`;
      if (r.offline_made_at) {
        return zh
          ? `离线兑换，小票 No.${r.receipt_no ?? "?"}${goods ? `：${goods}` : ""}（网络断开时兑换，稍后同步）`
          : `Redeemed offline, receipt No.${r.receipt_no ?? "?"}${goods ? `: ${goods}` : ""} (made while the network was down, synced later)`;
      }
      return zh ? `兑换商品，小票 No.${r.receipt_no ?? "?"}${goods ? `：${goods}` : ""}` : `Redeemed, receipt No.${r.receipt_no ?? "?"}${goods ? `: ${goods}` : ""}`;
    case "reversal":
      return zh ? `撤销兑换，小票 No.${r.receipt_no ?? "?"}，积分退回` : `Redemption voided, receipt No.${r.receipt_no ?? "?"}: points returned`;
    case "adjustment":
      return zh ? "积分调整" : "Adjustment";
    default:
      return String(r.kind);
  }
}
