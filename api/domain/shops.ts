/**
 * Shops (驿站超市): where residents redeem points. Each shop owns a ledger account (kind `shop`,
 * id = shop id), opened in the same batch that creates the shop, so redemptions always have
 * somewhere to credit.
 */
import { asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { shops } from "../../db/schema";
import type { Actor, RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { openAccountStatement } from "./ledger";

export interface ShopView {
  id: string;
  name: string;
  /** What the community pays the shop per point, in fen (100 = ¥1); see settlements.ts. */
  pointValueFen: number;
}

/** Creates a shop and its ledger account in one batch. */
export async function createShop(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, name: string): Promise<ShopView> {
  const at = isoNow(clock);
  const id = newId();
  await db.batch([
    db.insert(shops).values({ id, communityId: actor.communityId, name, createdAt: at }),
    openAccountStatement(db, { id, communityId: actor.communityId, kind: "shop", at }),
    auditStatement(db, actor, meta, at, { action: "shop.create", targetType: "shop", targetId: id, details: { name } }),
  ]);
  return { id, name, pointValueFen: 100 };
}

/** The community's shops, by name (a community has a handful, never thousands). */
export async function listShops(db: Db, communityId: string): Promise<ShopView[]> {
  const rows = await db.query.shops.findMany({ where: eq(shops.communityId, communityId), orderBy: [asc(shops.name), asc(shops.id)], limit: 200 });
  return rows.map((s) => ({ id: s.id, name: s.name, pointValueFen: s.pointValueFen }));
}
