/**
 * The monthly report's settlements sheet: every shop statement (结算单) drafted, confirmed or paid
 * within the month, with its period, status, points and amount, read from `settlements`.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { num, strOrNull, type Row } from "../../db/sql";

export interface SettlementLine {
  id: string;
  shop: string;
  /** The statement's period (UTC instants); `from` null for a shop's first statement. */
  from: string | null;
  to: string;
  status: "draft" | "confirmed" | "paid";
  redemptions: number;
  points: number;
  amountFen: number;
  createdAt: string;
  confirmedAt: string | null;
  paidAt: string | null;
}

export interface MonthSettlements {
  items: SettlementLine[];
  /** Points of the statements confirmed within the month (what moved to the settled account). */
  pointsConfirmed: number;
  /** Fen (分) of the statements paid within the month. */
  amountPaidFen: number;
}

const within = (at: string | null, p: { from: string; to: string }) => at !== null && at >= p.from && at < p.to;

/** The statements with a step (drafted, confirmed, paid) in `[from, to)`, by shop and period. */
export async function settlementsOfMonth(db: Db, communityId: string, p: { from: string; to: string }): Promise<MonthSettlements> {
  const rows = await db.all<Row>(sql`SELECT s.id, sh.name AS shop, s.from_at, s.to_at, s.status, s.redemptions, s.points, s.amount_fen, s.created_at, s.confirmed_at, s.paid_at
    FROM settlements s JOIN shops sh ON sh.id = s.shop_id
    WHERE s.community_id = ${communityId} AND ((s.created_at >= ${p.from} AND s.created_at < ${p.to})
      OR (s.confirmed_at >= ${p.from} AND s.confirmed_at < ${p.to}) OR (s.paid_at >= ${p.from} AND s.paid_at < ${p.to}))
    ORDER BY sh.name, s.to_at`);
  const items: SettlementLine[] = rows.map((r) => ({
    id: String(r.id),
    shop: String(r.shop),
    from: strOrNull(r.from_at),
    to: String(r.to_at),
    status: String(r.status) as SettlementLine["status"],
    redemptions: num(r.redemptions),
    points: num(r.points),
    amountFen: num(r.amount_fen),
    createdAt: String(r.created_at),
    confirmedAt: strOrNull(r.confirmed_at),
    paidAt: strOrNull(r.paid_at),
  }));
  return {
    items,
    pointsConfirmed: items.filter((s) => within(s.confirmedAt, p)).reduce((sum, s) => sum + s.points, 0),
    amountPaidFen: items.filter((s) => within(s.paidAt, p)).reduce((sum, s) => sum + s.amountFen, 0),
  };
}
