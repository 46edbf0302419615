/**
 * Family helpers (亲情代理): a family member's phone signs in with a helper code the admin gave
 * the household, and then sees what the household sees and can show its one-time payment code;
 * it never changes a PIN. A household has at most `helpersPerHouseholdMax` active helpers;
 * ending one signs its phone out at once. Every helper sign-in is in the audit log, and the
 * household reads its helpers' sign-ins on its own page. See docs/decisions/012-every-resident-can-use-it.md.
 *
 * The code is 16 characters from an alphabet without look-alikes (about 79 bits), shown once
 * and kept only as its SHA-256: like a session token it is too long to guess, so a fast hash
 * suffices and the sign-in finds the helper by the hash. Sign-in attempts are still throttled
 * per client address like card sign-ins (attempts.ts), so a flood of guesses is refused early.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { cards, householdHelpers, sessions } from "../../db/schema";
import { limits } from "../../shared/limits";
import type { Actor, RequestMeta } from "./actor";
import { claimAddressAttempt, releaseAddressAttemptStatement } from "./attempts";
import { auditStatement } from "./audit";
import { newSession } from "./auth";
import { isoNow, type Clock } from "./clock";
import { randomBytes, sha256Hex } from "./crypto";
import { DomainError, failedNotNull, violatedConstraint } from "./errors";
import { assertCanSeeHousehold } from "./household-ledger";
import type { Statement } from "./ledger";

/** No 0/O, 1/I/L: a code read aloud over the phone or copied by hand stays right. */
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const codeLength = 16;

/** A fresh code, grouped in fours for reading: `K7QM-3XPA-9HTR-WC2E`. */
export function newHelperCode(): string {
  // Rejection sampling: 248 = 8 × 31 keeps every character equally likely.
  const chars: string[] = [];
  while (chars.length < codeLength) {
    for (const byte of randomBytes(codeLength * 2)) {
      if (byte < 248 && chars.length < codeLength) chars.push(codeAlphabet[byte % codeAlphabet.length]);
    }
  }
  return chars.join("").replace(/(.{4})(?=.)/g, "$1-");
}

/** The code as typed, made canonical: case, spaces and dashes do not matter. */
export function normalizeHelperCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, "");
}

async function codeHash(code: string): Promise<string> {
  return sha256Hex(`helper:${normalizeHelperCode(code)}`);
}

export interface HelperView {
  id: string;
  name: string;
  relation: string;
  createdAt: string;
  lastSignInAt: string | null;
}

/** The slots 1..max as a SQL table, for the guarded insert below. */
const slots = sql.raw(Array.from({ length: limits.helpersPerHouseholdMax }, (_, i) => `SELECT ${i + 1} AS n`).join(" UNION ALL "));

/**
 * Gives the household a helper; answers the code this once. Each active helper holds one of
 * `helpersPerHouseholdMax` slots (a partial UNIQUE index): the insert takes the first free slot,
 * and with none free its NULL slot fails the whole batch, so a fourth helper (→ 409
 * HELPERS_FULL) is refused by the database even when two admins add one at the same moment.
 */
export async function addHelper(db: Db, clock: Clock, admin: Actor, meta: RequestMeta | null, householdId: string, input: { name: string; relation: string }): Promise<{ id: string; code: string }> {
  await assertCanSeeHousehold(db, admin, householdId);
  const code = newHelperCode();
  const id = crypto.randomUUID();
  const at = isoNow(clock);
  const hash = await codeHash(code);
  try {
    await db.batch([
      db.run(sql`INSERT INTO household_helpers (id, community_id, household_id, slot, name, relation, code_hash, created_at, created_by)
        VALUES (${id}, ${admin.communityId}, ${householdId},
          (SELECT min(s.n) FROM (${slots}) s WHERE s.n NOT IN (SELECT slot FROM household_helpers WHERE household_id = ${householdId} AND ended_at IS NULL)),
          ${input.name}, ${input.relation}, ${hash}, ${at}, ${admin.id})`),
      auditStatement(db, admin, meta, at, { action: "helper.add", targetType: "household", targetId: householdId, details: { helperId: id, name: input.name, relation: input.relation } }),
    ]);
  } catch (err) {
    if (failedNotNull(err) === "household_helpers.slot" || violatedConstraint(err) === "household_helpers.household_id, household_helpers.slot") {
      throw new DomainError("HELPERS_FULL", { max: limits.helpersPerHouseholdMax });
    }
    throw err;
  }
  return { id, code };
}

/**
 * Ends a helper at once: the helper is ended, every session it opened is revoked and every
 * one-time code those sessions made stops working, in one batch.
 */
export async function endHelper(db: Db, clock: Clock, admin: Actor, meta: RequestMeta | null, householdId: string, helperId: string): Promise<{ id: string; endedAt: string }> {
  await assertCanSeeHousehold(db, admin, householdId);
  const helper = await db.query.householdHelpers.findFirst({ where: and(eq(householdHelpers.id, helperId), eq(householdHelpers.householdId, householdId)) });
  if (!helper) throw new DomainError("NOT_FOUND", { helperId });
  if (helper.endedAt) return { id: helper.id, endedAt: helper.endedAt };
  const at = isoNow(clock);
  await db.batch([
    db.update(householdHelpers).set({ endedAt: at, endedBy: admin.id }).where(and(eq(householdHelpers.id, helperId), isNull(householdHelpers.endedAt))),
    db.run(sql`UPDATE card_codes SET expires_at = ${at} WHERE expires_at > ${at}
      AND session_id IN (SELECT id FROM sessions WHERE helper_id = ${helperId})`),
    db.run(sql`UPDATE sessions SET revoked_at = ${at} WHERE helper_id = ${helperId} AND revoked_at IS NULL`),
    auditStatement(db, admin, meta, at, { action: "helper.end", targetType: "household", targetId: householdId, details: { helperId, name: helper.name } }),
  ]);
  return { id: helper.id, endedAt: at };
}

/** The household's active helpers, oldest first (admin; the household itself). */
export async function listHelpers(db: Db, actor: Actor, householdId: string): Promise<HelperView[]> {
  await assertCanSeeHousehold(db, actor, householdId);
  const rows = await db.query.householdHelpers.findMany({
    where: and(eq(householdHelpers.householdId, householdId), isNull(householdHelpers.endedAt)),
    orderBy: (h, { asc }) => [asc(h.createdAt)],
  });
  return rows.map((h) => ({ id: h.id, name: h.name, relation: h.relation, createdAt: h.createdAt, lastSignInAt: h.lastSignInAt }));
}

export interface HelperSignIn {
  at: string;
  helperId: string;
  name: string;
  relation: string;
}

/** The household's helper sign-ins, newest first, from the audit log (ended helpers too). */
export async function helperSignIns(db: Db, actor: Actor, householdId: string, limit: number): Promise<HelperSignIn[]> {
  await assertCanSeeHousehold(db, actor, householdId);
  const rows = await db.all<{ created_at: string; helper_id: string; name: string; relation: string }>(sql`
    SELECT a.created_at, h.id AS helper_id, h.name, h.relation
    FROM audit_log a JOIN household_helpers h ON a.actor = 'helper:' || h.id
    WHERE a.community_id = ${actor.communityId} AND a.action = 'auth.helper_login' AND a.target_type = 'household' AND a.target_id = ${householdId}
    ORDER BY a.seq DESC LIMIT ${limit}`);
  return rows.map((r) => ({ at: String(r.created_at), helperId: String(r.helper_id), name: String(r.name), relation: String(r.relation) }));
}

/**
 * A helper's phone signs in with the code: a resident session of the household that carries
 * the helper's id (so ending the helper ends it). Unknown, ended or malformed codes answer
 * alike (401 HELPER_CODE_WRONG); the attempt is counted against the client address first.
 */
export async function loginHelper(db: Db, clock: Clock, meta: RequestMeta, code: string) {
  await claimAddressAttempt(db, clock, meta);
  const helper = await db.query.householdHelpers.findFirst({ where: and(eq(householdHelpers.codeHash, await codeHash(code)), isNull(householdHelpers.endedAt)) });
  if (!helper) throw new DomainError("HELPER_CODE_WRONG");
  const household = await db.query.households.findFirst({ where: (h, { eq: is }) => is(h.id, helper.householdId) });
  if (!household) throw new DomainError("HELPER_CODE_WRONG");
  const session = await newSession(db, clock, { communityId: helper.communityId, role: "resident", householdId: household.id, helperId: helper.id });
  const at = isoNow(clock);
  const statements: Statement[] = [
    session.statement,
    db.update(householdHelpers).set({ lastSignInAt: at }).where(eq(householdHelpers.id, helper.id)),
    auditStatement(db, { ref: `helper:${helper.id}`, role: "helper", communityId: helper.communityId }, meta, at, {
      action: "auth.helper_login",
      targetType: "household",
      targetId: household.id,
      details: { helperId: helper.id, name: helper.name, relation: helper.relation },
    }),
  ];
  const release = releaseAddressAttemptStatement(db, meta);
  if (release) statements.push(release);
  await db.batch(statements as [Statement, ...Statement[]]);
  return { token: session.token, household: { id: household.id, householdNo: household.householdNo }, helper: { id: helper.id, name: helper.name } };
}

/**
 * The actor of a helper's session: the household, with the card it uses now (a card reissued
 * after 挂失 keeps the helper working); null once the helper is ended or while the household
 * has no card in use.
 */
export async function helperActor(db: Db, session: typeof sessions.$inferSelect): Promise<Actor | null> {
  if (!session.helperId || !session.householdId || !session.communityId) return null;
  const helper = await db.query.householdHelpers.findFirst({ where: eq(householdHelpers.id, session.helperId) });
  if (!helper || helper.endedAt || helper.householdId !== session.householdId) return null;
  const card = await db.query.cards.findFirst({ where: and(eq(cards.householdId, session.householdId), eq(cards.status, "active")) });
  if (!card) return null;
  return { kind: "household", id: session.householdId, communityId: session.communityId, role: "resident", householdId: session.householdId, cardId: card.id, sessionId: session.id, helperId: helper.id };
}
