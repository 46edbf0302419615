/**
 * Cards as an office hands them out: many at once, and again after one is lost.
 *
 * - **Bulk issue** (批量发卡): the admin picks households without a card in use; each gets a new
 *   card number and a random 6-digit PIN. The PINs are answered once, for the PIN slips, and only
 *   their PBKDF2 hashes are kept. The cards belong to a card batch, so the handover register
 *   (发卡签收表) can be printed again later, without PINs.
 * - **挂失 (report lost)**: the card stops at once everywhere: sign-in, scanning, redemption,
 *   one-time codes, and every session signed in with it. Audited with who reported it.
 * - **Reissue (补卡)**: a separate, later step: a new card number with a new PIN for the household
 *   of a lost card; the lost card stays blocked for good (a trigger refuses to reactivate it).
 *
 * One `db.batch` writes the whole lot (up to `cardBatchHouseholdsMax` cards): the batch row, the
 * cards and one audit row per card, each a single statement that reads its rows from one JSON
 * parameter (`json_each`). That is 4 statements with a handful of bound values whatever the size,
 * well within D1's limits (100 bound values per statement, 1 MB per statement, 50 or 1,000
 * statements per invocation), so the lot is all or nothing: a household that got a card in the
 * meantime fails the batch on the UNIQUE index of active cards and nothing is written. What bounds
 * a batch is the PBKDF2 of each PIN, hence the limit.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { limits } from "../../shared/limits";
import { actorRef, type Actor, type RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { newCardNo } from "./cards";
import { isoNow, newId, type Clock } from "./clock";
import { hashSecret, randomBytes } from "./crypto";
import { DomainError, failedNotNull, violatedConstraint } from "./errors";
import type { Statement } from "./ledger";

type Staff = Extract<Actor, { kind: "user" }>;

/** The digits of a random card PIN. */
export const batchPinDigits = 6;

/** PINs a guesser tries first: one digit repeated, or a straight run up or down (123456, 987654). */
export function isWeakPin(pin: string): boolean {
  const digits = [...pin].map(Number);
  const steps = new Set(digits.slice(1).map((d, i) => d - digits[i]));
  return steps.size === 1 && [0, 1, -1].includes([...steps][0]);
}

/** A uniformly random 6-digit PIN (leading zeros allowed), never a weak one. */
export function randomPin(): string {
  const bound = Math.floor(0x1_0000_0000 / 10 ** batchPinDigits) * 10 ** batchPinDigits;
  for (;;) {
    const [a, b, c, d] = randomBytes(4);
    const value = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
    // Rejection sampling: values past the last whole multiple of 10^6 would favour low PINs.
    if (value >= bound) continue;
    const pin = String(value % 10 ** batchPinDigits).padStart(batchPinDigits, "0");
    if (!isWeakPin(pin)) return pin;
  }
}

export interface BatchCard {
  householdId: string;
  householdNo: string;
  headName: string;
  building: string;
  unit: string | null;
  room: string | null;
  cardNo: string;
  /** The PIN in clear: answered once, never stored. */
  pin: string;
}

export interface IssuedBatch {
  id: string;
  kind: "issue" | "reissue";
  createdAt: string;
  createdBy: { id: string; name: string };
  cards: BatchCard[];
}

interface HouseholdRow {
  id: string;
  household_no: string;
  head_name: string;
  building: string;
  unit: string | null;
  room: string | null;
}

/** The households of the list that belong to the community, by id. */
async function householdsOf(db: Db, communityId: string, ids: string[]): Promise<Map<string, HouseholdRow>> {
  const rows = await db.all<HouseholdRow>(sql`SELECT h.id, h.household_no, h.head_name, h.building, h.unit, h.room
    FROM json_each(${JSON.stringify(ids)}) j CROSS JOIN households h ON h.id = j.value AND h.community_id = ${communityId}`);
  return new Map(rows.map((r) => [String(r.id), r]));
}

/** 户号 of the households in the list that have a card in use. */
async function withActiveCard(db: Db, ids: string[]): Promise<string[]> {
  const rows = await db.all<{ household_no: string }>(sql`SELECT h.household_no FROM cards c
    JOIN json_each(${JSON.stringify(ids)}) j ON c.household_id = j.value
    JOIN households h ON h.id = c.household_id
    WHERE c.status = 'active' ORDER BY h.household_no`);
  return rows.map((r) => String(r.household_no));
}

/** Hashes PINs a few at a time, so sign-ins waiting for the same crypto threads get their turn. */
async function hashPins(pins: string[]): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < pins.length; i += 8) hashes.push(...(await Promise.all(pins.slice(i, i + 8).map((pin) => hashSecret(pin)))));
  return hashes;
}

interface PlannedCard extends BatchCard {
  cardId: string;
  pinHash: string;
}

/** The one batch that writes a card batch: its row, its cards, one audit row per card and one for the lot. */
function batchStatements(db: Db, actor: Staff, meta: RequestMeta | null, batch: { id: string; kind: IssuedBatch["kind"]; at: string; details: Record<string, unknown> }, planned: PlannedCard[]): Statement[] {
  const { communityId } = actor;
  const rows = JSON.stringify(planned.map((p) => [p.cardId, p.householdId, p.cardNo, p.pinHash]));
  const field = (n: number) => sql.raw(`json_extract(j.value, '$[${n}]')`);
  return [
    db.run(sql`INSERT INTO card_batches (id, community_id, kind, card_count, created_by, created_at)
      VALUES (${batch.id}, ${communityId}, ${batch.kind}, ${planned.length}, ${actorRef(actor)}, ${batch.at})`),
    // Cards only for households of this community; the UNIQUE index of active cards refuses a
    // household that has one (issued meanwhile), failing the whole batch.
    db.run(sql`INSERT INTO cards (id, community_id, household_id, card_no, version, pin_hash, status, issued_at, batch_id)
      SELECT ${field(0)}, ${communityId}, h.id, ${field(2)}, 1, ${field(3)}, 'active', ${batch.at}, ${batch.id}
      FROM json_each(${rows}) j JOIN households h ON h.id = ${field(1)} AND h.community_id = ${communityId}`),
    // One audit row per card. Its created_at is read from the household of this community, so a
    // household that is not one (NULL) fails the batch on NOT NULL.
    db.run(sql`INSERT INTO audit_log (community_id, actor, actor_role, action, target_type, target_id, details, ip, user_agent, created_at)
      SELECT ${communityId}, ${actorRef(actor)}, ${actor.role}, 'card.issue', 'card', ${field(0)},
        json_object('householdId', ${field(1)}, 'cardNo', ${field(2)}, 'batchId', ${batch.id}, 'kind', ${batch.kind}),
        ${meta?.ip ?? null}, ${meta?.userAgent ?? null},
        (SELECT ${batch.at} FROM households h WHERE h.id = ${field(1)} AND h.community_id = ${communityId})
      FROM json_each(${rows}) j`),
    auditStatement(db, actor, meta, batch.at, {
      action: batch.kind === "issue" ? "card.batch_issue" : "card.reissue",
      targetType: "card_batch",
      targetId: batch.id,
      details: { cardCount: planned.length, householdNos: planned.map((p) => p.householdNo), ...batch.details },
    }),
  ];
}

/**
 * Writes a card batch for households already checked (of the community, none with a card in
 * use): new card numbers, random PINs, all in one batch. A card number that happens to be taken
 * (12 random digits: about one in 10^9 per card) is drawn again once.
 */
async function writeBatch(db: Db, clock: Clock, actor: Staff, meta: RequestMeta | null, kind: IssuedBatch["kind"], households: HouseholdRow[], details: Record<string, unknown> = {}): Promise<IssuedBatch> {
  const pins = households.map(() => randomPin());
  const hashes = await hashPins(pins);
  const at = isoNow(clock);
  const id = newId();
  for (let attempt = 1; ; attempt++) {
    const planned: PlannedCard[] = households.map((h, i) => ({
      cardId: newId(),
      householdId: String(h.id),
      householdNo: String(h.household_no),
      headName: String(h.head_name),
      building: String(h.building),
      unit: h.unit === null ? null : String(h.unit),
      room: h.room === null ? null : String(h.room),
      cardNo: newCardNo(),
      pin: pins[i],
      pinHash: hashes[i],
    }));
    try {
      await db.batch(batchStatements(db, actor, meta, { id, kind, at, details }, planned) as [Statement, ...Statement[]]);
      return { id, kind, createdAt: at, createdBy: { id: actor.id, name: actor.name }, cards: planned.map(({ cardId: _id, pinHash: _hash, ...card }) => card) };
    } catch (err) {
      const constraint = violatedConstraint(err);
      if (constraint === "cards.card_no" && attempt === 1) continue;
      if (constraint === "cards.household_id") throw new DomainError("CONFLICT", { reason: "a household got a card in use meanwhile; nothing was issued", householdNos: await withActiveCard(db, households.map((h) => String(h.id))) });
      if (failedNotNull(err) === "audit_log.created_at") throw new DomainError("NOT_FOUND", { householdIds: households.map((h) => h.id) });
      throw err;
    }
  }
}

/**
 * Issues a card with a random PIN to each household of the selection (ids of the admin's
 * community, none with a card in use), as one card batch. Unknown or foreign ids → 404 naming
 * them; households with a card in use → 409 naming their 户号 (report it lost or revoke it
 * first); nothing is written unless every household gets its card.
 */
export async function issueCardBatch(db: Db, clock: Clock, actor: Staff, meta: RequestMeta | null, householdIds: string[]): Promise<IssuedBatch> {
  const ids = [...new Set(householdIds)];
  if (ids.length === 0 || ids.length > limits.cardBatchHouseholdsMax) {
    throw new DomainError("VALIDATION_FAILED", { fields: { householdIds: `1 to ${limits.cardBatchHouseholdsMax} households` }, cardBatchHouseholdsMax: limits.cardBatchHouseholdsMax });
  }
  const found = await householdsOf(db, actor.communityId, ids);
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new DomainError("NOT_FOUND", { householdIds: missing });
  const carded = await withActiveCard(db, ids);
  if (carded.length > 0) throw new DomainError("CONFLICT", { reason: "these households have a card in use", householdNos: carded });
  // In 户号 order, the order the slips and the register are printed in.
  const households = ids.map((id) => found.get(id)!).sort((a, b) => (a.household_no < b.household_no ? -1 : a.household_no > b.household_no ? 1 : 0));
  return writeBatch(db, clock, actor, meta, "issue", households);
}

interface CardRow {
  id: string;
  household_id: string;
  card_no: string;
  status: "active" | "revoked" | "lost";
}

async function cardOf(db: Db, communityId: string, cardNo: string): Promise<CardRow> {
  const [card] = await db.all<CardRow>(sql`SELECT id, household_id, card_no, status FROM cards WHERE card_no = ${cardNo} AND community_id = ${communityId}`);
  if (!card) throw new DomainError("NOT_FOUND", { cardNo });
  return card;
}

export interface LostReport {
  /** Who came to report it: the resident, a family member (optional words, for the audit log). */
  reporter?: string | null;
  note?: string | null;
}

/**
 * 挂失: blocks a card in use at once, everywhere. In one batch: the audit row (naming the admin
 * who recorded it and, if given, who reported it), the card's status, the end of every session
 * signed in with it, and the end of its unused one-time codes. The audit row is written only while
 * the card is still in use (read inside the batch), so a card revoked meanwhile fails it. A card
 * already reported lost answers as it is (`alreadyLost`); a revoked card → 409.
 */
export async function reportCardLost(db: Db, clock: Clock, actor: Staff, meta: RequestMeta | null, cardNo: string, report: LostReport) {
  const card = await cardOf(db, actor.communityId, cardNo);
  const answer = (reportedAt: string, alreadyLost: boolean) => ({ cardNo: card.card_no, status: "lost" as const, householdId: String(card.household_id), reportedAt, alreadyLost });
  if (card.status === "lost") return answer(await lostAt(db, card.id), true);
  if (card.status !== "active") throw new DomainError("CONFLICT", { reason: "the card is revoked already", status: card.status });
  const at = isoNow(clock);
  const details = JSON.stringify({ cardNo: card.card_no, householdId: card.household_id, reporter: report.reporter || null, note: report.note || null });
  try {
    await db.batch([
      db.run(sql`INSERT INTO audit_log (community_id, actor, actor_role, action, target_type, target_id, details, ip, user_agent, created_at)
        VALUES (${actor.communityId}, ${actorRef(actor)}, ${actor.role}, 'card.report_lost', 'card', ${card.id}, ${details},
          ${meta?.ip ?? null}, ${meta?.userAgent ?? null}, (SELECT ${at} FROM cards WHERE id = ${card.id} AND status = 'active'))`),
      db.run(sql`UPDATE cards SET status = 'lost', revoked_at = ${at} WHERE id = ${card.id} AND status = 'active'`),
      db.run(sql`UPDATE sessions SET revoked_at = ${at} WHERE card_id = ${card.id} AND revoked_at IS NULL`),
      db.run(sql`UPDATE card_codes SET expires_at = ${at} WHERE card_id = ${card.id} AND expires_at > ${at}`),
    ]);
  } catch (err) {
    if (failedNotNull(err) !== "audit_log.created_at") throw err;
    // Someone else stopped the card between our read and our write.
    const now = await cardOf(db, actor.communityId, cardNo);
    if (now.status === "lost") return answer(await lostAt(db, card.id), true);
    throw new DomainError("CONFLICT", { reason: "the card is revoked already", status: now.status });
  }
  return answer(at, false);
}

async function lostAt(db: Db, cardId: string): Promise<string> {
  const [row] = await db.all<{ revoked_at: string | null }>(sql`SELECT revoked_at FROM cards WHERE id = ${cardId}`);
  return String(row?.revoked_at ?? "");
}

/**
 * 补卡: a new card number with a new random PIN for the household of a card reported lost, as a
 * card batch of one (so it prints a PIN slip and a register line like any other). The lost card
 * stays blocked. A card in use → 409 (report it lost first); a household that has a card in use
 * again → 409.
 */
export async function reissueLostCard(db: Db, clock: Clock, actor: Staff, meta: RequestMeta | null, cardNo: string): Promise<IssuedBatch> {
  const card = await cardOf(db, actor.communityId, cardNo);
  if (card.status !== "lost") throw new DomainError("CONFLICT", { reason: "only a card reported lost is reissued; report it lost first", status: card.status });
  const householdId = String(card.household_id);
  const carded = await withActiveCard(db, [householdId]);
  if (carded.length > 0) throw new DomainError("CONFLICT", { reason: "the household has a card in use already", householdNos: carded });
  const found = await householdsOf(db, actor.communityId, [householdId]);
  const household = found.get(householdId);
  if (!household) throw new DomainError("NOT_FOUND", { cardNo });
  return writeBatch(db, clock, actor, meta, "reissue", [household], { replacesCardNo: card.card_no });
}

export interface CardBatchSummary {
  id: string;
  kind: "issue" | "reissue";
  cardCount: number;
  createdAt: string;
  createdByName: string | null;
}

/** The community's card batches, newest first, a page at a time (keyset on created_at, id). */
export async function listCardBatches(db: Db, communityId: string, query: { cursor: { createdAt: string; id: string } | null; limit: number }) {
  const after = query.cursor ? sql`AND (b.created_at < ${query.cursor.createdAt} OR (b.created_at = ${query.cursor.createdAt} AND b.id < ${query.cursor.id}))` : sql``;
  const rows = await db.all<{ id: string; kind: "issue" | "reissue"; card_count: number; created_at: string; created_by_name: string | null }>(sql`
    SELECT b.id, b.kind, b.card_count, b.created_at, u.name AS created_by_name
    FROM card_batches b LEFT JOIN users u ON b.created_by = 'user:' || u.id
    WHERE b.community_id = ${communityId} ${after}
    ORDER BY b.created_at DESC, b.id DESC LIMIT ${query.limit + 1}`);
  const items: CardBatchSummary[] = rows.slice(0, query.limit).map((r) => ({
    id: String(r.id),
    kind: r.kind === "reissue" ? "reissue" : "issue",
    cardCount: Number(r.card_count),
    createdAt: String(r.created_at),
    createdByName: r.created_by_name === null ? null : String(r.created_by_name),
  }));
  const last = items[items.length - 1];
  return { items, next: rows.length > query.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

/**
 * One card batch as its handover register shows it: each household with its card's last four
 * digits and where the card stands now. Never a PIN: those were answered once, at issue.
 */
export async function getCardBatch(db: Db, communityId: string, batchId: string) {
  const [batch] = await db.all<{ id: string; kind: "issue" | "reissue"; card_count: number; created_at: string; created_by_name: string | null }>(sql`
    SELECT b.id, b.kind, b.card_count, b.created_at, u.name AS created_by_name
    FROM card_batches b LEFT JOIN users u ON b.created_by = 'user:' || u.id
    WHERE b.id = ${batchId} AND b.community_id = ${communityId}`);
  if (!batch) throw new DomainError("NOT_FOUND", { batchId });
  const rows = await db.all<HouseholdRow & { household_id: string; card_no: string; status: "active" | "revoked" | "lost" }>(sql`
    SELECT c.household_id, h.household_no, h.head_name, h.building, h.unit, h.room, c.card_no, c.status
    FROM cards c JOIN households h ON h.id = c.household_id
    WHERE c.batch_id = ${batchId} AND c.community_id = ${communityId}
    ORDER BY h.household_no, c.id`);
  return {
    id: String(batch.id),
    kind: batch.kind === "reissue" ? ("reissue" as const) : ("issue" as const),
    cardCount: Number(batch.card_count),
    createdAt: String(batch.created_at),
    createdByName: batch.created_by_name === null ? null : String(batch.created_by_name),
    cards: rows.map((r) => ({
      householdId: String(r.household_id),
      householdNo: String(r.household_no),
      headName: String(r.head_name),
      building: String(r.building),
      unit: r.unit === null ? null : String(r.unit),
      room: r.room === null ? null : String(r.room),
      cardNoLast4: String(r.card_no).slice(-4),
      status: r.status,
    })),
  };
}
