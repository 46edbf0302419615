/**
 * The offline counter (issue 14): a shop's counter keeps redeeming while the network is down,
 * within caps the admin sets, and sends each redemption later. The model is card payment's
 * store-and-forward (Square, Stripe Terminal): the server stays the one authority, the clerk's
 * device carries a bounded, visible risk.
 *
 * - `issueOfflinePack`: what a device needs to redeem offline — every active card of the
 *   community as the SHA-256 of its exact QR text with its household's balance, the shop's goods
 *   with their stock — and the caps of the moment. The pack is stored, so a sync can be checked
 *   against the pack it names: device, window, caps.
 * - `redeemOffline`: a redemption made offline, sent later. Accepted when `at` lies in the pack's
 *   window (and before that device's next pack) and the caps hold; the device cap is a CHECK on
 *   the pack's `spent`. The balance is debited as far as it goes (never below zero, `MIN` in
 *   SQL); the rest is a shortfall listed for the admin. Goods short in stock go to zero and are
 *   listed too. Everything — key, cap, transfer, stock, receipt, offline record, shortfalls,
 *   audit — is ONE batch; a retry with the same Idempotency-Key, or the same pack, device and
 *   seq, answers the first answer and moves nothing more.
 * - `listShortfalls` / `resolveShortfall`: the admin's list, and its two resolutions: `recover`
 *   (the household owes the points: taken from its balance now as far as it goes, and from its
 *   next awards by a trigger in the top-up's own transaction) and `write-off` (the community
 *   pays the shop from its issuance account). See docs/offline.md.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { cards, communities, goods, households, idempotencyKeys, offlinePacks, offlineRedemptions, offlineResolutions, offlineShortfalls, redemptionLines, redemptions, shops } from "../../db/schema";
import { num, rowsOf, strOrNull } from "../../db/sql";
import { limits } from "../../shared/limits";
import { maskName } from "../../shared/names";
import { chinaDay } from "../../shared/time";
import { actorRef, type Actor, type RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { cardQrText, parseCardQr } from "./cards";
import { addHours, isoNow, newId, type Clock } from "./clock";
import { getCommunity } from "./community";
import { sha256Hex, timingSafeEqual } from "./crypto";
import { DomainError, violatedConstraint } from "./errors";
import { issuanceAccountId, transferStatements, type Statement } from "./ledger";
import { initialsOf } from "./till";
import { mergeBasket, receiptOf, redemptionKeyScope, type BasketLine, type Receipt } from "./redemption";

export interface OfflinePack {
  packId: string;
  deviceId: string;
  shopId: string;
  shop: { id: string; name: string };
  issuedAt: string;
  validUntil: string;
  caps: { perRedemption: number; perDevice: number };
  cards: Array<{ cardNo: string; qrSha256: string; householdNo: string; headNameMasked: string; balance: number }>;
  goods: Array<{ id: string; name: string; points: number; stock: number; unit: string | null; barcode: string | null; initials: string | null }>;
}

export interface OfflineStamp {
  packId: string;
  deviceId: string;
  /** When the clerk made the redemption, by the device's clock (ISO). */
  at: string;
  /** The device's own running number; with the pack and the device it names the redemption once. */
  seq: number;
}

export interface OfflineReceipt extends Receipt {
  offline: true;
  provisionalNo: string;
  madeAt: string;
  /** Points the balance could not cover (spent elsewhere meanwhile): listed for the admin. */
  shortfall: number;
  stockDiscrepancies: Array<{ goodsId: string; short: number }>;
  /** The card was revoked or reported lost after the pack was issued: accepted, and listed. */
  cardFlag: "revoked" | "lost" | null;
}

function clerkShop(actor: Actor): string {
  if (actor.kind !== "user" || actor.role !== "clerk" || !actor.shopId) throw new DomainError("FORBIDDEN", { reason: "only a shop's clerk redeems" });
  return actor.shopId;
}

/**
 * Issues a pack to one device of the clerk's own shop and stores it. The offline counter is off
 * while `offlinePerDeviceMax` is 0 (409 OFFLINE_DISABLED).
 */
export async function issueOfflinePack(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, config: { publicUrl: string; cardSigningKey: string }, shopId: string, deviceId: string): Promise<OfflinePack> {
  const own = clerkShop(actor);
  const shop = await db.query.shops.findFirst({ where: and(eq(shops.id, shopId), eq(shops.communityId, actor.communityId)) });
  if (!shop) throw new DomainError("NOT_FOUND", { shopId });
  if (own !== shopId) throw new DomainError("FORBIDDEN", { reason: "a clerk takes the pack of their own shop" });
  const community = await getCommunity(db, actor.communityId);
  if (community.offlinePerDeviceMax <= 0) throw new DomainError("OFFLINE_DISABLED");
  const now = clock.now();
  const issuedAt = now.toISOString();
  const validUntil = addHours(now, community.offlineWindowHours).toISOString();
  const perRedemption = Math.min(community.offlinePerRedemptionMax, community.pinThreshold);
  const perDevice = community.offlinePerDeviceMax;
  const cardRows = await db.all<{ card_no: string; version: number; household_no: string; head_name: string; balance: number }>(sql`SELECT c.card_no, c.version, h.household_no, h.head_name, a.balance
    FROM cards c JOIN households h ON h.id = c.household_id JOIN accounts a ON a.id = c.household_id
    WHERE c.community_id = ${actor.communityId} AND c.status = 'active' ORDER BY h.household_no`);
  const packCards = await Promise.all(
    cardRows.map(async (r) => ({
      cardNo: String(r.card_no),
      qrSha256: await sha256Hex(await cardQrText(config.publicUrl, config.cardSigningKey, community.cardSecret, String(r.card_no), Number(r.version))),
      householdNo: String(r.household_no),
      headNameMasked: maskName(String(r.head_name)),
      balance: Number(r.balance),
    })),
  );
  const shelf = await db.query.goods.findMany({ where: and(eq(goods.shopId, shopId), eq(goods.communityId, actor.communityId), eq(goods.active, true)) });
  const packId = newId();
  await db.batch([
    db.insert(offlinePacks).values({ id: packId, communityId: actor.communityId, shopId, deviceId, clerkId: actor.id, issuedAt, validUntil, perRedemption, perDevice, spent: 0 }),
    auditStatement(db, actor, meta, issuedAt, { action: "offline.pack", targetType: "offline_pack", targetId: packId, details: { shopId, deviceId, cards: packCards.length, perRedemption, perDevice, validUntil } }),
  ]);
  return {
    packId,
    deviceId,
    shopId,
    shop: { id: shop.id, name: shop.name },
    issuedAt,
    validUntil,
    caps: { perRedemption, perDevice },
    cards: packCards,
    goods: shelf
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((g) => ({ id: g.id, name: g.name, points: g.points, stock: g.stock, unit: g.unit, barcode: g.barcode, initials: initialsOf(g.name) })),
  };
}

/** The request's fingerprint for its key: the offline stamp, the card text and the merged basket. */
async function offlineHash(shopId: string, qr: string, stamp: OfflineStamp, lines: BasketLine[]): Promise<string> {
  const items = lines.map((l) => [l.goodsId, l.quantity] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256Hex(JSON.stringify({ shopId, qr: qr.trim(), offline: [stamp.packId, stamp.deviceId, stamp.at, stamp.seq], items }));
}

/** The first answer again, built from the stored rows. */
export async function offlineReceiptOf(db: Db, communityId: string, redemptionId: string): Promise<OfflineReceipt | null> {
  const receipt = await receiptOf(db, communityId, redemptionId);
  const record = await db.query.offlineRedemptions.findFirst({ where: eq(offlineRedemptions.redemptionId, redemptionId) });
  if (!receipt || !record) return null;
  const rows = await db.query.offlineShortfalls.findMany({ where: eq(offlineShortfalls.redemptionId, redemptionId) });
  return {
    ...receipt,
    offline: true,
    provisionalNo: `${record.deviceId}-${record.seq}`,
    madeAt: record.madeAt,
    shortfall: record.shortfall,
    stockDiscrepancies: rows.filter((r) => r.kind === "stock" && r.goodsId).map((r) => ({ goodsId: r.goodsId as string, short: r.amount })),
    cardFlag: record.cardFlag === "revoked" || record.cardFlag === "lost" ? record.cardFlag : null,
  };
}

async function replayOffline(db: Db, communityId: string, stored: { requestHash: string; refId: string }, hash: string): Promise<OfflineReceipt> {
  if (stored.requestHash !== hash) throw new DomainError("IDEMPOTENCY_KEY_REUSED");
  const receipt = await offlineReceiptOf(db, communityId, stored.refId);
  if (!receipt) throw new Error("assertion failed: an offline key names a missing redemption");
  return receipt;
}

async function findKey(db: Db, communityId: string, key: string) {
  return db.query.idempotencyKeys.findFirst({ where: and(eq(idempotencyKeys.communityId, communityId), eq(idempotencyKeys.scope, redemptionKeyScope), eq(idempotencyKeys.key, key)) });
}

/** The same pack, device and seq sent again under another key: the first answer, if it is the same request. */
async function findSameSeq(db: Db, communityId: string, stamp: OfflineStamp, hash: string): Promise<OfflineReceipt | null> {
  const record = await db.query.offlineRedemptions.findFirst({
    where: and(eq(offlineRedemptions.packId, stamp.packId), eq(offlineRedemptions.deviceId, stamp.deviceId), eq(offlineRedemptions.seq, stamp.seq)),
  });
  if (!record || record.communityId !== communityId) return null;
  if (record.requestHash !== hash) throw new DomainError("IDEMPOTENCY_KEY_REUSED", { provisionalNo: `${stamp.deviceId}-${stamp.seq}` });
  return offlineReceiptOf(db, communityId, record.redemptionId);
}

/** The stored pack, checked against the stamp: its shop, its device, its window, not superseded. */
async function packFor(db: Db, communityId: string, shopId: string, stamp: OfflineStamp, now: string) {
  const pack = await db.query.offlinePacks.findFirst({ where: and(eq(offlinePacks.id, stamp.packId), eq(offlinePacks.communityId, communityId)) });
  if (!pack || pack.deviceId !== stamp.deviceId) throw new DomainError("NOT_FOUND", { packId: stamp.packId });
  if (pack.shopId !== shopId) throw new DomainError("FORBIDDEN", { reason: "a pack of another shop" });
  const at = new Date(stamp.at);
  // A device's clock may run a little fast; a redemption "made" well after the sync is not believed.
  const latest = new Date(Date.parse(now) + limits.offlineClockSkewMinutes * 60_000);
  if (Number.isNaN(at.getTime()) || stamp.at < pack.issuedAt || stamp.at > pack.validUntil || at > latest) {
    throw new DomainError("OFFLINE_PACK_EXPIRED", { packId: pack.id, issuedAt: pack.issuedAt, validUntil: pack.validUntil, at: stamp.at });
  }
  // The device's next pack supersedes this one: at any moment a device holds one valid pack.
  const [next] = await db.all<{ issued_at: string }>(sql`SELECT issued_at FROM offline_packs
    WHERE shop_id = ${shopId} AND device_id = ${stamp.deviceId} AND issued_at > ${pack.issuedAt} AND issued_at <= ${stamp.at} LIMIT 1`);
  if (next) throw new DomainError("OFFLINE_PACK_EXPIRED", { packId: pack.id, supersededAt: String(next.issued_at), at: stamp.at });
  return pack;
}

/**
 * The card the QR names, as it stood when the pack was issued: signed, of this community, and
 * in use at the pack's issue time. A card stopped since is accepted (the clerk could not know)
 * and flagged; a card stopped before the pack, or issued after it, was never in the pack.
 */
async function cardInPack(db: Db, communityId: string, config: { publicUrl: string; cardSigningKey: string }, qr: string, packIssuedAt: string) {
  const parsed = parseCardQr(qr);
  if (!parsed) throw new DomainError("CARD_INVALID");
  const card = await db.query.cards.findFirst({ where: eq(cards.cardNo, parsed.cardNo) });
  const community = await db.query.communities.findFirst({ where: eq(communities.id, communityId) });
  if (!card || !community || card.communityId !== communityId || card.version !== parsed.version) throw new DomainError("CARD_INVALID");
  const expected = parseCardQr(await cardQrText(config.publicUrl, config.cardSigningKey, community.cardSecret, card.cardNo, card.version));
  if (!expected || !timingSafeEqual(expected.sig, parsed.sig)) throw new DomainError("CARD_INVALID");
  const stoppedBefore = card.status !== "active" && (card.revokedAt === null || card.revokedAt <= packIssuedAt);
  if (card.issuedAt > packIssuedAt || stoppedBefore) throw new DomainError("CARD_INVALID", { reason: "not in the pack" });
  const household = await db.query.households.findFirst({ where: eq(households.id, card.householdId) });
  if (!household) throw new DomainError("CARD_INVALID");
  return { card, household, flag: card.status === "active" ? null : (card.status as "revoked" | "lost") };
}

export interface OfflineRedeemInput {
  qr: string;
  items: BasketLine[];
  offline: OfflineStamp;
  idempotencyKey: string;
}

/** Prices the basket from the shop's goods (also goods taken off the shelf since the pack). */
async function priceOffline(db: Db, communityId: string, shopId: string, basket: BasketLine[]) {
  const rows = await db.all<{ id: string; name: string; points: number; shop_id: string }>(sql`SELECT id, name, points, shop_id FROM goods
    WHERE community_id = ${communityId} AND id IN (SELECT value FROM json_each(${JSON.stringify(basket.map((l) => l.goodsId))}))`);
  const byId = new Map(rows.map((g) => [String(g.id), g]));
  const unknown = basket.filter((l) => !byId.has(l.goodsId)).map((l) => l.goodsId);
  if (unknown.length) throw new DomainError("NOT_FOUND", { goodsIds: unknown });
  const foreign = basket.filter((l) => String(byId.get(l.goodsId)?.shop_id) !== shopId).map((l) => l.goodsId);
  if (foreign.length) throw new DomainError("FORBIDDEN", { goodsIds: foreign, reason: "goods of another shop" });
  const lines = basket.map((l) => {
    const g = byId.get(l.goodsId)!;
    return { goodsId: l.goodsId, name: String(g.name), points: Number(g.points), quantity: l.quantity, subtotal: Number(g.points) * l.quantity };
  });
  return { lines, total: lines.reduce((sum, l) => sum + l.subtotal, 0) };
}

/**
 * Takes a redemption made offline. See the module comment; the guards are in SQL: the device
 * cap (`offline_pack_device_cap`), the debit (`MIN(total, balance)`), the stock (`MAX(stock − q,
 * 0)`), the key and `(pack, device, seq)` (UNIQUE).
 */
export async function redeemOffline(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, config: { publicUrl: string; cardSigningKey: string }, input: OfflineRedeemInput): Promise<OfflineReceipt> {
  const shopId = clerkShop(actor);
  const { communityId } = actor;
  const basket = mergeBasket(input.items);
  if (basket.length === 0) throw new DomainError("BASKET_EMPTY", { fields: { items: "empty" } });
  const madeAt = new Date(input.offline.at);
  if (Number.isNaN(madeAt.getTime())) throw new DomainError("VALIDATION_FAILED", { fields: { "offline.at": "not a time" } });
  // One spelling of the instant, so it compares with the pack's window as text.
  input = { ...input, offline: { ...input.offline, at: madeAt.toISOString() } };
  const hash = await offlineHash(shopId, input.qr, input.offline, basket);
  const stored = await findKey(db, communityId, input.idempotencyKey);
  if (stored) return replayOffline(db, communityId, stored, hash);
  const sameSeq = await findSameSeq(db, communityId, input.offline, hash);
  if (sameSeq) return sameSeq;

  const now = isoNow(clock);
  const pack = await packFor(db, communityId, shopId, input.offline, now);
  const { card, household, flag } = await cardInPack(db, communityId, config, input.qr, pack.issuedAt);
  const priced = await priceOffline(db, communityId, shopId, basket);
  if (priced.total > pack.perRedemption) throw new DomainError("OFFLINE_CAP", { cap: "perRedemption", total: priced.total, perRedemption: pack.perRedemption });
  if (pack.spent + priced.total > pack.perDevice) throw new DomainError("OFFLINE_CAP", { cap: "perDevice", total: priced.total, perDevice: pack.perDevice, spent: pack.spent });

  const id = newId();
  const transferId = newId();
  const statements = offlineStatements(db, actor, meta, { id, transferId, at: now, shopId, householdId: household.id, cardId: card.id, flag, key: input.idempotencyKey, hash, priced, stamp: input.offline });
  try {
    await db.batch(statements as [Statement, ...Statement[]]);
  } catch (err) {
    const constraint = violatedConstraint(err);
    if (constraint?.startsWith("idempotency_keys.")) {
      const winner = await findKey(db, communityId, input.idempotencyKey);
      if (winner) return replayOffline(db, communityId, winner, hash);
    }
    if (constraint?.startsWith("offline_redemptions.")) {
      const first = await findSameSeq(db, communityId, input.offline, hash);
      if (first) return first;
    }
    if (constraint === "offline_pack_device_cap") {
      const after = await db.query.offlinePacks.findFirst({ where: eq(offlinePacks.id, pack.id) });
      throw new DomainError("OFFLINE_CAP", { cap: "perDevice", total: priced.total, perDevice: pack.perDevice, spent: after?.spent ?? pack.spent });
    }
    throw err;
  }
  const receipt = await offlineReceiptOf(db, communityId, id);
  if (!receipt) throw new Error("assertion failed: a committed offline redemption is missing");
  return receipt;
}

interface OfflinePlan {
  id: string;
  transferId: string;
  at: string;
  shopId: string;
  householdId: string;
  cardId: string;
  flag: "revoked" | "lost" | null;
  key: string;
  hash: string;
  priced: { lines: Array<{ goodsId: string; name: string; points: number; quantity: number; subtotal: number }>; total: number };
  stamp: OfflineStamp;
}

/** The one batch of an offline redemption, in order: key, cap, debit, stock, receipt, record, shortfalls, audit. */
function offlineStatements(db: Db, actor: Actor, meta: RequestMeta | null, plan: OfflinePlan): Statement[] {
  const { communityId } = actor;
  const createdBy = actorRef(actor);
  const total = plan.priced.total;
  const debited = sql`COALESCE((SELECT amount FROM transfers WHERE id = ${plan.transferId}), 0)`;
  const statements: Statement[] = [
    db.insert(idempotencyKeys).values({ communityId, scope: redemptionKeyScope, key: plan.key, requestHash: plan.hash, refId: plan.id, createdAt: plan.at }),
    // The device cap: CHECK (spent <= per_device) fails the whole batch.
    db.run(sql`UPDATE offline_packs SET spent = spent + ${total} WHERE id = ${plan.stamp.packId}`),
    // As far as the balance goes, never below zero; nothing moves when it is empty.
    ...transferStatements(db, {
      id: plan.transferId,
      communityId,
      debitAccountId: plan.householdId,
      creditAccountId: plan.shopId,
      amount: sql`MIN(${total}, (SELECT balance FROM accounts WHERE id = ${plan.householdId}))`,
      kind: "redemption",
      cause: `redemption:${plan.id}`,
      ref: plan.id,
      createdBy,
      at: plan.at,
    }),
  ];
  for (const line of plan.priced.lines) {
    // Read before the stock moves: what was short, then what really left the shelf.
    statements.push(
      db.run(sql`INSERT INTO offline_shortfalls (id, community_id, kind, redemption_id, household_id, goods_id, amount, remaining, status, created_at)
        SELECT ${newId()}, ${communityId}, 'stock', ${plan.id}, ${plan.householdId}, id, ${line.quantity} - stock, 0, 'open', ${plan.at}
        FROM goods WHERE id = ${line.goodsId} AND stock < ${line.quantity}`),
      db.run(sql`INSERT INTO stock_movements (community_id, goods_id, delta, reason, ref, created_by, created_at)
        SELECT ${communityId}, id, -MIN(stock, ${line.quantity}), 'redemption', ${plan.id}, ${createdBy}, ${plan.at} FROM goods WHERE id = ${line.goodsId} AND stock > 0`),
      db.run(sql`UPDATE goods SET stock = MAX(stock - ${line.quantity}, 0) WHERE id = ${line.goodsId} AND shop_id = ${plan.shopId}`),
    );
  }
  statements.push(
    db.run(sql`INSERT INTO redemptions (id, community_id, shop_id, household_id, card_id, receipt_no, total, balance_after, clerk_id, created_at)
      VALUES (${plan.id}, ${communityId}, ${plan.shopId}, ${plan.householdId}, ${plan.cardId},
        (SELECT COALESCE(MAX(receipt_no), 0) + 1 FROM redemptions WHERE community_id = ${communityId}),
        ${total}, (SELECT balance FROM accounts WHERE id = ${plan.householdId}), ${actor.id}, ${plan.at})`),
    ...plan.priced.lines.map((l) => db.insert(redemptionLines).values({ redemptionId: plan.id, ...l })),
    // The goods are already handed over: the day counts them, and the cap of the moment is
    // left to the next online redemption (a NULL cap here passes the CHECK).
    db.run(sql`INSERT INTO redemption_days (household_id, day, community_id, points, cap)
      VALUES (${plan.householdId}, ${chinaDay(plan.at)}, ${communityId}, ${total}, NULL)
      ON CONFLICT (household_id, day) DO UPDATE SET points = points + excluded.points, cap = excluded.cap`),
    db.run(sql`INSERT INTO offline_redemptions (redemption_id, community_id, pack_id, device_id, seq, made_at, total, debited, shortfall, card_flag, request_hash, synced_at)
      VALUES (${plan.id}, ${communityId}, ${plan.stamp.packId}, ${plan.stamp.deviceId}, ${plan.stamp.seq}, ${plan.stamp.at}, ${total}, ${debited}, ${total} - ${debited}, ${plan.flag}, ${plan.hash}, ${plan.at})`),
    db.run(sql`INSERT INTO offline_shortfalls (id, community_id, kind, redemption_id, household_id, goods_id, amount, remaining, status, created_at)
      SELECT ${newId()}, ${communityId}, 'points', ${plan.id}, ${plan.householdId}, NULL, short, short, 'open', ${plan.at}
      FROM (SELECT ${total} - ${debited} AS short) WHERE short > 0`),
  );
  if (plan.flag) {
    statements.push(
      db.insert(offlineShortfalls).values({ id: newId(), communityId, kind: "card", redemptionId: plan.id, householdId: plan.householdId, goodsId: null, amount: total, remaining: 0, status: "open", createdAt: plan.at }),
    );
  }
  statements.push(
    auditStatement(db, actor, meta, plan.at, {
      action: "redemption.offline",
      targetType: "redemption",
      targetId: plan.id,
      details: { householdId: plan.householdId, shopId: plan.shopId, total, packId: plan.stamp.packId, deviceId: plan.stamp.deviceId, seq: plan.stamp.seq, madeAt: plan.stamp.at, cardFlag: plan.flag, lines: plan.priced.lines.map((l) => [l.goodsId, l.quantity]) },
    }),
  );
  return statements;
}

export type ShortfallKind = "points" | "stock" | "card";
export type ShortfallStatus = "open" | "recovering" | "recovered" | "written-off";

export interface ShortfallView {
  id: string;
  kind: ShortfallKind;
  status: ShortfallStatus;
  redemptionId: string;
  receiptNo: number;
  provisionalNo: string;
  madeAt: string;
  createdAt: string;
  shop: { id: string; name: string };
  household: { id: string; householdNo: string; headName: string } | null;
  goods: { id: string; name: string } | null;
  /** Points short (`points`), units short (`stock`), or the basket's points (`card`). */
  amount: number;
  /** Points still owed by the household while a recovery runs. */
  remaining: number;
  cardFlag: string | null;
  resolution: { action: "write-off" | "recover"; note: string; by: string; at: string } | null;
}

/** Shortfalls and stock discrepancies of the community, newest first; `status=open` (default) or `all`. */
export async function listShortfalls(db: Db, actor: Actor, query: { status: "open" | "all"; limit: number }): Promise<{ items: ShortfallView[]; nextCursor: null }> {
  if (actor.kind !== "user" || actor.role !== "admin") throw new DomainError("FORBIDDEN");
  const openOnly = query.status === "open" ? sql`AND s.status IN ('open', 'recovering')` : sql``;
  const rows = rowsOf(
    await db.run(sql`SELECT s.*, x.action AS resolution, x.note, x.resolved_by, x.resolved_at, r.receipt_no, r.shop_id, sh.name AS shop_name, o.device_id, o.seq, o.made_at, o.card_flag,
        h.household_no, h.head_name, g.name AS goods_name
      FROM offline_shortfalls s JOIN redemptions r ON r.id = s.redemption_id JOIN offline_redemptions o ON o.redemption_id = s.redemption_id
      LEFT JOIN shops sh ON sh.id = r.shop_id LEFT JOIN households h ON h.id = s.household_id LEFT JOIN goods g ON g.id = s.goods_id
      LEFT JOIN offline_shortfall_resolutions x ON x.shortfall_id = s.id
      WHERE s.community_id = ${actor.communityId} ${openOnly} ORDER BY s.created_at DESC, s.id LIMIT ${query.limit}`),
  );
  return { items: rows.map(shortfallView), nextCursor: null };
}

function shortfallView(r: Record<string, unknown>): ShortfallView {
  const action = strOrNull(r.resolution);
  return {
    id: String(r.id),
    kind: String(r.kind) as ShortfallKind,
    status: String(r.status) as ShortfallStatus,
    redemptionId: String(r.redemption_id),
    receiptNo: num(r.receipt_no),
    provisionalNo: `${String(r.device_id)}-${num(r.seq)}`,
    madeAt: String(r.made_at),
    createdAt: String(r.created_at),
    shop: { id: String(r.shop_id), name: String(r.shop_name ?? "") },
    household: r.household_id ? { id: String(r.household_id), householdNo: String(r.household_no ?? ""), headName: String(r.head_name ?? "") } : null,
    goods: r.goods_id ? { id: String(r.goods_id), name: String(r.goods_name ?? "") } : null,
    amount: num(r.amount),
    remaining: num(r.remaining),
    cardFlag: strOrNull(r.card_flag),
    resolution: action === "write-off" || action === "recover" ? { action, note: String(r.note ?? ""), by: String(r.resolved_by ?? ""), at: String(r.resolved_at ?? "") } : null,
  };
}

/**
 * Resolves one open item. A points shortfall: `write-off` — the community pays the shop what the
 * household could not (issuance → shop, kind `redemption`: the shop is paid for what it handed over); `recover` — the household owes it: as
 * much as its balance holds now moves to the shop, and the rest is taken from its next awards by
 * the `offline_shortfall_recovery` trigger, inside the top-up's own transaction. A stock
 * discrepancy or a flagged card is acknowledged (`write-off`); `recover` is for points only.
 * Once only: the UPDATE is gated on the item still being open.
 */
export async function resolveShortfall(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, shortfallId: string, input: { action: "write-off" | "recover"; note: string }): Promise<ShortfallView> {
  if (actor.kind !== "user" || actor.role !== "admin") throw new DomainError("FORBIDDEN");
  const item = await db.query.offlineShortfalls.findFirst({ where: and(eq(offlineShortfalls.id, shortfallId), eq(offlineShortfalls.communityId, actor.communityId)) });
  if (!item) throw new DomainError("NOT_FOUND", { shortfallId });
  if (item.status !== "open") throw new DomainError("CONFLICT", { status: item.status });
  if (item.kind !== "points" && input.action === "recover") throw new DomainError("VALIDATION_FAILED", { fields: { action: "only a points shortfall can be recovered" } });
  const redemption = await db.query.redemptions.findFirst({ where: eq(redemptions.id, item.redemptionId) });
  if (!redemption) throw new Error("assertion failed: a shortfall without its redemption");
  const at = isoNow(clock);
  const by = actorRef(actor);
  const transferId = newId();
  const moved = sql`COALESCE((SELECT amount FROM transfers WHERE id = ${transferId}), 0)`;
  const statements: Statement[] = [
    // Once only: the resolution's primary key is the item; a second resolve fails the batch.
    db.insert(offlineResolutions).values({ shortfallId: item.id, communityId: actor.communityId, action: input.action, note: input.note, resolvedBy: by, resolvedAt: at }),
  ];
  if (item.kind === "points" && input.action === "write-off") {
    statements.push(
      ...transferStatements(db, { id: transferId, communityId: actor.communityId, debitAccountId: issuanceAccountId(actor.communityId), creditAccountId: redemption.shopId, amount: item.remaining, kind: "redemption", cause: `shortfall-write-off:${item.id}`, ref: item.id, createdBy: by, at }),
      db.run(sql`UPDATE offline_shortfalls SET status = 'written-off', remaining = 0 WHERE id = ${item.id}`),
    );
  } else if (item.kind === "points") {
    statements.push(
      ...transferStatements(db, {
        id: transferId,
        communityId: actor.communityId,
        debitAccountId: item.householdId ?? "",
        creditAccountId: redemption.shopId,
        amount: sql`MIN(${item.remaining}, (SELECT balance FROM accounts WHERE id = ${item.householdId}))`,
        kind: "redemption",
        cause: `shortfall:${item.id}:resolve`,
        ref: item.id,
        createdBy: by,
        at,
      }),
      db.run(sql`UPDATE offline_shortfalls SET remaining = remaining - ${moved},
        status = CASE WHEN remaining - ${moved} = 0 THEN 'recovered' ELSE 'recovering' END WHERE id = ${item.id}`),
    );
  } else {
    statements.push(db.run(sql`UPDATE offline_shortfalls SET status = 'written-off' WHERE id = ${item.id}`));
  }
  statements.push(auditStatement(db, actor, meta, at, { action: "offline.shortfall.resolve", targetType: "offline_shortfall", targetId: item.id, details: { kind: item.kind, action: input.action, amount: item.amount, remaining: item.remaining, note: input.note } }));
  try {
    await db.batch(statements as [Statement, ...Statement[]]);
  } catch (err) {
    if (violatedConstraint(err) === "offline_shortfall_resolutions.shortfall_id") {
      throw new DomainError("CONFLICT", { reason: "already resolved" });
    }
    throw err;
  }
  const [row] = rowsOf(
    await db.run(sql`SELECT s.*, x.action AS resolution, x.note, x.resolved_by, x.resolved_at, r.receipt_no, r.shop_id, sh.name AS shop_name, o.device_id, o.seq, o.made_at, o.card_flag, h.household_no, h.head_name, g.name AS goods_name
      FROM offline_shortfalls s JOIN redemptions r ON r.id = s.redemption_id JOIN offline_redemptions o ON o.redemption_id = s.redemption_id
      LEFT JOIN shops sh ON sh.id = r.shop_id LEFT JOIN households h ON h.id = s.household_id LEFT JOIN goods g ON g.id = s.goods_id
      LEFT JOIN offline_shortfall_resolutions x ON x.shortfall_id = s.id WHERE s.id = ${item.id}`),
  );
  if (!row) throw new Error("assertion failed: a resolved shortfall vanished");
  return shortfallView(row);
}

/** For tests and the stress run: the sum of every household's open and recovering shortfalls. */
export async function shortfallTotal(db: Db, communityId: string): Promise<number> {
  const [row] = await db.all<{ total: number }>(sql`SELECT COALESCE(SUM(amount), 0) AS total FROM offline_shortfalls WHERE community_id = ${communityId} AND kind = 'points'`);
  return Number(row?.total ?? 0);
}
