/**
 * Sign-in and sessions. A session token is 32 random bytes; the database keeps only its SHA-256,
 * so a copy of the database cannot be used to sign in. Sessions expire when idle and absolutely,
 * can be revoked, and a resident's session dies with its card.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { cards, households, sessions, users } from "../../db/schema";
import type { Role, StaffRole } from "../../shared/domain";
import { limits } from "../../shared/limits";
import type { Actor, RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { addHours, addMinutes, isoNow, type Clock } from "./clock";
import { decoyHash, randomToken, sha256Hex, verifySecret } from "./crypto";
import { DomainError } from "./errors";

export interface StaffUser {
  id: string;
  username: string;
  name: string;
  role: StaffRole;
  communityId: string;
  shopId: string | null;
}

function sessionHours(role: Role) {
  return role === "resident"
    ? { idle: limits.residentSessionIdleHours, absolute: limits.residentSessionAbsoluteHours }
    : { idle: limits.staffSessionIdleHours, absolute: limits.staffSessionAbsoluteHours };
}

async function newSession(db: Db, clock: Clock, s: { communityId: string; role: Role; userId?: string; householdId?: string; cardId?: string }) {
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
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: addHours(now, absolute).toISOString(),
  };
  return { token, row, statement: db.insert(sessions).values(row) };
}

export function toStaffUser(u: typeof users.$inferSelect): StaffUser {
  return { id: u.id, username: u.username, name: u.name, role: u.role, communityId: u.communityId, shopId: u.shopId };
}

function addressWindow(clock: Clock): string {
  const windowMs = limits.addressWindowMinutes * 60_000;
  return new Date(Math.floor(clock.now().getTime() / windowMs) * windowMs).toISOString();
}

/**
 * Refuses sign-in from an address that has failed too often in this window, whichever accounts
 * or cards it tried (per-account and per-card locks alone let one client guess across many).
 */
async function assertAddressAllowed(db: Db, clock: Clock, meta: RequestMeta) {
  if (!meta.ip) return;
  const rows = await db.all<{ failures: number }>(sql`SELECT failures FROM sign_in_failures WHERE address = ${meta.ip} AND window_start = ${addressWindow(clock)}`);
  if (Number(rows[0]?.failures ?? 0) >= limits.addressFailuresMax) {
    const windowEnd = new Date(Date.parse(addressWindow(clock)) + limits.addressWindowMinutes * 60_000).toISOString();
    throw new DomainError("TOO_MANY_ATTEMPTS", { retryAfter: windowEnd, scope: "address" });
  }
}

async function recordAddressFailure(db: Db, clock: Clock, meta: RequestMeta) {
  if (!meta.ip) return;
  await db.run(sql`INSERT INTO sign_in_failures (address, window_start, failures) VALUES (${meta.ip}, ${addressWindow(clock)}, 1)
    ON CONFLICT (address, window_start) DO UPDATE SET failures = failures + 1`);
}

/** Staff sign-in by username and password; too many failures lock the account for a while. */
export async function loginStaff(db: Db, clock: Clock, meta: RequestMeta, username: string, password: string) {
  await assertAddressAllowed(db, clock, meta);
  const user = await db.query.users.findFirst({ where: eq(users.username, username) });
  const now = clock.now();
  if (user?.lockedUntil && user.lockedUntil > now.toISOString()) {
    throw new DomainError("TOO_MANY_ATTEMPTS", { retryAfter: user.lockedUntil });
  }
  const ok = await verifySecret(password, user?.passwordHash ?? decoyHash);
  if (!user || !ok || !user.active) {
    if (user) {
      const lockedUntil = addMinutes(now, limits.loginLockoutMinutes).toISOString();
      await db.run(sql`UPDATE users SET failed_logins = failed_logins + 1,
          locked_until = CASE WHEN failed_logins + 1 >= ${limits.loginAttemptsMax} THEN ${lockedUntil} ELSE locked_until END
        WHERE id = ${user.id}`);
    }
    await recordAddressFailure(db, clock, meta);
    throw new DomainError("BAD_CREDENTIALS");
  }
  const session = await newSession(db, clock, { communityId: user.communityId, role: user.role, userId: user.id });
  const staff = toStaffUser(user);
  const actor: Actor = { kind: "user", id: user.id, communityId: user.communityId, role: user.role, shopId: user.shopId, name: user.name, sessionId: session.row.id };
  await db.batch([
    session.statement,
    db.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id)),
    auditStatement(db, actor, meta, isoNow(clock), { action: "auth.login", targetType: "user", targetId: user.id }),
  ]);
  return { token: session.token, user: staff };
}

/**
 * Resident sign-in with card number and PIN. Five wrong PINs lock the card's sign-in for
 * fifteen minutes (the lock applies to the card, whoever tries it).
 */
export async function loginCard(db: Db, clock: Clock, meta: RequestMeta, cardNo: string, pin: string) {
  await assertAddressAllowed(db, clock, meta);
  const card = await db.query.cards.findFirst({ where: and(eq(cards.cardNo, cardNo), eq(cards.status, "active")) });
  const now = clock.now().toISOString();
  if (card?.lockedUntil && card.lockedUntil > now) {
    throw new DomainError("TOO_MANY_ATTEMPTS", { retryAfter: card.lockedUntil });
  }
  const ok = await verifySecret(pin, card?.pinHash ?? decoyHash);
  if (!card || !ok) {
    if (card) await recordWrongPin(db, clock, card.id);
    await recordAddressFailure(db, clock, meta);
    throw new DomainError("PIN_WRONG");
  }
  const household = await db.query.households.findFirst({ where: eq(households.id, card.householdId) });
  if (!household) throw new DomainError("CARD_INVALID");
  const session = await newSession(db, clock, { communityId: card.communityId, role: "resident", householdId: household.id, cardId: card.id });
  const actor: Actor = { kind: "household", id: household.id, communityId: card.communityId, role: "resident", householdId: household.id, cardId: card.id, sessionId: session.row.id };
  await db.batch([
    session.statement,
    db.update(cards).set({ failedPins: 0, lockedUntil: null }).where(eq(cards.id, card.id)),
    auditStatement(db, actor, meta, now, { action: "auth.card_login", targetType: "card", targetId: card.id }),
  ]);
  return { token: session.token, household: { id: household.id, householdNo: household.householdNo } };
}

/** Counts a wrong PIN against the card; the fifth in a row locks it. Shared with redemption. */
export async function recordWrongPin(db: Db, clock: Clock, cardId: string): Promise<void> {
  const lockedUntil = addMinutes(clock.now(), limits.pinLockoutMinutes).toISOString();
  await db.run(sql`UPDATE cards SET failed_pins = failed_pins + 1,
      locked_until = CASE WHEN failed_pins + 1 >= ${limits.pinAttemptsMax} THEN ${lockedUntil} ELSE locked_until END
    WHERE id = ${cardId}`);
}

/** Finds the actor behind a bearer token, or null when the token is unknown, expired or revoked. */
export async function resolveSession(db: Db, clock: Clock, token: string): Promise<Actor | null> {
  if (!token || token.length > 200) return null;
  const id = await sha256Hex(token);
  const session = await db.query.sessions.findFirst({ where: eq(sessions.id, id) });
  const now = clock.now();
  if (!session || session.revokedAt || session.expiresAt <= now.toISOString()) return null;
  const { idle } = sessionHours(session.role);
  if (addHours(new Date(session.lastSeenAt), idle) <= now) return null;
  const actor = await actorOfSession(db, session);
  if (!actor) return null;
  // Touch at most once a minute: an idle-timeout needs minutes, not every request's write.
  if (now.getTime() - new Date(session.lastSeenAt).getTime() > 60_000) {
    await db.update(sessions).set({ lastSeenAt: now.toISOString() }).where(eq(sessions.id, id));
  }
  return actor;
}

async function actorOfSession(db: Db, session: typeof sessions.$inferSelect): Promise<Actor | null> {
  if (session.role === "resident") {
    const card = session.cardId ? await db.query.cards.findFirst({ where: eq(cards.id, session.cardId) }) : undefined;
    if (!card || card.status !== "active" || !session.householdId) return null;
    return { kind: "household", id: session.householdId, communityId: session.communityId, role: "resident", householdId: session.householdId, cardId: card.id, sessionId: session.id };
  }
  const user = session.userId ? await db.query.users.findFirst({ where: eq(users.id, session.userId) }) : undefined;
  if (!user || !user.active) return null;
  return { kind: "user", id: user.id, communityId: user.communityId, role: user.role, shopId: user.shopId, name: user.name, sessionId: session.id };
}

/** Signs out: the session stops working at once. */
export async function revokeSession(db: Db, clock: Clock, sessionId: string): Promise<void> {
  await db.update(sessions).set({ revokedAt: isoNow(clock) }).where(eq(sessions.id, sessionId));
}
