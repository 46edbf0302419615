/**
 * Attempts at a secret, counted before the secret is checked. One guarded upsert claims an
 * attempt or refuses it, so a hundred parallel guesses cannot all pass a read-then-count check:
 * at most `max` of them ever reach the PBKDF2 comparison, the rest answer 429. Subjects are
 * named by what is guessed at, whether it exists or not, so a lock answers alike for unknown
 * usernames and card numbers (no enumeration by 429 versus 401).
 *
 * A cycle ends when the lock runs out or after `windowMinutes` without an attempt; a success
 * clears the subject. Client addresses are throttled the same way, except that a success gives
 * back its own attempt instead of clearing the failures of others behind the same address.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { fixedSql } from "../../db/sql";
import { limits } from "../../shared/limits";
import type { Actor, RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { addMinutes, type Clock } from "./clock";
import { DomainError } from "./errors";
import type { Statement } from "./ledger";

export interface AttemptSubject {
  /** `login:<username>`, `card:<cardNo>`, `counter:<cardId>` or `address:<ip>`. */
  key: string;
  /** The community of the account or card, when it exists. */
  communityId: string | null;
  max: number;
  windowMinutes: number;
}

export interface ClaimedAttempt {
  /** This attempt's number in the cycle, 1..max. */
  attempt: number;
  /** True when this attempt is the last one allowed: a failure now leaves the subject locked. */
  last: boolean;
  lockedUntil: string | null;
}

/** Staff sign-in by username (usernames are case-sensitive in the database; the key is too). */
export function loginSubject(username: string, communityId: string | null): AttemptSubject {
  return { key: `login:${username}`, communityId, max: limits.loginAttemptsMax, windowMinutes: limits.loginLockoutMinutes };
}

/** A resident's remote sign-in with card number and PIN. */
export function cardSubject(cardNo: string, communityId: string | null): AttemptSubject {
  return { key: `card:${cardNo}`, communityId, max: limits.pinAttemptsMax, windowMinutes: limits.pinLockoutMinutes };
}

/**
 * The PIN typed at a shop's counter, counted apart from remote sign-in: a stranger who locks a
 * card's sign-in from afar does not stop the resident from paying in person (docs/security.md).
 */
export function counterSubject(cardId: string, communityId: string): AttemptSubject {
  return { key: `counter:${cardId}`, communityId, max: limits.pinAttemptsMax, windowMinutes: limits.pinLockoutMinutes };
}

function addressSubject(ip: string): AttemptSubject {
  return { key: `address:${ip}`, communityId: null, max: limits.addressFailuresMax, windowMinutes: limits.addressWindowMinutes };
}

/**
 * Claims one attempt for `subject`, or throws TOO_MANY_ATTEMPTS (429) while it is locked.
 * One statement: the upsert's WHERE refuses a locked subject, and RETURNING tells which.
 */
export async function claimAttempt(db: Db, clock: Clock, subject: AttemptSubject): Promise<ClaimedAttempt> {
  const now = clock.now();
  const at = now.toISOString();
  const staleBefore = addMinutes(now, -subject.windowMinutes).toISOString();
  const lockUntil = addMinutes(now, subject.windowMinutes).toISOString();
  const rows = await db.all<{ attempts: number; locked_until: string | null }>(sql`
    INSERT INTO sign_in_attempts (subject, community_id, attempts, locked_until, updated_at)
    VALUES (${subject.key}, ${subject.communityId}, 1, NULL, ${at})
    ON CONFLICT (subject) DO UPDATE SET
      attempts = CASE WHEN sign_in_attempts.locked_until IS NOT NULL OR sign_in_attempts.updated_at <= ${staleBefore}
        THEN 1 ELSE sign_in_attempts.attempts + 1 END,
      locked_until = CASE WHEN sign_in_attempts.locked_until IS NULL AND sign_in_attempts.updated_at > ${staleBefore}
          AND sign_in_attempts.attempts + 1 >= ${subject.max}
        THEN ${lockUntil} ELSE NULL END,
      community_id = COALESCE(excluded.community_id, sign_in_attempts.community_id),
      updated_at = ${at}
    WHERE sign_in_attempts.locked_until IS NULL OR sign_in_attempts.locked_until <= ${at}
    RETURNING attempts, locked_until`);
  const row = rows[0];
  if (!row) {
    const [locked] = await db.all<{ locked_until: string | null }>(sql`SELECT locked_until FROM sign_in_attempts WHERE subject = ${subject.key}`);
    // `lockedUntil` (and its older name `retryAfter`): the sign-in page says until when.
    const until = locked?.locked_until ?? lockUntil;
    throw new DomainError("TOO_MANY_ATTEMPTS", { retryAfter: until, lockedUntil: until });
  }
  const attempt = Number(row.attempts);
  return { attempt, last: attempt >= subject.max, lockedUntil: row.locked_until ?? null };
}

/** A success: the subject starts afresh (goes in the success's own batch). */
export function clearAttemptsStatement(db: Db, subject: AttemptSubject): Statement {
  return fixedSql`DELETE FROM sign_in_attempts WHERE subject = ${subject.key}`;
}

/** Claims an attempt for the client address (nothing when the address is unknown). */
export async function claimAddressAttempt(db: Db, clock: Clock, meta: RequestMeta | null): Promise<void> {
  if (!meta?.ip) return;
  try {
    await claimAttempt(db, clock, addressSubject(meta.ip));
  } catch (err) {
    if (err instanceof DomainError) throw new DomainError("TOO_MANY_ATTEMPTS", { ...err.details, scope: "address" });
    throw err;
  }
}

/** A success gives back the address's own attempt; the failures of others stay counted. */
export function releaseAddressAttemptStatement(db: Db, meta: RequestMeta | null): Statement | null {
  if (!meta?.ip) return null;
  return db.run(sql`UPDATE sign_in_attempts SET attempts = MAX(attempts - 1, 0)
    WHERE subject = ${addressSubject(meta.ip).key} AND locked_until IS NULL`);
}

export interface LockedCard {
  cardNo: string;
  householdNo: string;
  lockedUntil: string;
}

/** Cards of a community whose remote sign-in is locked now. */
export async function lockedCards(db: Db, clock: Clock, communityId: string): Promise<LockedCard[]> {
  const rows = await db.all<{ card_no: string; household_no: string; locked_until: string }>(sql`
    SELECT c.card_no, h.household_no, a.locked_until
    FROM sign_in_attempts a
    JOIN cards c ON a.subject = 'card:' || c.card_no AND c.community_id = ${communityId} AND c.status = 'active'
    JOIN households h ON h.id = c.household_id
    WHERE a.community_id = ${communityId} AND a.locked_until > ${clock.now().toISOString()}
    ORDER BY a.locked_until`);
  return rows.map((r) => ({ cardNo: String(r.card_no), householdNo: String(r.household_no), lockedUntil: String(r.locked_until) }));
}

/**
 * Lifts the sign-in lock of a card of the admin's community (the resident came to the station
 * and proved who they are), audited. Unknown or foreign card → 404.
 */
export async function unlockCard(db: Db, clock: Clock, admin: Actor, meta: RequestMeta | null, cardNo: string): Promise<{ cardNo: string; unlocked: boolean }> {
  const [card] = await db.all<{ id: string }>(sql`SELECT id FROM cards WHERE card_no = ${cardNo} AND community_id = ${admin.communityId}`);
  if (!card) throw new DomainError("NOT_FOUND", { cardNo });
  const at = clock.now().toISOString();
  const [locked] = await db.all<{ locked_until: string }>(sql`SELECT locked_until FROM sign_in_attempts WHERE subject = ${cardSubject(cardNo, null).key} AND locked_until > ${at}`);
  await db.batch([
    db.run(sql`DELETE FROM sign_in_attempts WHERE subject = ${cardSubject(cardNo, null).key}`),
    auditStatement(db, admin, meta, at, { action: "card.unlock", targetType: "card", targetId: String(card.id), details: { cardNo, lockedUntil: locked?.locked_until ?? null } }),
  ]);
  return { cardNo, unlocked: Boolean(locked) };
}
