/**
 * 结算 settlement with the partner shops: the community pays each shop for the goods its
 * residents redeemed, at the shop's `pointValueFen` (fen per point).
 *
 * A statement (结算单) goes draft → confirmed → paid:
 *
 * - **Draft** (`createSettlement`): every redemption of the shop made before `to` that is not in a
 *   statement yet, and every void of a redemption that is in a statement (this one or an earlier
 *   one) not in a statement yet — so a void of an already settled redemption lands as a negative
 *   line in the next statement. `settlement_entries` holds each redemption and each void once
 *   (UNIQUE), so nothing is ever settled twice. `from` is the previous statement's `to`. All in
 *   one batch; a batch that finds nothing fails as a whole (NOTHING_TO_SETTLE), a second draft
 *   for the shop fails on the one-draft-per-shop index (SETTLEMENT_PENDING).
 * - **Confirm**: ONE batch moves the statement's points from the shop's ledger account to the
 *   community's settled account (`settled:<communityId>`, opened by the first confirm), guarded
 *   in SQL: the amount is read from the statement only while it is still a draft, so a repeated
 *   or concurrent confirm moves nothing (and the transfer's cause `settlement:<id>` is UNIQUE).
 *   A statement whose net is negative (voids of settled redemptions outweigh new ones) moves the
 *   points back from the settled account to the shop (cause `settlement-return:<id>`).
 * - **Pay**: records the bank transfer's or cash voucher's reference; only a confirmed statement.
 *
 * The ledger check then holds `redeemed = settled + unsettled`, `unsettled` being the sum of the
 * shops' balances (api/domain/ledger.ts).
 */
import { sql } from "drizzle-orm";
import writeXlsxFile, { type Cell } from "write-excel-file/universal";
import type { Db } from "../../db/client";
import { num, rowsOf, strOrNull, type Row } from "../../db/sql";
import { actorRef, type Actor, type RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { DomainError, failedNotNull, violatedConstraint } from "./errors";
import { transferStatements, type Statement } from "./ledger";

export const settlementStatuses = ["draft", "confirmed", "paid"] as const;
export type SettlementStatus = (typeof settlementStatuses)[number];

export function settledAccountId(communityId: string): string {
  return `settled:${communityId}`;
}

export interface SettlementLine {
  goodsId: string;
  name: string;
  /** Net quantity; negative on a `void` line. */
  quantity: number;
  /** Net points; negative on a `void` line. */
  points: number;
  /** `void`: voids of redemptions settled in an earlier statement (a negative line). */
  kind: "redemption" | "void";
}

export interface SettlementView {
  id: string;
  shopId: string;
  shopName: string;
  from: string | null;
  to: string;
  status: SettlementStatus;
  /** Redemptions settled by it, net of those voided before it was drafted. */
  redemptions: number;
  points: number;
  pointValueFen: number;
  amountFen: number;
  reference: string | null;
  createdAt: string;
  confirmedAt: string | null;
  paidAt: string | null;
  lines: SettlementLine[];
}

export interface ShopSettlementState {
  shopId: string;
  name: string;
  pointValueFen: number;
  /** Points redeemed at the shop and not settled by a confirmed statement: its ledger balance. */
  unsettled: number;
  /** The last statement's `to` (the next one's `from`), or null. */
  lastTo: string | null;
  /** The open draft, if any. */
  draftId: string | null;
}

function isAdmin(actor: Actor): boolean {
  return actor.kind === "user" && actor.role === "admin";
}

/** Admins see every statement of the community; a clerk only its own shop's. */
function visibleShop(actor: Actor): string | null {
  if (isAdmin(actor)) return null;
  if (actor.kind === "user" && actor.role === "clerk" && actor.shopId) return actor.shopId;
  throw new DomainError("FORBIDDEN");
}

function requireAdmin(actor: Actor): void {
  if (!isAdmin(actor)) throw new DomainError("FORBIDDEN", { reason: "only the community's admin settles" });
}

const lineKind = sql`CASE WHEN e.entry = 'void' AND NOT EXISTS (SELECT 1 FROM settlement_entries e2
    WHERE e2.settlement_id = e.settlement_id AND e2.redemption_id = e.redemption_id AND e2.entry = 'redemption') THEN 'void' ELSE 'redemption' END`;

function viewOf(head: Row, lines: Row[]): SettlementView {
  return {
    id: String(head.id),
    shopId: String(head.shop_id),
    shopName: String(head.shop_name ?? ""),
    from: strOrNull(head.from_at),
    to: String(head.to_at),
    status: String(head.status) as SettlementStatus,
    redemptions: num(head.redemptions),
    points: num(head.points),
    pointValueFen: num(head.point_value_fen),
    amountFen: num(head.amount_fen),
    reference: strOrNull(head.reference),
    createdAt: String(head.created_at),
    confirmedAt: strOrNull(head.confirmed_at),
    paidAt: strOrNull(head.paid_at),
    lines: lines
      .filter((l) => String(l.settlement_id) === String(head.id))
      .map((l) => ({ goodsId: String(l.goods_id), name: String(l.name), quantity: num(l.quantity), points: num(l.points), kind: String(l.kind) as SettlementLine["kind"] }))
      .filter((l) => l.quantity !== 0 || l.points !== 0),
  };
}

const headColumns = sql`s.id, s.shop_id, sh.name AS shop_name, s.from_at, s.to_at, s.status, s.redemptions, s.points, s.point_value_fen,
  s.amount_fen, s.reference, s.created_at, s.confirmed_at, s.paid_at`;

/** The lines of some statements: by goods, voids of earlier statements' redemptions apart. */
async function linesOf(db: Db, ids: string[]): Promise<Row[]> {
  if (ids.length === 0) return [];
  return db.all<Row>(sql`SELECT e.settlement_id, rl.goods_id, MIN(rl.name) AS name, ${lineKind} AS kind,
      SUM(CASE WHEN e.entry = 'void' THEN -rl.quantity ELSE rl.quantity END) AS quantity,
      SUM(CASE WHEN e.entry = 'void' THEN -rl.subtotal ELSE rl.subtotal END) AS points
    FROM settlement_entries e JOIN redemption_lines rl ON rl.redemption_id = e.redemption_id
    WHERE e.settlement_id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
    GROUP BY e.settlement_id, rl.goods_id, 4
    ORDER BY 4, MIN(rl.name), rl.goods_id`);
}

async function loadSettlement(db: Db, communityId: string, id: string): Promise<SettlementView | null> {
  const heads = await db.all<Row>(sql`SELECT ${headColumns} FROM settlements s JOIN shops sh ON sh.id = s.shop_id
    WHERE s.id = ${id} AND s.community_id = ${communityId}`);
  if (heads.length === 0) return null;
  return viewOf(heads[0], await linesOf(db, [id]));
}

/** One statement; a clerk reads only its own shop's (403 otherwise), unknown → 404. */
export async function getSettlement(db: Db, actor: Actor, id: string): Promise<SettlementView> {
  const shop = visibleShop(actor);
  const view = await loadSettlement(db, actor.communityId, id);
  if (!view) throw new DomainError("NOT_FOUND", { settlementId: id });
  if (shop !== null && view.shopId !== shop) throw new DomainError("FORBIDDEN", { reason: "another shop's statement" });
  return view;
}

export interface SettlementListQuery {
  shopId?: string;
  status?: SettlementStatus;
}

/** Statements newest first (a community has a few shops, settled monthly: a few hundred at most). */
export async function listSettlements(db: Db, actor: Actor, query: SettlementListQuery): Promise<SettlementView[]> {
  const shop = visibleShop(actor);
  const conditions = [sql`s.community_id = ${actor.communityId}`];
  if (shop !== null) conditions.push(sql`s.shop_id = ${shop}`);
  if (query.shopId) conditions.push(sql`s.shop_id = ${query.shopId}`);
  if (query.status) conditions.push(sql`s.status = ${query.status}`);
  const heads = await db.all<Row>(sql`SELECT ${headColumns} FROM settlements s JOIN shops sh ON sh.id = s.shop_id
    WHERE ${sql.join(conditions, sql` AND `)} ORDER BY s.to_at DESC, s.created_at DESC LIMIT 500`);
  const lines = await linesOf(db, heads.map((h) => String(h.id)));
  return heads.map((h) => viewOf(h, lines));
}

/** Every shop of the community with what it has not been settled yet (admin). */
export async function shopSettlementStates(db: Db, actor: Actor): Promise<ShopSettlementState[]> {
  requireAdmin(actor);
  const rows = await db.all<Row>(sql`SELECT sh.id, sh.name, sh.point_value_fen, COALESCE(a.balance, 0) AS unsettled,
      (SELECT MAX(to_at) FROM settlements s WHERE s.shop_id = sh.id) AS last_to,
      (SELECT id FROM settlements s WHERE s.shop_id = sh.id AND s.status = 'draft') AS draft_id
    FROM shops sh LEFT JOIN accounts a ON a.id = sh.id WHERE sh.community_id = ${actor.communityId} ORDER BY sh.name, sh.id`);
  return rows.map((r) => ({
    shopId: String(r.id),
    name: String(r.name),
    pointValueFen: num(r.point_value_fen),
    unsettled: num(r.unsettled),
    lastTo: strOrNull(r.last_to),
    draftId: strOrNull(r.draft_id),
  }));
}

/**
 * Drafts a statement for the shop up to `to` (exclusive; an ISO instant, not in the future and
 * not before the previous statement's `to`). See the module comment.
 */
export async function createSettlement(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, input: { shopId: string; to: string }): Promise<SettlementView> {
  requireAdmin(actor);
  const { communityId } = actor;
  const toMs = Date.parse(input.to);
  if (!Number.isFinite(toMs)) throw new DomainError("VALIDATION_FAILED", { fields: { to: "an ISO date-time" } });
  const to = new Date(toMs).toISOString();
  const at = isoNow(clock);
  if (to > at) throw new DomainError("VALIDATION_FAILED", { fields: { to: "not in the future" } });
  const [shop] = await db.all<Row>(sql`SELECT id, (SELECT MAX(to_at) FROM settlements WHERE shop_id = shops.id) AS last_to,
      (SELECT id FROM settlements WHERE shop_id = shops.id AND status = 'draft') AS draft_id
    FROM shops WHERE id = ${input.shopId} AND community_id = ${communityId}`);
  if (!shop) throw new DomainError("NOT_FOUND", { shopId: input.shopId });
  if (shop.draft_id) throw new DomainError("SETTLEMENT_PENDING", { settlementId: String(shop.draft_id) });
  if (shop.last_to && to < String(shop.last_to)) throw new DomainError("VALIDATION_FAILED", { fields: { to: `not before the last statement's end (${String(shop.last_to)})` }, lastTo: String(shop.last_to) });

  const id = newId();
  const statements: Statement[] = [
    db.run(sql`INSERT INTO settlements (id, community_id, shop_id, from_at, to_at, status, redemptions, points, point_value_fen, amount_fen, created_by, created_at)
      VALUES (${id}, ${communityId}, ${input.shopId}, (SELECT MAX(to_at) FROM settlements WHERE shop_id = ${input.shopId}), ${to}, 'draft', 0, 0,
        (SELECT point_value_fen FROM shops WHERE id = ${input.shopId}), 0, ${actorRef(actor)}, ${at})`),
    db.run(sql`INSERT INTO settlement_entries (settlement_id, community_id, redemption_id, entry, points)
      SELECT ${id}, ${communityId}, r.id, 'redemption', r.total FROM redemptions r
      WHERE r.shop_id = ${input.shopId} AND r.community_id = ${communityId} AND r.created_at < ${to}
        AND NOT EXISTS (SELECT 1 FROM settlement_entries e WHERE e.redemption_id = r.id AND e.entry = 'redemption')`),
    // Voids of redemptions in a statement (an earlier one, or this one just above) not settled yet.
    db.run(sql`INSERT INTO settlement_entries (settlement_id, community_id, redemption_id, entry, points)
      SELECT ${id}, ${communityId}, v.redemption_id, 'void', -r.total FROM redemption_voids v JOIN redemptions r ON r.id = v.redemption_id
      WHERE r.shop_id = ${input.shopId} AND r.community_id = ${communityId}
        AND EXISTS (SELECT 1 FROM settlement_entries e WHERE e.redemption_id = v.redemption_id AND e.entry = 'redemption')
        AND NOT EXISTS (SELECT 1 FROM settlement_entries e WHERE e.redemption_id = v.redemption_id AND e.entry = 'void')`),
    // Nothing found → redemptions NULL → NOT NULL fails the whole batch (NOTHING_TO_SETTLE).
    db.run(sql`UPDATE settlements SET
        redemptions = (SELECT CASE WHEN COUNT(*) = 0 THEN NULL ELSE SUM(CASE WHEN e.entry = 'redemption' AND NOT EXISTS (SELECT 1 FROM settlement_entries e2
          WHERE e2.settlement_id = e.settlement_id AND e2.redemption_id = e.redemption_id AND e2.entry = 'void') THEN 1 ELSE 0 END) END
          FROM settlement_entries e WHERE e.settlement_id = ${id}),
        points = (SELECT COALESCE(SUM(points), 0) FROM settlement_entries WHERE settlement_id = ${id}),
        amount_fen = point_value_fen * (SELECT COALESCE(SUM(points), 0) FROM settlement_entries WHERE settlement_id = ${id})
      WHERE id = ${id}`),
    auditStatement(db, actor, meta, at, { action: "settlement.create", targetType: "settlement", targetId: id, details: { shopId: input.shopId, to } }),
  ];
  try {
    await db.batch(statements as [Statement, ...Statement[]]);
  } catch (err) {
    if (failedNotNull(err) === "settlements.redemptions") throw new DomainError("NOTHING_TO_SETTLE", { shopId: input.shopId, to });
    const constraint = violatedConstraint(err);
    if (constraint === "settlements.shop_id") throw new DomainError("SETTLEMENT_PENDING", { shopId: input.shopId });
    if (constraint === "settlements_period") throw new DomainError("VALIDATION_FAILED", { fields: { to: "not before the last statement's end" } });
    if (constraint === "settlement_entries.redemption_id, settlement_entries.entry") throw new DomainError("CONFLICT", { reason: "settled meanwhile" });
    throw err;
  }
  const view = await loadSettlement(db, communityId, id);
  if (!view) throw new Error("assertion failed: a drafted statement is missing");
  return view;
}

/**
 * Confirms a draft: one batch moves its points shop → settled account (or back, for a negative
 * statement) and marks it confirmed, both guarded on `status = 'draft'` in SQL. Confirming a
 * statement already confirmed or paid answers it as it is (idempotent).
 */
export async function confirmSettlement(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, id: string): Promise<SettlementView> {
  requireAdmin(actor);
  const { communityId } = actor;
  const current = await loadSettlement(db, communityId, id);
  if (!current) throw new DomainError("NOT_FOUND", { settlementId: id });
  if (current.status !== "draft") return current;
  const at = isoNow(clock);
  const createdBy = actorRef(actor);
  const settled = settledAccountId(communityId);
  const draftPoints = sql`(SELECT points FROM settlements WHERE id = ${id} AND community_id = ${communityId} AND status = 'draft')`;
  const statements: Statement[] = [
    db.run(sql`INSERT INTO accounts (id, community_id, kind, balance, score, created_at) VALUES (${settled}, ${communityId}, 'settled', 0, 0, ${at})
      ON CONFLICT (id) DO NOTHING`),
    ...transferStatements(db, { id: newId(), communityId, debitAccountId: current.shopId, creditAccountId: settled, amount: draftPoints, kind: "settlement", cause: `settlement:${id}`, ref: id, createdBy, at }),
    ...transferStatements(db, { id: newId(), communityId, debitAccountId: settled, creditAccountId: current.shopId, amount: sql`-${draftPoints}`, kind: "settlement", cause: `settlement-return:${id}`, ref: id, createdBy, at }),
    db.run(sql`UPDATE settlements SET status = 'confirmed', confirmed_by = ${createdBy}, confirmed_at = ${at} WHERE id = ${id} AND status = 'draft'`),
    auditStatement(db, actor, meta, at, { action: "settlement.confirm", targetType: "settlement", targetId: id, details: { shopId: current.shopId, points: current.points, amountFen: current.amountFen } }),
  ];
  try {
    await db.batch(statements as [Statement, ...Statement[]]);
  } catch (err) {
    const constraint = violatedConstraint(err);
    if (constraint === "account_balance_nonneg") throw new DomainError("SETTLEMENT_STALE", { settlementId: id, points: current.points });
    if (constraint === "transfers.cause") return (await loadSettlement(db, communityId, id)) ?? current;
    throw err;
  }
  const view = await loadSettlement(db, communityId, id);
  if (!view) throw new Error("assertion failed: a confirmed statement is missing");
  return view;
}

/** Records the payment of a confirmed statement; the same reference again answers it as it is. */
export async function paySettlement(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, id: string, reference: string): Promise<SettlementView> {
  requireAdmin(actor);
  const { communityId } = actor;
  const ref = reference.trim();
  if (!ref) throw new DomainError("VALIDATION_FAILED", { fields: { reference: "required" } });
  const current = await loadSettlement(db, communityId, id);
  if (!current) throw new DomainError("NOT_FOUND", { settlementId: id });
  if (current.status === "draft") throw new DomainError("SETTLEMENT_NOT_CONFIRMED", { settlementId: id });
  if (current.status === "paid") {
    if (current.reference === ref) return current;
    throw new DomainError("CONFLICT", { reason: "already paid", reference: current.reference });
  }
  const at = isoNow(clock);
  await db.batch([
    db.run(sql`UPDATE settlements SET status = 'paid', reference = ${ref}, paid_by = ${actorRef(actor)}, paid_at = ${at} WHERE id = ${id} AND status = 'confirmed'`),
    auditStatement(db, actor, meta, at, { action: "settlement.pay", targetType: "settlement", targetId: id, details: { reference: ref, amountFen: current.amountFen } }),
  ]);
  const view = await loadSettlement(db, communityId, id);
  if (!view || view.status !== "paid" || view.reference !== ref) throw new DomainError("CONFLICT", { reason: "paid meanwhile", reference: view?.reference ?? null });
  return view;
}

/**
 * Discards a draft (no money has moved): its entries go back to waiting for the next statement.
 * The way out when a void made after drafting leaves the draft stale (SETTLEMENT_STALE).
 */
export async function discardSettlement(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, id: string): Promise<void> {
  requireAdmin(actor);
  const current = await loadSettlement(db, actor.communityId, id);
  if (!current) throw new DomainError("NOT_FOUND", { settlementId: id });
  if (current.status !== "draft") throw new DomainError("SETTLEMENT_NOT_DRAFT", { settlementId: id });
  const at = isoNow(clock);
  await db.batch([
    db.run(sql`DELETE FROM settlement_entries WHERE settlement_id = ${id} AND (SELECT status FROM settlements WHERE id = ${id}) = 'draft'`),
    db.run(sql`DELETE FROM settlements WHERE id = ${id} AND status = 'draft'`),
    auditStatement(db, actor, meta, at, { action: "settlement.discard", targetType: "settlement", targetId: id, details: { shopId: current.shopId, points: current.points } }),
  ]);
}

/** Changes a shop's name or point value (admin). Statements keep the value they were drafted at. */
export async function updateShop(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, shopId: string, changes: { name?: string; pointValueFen?: number }) {
  requireAdmin(actor);
  const [shop] = await db.all<Row>(sql`SELECT id, name, point_value_fen FROM shops WHERE id = ${shopId} AND community_id = ${actor.communityId}`);
  if (!shop) throw new DomainError("NOT_FOUND", { shopId });
  const name = changes.name ?? String(shop.name);
  const pointValueFen = changes.pointValueFen ?? num(shop.point_value_fen);
  if (name !== String(shop.name) || pointValueFen !== num(shop.point_value_fen)) {
    const at = isoNow(clock);
    await db.batch([
      db.run(sql`UPDATE shops SET name = ${name}, point_value_fen = ${pointValueFen} WHERE id = ${shopId}`),
      auditStatement(db, actor, meta, at, {
        action: "shop.update",
        targetType: "shop",
        targetId: shopId,
        details: { before: { name: String(shop.name), pointValueFen: num(shop.point_value_fen) }, after: { name, pointValueFen } },
      }),
    ]);
  }
  return { id: shopId, name, pointValueFen };
}

const text = (value: string, bold = false): Cell => ({ value, type: String, ...(bold ? { fontWeight: "bold" as const } : {}) });
const whole = (value: number, bold = false): Cell => ({ value, type: Number, format: "#,##0", ...(bold ? { fontWeight: "bold" as const } : {}) });
const yuan = (fen: number, bold = false): Cell => ({ value: fen / 100, type: Number, format: "#,##0.00", ...(bold ? { fontWeight: "bold" as const } : {}) });

const statusZh: Record<SettlementStatus, string> = { draft: "草稿", confirmed: "已确认", paid: "已付款" };

function dayText(at: string | null): string {
  if (!at) return "开始";
  return new Date(Date.parse(at) + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ");
}

/**
 * The statement as a workbook: heading, period and status, one row per line, the totals, the
 * amount in yuan and the signature lines. Every text cell is written as text (goods named
 * `=HYPERLINK("x")` stay words, never a formula); numbers are numbers.
 */
export async function settlementWorkbook(view: SettlementView, communityName: string): Promise<ArrayBuffer> {
  const data: Cell[][] = [
    [text(`${communityName} 积分兑换结算单`, true)],
    [text("商户", true), text(view.shopName)],
    [text("结算期间", true), text(`${dayText(view.from)} 至 ${dayText(view.to)}`)],
    [text("状态", true), text(statusZh[view.status])],
    [text("付款凭证号", true), text(view.reference ?? "")],
    [],
    ["商品", "类别", "数量", "积分"].map((h) => text(h, true)),
    ...view.lines.map((l) => [text(l.name), text(l.kind === "void" ? "撤销（已结算）" : "兑换"), whole(l.quantity), whole(l.points)]),
    [text("合计", true), text(`${view.redemptions} 笔`, true), text(""), whole(view.points, true)],
    [text("每积分（元）", true), yuan(view.pointValueFen), text(""), text("")],
    [text("结算金额（元）", true), yuan(view.amountFen, true), text(""), text("")],
    [],
    [text("商户签字："), text(""), text("站点签字："), text("")],
    [text("日期："), text(""), text(""), text("")],
  ];
  const blob = await writeXlsxFile(data, { sheet: "结算单", columns: [{ width: 24 }, { width: 16 }, { width: 12 }, { width: 12 }] } as never).toBlob();
  return blob.arrayBuffer();
}
