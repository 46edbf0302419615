/**
 * Goods (商品) and their stock. Stock moves only by `UPDATE … SET stock = stock + delta` in the
 * same batch as its `stock_movements` row; `CHECK (stock >= 0)` refuses a change that would take
 * it below zero, so two clerks (or an admin and a clerk) can never oversell between them.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { goods, shops, stockMovements } from "../../db/schema";
import { actorRef, type Actor, type RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { DomainError, invariantError } from "./errors";
import type { Statement } from "./ledger";

export interface GoodsView {
  id: string;
  shopId: string;
  name: string;
  points: number;
  stock: number;
  unit: string | null;
  active: boolean;
}

export function toGoodsView(g: typeof goods.$inferSelect): GoodsView {
  return { id: g.id, shopId: g.shopId, name: g.name, points: g.points, stock: g.stock, unit: g.unit, active: g.active };
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
  return toGoodsView({ ...row, active: true });
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
