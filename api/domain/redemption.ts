/**
 * Step 7, 兑换 redeem: a clerk scans a household's card, builds a basket of the shop's goods and
 * the points are debited. Everything a redemption writes — the idempotency key, the ledger
 * transfer, the stock decrements and their movements, the receipt with its lines, the audit
 * row — goes in ONE `db.batch`, and every guard is in SQL:
 *
 * - `CHECK (balance >= 0)` on the household account → INSUFFICIENT_POINTS,
 * - `CHECK (stock >= 0)` on each goods row → OUT_OF_STOCK,
 * - the idempotency key's primary key → a concurrent copy of the same request replays the first
 *   answer instead of debiting twice,
 * - the receipt number is `MAX + 1` inside the batch, `UNIQUE (community_id, receipt_no)`,
 * - `CHECK (points <= cap)` on the household's day in `redemption_days` → DAILY_CAP_REACHED.
 *
 * A failed batch leaves no trace, not even its key, so a retry after a top-up works. A void is
 * a reversal transfer of its own (never an edit), once per redemption by primary key.
 */
import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { fixedSql, num, rowsOf } from "../../db/sql";
import { accounts, goods, idempotencyKeys, redemptionLines, redemptions, stockMovements, transfers } from "../../db/schema";
import { limits } from "../../shared/limits";
import { chinaDay, chinaDayRange } from "../../shared/time";
import { actorRef, type Actor, type RequestMeta } from "./actor";
import { claimAttempt, clearAttemptsStatement, counterSubject } from "./attempts";
import { auditStatement } from "./audit";
import { cardSignatureMatches, parseCardQr, parseCodeQr, resolveCard, resolveTypedCard, type ResolvedCard } from "./cards";
import { isoNow, newId, type Clock } from "./clock";
import { sha256Hex, verifySecret } from "./crypto";
import { DomainError, failedNotNull, invariantError, violatedConstraint } from "./errors";
import { transferStatements, type Statement } from "./ledger";

/** The scope of redemption keys in `idempotency_keys`. */
export const redemptionKeyScope = "redemption";

export interface BasketLine {
  goodsId: string;
  quantity: number;
}

/**
 * How the clerk named the card: the scanned QR text (printed card or one-time code), or the
 * card number typed by hand with the card's PIN (the fallback when a card or camera fails).
 */
export type CardIdentity = { qr: string; cardNo?: undefined } | { cardNo: string; qr?: undefined };

export interface RedeemInput {
  card: CardIdentity;
  items: BasketLine[];
  pin?: string | null;
  idempotencyKey: string;
}

export interface ReceiptLine {
  goodsId: string;
  name: string;
  points: number;
  quantity: number;
  subtotal: number;
}

/** The answer to `POST /redemptions`: built from the stored rows, so a replay is identical. */
export interface Receipt {
  id: string;
  receiptNo: number;
  shopId: string;
  /** The shop and the clerk by name, for the printed receipt. */
  shop: { id: string; name: string };
  clerk: { id: string; name: string };
  householdId: string;
  total: number;
  balanceAfter: number;
  items: ReceiptLine[];
  createdAt: string;
}

export interface RedemptionDetail extends Receipt {
  householdNo: string;
  headName: string;
  clerkId: string;
  void: { at: string; reason: string | null; by: string; byName: string | null } | null;
}

/** Merges repeated goods into one line each, in the order the clerk first scanned them. */
export function mergeBasket(items: BasketLine[]): BasketLine[] {
  const byGoods = new Map<string, number>();
  for (const line of items) byGoods.set(line.goodsId, (byGoods.get(line.goodsId) ?? 0) + line.quantity);
  return [...byGoods.entries()].map(([goodsId, quantity]) => ({ goodsId, quantity }));
}

/**
 * The request's fingerprint for its idempotency key: the shop, the card as the clerk named it
 * (scanned QR text or typed card number) and the merged basket sorted by goods, so the same
 * basket in another order or split into lines is the same request, and the same key with
 * another card is not. The PIN is left out: a retry with the PIN typed again is the same
 * request. A scanned card keeps the fingerprint it always had, so keys stored before the typed
 * card number existed still replay.
 */
export async function basketHash(shopId: string, card: CardIdentity, lines: BasketLine[]): Promise<string> {
  const items = lines.map((l) => [l.goodsId, l.quantity] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (card.cardNo !== undefined) return sha256Hex(JSON.stringify({ shopId, cardNo: card.cardNo.trim(), items }));
  return sha256Hex(JSON.stringify({ shopId, qr: card.qr.trim(), items }));
}

function clerkShop(actor: Actor): string {
  if (actor.kind !== "user" || actor.role !== "clerk" || !actor.shopId) throw new DomainError("FORBIDDEN", { reason: "only a shop's clerk redeems" });
  return actor.shopId;
}

async function findKey(db: Db, communityId: string, key: string) {
  return db.query.idempotencyKeys.findFirst({
    where: and(eq(idempotencyKeys.communityId, communityId), eq(idempotencyKeys.scope, redemptionKeyScope), eq(idempotencyKeys.key, key)),
  });
}

/** The first answer again for a repeated key with the same request; 409 for a different one. */
async function replay(db: Db, communityId: string, stored: { requestHash: string; refId: string }, hash: string): Promise<Receipt> {
  if (stored.requestHash !== hash) throw new DomainError("IDEMPOTENCY_KEY_REUSED");
  const receipt = await receiptOf(db, communityId, stored.refId);
  if (!receipt) throw new Error("assertion failed: an idempotency key names a missing redemption");
  return receipt;
}

export interface PricedBasket {
  lines: ReceiptLine[];
  total: number;
}

interface ShelfRow {
  id: string;
  name: string;
  points: number;
  active: boolean;
  shopId: string;
}

/** Prices the basket from the shop's shelf; unknown goods → 404, another shop's goods → 403. */
function priceBasket(rows: ShelfRow[], shopId: string, basket: BasketLine[]): PricedBasket {
  const ids = basket.map((l) => l.goodsId);
  const byId = new Map(rows.map((g) => [g.id, g]));
  const unknown = ids.filter((id) => !byId.get(id)?.active);
  if (unknown.length > 0) throw new DomainError("NOT_FOUND", { goodsIds: unknown });
  const foreign = ids.filter((id) => byId.get(id)?.shopId !== shopId);
  if (foreign.length > 0) throw new DomainError("FORBIDDEN", { goodsIds: foreign, reason: "goods of another shop" });
  const lines = basket.map((l) => {
    const g = byId.get(l.goodsId)!;
    return { goodsId: g.id, name: g.name, points: g.points, quantity: l.quantity, subtotal: g.points * l.quantity };
  });
  return { lines, total: lines.reduce((sum, l) => sum + l.subtotal, 0) };
}

/**
 * A basket over the community's threshold needs the card's PIN. The attempt is counted before
 * the PIN is checked, on the counter's own count for the card (attempts.ts): five in a row
 * without success lock the card at the counter for a while. Answers whether a PIN was checked
 * (the redemption's batch then clears the count).
 */
async function checkPin(db: Db, clock: Clock, card: { cardId: string; pinHash: string }, communityId: string, total: number, pinThreshold: number, pin: string | null | undefined) {
  if (total <= pinThreshold) return false;
  if (!pin) throw new DomainError("PIN_REQUIRED", { total, pinThreshold });
  const subject = counterSubject(card.cardId, communityId);
  const claimed = await claimAttempt(db, clock, subject);
  if (!(await verifySecret(pin, card.pinHash))) throw new DomainError("PIN_WRONG", { total, attemptsLeft: Math.max(subject.max - claimed.attempt, 0) });
  return true;
}

interface CardAtCounter {
  card: ResolvedCard;
  /** True when the card's PIN was already checked (always, for a typed card number). */
  pinChecked: boolean;
  via: "qr" | "code" | "cardNo";
}

/**
 * The card the clerk named: scanned (PIN checked later, by the basket) or typed (PIN checked now).
 * A printed card's QR — the counter's everyday scan — is checked against the row the folded read
 * brought (`printed`), exactly as `resolveCard` checks it; a one-time code and a typed number
 * take their own paths (cards.ts), which read what they need themselves.
 */
async function cardAtCounter(db: Db, clock: Clock, communityId: string, signingKey: string, identity: CardIdentity, pin: string | null | undefined, printed: PrintedCardRow | null): Promise<CardAtCounter> {
  if (identity.cardNo !== undefined) {
    const card = await resolveTypedCard(db, clock, communityId, identity.cardNo.trim(), pin);
    return { card, pinChecked: true, via: "cardNo" };
  }
  const parsed = parseCardQr(identity.qr);
  if (parsed && !parseCodeQr(identity.qr)) {
    const found = printed;
    if (!found || found.status !== "active" || found.version !== parsed.version || found.balance === null) throw new DomainError("CARD_INVALID");
    if (!(await cardSignatureMatches(signingKey, found.cardSecret, found.cardNo, found.version, parsed.sig))) throw new DomainError("CARD_INVALID");
    const card: ResolvedCard = { cardId: found.id, cardNo: found.cardNo, pinHash: found.pinHash, codeHash: null, household: found.household, balance: found.balance };
    return { card, pinChecked: false, via: "qr" };
  }
  const card = await resolveCard(db, communityId, signingKey, identity.qr, isoNow(clock));
  return { card, pinChecked: false, via: card.codeHash ? "code" : "qr" };
}

interface PrintedCardRow {
  id: string;
  cardNo: string;
  version: number;
  status: string;
  pinHash: string;
  cardSecret: string;
  household: ResolvedCard["household"];
  balance: number | null;
}

/** What the counter reads before it writes, in one batch (one round trip). */
interface CounterReads {
  /** The stored idempotency key, when this key was used before. */
  stored: { requestHash: string; refId: string } | null;
  /** The printed card named by the scanned QR (of this community), when the QR names one. */
  printed: PrintedCardRow | null;
  shelf: ShelfRow[];
  shop: { name: string; hasAccount: boolean } | null;
  pinThreshold: number;
}

/**
 * The redemption's reads, folded into one read batch: the idempotency key (so a repeat replays
 * its first answer before anything is checked again, as it always did — the key's primary key in
 * the write batch still catches a concurrent copy), the printed card with its household, balance
 * and community secret in one join, the basket's goods, and the shop with its ledger account and
 * the community's PIN threshold in one.
 */
async function counterReads(db: Db, communityId: string, shopId: string, key: string, identity: CardIdentity, basket: BasketLine[]): Promise<CounterReads> {
  const scanned = identity.qr !== undefined && !parseCodeQr(identity.qr) ? parseCardQr(identity.qr) : null;
  const [keyRows, cardRows, goodsRows, shopRows] = await db.batch([
    fixedSql`SELECT request_hash, ref_id FROM idempotency_keys WHERE community_id = ${communityId} AND scope = ${redemptionKeyScope} AND key = ${key}`,
    fixedSql`SELECT c.id, c.card_no, c.version, c.status, c.pin_hash, m.card_secret,
        h.id AS household_id, h.household_no, h.head_name, h.building, a.balance
      FROM cards c JOIN communities m ON m.id = c.community_id
      LEFT JOIN households h ON h.id = c.household_id LEFT JOIN accounts a ON a.id = c.household_id
      WHERE c.card_no = ${scanned?.cardNo ?? ""} AND c.community_id = ${communityId}`,
    fixedSql`SELECT id, name, points, active, shop_id FROM goods
      WHERE community_id = ${communityId} AND id IN (SELECT value FROM json_each(${JSON.stringify(basket.map((l) => l.goodsId))}))`,
    fixedSql`SELECT m.pin_threshold, s.name AS shop_name, a.id AS account_id
      FROM communities m LEFT JOIN shops s ON s.id = ${shopId} AND s.community_id = m.id LEFT JOIN accounts a ON a.id = ${shopId}
      WHERE m.id = ${communityId}`,
  ]);
  const k = rowsOf(keyRows)[0];
  const c = rowsOf(cardRows)[0];
  const m = rowsOf(shopRows)[0];
  if (!m) throw new DomainError("NOT_FOUND", { communityId });
  return {
    stored: k ? { requestHash: String(k.request_hash), refId: String(k.ref_id) } : null,
    printed:
      c && c.household_id !== null
        ? {
            id: String(c.id),
            cardNo: String(c.card_no),
            version: num(c.version),
            status: String(c.status),
            pinHash: String(c.pin_hash),
            cardSecret: String(c.card_secret),
            household: { id: String(c.household_id), householdNo: String(c.household_no), headName: String(c.head_name), building: String(c.building) },
            balance: c.balance === null ? null : num(c.balance),
          }
        : null,
    shelf: rowsOf(goodsRows).map((g) => ({ id: String(g.id), name: String(g.name), points: num(g.points), active: Boolean(num(g.active)), shopId: String(g.shop_id) })),
    shop: m.shop_name === null || m.shop_name === undefined ? null : { name: String(m.shop_name), hasAccount: m.account_id !== null && m.account_id !== undefined },
    pinThreshold: num(m.pin_threshold),
  };
}

/**
 * Redeems a basket for the household whose card was scanned, for the clerk's own shop.
 * Idempotent by `input.idempotencyKey`; see the module comment for the guards.
 */
export async function redeem(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, config: { cardSigningKey: string }, input: RedeemInput): Promise<Receipt> {
  const shopId = clerkShop(actor);
  const { communityId } = actor;
  const basket = mergeBasket(input.items);
  if (basket.length === 0) throw new DomainError("BASKET_EMPTY", { fields: { items: "empty" } });
  const tooMany = basket.find((l) => l.quantity > limits.basketQuantityMax);
  if (tooMany) throw new DomainError("VALIDATION_FAILED", { fields: { items: `at most ${limits.basketQuantityMax} of one goods` }, goodsId: tooMany.goodsId });
  if ((input.card.qr === undefined) === (input.card.cardNo === undefined)) {
    throw new DomainError("VALIDATION_FAILED", { fields: { qr: "send exactly one of qr or cardNo", cardNo: "send exactly one of qr or cardNo" } });
  }
  const hash = await basketHash(shopId, input.card, basket);

  const reads = await counterReads(db, communityId, shopId, input.idempotencyKey, input.card, basket);
  if (reads.stored) return replay(db, communityId, reads.stored, hash);

  // A typed card number has its PIN checked before the basket is priced: the PIN is what
  // proves the card, whatever the basket.
  const named = await cardAtCounter(db, clock, communityId, config.cardSigningKey, input.card, input.pin, reads.printed);
  const { card } = named;
  const priced = priceBasket(reads.shelf, shopId, basket);
  const pinChecked = named.pinChecked || (await checkPin(db, clock, card, communityId, priced.total, reads.pinThreshold, input.pin));
  if (!reads.shop?.hasAccount) throw new Error("assertion failed: a shop without a ledger account");

  const id = newId();
  const householdId = card.household.id;
  const at = isoNow(clock);
  const batch = redemptionBatch(db, actor, meta, { id, at, shopId, householdId, cardId: card.cardId, codeHash: card.codeHash, key: input.idempotencyKey, hash, priced, pinChecked, via: named.via });
  let written: unknown[];
  try {
    written = await db.batch(batch.statements as [Statement, ...Statement[]]);
  } catch (err) {
    if (violatedConstraint(err)?.startsWith("idempotency_keys.")) {
      // A copy of this request committed between our look-up and our batch: answer as it did.
      const winner = await findKey(db, communityId, input.idempotencyKey);
      if (winner) return replay(db, communityId, winner, hash);
    }
    // Used meanwhile (primary key) or expired meanwhile (used_at stays NULL): the code is spent.
    if (violatedConstraint(err) === "card_code_uses.code_hash") throw new DomainError("CODE_USED");
    if (failedNotNull(err) === "card_code_uses.used_at") throw new DomainError("CODE_EXPIRED");
    if (failedNotNull(err) === "redemptions.total") throw new DomainError("CARD_INVALID", { reason: "stopped meanwhile" });
    const mapped = invariantError(err);
    if (mapped?.code === "INSUFFICIENT_POINTS") {
      const account = await db.query.accounts.findFirst({ where: eq(accounts.id, householdId) });
      throw new DomainError("INSUFFICIENT_POINTS", { total: priced.total, balance: account?.balance ?? 0 });
    }
    if (mapped?.code === "OUT_OF_STOCK") throw new DomainError("OUT_OF_STOCK", { goods: await stockOf(db, basket) });
    if (violatedConstraint(err) === "redemption_day_cap") throw new DomainError("DAILY_CAP_REACHED", { total: priced.total, ...(await dayTotal(db, householdId, at)) });
    throw err;
  }
  // The receipt comes from the batch itself (RETURNING): built from what was just stored, it is
  // what `receiptOf` answers for a replay of this key.
  const stored = rowsOf(written[batch.receiptIndex])[0];
  if (!stored) throw new Error("assertion failed: a committed redemption returned no receipt");
  return {
    id,
    receiptNo: num(stored.receipt_no),
    shopId,
    shop: { id: shopId, name: reads.shop.name },
    clerk: { id: actor.id, name: actor.kind === "user" ? actor.name : "" },
    householdId,
    total: num(stored.total),
    balanceAfter: num(stored.balance_after),
    items: priced.lines,
    createdAt: String(stored.created_at),
  };
}

export interface RedemptionPlan {
  id: string;
  at: string;
  shopId: string;
  householdId: string;
  cardId: string;
  /** A scanned one-time code, used up by this batch (a second use or an expired code fails it). */
  codeHash: string | null;
  key: string;
  hash: string;
  priced: PricedBasket;
  pinChecked: boolean;
  /** How the card was named: printed QR, one-time code or typed number (kept in the audit row). */
  via: CardAtCounter["via"];
}

/**
 * The one batch of a redemption, in order: key, transfer, stock, receipt, lines, audit.
 * Exported for the bench, which drives these exact statements without HTTP for its ceiling.
 */
export function redemptionStatements(db: Db, actor: Actor, meta: RequestMeta | null, plan: RedemptionPlan): Statement[] {
  return redemptionBatch(db, actor, meta, plan).statements;
}

/** The batch and where in it the receipt's row comes back (`RETURNING`). */
function redemptionBatch(db: Db, actor: Actor, meta: RequestMeta | null, plan: RedemptionPlan): { statements: Statement[]; receiptIndex: number } {
  const { communityId } = actor;
  const createdBy = actorRef(actor);
  const statements: Statement[] = [
    fixedSql`INSERT INTO idempotency_keys (community_id, scope, key, request_hash, ref_id, created_at)
      VALUES (${communityId}, ${redemptionKeyScope}, ${plan.key}, ${plan.hash}, ${plan.id}, ${plan.at})`,
    ...(plan.codeHash
      ? [
          fixedSql`INSERT INTO card_code_uses (code_hash, community_id, redemption_id, used_at)
            VALUES (${plan.codeHash}, ${communityId}, ${plan.id}, (SELECT ${plan.at} FROM card_codes WHERE code_hash = ${plan.codeHash} AND expires_at > ${plan.at}))`,
        ]
      : []),
    ...transferStatements(db, {
      id: newId(),
      communityId,
      debitAccountId: plan.householdId,
      creditAccountId: plan.shopId,
      amount: plan.priced.total,
      kind: "redemption",
      cause: `redemption:${plan.id}`,
      ref: plan.id,
      createdBy,
      at: plan.at,
    }),
  ];
  for (const line of plan.priced.lines) {
    statements.push(
      fixedSql`UPDATE goods SET stock = stock - ${line.quantity} WHERE id = ${line.goodsId} AND shop_id = ${plan.shopId}`,
      fixedSql`INSERT INTO stock_movements (community_id, goods_id, delta, reason, ref, created_by, created_at)
        VALUES (${communityId}, ${line.goodsId}, ${-line.quantity}, 'redemption', ${plan.id}, ${createdBy}, ${plan.at})`,
    );
  }
  const receiptIndex = statements.length;
  statements.push(
    // The receipt number and the balance after are read inside the batch, after the debit.
    fixedSql`INSERT INTO redemptions (id, community_id, shop_id, household_id, card_id, receipt_no, total, balance_after, clerk_id, created_at)
      VALUES (${plan.id}, ${communityId}, ${plan.shopId}, ${plan.householdId}, ${plan.cardId},
        (SELECT COALESCE(MAX(receipt_no), 0) + 1 FROM redemptions WHERE community_id = ${communityId}),
        -- The card must still be in use when the batch commits: a card revoked or reported lost
        -- between the scan and this write leaves the total NULL, and the whole batch fails.
        (SELECT ${plan.priced.total} FROM cards WHERE id = ${plan.cardId} AND status = 'active'),
        (SELECT balance FROM accounts WHERE id = ${plan.householdId}), ${actor.id}, ${plan.at})
      RETURNING receipt_no, total, balance_after, created_at`,
    // One INSERT per line: D1 binds at most 100 values per statement (30 lines × 6 would be 180).
    ...plan.priced.lines.map(
      (l) => fixedSql`INSERT INTO redemption_lines (redemption_id, goods_id, name, points, quantity, subtotal)
        VALUES (${plan.id}, ${l.goodsId}, ${l.name}, ${l.points}, ${l.quantity}, ${l.subtotal})`,
    ),
  );
  // The daily cap (communities.daily_redemption_cap, null = none) is a CHECK on the day's total.
  statements.push(
    fixedSql`INSERT INTO redemption_days (household_id, day, community_id, points, cap)
      VALUES (${plan.householdId}, ${chinaDay(plan.at)}, ${communityId}, ${plan.priced.total},
        (SELECT daily_redemption_cap FROM communities WHERE id = ${communityId}))
      ON CONFLICT (household_id, day) DO UPDATE SET points = points + excluded.points, cap = excluded.cap`,
  );
  if (plan.pinChecked) statements.push(clearAttemptsStatement(db, counterSubject(plan.cardId, communityId)));
  statements.push(
    auditStatement(db, actor, meta, plan.at, {
      action: "redemption.create",
      targetType: "redemption",
      targetId: plan.id,
      details: { householdId: plan.householdId, shopId: plan.shopId, total: plan.priced.total, via: plan.via, lines: plan.priced.lines.map((l) => [l.goodsId, l.quantity]) },
    }),
  );
  return { statements, receiptIndex };
}

async function dayTotal(db: Db, householdId: string, at: string) {
  const [row] = await db.all<{ points: number; cap: number | null }>(sql`SELECT points, cap FROM redemption_days WHERE household_id = ${householdId} AND day = ${chinaDay(at)}`);
  return { redeemedToday: Number(row?.points ?? 0), dailyCap: row?.cap ?? null };
}

async function stockOf(db: Db, basket: BasketLine[]) {
  const rows = await db.query.goods.findMany({ where: inArray(goods.id, basket.map((l) => l.goodsId)), columns: { id: true, stock: true } });
  const stock = new Map(rows.map((r) => [r.id, r.stock]));
  return basket.filter((l) => (stock.get(l.goodsId) ?? 0) < l.quantity).map((l) => ({ goodsId: l.goodsId, requested: l.quantity, stock: stock.get(l.goodsId) ?? 0 }));
}

/** The receipt of a stored redemption of the community, or null. */
export async function receiptOf(db: Db, communityId: string, redemptionId: string): Promise<Receipt | null> {
  const [detail] = await detailsOf(db, communityId, [redemptionId]);
  if (!detail) return null;
  const { id, receiptNo, shopId, shop, clerk, householdId, total, balanceAfter, items, createdAt } = detail;
  return { id, receiptNo, shopId, shop, clerk, householdId, total, balanceAfter, items, createdAt };
}

/** Who may see a redemption: admins of the community, the shop's clerk, the household itself. */
function canSee(actor: Actor, r: { shopId: string; householdId: string }): boolean {
  if (actor.kind === "household") return actor.householdId === r.householdId;
  if (actor.role === "admin") return true;
  if (actor.role === "clerk") return actor.shopId === r.shopId;
  return false;
}

/** A receipt with the household, the clerk and the void (if any), for reprinting and review. */
export async function getRedemption(db: Db, actor: Actor, redemptionId: string): Promise<RedemptionDetail> {
  const [detail] = await detailsOf(db, actor.communityId, [redemptionId]);
  if (!detail) throw new DomainError("NOT_FOUND", { redemptionId });
  if (!canSee(actor, detail)) throw new DomainError("FORBIDDEN");
  return detail;
}

/**
 * The lines of several receipts, in scanned order. The ids travel as one JSON value
 * (json_each), because D1 binds at most 100 values per statement and a page holds up to 200.
 */
export async function linesOf(db: Db, redemptionIds: string[]) {
  if (redemptionIds.length === 0) return [];
  const rows = await db.all<{ redemption_id: string; goods_id: string; name: string; points: number; quantity: number; subtotal: number }>(sql`SELECT redemption_id, goods_id, name, points, quantity, subtotal
    FROM redemption_lines WHERE redemption_id IN (SELECT value FROM json_each(${JSON.stringify(redemptionIds)})) ORDER BY id`);
  return rows.map((l) => ({ redemptionId: String(l.redemption_id), goodsId: String(l.goods_id), name: String(l.name), points: Number(l.points), quantity: Number(l.quantity), subtotal: Number(l.subtotal) }));
}

/** Full details of several redemptions (one query for heads, one for lines), in the given order. */
async function detailsOf(db: Db, communityId: string, ids: string[]): Promise<RedemptionDetail[]> {
  if (ids.length === 0) return [];
  const heads = await db.all<Record<string, string | number | null>>(sql`SELECT r.id, r.receipt_no, r.shop_id, r.household_id, r.total, r.balance_after,
      r.clerk_id, r.created_at, h.household_no, h.head_name, v.created_at AS voided_at, v.reason AS void_reason, v.voided_by,
      s.name AS shop_name, u.name AS clerk_name, vu.name AS voided_by_name
    FROM redemptions r JOIN households h ON h.id = r.household_id
    LEFT JOIN shops s ON s.id = r.shop_id
    LEFT JOIN users u ON u.id = r.clerk_id
    LEFT JOIN redemption_voids v ON v.redemption_id = r.id
    LEFT JOIN users vu ON 'user:' || vu.id = v.voided_by
    WHERE r.community_id = ${communityId} AND r.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
  const lines = await linesOf(db, ids);
  const byId = new Map(heads.map((h) => [String(h.id), h]));
  return ids.flatMap((id) => {
    const h = byId.get(id);
    if (!h) return [];
    return [
      {
        id,
        receiptNo: Number(h.receipt_no),
        shopId: String(h.shop_id),
        shop: { id: String(h.shop_id), name: String(h.shop_name ?? "") },
        clerk: { id: String(h.clerk_id), name: String(h.clerk_name ?? "") },
        householdId: String(h.household_id),
        total: Number(h.total),
        balanceAfter: Number(h.balance_after),
        items: lines.filter((l) => l.redemptionId === id).map((l) => ({ goodsId: l.goodsId, name: l.name, points: l.points, quantity: l.quantity, subtotal: l.subtotal })),
        createdAt: String(h.created_at),
        householdNo: String(h.household_no),
        headName: String(h.head_name),
        clerkId: String(h.clerk_id),
        void:
          h.voided_at === null
            ? null
            : { at: String(h.voided_at), reason: h.void_reason === null ? null : String(h.void_reason), by: String(h.voided_by), byName: h.voided_by_name === null ? null : String(h.voided_by_name) },
      },
    ];
  });
}

export interface RedemptionListQuery {
  date?: string;
  shopId?: string;
  householdId?: string;
  /** Receipt number to continue below (lists run newest first). */
  cursor?: number | null;
  limit: number;
}

export interface RedemptionTotals {
  count: number;
  points: number;
  voidedCount: number;
  voidedPoints: number;
  netPoints: number;
}

/**
 * Redemptions newest first: a clerk sees only their own shop's, an admin all the community's.
 * With `date` (YYYY-MM-DD, China time) it also answers the day's totals, voids shown apart.
 */
export async function listRedemptions(db: Db, actor: Actor, query: RedemptionListQuery) {
  const conditions: SQL[] = [sql`r.community_id = ${actor.communityId}`];
  if (actor.kind === "household") conditions.push(sql`r.household_id = ${actor.householdId}`);
  else if (actor.role === "clerk") conditions.push(sql`r.shop_id = ${actor.shopId ?? ""}`);
  else if (actor.role !== "admin") throw new DomainError("FORBIDDEN");
  if (query.shopId) conditions.push(sql`r.shop_id = ${query.shopId}`);
  if (query.householdId) conditions.push(sql`r.household_id = ${query.householdId}`);
  if (query.date) {
    const { start, end } = chinaDayRange(query.date);
    conditions.push(sql`r.created_at >= ${start} AND r.created_at < ${end}`);
  }
  const where = sql.join(conditions, sql` AND `);
  const pageWhere = query.cursor ? sql`${where} AND r.receipt_no < ${query.cursor}` : where;
  const rows = await db.all<{ id: string; receipt_no: number }>(sql`SELECT r.id, r.receipt_no FROM redemptions r WHERE ${pageWhere}
    ORDER BY r.receipt_no DESC LIMIT ${query.limit + 1}`);
  const page = rows.slice(0, query.limit);
  const items = await detailsOf(db, actor.communityId, page.map((r) => String(r.id)));
  const nextCursor = rows.length > query.limit && page.length > 0 ? String(page[page.length - 1].receipt_no) : null;
  let totals: RedemptionTotals | null = null;
  if (query.date) {
    const [t] = await db.all<Record<string, number | null>>(sql`SELECT COUNT(*) AS count, COALESCE(SUM(r.total), 0) AS points,
        COUNT(v.redemption_id) AS voided_count, COALESCE(SUM(CASE WHEN v.redemption_id IS NOT NULL THEN r.total END), 0) AS voided_points
      FROM redemptions r LEFT JOIN redemption_voids v ON v.redemption_id = r.id WHERE ${where}`);
    const points = Number(t?.points ?? 0);
    const voidedPoints = Number(t?.voided_points ?? 0);
    totals = { count: Number(t?.count ?? 0), points, voidedCount: Number(t?.voided_count ?? 0), voidedPoints, netPoints: points - voidedPoints };
  }
  return { items, nextCursor, totals };
}

/**
 * Voids a redemption: a reversal transfer shop → household for the full total (naming the
 * transfer it reverses), the stock put back with its movements, and the void itself, whose
 * primary key makes it once only. Nothing of the redemption is edited. Only the community's
 * admin voids, and always with a reason (kept on the void and in the audit row): a clerk who
 * made a mistake asks the admin, so no one corrects their own till unseen.
 */
export async function voidRedemption(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, redemptionId: string, reason: string): Promise<RedemptionDetail> {
  if (actor.kind !== "user" || actor.role !== "admin") throw new DomainError("FORBIDDEN", { reason: "only the community's admin voids" });
  if (!reason.trim()) throw new DomainError("VALIDATION_FAILED", { fields: { reason: "required" } });
  const redemption = await db.query.redemptions.findFirst({ where: and(eq(redemptions.id, redemptionId), eq(redemptions.communityId, actor.communityId)) });
  if (!redemption) throw new DomainError("NOT_FOUND", { redemptionId });
  const original = await db.query.transfers.findFirst({ where: eq(transfers.cause, `redemption:${redemptionId}`) });
  // An offline redemption whose balance was already empty debited nothing (docs/offline.md): there is
  // nothing to reverse; the admin writes its shortfall off instead.
  if (!original) throw new DomainError("CONFLICT", { redemptionId, reason: "nothing was debited (an offline redemption with a shortfall); resolve the shortfall instead" });
  const lines = await db.query.redemptionLines.findMany({ where: eq(redemptionLines.redemptionId, redemptionId), orderBy: asc(redemptionLines.id) });
  const at = isoNow(clock);
  const createdBy = actorRef(actor);
  const statements: Statement[] = [
    db.run(sql`INSERT INTO redemption_voids (redemption_id, community_id, reason, voided_by, created_at)
      VALUES (${redemptionId}, ${actor.communityId}, ${reason.trim()}, ${createdBy}, ${at})`),
    ...transferStatements(db, {
      id: newId(),
      communityId: actor.communityId,
      debitAccountId: original.creditAccountId,
      creditAccountId: original.debitAccountId,
      amount: original.amount,
      kind: "reversal",
      cause: `void:${redemptionId}`,
      ref: redemptionId,
      reversesTransferId: original.id,
      createdBy,
      at,
    }),
  ];
  for (const line of lines) {
    statements.push(
      db.run(sql`UPDATE goods SET stock = stock + ${line.quantity} WHERE id = ${line.goodsId}`),
      db.insert(stockMovements).values({ communityId: actor.communityId, goodsId: line.goodsId, delta: line.quantity, reason: "void", ref: redemptionId, createdBy, createdAt: at }),
    );
  }
  // The points go back to the day's allowance; clearing the cap keeps a since-lowered cap from blocking the void.
  statements.push(
    db.run(sql`UPDATE redemption_days SET points = points - ${original.amount}, cap = NULL
      WHERE household_id = ${redemption.householdId} AND day = ${chinaDay(redemption.createdAt)}`),
  );
  statements.push(auditStatement(db, actor, meta, at, { action: "redemption.void", targetType: "redemption", targetId: redemptionId, details: { total: original.amount, reason: reason.trim(), receiptNo: redemption.receiptNo } }));
  try {
    await db.batch(statements as [Statement, ...Statement[]]);
  } catch (err) {
    const constraint = violatedConstraint(err);
    if (constraint?.startsWith("redemption_voids.") || constraint === "transfers.cause" || constraint === "transfers.reverses_transfer_id") {
      throw new DomainError("ALREADY_VOIDED", { redemptionId });
    }
    throw invariantError(err) ?? err;
  }
  return getRedemption(db, actor, redemptionId);
}
