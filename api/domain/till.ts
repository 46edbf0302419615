/**
 * A till a clerk already knows (issue 14): goods carry their product barcode (set by the admin,
 * check digit verified) and are found by the pinyin initials of their name (`dm` → 大米). The
 * initials are computed here, on the server, from the name as it is now: the client bundle stays
 * small (pinyin-pro's dictionary is a few hundred KB), and a renamed product is found by its new
 * name at once.
 */
import { and, eq } from "drizzle-orm";
import { pinyin } from "pinyin-pro";
import type { Db } from "../../db/client";
import { goods } from "../../db/schema";
import { isProductBarcode } from "../../shared/barcode";
import type { Actor, RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { isoNow, type Clock } from "./clock";
import { DomainError, violatedConstraint } from "./errors";

/** 大米 → "dm", 农夫山泉 550ml → "nfsq550ml": the first letter of each character's pinyin, letters and digits as they are. */
export function initialsOf(name: string): string {
  const letters = pinyin(name, { pattern: "first", toneType: "none", type: "array", nonZh: "consecutive" });
  return letters.join("").toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** Sets (or clears, with null) a product's barcode; another product of the shop with the same code → 409. */
export async function setGoodsBarcode(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, goodsId: string, barcode: string | null) {
  if (actor.kind !== "user" || actor.role !== "admin") throw new DomainError("FORBIDDEN");
  if (barcode !== null && !isProductBarcode(barcode)) throw new DomainError("VALIDATION_FAILED", { fields: { barcode: "8, 12 or 13 digits with a correct check digit (EAN-8, UPC-A, EAN-13)" } });
  const item = await db.query.goods.findFirst({ where: and(eq(goods.id, goodsId), eq(goods.communityId, actor.communityId)) });
  if (!item) throw new DomainError("NOT_FOUND", { goodsId });
  const at = isoNow(clock);
  try {
    await db.batch([
      db.update(goods).set({ barcode }).where(eq(goods.id, goodsId)),
      auditStatement(db, actor, meta, at, { action: "goods.barcode", targetType: "goods", targetId: goodsId, details: { before: item.barcode, after: barcode } }),
    ]);
  } catch (err) {
    if (violatedConstraint(err)?.startsWith("goods.")) throw new DomainError("DUPLICATE", { fields: { barcode: "another product of this shop has this barcode" } });
    throw err;
  }
  return { id: item.id, name: item.name, barcode, initials: initialsOf(item.name) };
}
