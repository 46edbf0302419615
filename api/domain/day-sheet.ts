/**
 * The end-of-day sheet (日结单): what a shop (or one clerk of it) redeemed on one day in China,
 * printed and signed by the clerk and the station's head. It reads the same rows as the receipt
 * list, so its totals equal `GET /redemptions?date=` for the same day and shop: the day's
 * receipts, those of them voided since, the goods that left the shelf and stayed out, and each
 * clerk's share. Voids made that day of receipts from earlier days are listed apart (their
 * stock came back that day) and are not in the day's totals.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { num, strOrNull } from "../../db/sql";
import { chinaDayRange } from "../../shared/time";
import type { Actor } from "./actor";
import { isoNow, type Clock } from "./clock";
import { DomainError } from "./errors";

/** Receipts one sheet lists; a shop's busiest day is a few hundred. The totals always cover all. */
export const daySheetReceiptsMax = 2000;

export interface DaySheetQuery {
  /** `YYYY-MM-DD`, a day in China. */
  date: string;
  shopId?: string;
  clerkId?: string;
}

export interface DaySheetReceipt {
  id: string;
  receiptNo: number;
  createdAt: string;
  householdNo: string;
  headName: string;
  total: number;
  shop: { id: string; name: string };
  clerk: { id: string; name: string };
  void: { at: string; reason: string | null; byName: string | null } | null;
}

export interface DaySheetTotals {
  count: number;
  points: number;
  voidedCount: number;
  voidedPoints: number;
  netPoints: number;
}

export interface DaySheet {
  date: string;
  from: string;
  to: string;
  community: { id: string; name: string };
  /** null: every shop of the community (an admin's sheet). */
  shop: { id: string; name: string } | null;
  /** null: every clerk of the shop. */
  clerk: { id: string; name: string } | null;
  receipts: DaySheetReceipt[];
  /** True when the day had more than `daySheetReceiptsMax` receipts; the totals still count all. */
  truncated: boolean;
  totals: DaySheetTotals;
  /** Goods that left the shelf that day and stayed out (voided receipts left out). */
  byGoods: { goodsId: string; name: string; quantity: number; points: number }[];
  byClerk: ({ clerk: { id: string; name: string } } & DaySheetTotals)[];
  /** Voids made that day of receipts from earlier days. */
  earlierVoids: { redemptionId: string; receiptNo: number; receiptAt: string; total: number; at: string; reason: string | null; byName: string | null }[];
  generatedAt: string;
}

interface Scope {
  shop: { id: string; name: string } | null;
  clerk: { id: string; name: string } | null;
}

/**
 * Who may read which sheet: a clerk their own shop's (their own or any clerk's of the shop), an
 * admin any shop's of the community. Ids of another community answer 404.
 */
async function scopeOf(db: Db, actor: Actor, query: DaySheetQuery): Promise<Scope> {
  if (actor.kind !== "user" || (actor.role !== "clerk" && actor.role !== "admin")) throw new DomainError("FORBIDDEN");
  let shopId = query.shopId;
  if (actor.role === "clerk") {
    if (!actor.shopId) throw new DomainError("FORBIDDEN", { reason: "a clerk without a shop" });
    if (shopId && shopId !== actor.shopId) throw new DomainError("FORBIDDEN", { reason: "another shop's sheet" });
    shopId = actor.shopId;
  }
  let shop: Scope["shop"] = null;
  if (shopId) {
    const [row] = await db.all<{ id: string; name: string }>(sql`SELECT id, name FROM shops WHERE id = ${shopId} AND community_id = ${actor.communityId}`);
    if (!row) throw new DomainError("NOT_FOUND", { shopId });
    shop = { id: String(row.id), name: String(row.name) };
  }
  let clerk: Scope["clerk"] = null;
  if (query.clerkId) {
    const [row] = await db.all<{ id: string; name: string; shop_id: string | null }>(sql`SELECT id, name, shop_id FROM users WHERE id = ${query.clerkId} AND community_id = ${actor.communityId}`);
    if (!row) throw new DomainError("NOT_FOUND", { clerkId: query.clerkId });
    if (actor.role === "clerk" && row.shop_id !== actor.shopId) throw new DomainError("FORBIDDEN", { reason: "a clerk of another shop" });
    clerk = { id: String(row.id), name: String(row.name) };
  }
  return { shop, clerk };
}

/** The sheet of one day in China for a shop (or the whole community) and optionally one clerk. */
export async function daySheet(db: Db, clock: Clock, actor: Actor, query: DaySheetQuery): Promise<DaySheet> {
  const scope = await scopeOf(db, actor, query);
  const { start, end } = chinaDayRange(query.date);
  const conditions: SQL[] = [sql`r.community_id = ${actor.communityId}`];
  if (scope.shop) conditions.push(sql`r.shop_id = ${scope.shop.id}`);
  if (scope.clerk) conditions.push(sql`r.clerk_id = ${scope.clerk.id}`);
  const scoped = sql.join(conditions, sql` AND `);
  const ofDay = sql`${scoped} AND r.created_at >= ${start} AND r.created_at < ${end}`;

  const rows = await db.all<Record<string, unknown>>(sql`SELECT r.id, r.receipt_no, r.created_at, r.total, r.shop_id, s.name AS shop_name,
      r.clerk_id, u.name AS clerk_name, h.household_no, h.head_name, v.created_at AS voided_at, v.reason AS void_reason, vu.name AS voided_by_name
    FROM redemptions r JOIN households h ON h.id = r.household_id
    LEFT JOIN shops s ON s.id = r.shop_id
    LEFT JOIN users u ON u.id = r.clerk_id
    LEFT JOIN redemption_voids v ON v.redemption_id = r.id
    LEFT JOIN users vu ON 'user:' || vu.id = v.voided_by
    WHERE ${ofDay} ORDER BY r.receipt_no LIMIT ${daySheetReceiptsMax + 1}`);
  const receipts = rows.slice(0, daySheetReceiptsMax).map(
    (r): DaySheetReceipt => ({
      id: String(r.id),
      receiptNo: num(r.receipt_no),
      createdAt: String(r.created_at),
      householdNo: String(r.household_no),
      headName: String(r.head_name),
      total: num(r.total),
      shop: { id: String(r.shop_id), name: String(r.shop_name ?? "") },
      clerk: { id: String(r.clerk_id), name: String(r.clerk_name ?? "") },
      void: r.voided_at === null ? null : { at: String(r.voided_at), reason: strOrNull(r.void_reason), byName: strOrNull(r.voided_by_name) },
    }),
  );

  const byClerkRows = await db.all<Record<string, unknown>>(sql`SELECT r.clerk_id, u.name AS clerk_name, COUNT(*) AS count, COALESCE(SUM(r.total), 0) AS points,
      COUNT(v.redemption_id) AS voided_count, COALESCE(SUM(CASE WHEN v.redemption_id IS NOT NULL THEN r.total END), 0) AS voided_points
    FROM redemptions r LEFT JOIN redemption_voids v ON v.redemption_id = r.id LEFT JOIN users u ON u.id = r.clerk_id
    WHERE ${ofDay} GROUP BY r.clerk_id ORDER BY u.name, r.clerk_id`);
  const byClerk = byClerkRows.map((r) => ({ clerk: { id: String(r.clerk_id), name: String(r.clerk_name ?? "") }, ...totalsOf(r) }));
  const totals = byClerk.reduce<DaySheetTotals>(
    (sum, r) => ({ count: sum.count + r.count, points: sum.points + r.points, voidedCount: sum.voidedCount + r.voidedCount, voidedPoints: sum.voidedPoints + r.voidedPoints, netPoints: sum.netPoints + r.netPoints }),
    { count: 0, points: 0, voidedCount: 0, voidedPoints: 0, netPoints: 0 },
  );

  const goodsRows = await db.all<Record<string, unknown>>(sql`SELECT l.goods_id, MIN(l.name) AS name, SUM(l.quantity) AS quantity, SUM(l.subtotal) AS points
    FROM redemption_lines l JOIN redemptions r ON r.id = l.redemption_id LEFT JOIN redemption_voids v ON v.redemption_id = r.id
    WHERE ${ofDay} AND v.redemption_id IS NULL GROUP BY l.goods_id ORDER BY points DESC, name`);
  const byGoods = goodsRows.map((g) => ({ goodsId: String(g.goods_id), name: String(g.name), quantity: num(g.quantity), points: num(g.points) }));

  const earlierRows = await db.all<Record<string, unknown>>(sql`SELECT r.id, r.receipt_no, r.created_at, r.total, v.created_at AS voided_at, v.reason, vu.name AS voided_by_name
    FROM redemption_voids v JOIN redemptions r ON r.id = v.redemption_id LEFT JOIN users vu ON 'user:' || vu.id = v.voided_by
    WHERE ${scoped} AND v.created_at >= ${start} AND v.created_at < ${end} AND r.created_at < ${start}
    ORDER BY v.created_at LIMIT ${daySheetReceiptsMax}`);
  const earlierVoids = earlierRows.map((r) => ({
    redemptionId: String(r.id),
    receiptNo: num(r.receipt_no),
    receiptAt: String(r.created_at),
    total: num(r.total),
    at: String(r.voided_at),
    reason: strOrNull(r.reason),
    byName: strOrNull(r.voided_by_name),
  }));

  const [community] = await db.all<{ id: string; name: string }>(sql`SELECT id, name FROM communities WHERE id = ${actor.communityId}`);
  return {
    date: query.date,
    from: start,
    to: end,
    community: { id: String(community?.id ?? actor.communityId), name: String(community?.name ?? "") },
    shop: scope.shop,
    clerk: scope.clerk,
    receipts,
    truncated: rows.length > daySheetReceiptsMax,
    totals,
    byGoods,
    byClerk,
    earlierVoids,
    generatedAt: isoNow(clock),
  };
}

function totalsOf(r: Record<string, unknown>): DaySheetTotals {
  const points = num(r.points);
  const voidedPoints = num(r.voided_points);
  return { count: num(r.count), points, voidedCount: num(r.voided_count), voidedPoints, netPoints: points - voidedPoints };
}
