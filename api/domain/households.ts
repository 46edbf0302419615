/**
 * Households (户) and their members. A household owns a ledger account, opened in the same
 * batch that creates it, so no household ever exists without one.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { likeEscape } from "../../db/sql";
import { accounts, households, members } from "../../db/schema";
import { limits } from "../../shared/limits";
import type { Actor, RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { DomainError, violatedConstraint } from "./errors";
import { openAccountStatement, type Statement } from "./ledger";

export interface NewHousehold {
  householdNo: string;
  headName: string;
  building: string;
  unit?: string | null;
  room?: string | null;
  phone?: string | null;
  householdType?: string | null;
  members: Array<{ name: string; relation?: string | null }>;
}

export interface PreparedHousehold {
  id: string;
  householdNo: string;
  headName: string;
  building: string;
  members: Array<{ id: string; name: string; relation: string | null }>;
}

/** Rows per INSERT … SELECT FROM json_each: one statement per thousand households of an import. */
const rowsPerStatement = 1000;

function inChunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The statements that create households, each with its members and its ledger account (kind
 * 'household', balance 0), without audit: one household from the form or thousands from an
 * import, the same three INSERTs (households, accounts, members) fed from a JSON list.
 */
export function householdStatements(db: Db, communityId: string, at: string, input: NewHousehold[]): { households: PreparedHousehold[]; statements: Statement[] } {
  const householdRows = input.map((h) => [newId(), h.householdNo, h.headName, h.building, h.unit ?? null, h.room ?? null, h.phone ?? null, h.householdType ?? null]);
  const prepared: PreparedHousehold[] = input.map((h, i) => ({
    id: String(householdRows[i][0]),
    householdNo: h.householdNo,
    headName: h.headName,
    building: h.building,
    members: h.members.map((m) => ({ id: newId(), name: m.name, relation: m.relation ?? null })),
  }));
  const memberRows = prepared.flatMap((h) => h.members.map((m) => [m.id, h.id, m.name, m.relation]));
  const field = (n: number) => sql.raw(`json_extract(value, '$[${n}]')`);
  const statements: Statement[] = [];
  for (const chunk of inChunks(householdRows, rowsPerStatement)) {
    const json = JSON.stringify(chunk);
    statements.push(
      db.run(sql`INSERT INTO households (id, community_id, household_no, head_name, building, unit, room, phone, household_type, created_at, updated_at)
        SELECT ${field(0)}, ${communityId}, ${field(1)}, ${field(2)}, ${field(3)}, ${field(4)}, ${field(5)}, ${field(6)}, ${field(7)}, ${at}, ${at}
        FROM json_each(${json})`),
      db.run(sql`INSERT INTO accounts (id, community_id, kind, balance, score, created_at)
        SELECT ${field(0)}, ${communityId}, 'household', 0, 0, ${at} FROM json_each(${json})`),
    );
  }
  for (const chunk of inChunks(memberRows, rowsPerStatement)) {
    statements.push(
      db.run(sql`INSERT INTO members (id, community_id, household_id, name, relation, created_at)
        SELECT ${field(0)}, ${communityId}, ${field(1)}, ${field(2)}, ${field(3)}, ${at} FROM json_each(${JSON.stringify(chunk)})`),
    );
  }
  return { households: prepared, statements };
}

/** Creates a household with its members and account; a duplicate 户号 is a 409. */
export async function createHousehold(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, input: NewHousehold) {
  const at = isoNow(clock);
  const { households: [prepared], statements } = householdStatements(db, actor.communityId, at, [input]);
  try {
    await db.batch([
      ...(statements as [Statement, ...Statement[]]),
      auditStatement(db, actor, meta, at, { action: "household.create", targetType: "household", targetId: prepared.id, details: { householdNo: input.householdNo } }),
    ]);
  } catch (err) {
    if (violatedConstraint(err)?.startsWith("households.")) throw new DomainError("DUPLICATE", { householdNo: input.householdNo });
    throw err;
  }
  return prepared;
}

/** A household of the actor's community, with members, balance, score and current card. */
export async function getHousehold(db: Db, communityId: string, householdId: string) {
  const household = await db.query.households.findFirst({ where: and(eq(households.id, householdId), eq(households.communityId, communityId)) });
  if (!household) throw new DomainError("NOT_FOUND", { householdId });
  const [memberRows, account, card] = await Promise.all([
    db.query.members.findMany({ where: eq(members.householdId, householdId) }),
    db.query.accounts.findFirst({ where: eq(accounts.id, householdId) }),
    currentCard(db, householdId),
  ]);
  return {
    id: household.id,
    householdNo: household.householdNo,
    headName: household.headName,
    building: household.building,
    unit: household.unit,
    room: household.room,
    phone: household.phone,
    householdType: household.householdType,
    members: memberRows.map((m) => ({ id: m.id, name: m.name, relation: m.relation })),
    balance: account?.balance ?? 0,
    score: account?.score ?? 0,
    card: card ? { cardNo: card.cardNo, status: card.status } : null,
    createdAt: household.createdAt,
  };
}

/** A household's card as the office sees it: in use, else reported lost (awaiting a new one), else none. */
export type CardState = "active" | "lost";

/**
 * The card that says where a household stands: its active card, or else its latest card reported
 * lost (挂失, until a new card is issued), or none. A revoked (作废) card is no card.
 */
async function currentCard(db: Db, householdId: string): Promise<{ cardNo: string; status: CardState } | null> {
  const [row] = await db.all<{ card_no: string; status: CardState }>(sql`SELECT card_no, status FROM cards
    WHERE household_id = ${householdId} AND status IN ('active', 'lost')
    ORDER BY status = 'active' DESC, issued_at DESC, id DESC LIMIT 1`);
  return row ? { cardNo: String(row.card_no), status: row.status === "active" ? "active" : "lost" } : null;
}

/**
 * Reduces a phone number as offices write it (`150-1661-3186`, `+86 139 0000 1111`,
 * `(0398) 123 4567`) to digits only. Answers null for an empty value and "invalid" when what
 * is left is not a plausible number (letters, too few or too many digits, two numbers in one
 * cell, or a number Excel turned into `1.38E+10`).
 */
export function normalizePhone(raw: string | null | undefined): string | null | "invalid" {
  const text = (raw ?? "").trim();
  if (text === "") return null;
  if (!/^[\d\s\-+()（）.]*$/.test(text)) return "invalid";
  let digits = text.replace(/\D/g, "");
  if (text.startsWith("+86") || (digits.length === 13 && digits.startsWith("86"))) digits = digits.slice(2);
  if (digits.length < limits.phoneDigitsMin || digits.length > limits.phoneDigitsMax) return "invalid";
  return digits;
}

/** Which households by their card: with a card in use, without one (lost ones included), or with a card reported lost. */
export type CardFilter = "active" | "none" | "lost";

export interface HouseholdFilter {
  q?: string;
  building?: string;
  householdType?: string;
  card?: CardFilter;
  /** False for staff who may not see phone and card numbers (see `seesContacts`). */
  contacts?: boolean;
}

export interface HouseholdListQuery extends HouseholdFilter {
  cursor?: { householdNo: string; id: string } | null;
  limit: number;
}

/** A LIKE pattern that finds `text` anywhere, matched literally (see `likeEscape`). */
function likePattern(text: string): string {
  return `%${likeEscape(text)}%`;
}

const activeCard = sql`EXISTS (SELECT 1 FROM cards c WHERE c.household_id = h.id AND c.status = 'active')`;
const lostCard = sql`EXISTS (SELECT 1 FROM cards c WHERE c.household_id = h.id AND c.status = 'lost')`;

/** The WHERE conditions of a filter over `households h` of one community. */
function filterConditions(communityId: string, filter: HouseholdFilter): SQL[] {
  const conditions: SQL[] = [sql`h.community_id = ${communityId}`];
  if (filter.building) conditions.push(sql`h.building = ${filter.building}`);
  if (filter.householdType) conditions.push(sql`h.household_type = ${filter.householdType}`);
  if (filter.card === "active") conditions.push(activeCard);
  if (filter.card === "none") conditions.push(sql`NOT ${activeCard}`);
  if (filter.card === "lost") conditions.push(sql`NOT ${activeCard} AND ${lostCard}`);
  const q = filter.q?.trim();
  if (q) {
    const pattern = likePattern(q);
    const digits = q.replace(/\D/g, "");
    const phoneMatch = filter.contacts !== false && digits.length >= 3 && /^[\d\s\-+]+$/.test(q) ? sql` OR h.phone LIKE ${likePattern(digits)} ESCAPE '\\'` : sql``;
    conditions.push(sql`(h.household_no LIKE ${pattern} ESCAPE '\\' OR h.head_name LIKE ${pattern} ESCAPE '\\'${phoneMatch}
      OR EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.name LIKE ${pattern} ESCAPE '\\'))`);
  }
  return conditions;
}

/**
 * One page of the community's households, ordered by 户号 (then id), with keyset pagination,
 * and `total`: how many households the filter matches in all (so the office sees "200 of
 * 2,749", never a list that silently stops). `q` matches 户号, the head's name, the phone
 * number and any member's name.
 */
export async function listHouseholds(db: Db, communityId: string, query: HouseholdListQuery) {
  const conditions = filterConditions(communityId, query);
  const where = sql.join(conditions, sql` AND `);
  const [counted] = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM households h WHERE ${where}`);
  if (query.cursor) {
    conditions.push(sql`(h.household_no > ${query.cursor.householdNo} OR (h.household_no = ${query.cursor.householdNo} AND h.id > ${query.cursor.id}))`);
  }
  // The card shown is the one in use, or else the latest one reported lost (see `currentCard`).
  const result = await db.run(sql`SELECT h.id, h.household_no, h.head_name, h.building, h.unit, h.room, h.phone, h.household_type,
      COALESCE(a.balance, 0) AS balance, COALESCE(a.score, 0) AS score,
      (SELECT COUNT(*) FROM members m WHERE m.household_id = h.id) AS member_count,
      c.card_no, c.status AS card_status
    FROM households h
    LEFT JOIN accounts a ON a.id = h.id
    LEFT JOIN cards c ON c.id = (SELECT c2.id FROM cards c2 WHERE c2.household_id = h.id AND c2.status IN ('active', 'lost')
      ORDER BY c2.status = 'active' DESC, c2.issued_at DESC, c2.id DESC LIMIT 1)
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY h.household_no, h.id
    LIMIT ${query.limit + 1}`);
  const rows = result.rows as unknown as Array<Record<string, string | number | null>>;
  const page = rows.slice(0, query.limit).map((r) => ({
    id: String(r.id),
    householdNo: String(r.household_no),
    headName: String(r.head_name),
    building: String(r.building),
    unit: r.unit === null ? null : String(r.unit),
    room: r.room === null ? null : String(r.room),
    phone: r.phone === null ? null : String(r.phone),
    householdType: r.household_type === null ? null : String(r.household_type),
    memberCount: Number(r.member_count),
    balance: Number(r.balance),
    score: Number(r.score),
    card: r.card_no === null ? null : { cardNo: String(r.card_no), status: (r.card_status === "active" ? "active" : "lost") as CardState },
  }));
  const last = page[page.length - 1];
  if (query.contacts === false) page.forEach((h, i) => (page[i] = withoutContacts(h)));
  const next = rows.length > query.limit && last ? { householdNo: last.householdNo, id: last.id } : null;
  return { items: page, next, total: Number(counted?.n ?? 0) };
}

/** The values the register's filters offer, each with how many households have it. */
export interface HouseholdFacets {
  total: number;
  cards: { active: number; none: number; lost: number };
  buildings: Array<{ name: string; households: number }>;
  householdTypes: Array<{ name: string; households: number }>;
}

/** Buildings sort as people count them: 2号楼 before 12号楼. */
const naturalOrder = new Intl.Collator("zh-CN", { numeric: true }).compare;

/** The community's buildings and household types with their counts, and how many households have a card. */
export async function householdFacets(db: Db, communityId: string): Promise<HouseholdFacets> {
  const [buildings, types, [cardsCount]] = await Promise.all([
    db.all<{ name: string; n: number }>(sql`SELECT building AS name, COUNT(*) AS n FROM households WHERE community_id = ${communityId} GROUP BY building`),
    db.all<{ name: string; n: number }>(sql`SELECT household_type AS name, COUNT(*) AS n FROM households
      WHERE community_id = ${communityId} AND household_type IS NOT NULL GROUP BY household_type`),
    db.all<{ total: number; active: number; lost: number }>(sql`SELECT COUNT(*) AS total,
        COALESCE(SUM(${activeCard}), 0) AS active,
        COALESCE(SUM(NOT ${activeCard} AND ${lostCard}), 0) AS lost
      FROM households h WHERE h.community_id = ${communityId}`),
  ]);
  const counted = (rows: Array<{ name: string; n: number }>) =>
    rows.map((r) => ({ name: String(r.name), households: Number(r.n) })).sort((a, b) => naturalOrder(a.name, b.name));
  const total = Number(cardsCount?.total ?? 0);
  const active = Number(cardsCount?.active ?? 0);
  return {
    total,
    cards: { active, none: total - active, lost: Number(cardsCount?.lost ?? 0) },
    buildings: counted(buildings),
    householdTypes: counted(types),
  };
}

export interface HouseholdChanges {
  headName?: string;
  building?: string;
  unit?: string | null;
  room?: string | null;
  phone?: string | null;
  householdType?: string | null;
  addMembers?: Array<{ name: string; relation?: string | null }>;
}

/**
 * Edits a household's details and adds members, with the old and new values in the audit
 * log. Members are never removed here: applications and the register name them.
 */
export async function updateHousehold(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, householdId: string, changes: HouseholdChanges) {
  const household = await db.query.households.findFirst({ where: and(eq(households.id, householdId), eq(households.communityId, actor.communityId)) });
  if (!household) throw new DomainError("NOT_FOUND", { householdId });
  const fields = ["headName", "building", "unit", "room", "phone", "householdType"] as const;
  const set: Partial<typeof households.$inferInsert> = {};
  const before: Record<string, unknown> = {};
  for (const field of fields) {
    const value = changes[field];
    if (value === undefined || value === household[field]) continue;
    (set as Record<string, string | null>)[field] = value;
    before[field] = household[field];
  }
  const added = changes.addMembers ?? [];
  if (added.length > 0) {
    const [{ n }] = await db.select({ n: sql<number>`COUNT(*)` }).from(members).where(eq(members.householdId, householdId));
    if (Number(n) + added.length > limits.membersMax) {
      throw new DomainError("VALIDATION_FAILED", { fields: { addMembers: `at most ${limits.membersMax} members per household` }, membersMax: limits.membersMax });
    }
  }
  if (Object.keys(set).length === 0 && added.length === 0) return getHousehold(db, actor.communityId, householdId);
  const at = isoNow(clock);
  const memberRows = added.map((m) => ({ id: newId(), communityId: actor.communityId, householdId, name: m.name, relation: m.relation ?? null, createdAt: at }));
  const statements: Statement[] = [db.update(households).set({ ...set, updatedAt: at }).where(eq(households.id, householdId))];
  if (memberRows.length > 0) statements.push(db.insert(members).values(memberRows));
  statements.push(
    auditStatement(db, actor, meta, at, {
      action: "household.update",
      targetType: "household",
      targetId: householdId,
      details: { before, after: set, addedMembers: memberRows.map((m) => ({ id: m.id, name: m.name, relation: m.relation })) },
    }),
  );
  await db.batch(statements as [Statement, ...Statement[]]);
  return getHousehold(db, actor.communityId, householdId);
}

/** Staff who see households' phone numbers and card numbers: the office, not the volunteers or the shop. */
export function seesContacts(role: string): boolean {
  return role === "admin" || role === "reviewer" || role === "resident";
}

/** A household as a volunteer or a clerk sees it: no phone, and only the last 4 digits of its card. */
export function withoutContacts<T extends { phone: string | null; card: { cardNo: string; status: CardState } | null }>(household: T): T {
  return { ...household, phone: null, card: household.card ? { ...household.card, cardNo: `…${household.card.cardNo.slice(-4)}` } : null };
}
