/**
 * The audit log: every state change, who made it, when and from where.
 *
 * Writing: callers put `auditStatement` in the same batch as the change, so the log and the
 * change commit together. Reading: newest first, keyset-paged on `seq`, filtered by action,
 * actor and China day; each row names its actor and target in words a person reads (the staff
 * member's name, the household's 户号, the receipt number, the card's last four digits),
 * resolved in the same query with LEFT JOINs, so the office never has to read a UUID.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { fixedSql, likeEscape, num, strOrNull, type Row } from "../../db/sql";
import { chinaDayRange } from "../../shared/time";
import { actorRef, type Actor, type RequestMeta } from "./actor";
import type { Statement } from "./ledger";

export interface AuditEvent {
  action: string;
  targetType: string;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

/** Someone who is not signed in, named by what they tried (a failed sign-in, a lock). */
export interface AuditSubject {
  ref: string;
  role: string;
  communityId: string;
}

export function auditStatement(db: Db, actor: Actor | AuditSubject | "system", meta: RequestMeta | null, at: string, event: AuditEvent, communityId?: string): Statement {
  const community = actor === "system" ? communityId : actor.communityId;
  if (!community) throw new Error("assertion failed: an audit event needs a community");
  const who = actor === "system" ? "system" : "ref" in actor ? actor.ref : actorRef(actor);
  const role = actor === "system" ? "system" : actor.role;
  return fixedSql`INSERT INTO audit_log (community_id, actor, actor_role, action, target_type, target_id, details, ip, user_agent, created_at)
    VALUES (${community}, ${who}, ${role}, ${event.action}, ${event.targetType}, ${event.targetId ?? null},
      ${event.details ? JSON.stringify(event.details) : null}, ${meta?.ip ?? null}, ${meta?.userAgent ?? null}, ${at})`;
}

export interface AuditQuery {
  /**
   * An exact action (`redemption.void`), a prefix ending in `*` (`redemption.*`), or several of
   * either separated by commas (`publicity.*,objection.*`): one filter per action group.
   */
  action?: string;
  /** `user:<id>`, `household:<id>`, `system`, or a bare id (either kind). */
  actor?: string;
  /** Only rows written by this role (`resident`, `clerk`, `system` …). */
  actorRole?: string;
  /** First and last China day (`YYYY-MM-DD`, inclusive). */
  from?: string;
  to?: string;
  cursor: number | null;
  limit: number;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  actorRole: string;
  /** The staff member's name, or the household head's for a resident (a card's household for a failed card sign-in); null for the system. */
  actorName: string | null;
  /** The actor's 户号 when the actor is a resident (or a card). */
  actorHouseholdNo: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  /**
   * The target in words, per type: a user's `name (username)`, a household's `户号 户主`, a
   * card's last four digits, a receipt number, a rule's or notice's title, a goods' or shop's
   * name, a batch's end time (ISO), the rule of an application or objection; null when the
   * target is gone or has no name.
   */
  targetLabel: string | null;
  /** The household the event concerns (a household, card, application, objection or redemption), by 户号. */
  householdNo: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
  userAgent: string | null;
}

type AuditRow = Record<string, string | number | null>;

/** One condition per comma-separated pattern, ORed: exact actions and `prefix*`. */
function actionCondition(patterns: string): SQL | null {
  const parts = patterns
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => (p.endsWith("*") ? sql`a.action LIKE ${`${likeEscape(p.slice(0, -1))}%`} ESCAPE '\\'` : sql`a.action = ${p}`));
  if (parts.length === 0) return null;
  return sql`(${sql.join(parts, sql` OR `)})`;
}

function conditionsOf(communityId: string, query: AuditQuery): SQL[] {
  const conditions: SQL[] = [sql`a.community_id = ${communityId}`];
  const action = query.action ? actionCondition(query.action) : null;
  if (action) conditions.push(action);
  if (query.actor) {
    conditions.push(query.actor.includes(":") || query.actor === "system" ? sql`a.actor = ${query.actor}` : sql`a.actor IN (${`user:${query.actor}`}, ${`household:${query.actor}`})`);
  }
  if (query.actorRole) conditions.push(sql`a.actor_role = ${query.actorRole}`);
  if (query.from) conditions.push(sql`a.created_at >= ${chinaDayRange(query.from).start}`);
  if (query.to) conditions.push(sql`a.created_at < ${chinaDayRange(query.to).end}`);
  if (query.cursor) conditions.push(sql`a.seq < ${query.cursor}`);
  return conditions;
}

/** One page of the community's audit log, newest first, each row with its actor and target named. */
export async function listAudit(db: Db, communityId: string, query: AuditQuery) {
  // Actor refs are `user:<id>`, `household:<id>`, `card:<cardNo>` (a failed card sign-in) and
  // `system`; `substr(actor, n)` cuts the prefix off. Every join is on a primary key or a
  // unique column, and each one is narrowed by the type it applies to.
  const rows = await db.all<AuditRow>(sql`SELECT a.seq, a.actor, a.actor_role, a.action, a.target_type, a.target_id, a.details, a.ip, a.user_agent, a.created_at,
      COALESCE(au.name, ah.head_name, ach.head_name) AS actor_name,
      COALESCE(ah.household_no, ach.household_no) AS actor_household_no,
      CASE a.target_type
        WHEN 'user' THEN tu.name || ' (' || tu.username || ')'
        WHEN 'household' THEN th.household_no || ' ' || th.head_name
        WHEN 'card' THEN substr(tc.card_no, -4)
        WHEN 'redemption' THEN CAST(tr.receipt_no AS TEXT)
        WHEN 'application' THEN tar.title
        WHEN 'objection' THEN tor.title
        WHEN 'goods' THEN tg.name
        WHEN 'shop' THEN ts.name
        WHEN 'rule' THEN tru.title
        WHEN 'notice' THEN tn.title
        WHEN 'publicity' THEN tp.ends_at
        WHEN 'community' THEN tco.name
      END AS target_label,
      CASE a.target_type
        WHEN 'household' THEN th.household_no
        WHEN 'card' THEN tch.household_no
        WHEN 'redemption' THEN trh.household_no
        WHEN 'application' THEN tah.household_no
        WHEN 'objection' THEN toh.household_no
      END AS household_no
    FROM audit_log a
    LEFT JOIN users au ON a.actor LIKE 'user:%' AND au.id = substr(a.actor, 6)
    LEFT JOIN households ah ON a.actor LIKE 'household:%' AND ah.id = substr(a.actor, 11)
    LEFT JOIN cards ac ON a.actor LIKE 'card:%' AND ac.card_no = substr(a.actor, 6)
    LEFT JOIN households ach ON ach.id = ac.household_id
    LEFT JOIN users tu ON a.target_type = 'user' AND tu.id = a.target_id
    LEFT JOIN households th ON a.target_type = 'household' AND th.id = a.target_id
    LEFT JOIN cards tc ON a.target_type = 'card' AND tc.id = a.target_id
    LEFT JOIN households tch ON tch.id = tc.household_id
    LEFT JOIN redemptions tr ON a.target_type = 'redemption' AND tr.id = a.target_id
    LEFT JOIN households trh ON trh.id = tr.household_id
    LEFT JOIN applications ta ON a.target_type = 'application' AND ta.id = a.target_id
    LEFT JOIN rules tar ON tar.id = ta.rule_id
    LEFT JOIN households tah ON tah.id = ta.household_id
    LEFT JOIN objections tob ON a.target_type = 'objection' AND tob.id = a.target_id
    LEFT JOIN applications toa ON toa.id = tob.application_id
    LEFT JOIN rules tor ON tor.id = toa.rule_id
    LEFT JOIN households toh ON toh.id = toa.household_id
    LEFT JOIN goods tg ON a.target_type = 'goods' AND tg.id = a.target_id
    LEFT JOIN shops ts ON a.target_type = 'shop' AND ts.id = a.target_id
    LEFT JOIN rules tru ON a.target_type = 'rule' AND tru.id = a.target_id
    LEFT JOIN notices tn ON a.target_type = 'notice' AND tn.id = a.target_id
    LEFT JOIN publicity_batches tp ON a.target_type = 'publicity' AND tp.id = a.target_id
    LEFT JOIN communities tco ON a.target_type = 'community' AND tco.id = a.target_id
    WHERE ${sql.join(conditionsOf(communityId, query), sql` AND `)} ORDER BY a.seq DESC LIMIT ${query.limit + 1}`);
  const page = rows.slice(0, query.limit);
  const items: AuditEntry[] = page.map(toEntry);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > query.limit && last ? String(last.seq) : null };
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    at: String(r.created_at),
    actor: String(r.actor),
    actorRole: String(r.actor_role),
    actorName: strOrNull(r.actor_name),
    actorHouseholdNo: strOrNull(r.actor_household_no),
    action: String(r.action),
    targetType: String(r.target_type),
    targetId: strOrNull(r.target_id),
    targetLabel: strOrNull(r.target_label),
    householdNo: strOrNull(r.household_no),
    details: parseDetails(r.details),
    ip: strOrNull(r.ip),
    userAgent: strOrNull(r.user_agent),
  };
}

function parseDetails(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  try {
    const parsed = JSON.parse(String(value));
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { value: String(value) };
  }
}

/**
 * The region's audit log: what officers do above the communities (sign-ins, failed ones and
 * locks, townships, officer accounts, communities created and moved), append-only like the
 * communities' log. A community's own log also names the officer for what touched it.
 */
export function regionAuditStatement(
  db: Db,
  who: { ref: string; role: string },
  meta: RequestMeta | null,
  at: string,
  event: AuditEvent,
  regionId: string,
): Statement {
  return db.run(sql`INSERT INTO region_audit_log (region_id, actor, actor_role, action, target_type, target_id, details, ip, user_agent, created_at)
    VALUES (${regionId}, ${who.ref}, ${who.role}, ${event.action}, ${event.targetType}, ${event.targetId ?? null},
      ${event.details ? JSON.stringify(event.details) : null}, ${meta?.ip ?? null}, ${meta?.userAgent ?? null}, ${at})`);
}

export interface RegionAuditEntry {
  seq: number;
  at: string;
  regionId: string;
  regionName: string;
  actor: string;
  actorRole: string;
  /** The officer's name (null when the row names no known account, e.g. an unknown username). */
  actorName: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
}

/** The log of a region and the townships below it, newest first, keyset-paged on `seq`. */
export async function listRegionAudit(db: Db, regionId: string, query: { cursor: number | null; limit: number }): Promise<{ items: RegionAuditEntry[]; nextCursor: string | null }> {
  const rows = await db.all<Row>(sql`SELECT l.seq, l.created_at, l.region_id, r.name AS region_name, l.actor, l.actor_role, u.name AS actor_name,
      l.action, l.target_type, l.target_id, l.details, l.ip
    FROM region_audit_log l
    JOIN regions r ON r.id = l.region_id
    LEFT JOIN users u ON l.actor = 'user:' || u.id
    WHERE (l.region_id = ${regionId} OR r.parent_id = ${regionId})
      ${query.cursor === null ? sql`` : sql`AND l.seq < ${query.cursor}`}
    ORDER BY l.seq DESC LIMIT ${query.limit + 1}`);
  const items = rows.slice(0, query.limit).map((r) => ({
    seq: num(r.seq),
    at: String(r.created_at),
    regionId: String(r.region_id),
    regionName: String(r.region_name),
    actor: String(r.actor),
    actorRole: String(r.actor_role),
    actorName: strOrNull(r.actor_name),
    action: String(r.action),
    targetType: String(r.target_type),
    targetId: strOrNull(r.target_id),
    details: r.details ? (JSON.parse(String(r.details)) as Record<string, unknown>) : null,
    ip: strOrNull(r.ip),
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > query.limit && last ? String(last.seq) : null };
}
