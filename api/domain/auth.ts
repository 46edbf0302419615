/**
 * Sign-in and sessions. A session token is 32 random bytes; the database keeps only its SHA-256,
 * so a copy of the database cannot be used to sign in. Sessions expire when idle and absolutely,
 * can be revoked, and a resident's session dies with its card.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { fixedSql, num, readFixed, strOrNull } from "../../db/sql";
import { cards, households, sessions, users } from "../../db/schema";
import type { Role, StaffRole } from "../../shared/domain";
import { limits } from "../../shared/limits";
import type { Actor, OfficerActor, RequestMeta } from "./actor";
import { claimAddressAttempt, claimAttempt, clearAttemptsStatement, cardSubject, loginSubject, releaseAddressAttemptStatement, type ClaimedAttempt } from "./attempts";
import { auditStatement, regionAuditStatement, type AuditEvent, type AuditSubject } from "./audit";
import { addHours, isoNow, type Clock } from "./clock";
import { decoyHash, randomToken, sha256Hex, verifySecret } from "./crypto";
import { assert, DomainError } from "./errors";
import { helperActor } from "./helpers";
import type { Statement } from "./ledger";

export interface StaffUser {
  id: string;
  username: string;
  name: string;
  role: StaffRole;
  communityId: string;
  shopId: string | null;
  /** False once the admin has disabled the account. */
  active: boolean;
}

/**
 * Any account that signs in with a username: community staff, or an officer, who has a region
 * instead of a community (`communityId: null`).
 */
export interface Account {
  id: string;
  username: string;
  name: string;
  role: StaffRole | "officer";
  communityId: string | null;
  regionId: string | null;
  shopId: string | null;
  active: boolean;
}

type SessionRole = Role | "officer";

function sessionHours(role: SessionRole) {
  return role === "resident"
    ? { idle: limits.residentSessionIdleHours, absolute: limits.residentSessionAbsoluteHours }
    : { idle: limits.staffSessionIdleHours, absolute: limits.staffSessionAbsoluteHours };
}

/** A new session: its token (answered once) and the statement that stores its hash. */
export async function newSession(db: Db, clock: Clock, s: { communityId: string | null; role: SessionRole; userId?: string; householdId?: string; cardId?: string; helperId?: string }) {
  const token = randomToken(32);
  const now = clock.now();
  const { absolute } = sessionHours(s.role);
  const row = {
    id: await sha256Hex(token),
    communityId: s.communityId,
    role: s.role,
    userId: s.userId ?? null,
    householdId: s.householdId ?? null,
    cardId: s.cardId ?? null,
    helperId: s.helperId ?? null,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: addHours(now, absolute).toISOString(),
  };
  return { token, row, statement: db.insert(sessions).values(row) };
}

/** A community staff account as the API shows it; never called with an officer's row. */
export function toStaffUser(u: typeof users.$inferSelect): StaffUser {
  assert(u.role !== "officer" && u.communityId !== null, "a staff account has a community");
  return { id: u.id, username: u.username, name: u.name, role: u.role, communityId: u.communityId, shopId: u.shopId, active: u.active };
}

/** Any account as sign-in and `/me` show it: an officer with its region, staff with their community. */
export function toAccount(u: typeof users.$inferSelect): Account {
  return { id: u.id, username: u.username, name: u.name, role: u.role, communityId: u.communityId, regionId: u.regionId, shopId: u.shopId, active: u.active };
}

/** A failed attempt's audit events: the failure, and the lock when it was the last one allowed. */
function failureEvents(action: string, target: { type: string; id: string }, claimed: ClaimedAttempt, max: number): AuditEvent[] {
  const events: AuditEvent[] = [{ action, targetType: target.type, targetId: target.id, details: { attempt: claimed.attempt, of: max } }];
  if (claimed.last) events.push({ action: "auth.locked", targetType: target.type, targetId: target.id, details: { lockedUntil: claimed.lockedUntil } });
  return events;
}

/**
 * A failed attempt at a known account or card, in its community's audit log. Attempts are
 * claimed before they are checked and a locked subject claims none, so at most `max` failures
 * and one lock per subject and window reach the log: a flood of guesses cannot fill it.
 */
async function auditFailure(db: Db, clock: Clock, meta: RequestMeta, who: AuditSubject, target: { type: string; id: string }, claimed: ClaimedAttempt, max: number) {
  const at = isoNow(clock);
  const action = who.role === "resident" ? "auth.card_login_failed" : "auth.login_failed";
  const statements = failureEvents(action, target, claimed, max).map((event) => auditStatement(db, who, meta, at, event));
  await db.batch(statements as [Statement, ...Statement[]]);
}

/** `auditFailure` for an officer, in its region's log. */
async function auditRegionFailure(db: Db, clock: Clock, meta: RequestMeta, userId: string, regionId: string, claimed: ClaimedAttempt, max: number) {
  const at = isoNow(clock);
  const who = { ref: `user:${userId}`, role: "officer" };
  const statements = failureEvents("auth.login_failed", { type: "user", id: userId }, claimed, max).map((event) => regionAuditStatement(db, who, meta, at, event, regionId));
  await db.batch(statements as [Statement, ...Statement[]]);
}

/**
 * Staff sign-in by username and password. The attempt is counted before the password is
 * checked (see attempts.ts); too many lock the username for a while, known or not.
 */
export async function loginStaff(db: Db, clock: Clock, meta: RequestMeta, username: string, password: string): Promise<{ token: string; user: Account }> {
  await claimAddressAttempt(db, clock, meta);
  const user = await db.query.users.findFirst({ where: eq(users.username, username) });
  const subject = loginSubject(username, user?.communityId ?? null);
  const claimed = await claimAttempt(db, clock, subject);
  const ok = await verifySecret(password, user?.passwordHash ?? decoyHash);
  if (!user || !ok || !user.active) {
    if (user?.communityId) await auditFailure(db, clock, meta, { ref: `user:${user.id}`, role: user.role, communityId: user.communityId }, { type: "user", id: user.id }, claimed, subject.max);
    // An officer belongs to no community: its failures go to its region's log.
    else if (user?.regionId) await auditRegionFailure(db, clock, meta, user.id, user.regionId, claimed, subject.max);
    throw new DomainError("BAD_CREDENTIALS");
  }
  if (user.role === "officer" || user.communityId === null) return loginOfficer(db, clock, meta, user, subject);
  const session = await newSession(db, clock, { communityId: user.communityId, role: user.role, userId: user.id });
  const staff = toAccount(user);
  const actor: Actor = { kind: "user", id: user.id, communityId: user.communityId, role: user.role, shopId: user.shopId, name: user.name, sessionId: session.row.id };
  await db.batch(withoutNulls([
    session.statement,
    clearAttemptsStatement(db, subject),
    releaseAddressAttemptStatement(db, meta),
    auditStatement(db, actor, meta, isoNow(clock), { action: "auth.login", targetType: "user", targetId: user.id }),
  ]));
  return { token: session.token, user: staff };
}

/** The officer's half of `loginStaff`: a session with no community, the attempts cleared. */
async function loginOfficer(db: Db, clock: Clock, meta: RequestMeta, user: typeof users.$inferSelect, subject: ReturnType<typeof loginSubject>) {
  assert(user.role === "officer" && user.regionId !== null, "an officer has a region");
  const session = await newSession(db, clock, { communityId: null, role: "officer", userId: user.id });
  await db.batch(withoutNulls([
    session.statement,
    clearAttemptsStatement(db, subject),
    releaseAddressAttemptStatement(db, meta),
    regionAuditStatement(db, { ref: `user:${user.id}`, role: "officer" }, meta, isoNow(clock), { action: "auth.login", targetType: "user", targetId: user.id }, user.regionId),
  ]));
  return { token: session.token, user: toAccount(user) };
}

/**
 * Resident sign-in with card number and PIN. Five attempts in a row without success lock the
 * card's remote sign-in for fifteen minutes, whoever tries it; the counter's PIN keeps its own
 * count (attempts.ts).
 */
export async function loginCard(db: Db, clock: Clock, meta: RequestMeta, cardNo: string, pin: string) {
  await claimAddressAttempt(db, clock, meta);
  const card = await db.query.cards.findFirst({ where: and(eq(cards.cardNo, cardNo), eq(cards.status, "active")) });
  const subject = cardSubject(cardNo, card?.communityId ?? null);
  const claimed = await claimAttempt(db, clock, subject);
  const ok = await verifySecret(pin, card?.pinHash ?? decoyHash);
  if (!card || !ok) {
    if (card) await auditFailure(db, clock, meta, { ref: `card:${card.cardNo}`, role: "resident", communityId: card.communityId }, { type: "card", id: card.id }, claimed, subject.max);
    // How many tries are left, and on the last one until when the card is now locked, so the
    // sign-in page can tell the resident to wait or ask the station (alike for unknown cards).
    throw new DomainError("PIN_WRONG", { attemptsLeft: Math.max(0, subject.max - claimed.attempt), ...(claimed.last ? { lockedUntil: claimed.lockedUntil } : {}) });
  }
  const household = await db.query.households.findFirst({ where: eq(households.id, card.householdId) });
  if (!household) throw new DomainError("CARD_INVALID");
  const session = await newSession(db, clock, { communityId: card.communityId, role: "resident", householdId: household.id, cardId: card.id });
  const actor: Actor = { kind: "household", id: household.id, communityId: card.communityId, role: "resident", householdId: household.id, cardId: card.id, sessionId: session.row.id };
  await db.batch(withoutNulls([
    session.statement,
    clearAttemptsStatement(db, subject),
    releaseAddressAttemptStatement(db, meta),
    auditStatement(db, actor, meta, isoNow(clock), { action: "auth.card_login", targetType: "card", targetId: card.id }),
  ]));
  return { token: session.token, household: { id: household.id, householdNo: household.householdNo } };
}

function withoutNulls(statements: (Statement | null)[]): [Statement, ...Statement[]] {
  const kept = statements.filter((s): s is Statement => s !== null);
  if (kept.length === 0) throw new Error("assertion failed: an empty batch");
  return kept as [Statement, ...Statement[]];
}

/**
 * Finds who is behind a bearer token — a community actor or an officer — or null when the token
 * is unknown, expired or revoked.
 */
export async function resolveSession(db: Db, clock: Clock, token: string): Promise<Actor | OfficerActor | null> {
  if (!token || token.length > 200) return null;
  const id = await sha256Hex(token);
  // One read: the session with its staff user and its card (every request pays for this one,
  // so its text is fixed: no query building per request).
  const [found] = await readFixed(
    db,
    fixedSql`SELECT s.id, s.community_id, s.role, s.user_id, s.household_id, s.card_id, s.helper_id, s.created_at, s.last_seen_at, s.expires_at, s.revoked_at,
        u.id AS u_id, u.community_id AS u_community_id, u.name AS u_name, u.role AS u_role, u.shop_id AS u_shop_id, u.region_id AS u_region_id, u.active AS u_active,
        c.id AS c_id, c.status AS c_status
      FROM sessions s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN cards c ON c.id = s.card_id
      WHERE s.id = ${id}`,
  );
  if (!found) return null;
  const session: typeof sessions.$inferSelect = {
    id: String(found.id),
    communityId: strOrNull(found.community_id),
    role: String(found.role) as (typeof sessions.$inferSelect)["role"],
    userId: strOrNull(found.user_id),
    householdId: strOrNull(found.household_id),
    cardId: strOrNull(found.card_id),
    helperId: strOrNull(found.helper_id),
    createdAt: String(found.created_at),
    lastSeenAt: String(found.last_seen_at),
    expiresAt: String(found.expires_at),
    revokedAt: strOrNull(found.revoked_at),
  };
  const user: SessionUser | null =
    found.u_id === null || found.u_id === undefined
      ? null
      : {
          id: String(found.u_id),
          communityId: strOrNull(found.u_community_id),
          name: String(found.u_name),
          role: String(found.u_role) as SessionUser["role"],
          shopId: strOrNull(found.u_shop_id),
          regionId: strOrNull(found.u_region_id),
          active: Boolean(num(found.u_active)),
        };
  const card = found.c_id === null || found.c_id === undefined ? null : { id: String(found.c_id), status: String(found.c_status) };
  const now = clock.now();
  if (session.revokedAt || session.expiresAt <= now.toISOString()) return null;
  const { idle } = sessionHours(session.role);
  if (addHours(new Date(session.lastSeenAt), idle) <= now) return null;
  const actor = await actorOfSession(db, session, user, card);
  if (!actor) return null;
  // Touch at most once a minute: an idle-timeout needs minutes, not every request's write.
  if (now.getTime() - new Date(session.lastSeenAt).getTime() > 60_000) {
    await db.update(sessions).set({ lastSeenAt: now.toISOString() }).where(eq(sessions.id, id));
  }
  return actor;
}

/** What a request needs of the session's staff user. */
type SessionUser = Pick<typeof users.$inferSelect, "id" | "communityId" | "name" | "role" | "shopId" | "regionId" | "active">;

async function actorOfSession(
  db: Db,
  session: typeof sessions.$inferSelect,
  user: SessionUser | null,
  card: { id: string; status: string } | null,
): Promise<Actor | OfficerActor | null> {
  if (session.role === "resident") {
    if (session.helperId) return helperActor(db, session);
    if (!card || card.status !== "active" || !session.householdId || !session.communityId) return null;
    return { kind: "household", id: session.householdId, communityId: session.communityId, role: "resident", householdId: session.householdId, cardId: card.id, sessionId: session.id };
  }
  if (!user || !user.active) return null;
  if (user.role === "officer") {
    return user.regionId ? { kind: "officer", id: user.id, regionId: user.regionId, role: "officer", name: user.name, sessionId: session.id } : null;
  }
  if (!user.communityId) return null;
  return { kind: "user", id: user.id, communityId: user.communityId, role: user.role, shopId: user.shopId, name: user.name, sessionId: session.id };
}

/**
 * Signs out: the session stops working at once, and so does any one-time payment code it made
 * (a code shown on a phone must not outlive the sign-out of that phone).
 */
export async function revokeSession(db: Db, clock: Clock, sessionId: string): Promise<void> {
  const at = isoNow(clock);
  await db.batch([
    db.update(sessions).set({ revokedAt: at }).where(eq(sessions.id, sessionId)),
    db.run(sql`UPDATE card_codes SET expires_at = ${at} WHERE session_id = ${sessionId} AND expires_at > ${at}`),
  ]);
}
