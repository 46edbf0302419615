/**
 * Goods (商品) and their stock. Stock moves only by `UPDATE … SET stock = stock + delta` in the
 * same batch as its `stock_movements` row; `CHECK (stock >= 0)` refuses a change that would take
 * it below zero, so two clerks (or an admin and a clerk) can never oversell between them.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { goods, shops, stockMovements, stockReceipts } from "../../db/schema";
import { limits } from "../../shared/limits";
import { chinaDay } from "../../shared/time";
import { actorRef, type Actor, type RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { DomainError, failedNotNull, invariantError, violatedConstraint } from "./errors";
import type { Statement } from "./ledger";
import { initialsOf } from "./till";

export interface GoodsView {
  id: string;
  shopId: string;
  name: string;
  points: number;
  stock: number;
  unit: string | null;
  active: boolean;
  /** The product barcode (EAN-13 / UPC), or null; `initials`: the name's pinyin initials, for the till's search. */
  barcode: string | null;
  initials: string;
}

export function toGoodsView(g: typeof goods.$inferSelect): GoodsView {
  return { id: g.id, shopId: g.shopId, name: g.name, points: g.points, stock: g.stock, unit: g.unit, active: g.active, barcode: g.barcode, initials: initialsOf(g.name) };
}

export interface NewGoods {
  shopId: string;
  name: string;
  points: number;
  stock: number;
  unit?: string | null;
}

/** Puts new goods on a shop's shelf; the opening stock is the first stock movement. */
export async function createGoods(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, input: NewGoods): Promise<GoodsView> {
  const shop = await db.query.shops.findFirst({ where: and(eq(shops.id, input.shopId), eq(shops.communityId, actor.communityId)) });
  if (!shop) throw new DomainError("NOT_FOUND", { shopId: input.shopId });
  const at = isoNow(clock);
  const row = { id: newId(), communityId: actor.communityId, shopId: shop.id, name: input.name, points: input.points, stock: input.stock, unit: input.unit ?? null, createdAt: at };
  const statements: Statement[] = [db.insert(goods).values(row)];
  if (input.stock > 0) {
    statements.push(db.insert(stockMovements).values({ communityId: actor.communityId, goodsId: row.id, delta: input.stock, reason: "opening stock", createdBy: actorRef(actor), createdAt: at }));
  }
  statements.push(auditStatement(db, actor, meta, at, { action: "goods.create", targetType: "goods", targetId: row.id, details: { shopId: shop.id, name: row.name, points: row.points, stock: row.stock } }));
  await db.batch(statements as [Statement, ...Statement[]]);
  return toGoodsView({ ...row, active: true, barcode: null });
}

/** The community's goods, optionally one shop's, by name. */
export async function listGoods(db: Db, communityId: string, shopId?: string): Promise<GoodsView[]> {
  const where = shopId ? and(eq(goods.communityId, communityId), eq(goods.shopId, shopId)) : eq(goods.communityId, communityId);
  const rows = await db.query.goods.findMany({ where, orderBy: [asc(goods.name), asc(goods.id)], limit: 1000 });
  return rows.map(toGoodsView);
}

/**
 * Adds (delta > 0) or removes (delta < 0) stock with a reason, in one batch with its movement
 * row; a change that would leave the stock below zero fails whole with OUT_OF_STOCK.
 */
export async function changeStock(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, goodsId: string, delta: number, reason: string): Promise<GoodsView> {
  const item = await db.query.goods.findFirst({ where: and(eq(goods.id, goodsId), eq(goods.communityId, actor.communityId)) });
  if (!item) throw new DomainError("NOT_FOUND", { goodsId });
  const at = isoNow(clock);
  try {
    await db.batch([
      db.run(sql`UPDATE goods SET stock = stock + ${delta} WHERE id = ${goodsId}`),
      db.insert(stockMovements).values({ communityId: actor.communityId, goodsId, delta, reason, createdBy: actorRef(actor), createdAt: at }),
      auditStatement(db, actor, meta, at, { action: "goods.stock", targetType: "goods", targetId: goodsId, details: { delta, reason } }),
    ]);
  } catch (err) {
    const mapped = invariantError(err);
    if (mapped?.code === "OUT_OF_STOCK") throw new DomainError("OUT_OF_STOCK", { goodsId, stock: (await currentStock(db, goodsId)) ?? item.stock, delta });
    throw mapped ?? err;
  }
  const after = await db.query.goods.findFirst({ where: eq(goods.id, goodsId) });
  if (!after) throw new Error("assertion failed: goods vanished after a stock change");
  return toGoodsView(after);
}

async function currentStock(db: Db, goodsId: string): Promise<number | null> {
  const row = await db.query.goods.findFirst({ where: eq(goods.id, goodsId), columns: { stock: true } });
  return row?.stock ?? null;
}

/** The reason on the stock movement of a stock-in; its `ref` is the stock-in record's id. */
export const stockInReason = "stock in";

export interface StockInInput {
  quantity: number;
  supplier?: string | null;
  unitCostFen?: number | null;
  note?: string | null;
  /** The day the goods arrived (China, YYYY-MM-DD); today when absent. */
  receivedOn?: string | null;
}

export interface StockReceiptView {
  id: string;
  goodsId: string;
  shopId: string;
  quantity: number;
  supplier: string | null;
  unitCostFen: number | null;
  /** quantity × unitCostFen, or null when no cost was recorded. */
  amountFen: number | null;
  note: string | null;
  receivedOn: string;
  createdAt: string;
  createdBy: string;
}

export interface StockInResult {
  receipt: StockReceiptView;
  goods: GoodsView;
  /** true: the Idempotency-Key was seen before; nothing was written and this is the first answer. */
  replayed: boolean;
}

export function toReceiptView(r: typeof stockReceipts.$inferSelect): StockReceiptView {
  return {
    id: r.id,
    goodsId: r.goodsId,
    shopId: r.shopId,
    quantity: r.quantity,
    supplier: r.supplier,
    unitCostFen: r.unitCostFen,
    amountFen: r.unitCostFen === null ? null : r.unitCostFen * r.quantity,
    note: r.note,
    receivedOn: r.receivedOn,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
  };
}

/** A calendar day `days` later (earlier when negative), `YYYY-MM-DD`. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The arrival day: not after today in China, and at most `stockInBackdateDaysMax` days back. */
function arrivalDay(clock: Clock, receivedOn: string | null | undefined): string {
  const today = chinaDay(clock.now());
  if (!receivedOn) return today;
  const earliest = addDays(today, -limits.stockInBackdateDaysMax);
  if (receivedOn > today) throw new DomainError("VALIDATION_FAILED", { fields: { receivedOn: `not after today (${today}, China)` } });
  if (receivedOn < earliest) throw new DomainError("VALIDATION_FAILED", { fields: { receivedOn: `at most ${limits.stockInBackdateDaysMax} days back (${earliest})` } });
  return receivedOn;
}

/** Whether a stored record is what this request asks for (a retry with the same key). */
function sameRequest(r: typeof stockReceipts.$inferSelect, goodsId: string, input: StockInInput, receivedOn: string): boolean {
  return r.goodsId === goodsId && r.quantity === input.quantity && r.supplier === (input.supplier ?? null) && r.unitCostFen === (input.unitCostFen ?? null) && r.note === (input.note ?? null) && r.receivedOn === receivedOn;
}

async function replay(db: Db, communityId: string, key: string, goodsId: string, input: StockInInput, receivedOn: string): Promise<StockInResult | null> {
  const earlier = await db.query.stockReceipts.findFirst({ where: and(eq(stockReceipts.communityId, communityId), eq(stockReceipts.idempotencyKey, key)) });
  if (!earlier) return null;
  if (!sameRequest(earlier, goodsId, input, receivedOn)) throw new DomainError("IDEMPOTENCY_KEY_REUSED", { receiptId: earlier.id });
  const item = await db.query.goods.findFirst({ where: eq(goods.id, earlier.goodsId) });
  if (!item) throw new Error("assertion failed: a stock-in record names goods that do not exist");
  return { receipt: toReceiptView(earlier), goods: toGoodsView(item), replayed: true };
}

/**
 * 进货: records one delivery of goods and adds it to the stock, in one batch: the guarded stock
 * change (never above `stockMax`), the record (its quantity NULL, so the batch rolls back, when
 * the guard matched nothing), its stock movement and the audit row. With an Idempotency-Key, a
 * retry answers the first record and writes nothing; the same key for another delivery is 409.
 */
export async function stockIn(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, goodsId: string, input: StockInInput, idempotencyKey?: string | null): Promise<StockInResult> {
  const item = await db.query.goods.findFirst({ where: and(eq(goods.id, goodsId), eq(goods.communityId, actor.communityId)) });
  if (!item) throw new DomainError("NOT_FOUND", { goodsId });
  const receivedOn = arrivalDay(clock, input.receivedOn);
  const key = idempotencyKey || null;
  if (key) {
    const earlier = await replay(db, actor.communityId, key, goodsId, input, receivedOn);
    if (earlier) return earlier;
  }
  const at = isoNow(clock);
  const id = newId();
  const by = actorRef(actor);
  const q = input.quantity;
  try {
    await db.batch([
      db.run(sql`UPDATE goods SET stock = stock + ${q} WHERE id = ${goodsId} AND community_id = ${actor.communityId} AND stock + ${q} <= ${limits.stockMax}`),
      db.run(sql`INSERT INTO stock_receipts (id, community_id, goods_id, shop_id, quantity, supplier, unit_cost_fen, note, received_on, idempotency_key, created_by, created_at)
        VALUES (${id}, ${actor.communityId}, ${goodsId}, ${item.shopId}, CASE WHEN changes() > 0 THEN ${q} END, ${input.supplier ?? null}, ${input.unitCostFen ?? null},
          ${input.note ?? null}, ${receivedOn}, ${key}, ${by}, ${at})`),
      db.insert(stockMovements).values({ communityId: actor.communityId, goodsId, delta: q, reason: stockInReason, ref: id, createdBy: by, createdAt: at }),
      auditStatement(db, actor, meta, at, {
        action: "goods.stockIn",
        targetType: "goods",
        targetId: goodsId,
        details: { receiptId: id, name: item.name, quantity: q, supplier: input.supplier ?? null, unitCostFen: input.unitCostFen ?? null, receivedOn },
      }),
    ]);
  } catch (err) {
    if (failedNotNull(err) === "stock_receipts.quantity") {
      const stock = (await currentStock(db, goodsId)) ?? item.stock;
      throw new DomainError("VALIDATION_FAILED", { fields: { quantity: `the stock (${stock}) would exceed ${limits.stockMax}` }, stock });
    }
    // The same key sent twice at once: the first committed; answer it (or refuse another delivery).
    if (key && violatedConstraint(err) === "stock_receipts.community_id, stock_receipts.idempotency_key") {
      const earlier = await replay(db, actor.communityId, key, goodsId, input, receivedOn);
      if (earlier) return earlier;
    }
    throw err;
  }
  const [receipt, after] = await Promise.all([db.query.stockReceipts.findFirst({ where: eq(stockReceipts.id, id) }), db.query.goods.findFirst({ where: eq(goods.id, goodsId) })]);
  if (!receipt || !after) throw new Error("assertion failed: a stock-in vanished after its batch");
  return { receipt: toReceiptView(receipt), goods: toGoodsView(after), replayed: false };
}
