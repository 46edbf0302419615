/**
 * 库存台账 / 进货台账: the stock ledger an office files, read from the append-only stock
 * movements and stock-in records (never from `goods.stock` alone), so every figure can be traced
 * to the rows that moved it.
 *
 * Each movement counts in one column: **in** (a stock-in record, booked on its arrival day, or the
 * opening stock of new goods), **out** (redemptions, net of their voids: a void's movement names
 * the redemption it reverses), or **adjust** (the admin's counted changes with a reason). Days are
 * China days (`shared/time.ts`). The balance after the last day of a period that runs to today is
 * the goods' stock.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { limits } from "../../shared/limits";
import { chinaDay } from "../../shared/time";
import type { Actor } from "./actor";
import { DomainError } from "./errors";
import { addDays } from "./goods";

export interface LedgerQuery {
  from?: string;
  to?: string;
  goodsId?: string;
  shopId?: string;
}

export interface LedgerFigures {
  in: number;
  out: number;
  adjust: number;
}

export interface LedgerDay extends LedgerFigures {
  date: string;
  /** The stock at the end of the day. */
  balance: number;
}

export interface LedgerGoods {
  goodsId: string;
  name: string;
  unit: string | null;
  shopId: string;
  shopName: string;
  /** The stock before the period's first day. */
  opening: number;
  /** Days of the period with a movement, in order. */
  days: LedgerDay[];
  totals: LedgerFigures;
  /** The stock after the period's last day: opening + in − out + adjust. */
  closing: number;
  /** The goods' stock now (equals `closing` when the period runs to today). */
  stock: number;
}

export interface LedgerReceipt {
  id: string;
  receivedOn: string;
  goodsId: string;
  goodsName: string;
  unit: string | null;
  quantity: number;
  supplier: string | null;
  unitCostFen: number | null;
  amountFen: number | null;
  note: string | null;
  createdAt: string;
  byName: string | null;
}

export interface StockLedger {
  from: string;
  to: string;
  shopId: string | null;
  goodsId: string | null;
  goods: LedgerGoods[];
  /** Sums over every goods listed (their units may differ; the per-goods totals are the figures to file). */
  totals: LedgerFigures;
  /** The stock-in records (进货) of the period, by arrival day. */
  receipts: LedgerReceipt[];
  /** What the listed stock-in records cost, in fen (records without a cost count nothing). */
  receiptsAmountFen: number;
  /** More stock-in records than one answer lists (`stockLedgerReceiptsMax`): narrow the period. */
  receiptsTruncated: boolean;
}

type Row = Record<string, unknown>;

/** The period asked for: `to` defaults to today (China), `from` to the first day of `to`'s month. */
function period(now: Date, query: LedgerQuery): { from: string; to: string } {
  const to = query.to ?? chinaDay(now);
  const from = query.from ?? `${to.slice(0, 8)}01`;
  if (from > to) throw new DomainError("VALIDATION_FAILED", { fields: { from: "not after to" } });
  if (addDays(from, limits.stockLedgerDaysMax - 1) < to) {
    throw new DomainError("VALIDATION_FAILED", { fields: { to: `at most ${limits.stockLedgerDaysMax} days after from` } });
  }
  return { from, to };
}

/**
 * Which shop a caller may read: an admin any shop of the community (or all); the shop's clerk
 * only their own shop (another shop → 403; a clerk without a shop reads nothing).
 */
function shopScope(actor: Actor, shopId: string | undefined): string | null {
  if (actor.role !== "clerk" || actor.kind !== "user") return shopId ?? null;
  if (!actor.shopId) throw new DomainError("FORBIDDEN", { reason: "the clerk has no shop" });
  if (shopId && shopId !== actor.shopId) throw new DomainError("FORBIDDEN", { shopId });
  return actor.shopId;
}

/** The stock ledger of the community's goods (or one shop's, or one goods') over a period. */
export async function stockLedger(db: Db, now: Date, actor: Actor, query: LedgerQuery): Promise<StockLedger> {
  const { from, to } = period(now, query);
  const shopId = shopScope(actor, query.shopId);
  const where: SQL[] = [sql`g.community_id = ${actor.communityId}`];
  if (shopId) where.push(sql`g.shop_id = ${shopId}`);
  if (query.goodsId) where.push(sql`g.id = ${query.goodsId}`);
  const goodsWhere = sql.join(where, sql` AND `);
  const goodsRows = await db.all<Row>(sql`SELECT g.id, g.name, g.unit, g.stock, g.shop_id, s.name AS shop_name
    FROM goods g JOIN shops s ON s.id = g.shop_id WHERE ${goodsWhere} ORDER BY s.name, g.name, g.id LIMIT 1000`);
  if (query.goodsId && goodsRows.length === 0) throw new DomainError("NOT_FOUND", { goodsId: query.goodsId });
  const figures = await dailyFigures(db, goodsWhere, from, to);
  const goods = goodsRows.map((g) => ledgerOf(g, figures.get(String(g.id)) ?? []));
  const receipts = await receiptsOf(db, goodsWhere, from, to);
  return {
    from,
    to,
    shopId,
    goodsId: query.goodsId ?? null,
    goods,
    totals: sumFigures(goods.map((g) => g.totals)),
    receipts: receipts.slice(0, limits.stockLedgerReceiptsMax),
    receiptsAmountFen: receipts.slice(0, limits.stockLedgerReceiptsMax).reduce((sum, r) => sum + (r.amountFen ?? 0), 0),
    receiptsTruncated: receipts.length > limits.stockLedgerReceiptsMax,
  };
}

type DayRow = { day: string | null } & LedgerFigures & { net: number };

/**
 * Every movement up to `to`, summed per goods and day; movements before `from` are summed into
 * one row with `day` null (the opening balance).
 */
async function dailyFigures(db: Db, goodsWhere: SQL, from: string, to: string): Promise<Map<string, DayRow[]>> {
  const rows = await db.all<Row>(sql`WITH m AS (
      SELECT sm.goods_id, sm.delta,
        COALESCE(sr.received_on, date(sm.created_at, '+8 hours')) AS day,
        CASE WHEN sr.id IS NOT NULL THEN 'in'
          WHEN r.id IS NOT NULL THEN 'out'
          WHEN sm.reason = 'opening stock' AND sm.ref IS NULL THEN 'in'
          ELSE 'adjust' END AS kind
      FROM stock_movements sm
      JOIN goods g ON g.id = sm.goods_id
      LEFT JOIN stock_receipts sr ON sr.id = sm.ref AND sr.goods_id = sm.goods_id
      LEFT JOIN redemptions r ON r.id = sm.ref AND r.community_id = sm.community_id
      WHERE sm.community_id = g.community_id AND ${goodsWhere})
    SELECT goods_id, CASE WHEN day < ${from} THEN NULL ELSE day END AS day,
      SUM(CASE WHEN kind = 'in' THEN delta ELSE 0 END) AS in_qty,
      SUM(CASE WHEN kind = 'out' THEN -delta ELSE 0 END) AS out_qty,
      SUM(CASE WHEN kind = 'adjust' THEN delta ELSE 0 END) AS adjust_qty,
      SUM(delta) AS net
    FROM m WHERE day <= ${to}
    GROUP BY goods_id, CASE WHEN day < ${from} THEN NULL ELSE day END
    ORDER BY goods_id, day`);
  const byGoods = new Map<string, DayRow[]>();
  for (const r of rows) {
    const list = byGoods.get(String(r.goods_id)) ?? [];
    list.push({ day: r.day === null ? null : String(r.day), in: Number(r.in_qty), out: Number(r.out_qty), adjust: Number(r.adjust_qty), net: Number(r.net) });
    byGoods.set(String(r.goods_id), list);
  }
  return byGoods;
}

function ledgerOf(g: Row, rows: DayRow[]): LedgerGoods {
  const opening = rows.filter((r) => r.day === null).reduce((sum, r) => sum + r.net, 0);
  let balance = opening;
  const days: LedgerDay[] = [];
  for (const r of rows) {
    if (r.day === null) continue;
    balance += r.net;
    days.push({ date: r.day, in: r.in, out: r.out, adjust: r.adjust, balance });
  }
  return {
    goodsId: String(g.id),
    name: String(g.name),
    unit: g.unit === null ? null : String(g.unit),
    shopId: String(g.shop_id),
    shopName: String(g.shop_name),
    opening,
    days,
    totals: sumFigures(days),
    closing: balance,
    stock: Number(g.stock),
  };
}

function sumFigures(list: LedgerFigures[]): LedgerFigures {
  return list.reduce((sum, f) => ({ in: sum.in + f.in, out: sum.out + f.out, adjust: sum.adjust + f.adjust }), { in: 0, out: 0, adjust: 0 });
}

/** The stock-in records of the period (one more than listed, to tell whether there are more). */
async function receiptsOf(db: Db, goodsWhere: SQL, from: string, to: string): Promise<LedgerReceipt[]> {
  const rows = await db.all<Row>(sql`SELECT sr.id, sr.received_on, sr.goods_id, sr.quantity, sr.supplier, sr.unit_cost_fen, sr.note, sr.created_at,
      g.name, g.unit, u.name AS by_name
    FROM stock_receipts sr JOIN goods g ON g.id = sr.goods_id LEFT JOIN users u ON 'user:' || u.id = sr.created_by
    WHERE sr.community_id = g.community_id AND ${goodsWhere} AND sr.received_on >= ${from} AND sr.received_on <= ${to}
    ORDER BY sr.received_on, sr.created_at, sr.id LIMIT ${limits.stockLedgerReceiptsMax + 1}`);
  return rows.map((r) => {
    const unitCostFen = r.unit_cost_fen === null ? null : Number(r.unit_cost_fen);
    return {
      id: String(r.id),
      receivedOn: String(r.received_on),
      goodsId: String(r.goods_id),
      goodsName: String(r.name),
      unit: r.unit === null ? null : String(r.unit),
      quantity: Number(r.quantity),
      supplier: r.supplier === null ? null : String(r.supplier),
      unitCostFen,
      amountFen: unitCostFen === null ? null : unitCostFen * Number(r.quantity),
      note: r.note === null ? null : String(r.note),
      createdAt: String(r.created_at),
      byName: r.by_name === null ? null : String(r.by_name),
    };
  });
}
