/**
 * Staff accounts and their lifecycle: the admin creates them, disables them, resets their
 * passwords and ends their sessions. Every change is audited in the same batch, and a disabled
 * account or a reset password ends the account's sessions at once. Officers create officer
 * accounts for their region and the townships in it.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { shops, users } from "../../db/schema";
import type { StaffRole } from "../../shared/domain";
import { limits } from "../../shared/limits";
import { officerRef, type Actor, type OfficerActor, type RequestMeta } from "./actor";
import { toAccount, toStaffUser, type Account, type StaffUser } from "./auth";
import { auditStatement, regionAuditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { hashSecret } from "./crypto";
import { DomainError, violatedConstraint } from "./errors";
import type { Statement } from "./ledger";
import { officersIn, regionOver } from "./regions";

type Admin = Extract<Actor, { kind: "user" }>;

export interface NewUser {
  username: string;
  password: string;
  name: string;
  role: StaffRole;
  shopId?: string;
}

/**
 * Creates a staff account in the admin's community. Usernames are sign-in names for the whole
 * deployment, so a taken one answers 409 DUPLICATE without saying where it is taken.
 */
export async function createUser(db: Db, clock: Clock, admin: Admin, meta: RequestMeta | null, input: NewUser, lang: "zh" | "en"): Promise<StaffUser> {
  if (input.role === "clerk" && !input.shopId) {
    throw new DomainError("VALIDATION_FAILED", { fields: { shopId: lang === "en" ? "a clerk needs a shop" : "店员必须指定所属超市" } });
  }
  if (input.shopId) {
    const shop = await db.query.shops.findFirst({ where: and(eq(shops.id, input.shopId), eq(shops.communityId, admin.communityId)) });
    if (!shop) throw new DomainError("NOT_FOUND", { shopId: input.shopId });
  }
  const at = isoNow(clock);
  const row = {
    id: newId(),
    communityId: admin.communityId,
    username: input.username,
    passwordHash: await hashSecret(input.password),
    name: input.name,
    role: input.role,
    shopId: input.role === "clerk" ? (input.shopId ?? null) : null,
    regionId: null,
    createdAt: at,
  };
  try {
    await db.batch([
      db.insert(users).values(row),
      auditStatement(db, admin, meta, at, { action: "user.create", targetType: "user", targetId: row.id, details: { username: row.username, role: row.role } }),
    ]);
  } catch (err) {
    throw duplicateUsername(err, lang) ?? err;
  }
  return toStaffUser({ ...row, active: true });
}

/** A taken username (UNIQUE over the whole deployment), said without saying where it is taken. */
export function duplicateUsername(err: unknown, lang: "zh" | "en"): DomainError | null {
  if (violatedConstraint(err) !== "users.username") return null;
  return new DomainError("DUPLICATE", { fields: { username: lang === "en" ? "this username is taken" : "该用户名已被使用" } });
}

export interface NewOfficer {
  username: string;
  password: string;
  name: string;
  regionId: string;
}

/**
 * An officer account for the caller's region or a township in it (乡镇 officers under a county's).
 * Unknown region → 404, a region outside the caller's → 403.
 */
export async function createOfficer(db: Db, clock: Clock, officer: OfficerActor, meta: RequestMeta | null, input: NewOfficer, lang: "zh" | "en"): Promise<Account> {
  const region = await regionOver(db, officer, input.regionId);
  const row = {
    id: newId(),
    communityId: null,
    regionId: region.id,
    username: input.username,
    passwordHash: await hashSecret(input.password),
    name: input.name,
    role: "officer" as const,
    shopId: null,
    createdAt: isoNow(clock),
  };
  try {
    await db.batch([
      db.insert(users).values(row),
      regionAuditStatement(db, officerRef(officer), meta, row.createdAt, { action: "user.create", targetType: "user", targetId: row.id, details: { username: row.username, role: "officer" } }, region.id),
    ]);
  } catch (err) {
    throw duplicateUsername(err, lang) ?? err;
  }
  return toAccount({ ...row, active: true });
}

/** The officer accounts of the caller's region and the townships in it. */
export async function listOfficers(db: Db, officer: OfficerActor): Promise<Account[]> {
  return (await officersIn(db, officer.regionId)).map(toAccount);
}

export async function listUsers(db: Db, communityId: string): Promise<StaffUser[]> {
  const rows = await db.query.users.findMany({ where: eq(users.communityId, communityId), orderBy: asc(users.username), limit: limits.listLimitMax });
  return rows.map(toStaffUser);
}

async function userOfCommunity(db: Db, communityId: string, userId: string) {
  const user = await db.query.users.findFirst({ where: and(eq(users.id, userId), eq(users.communityId, communityId)) });
  if (!user) throw new DomainError("NOT_FOUND", { userId });
  return user;
}

function endSessionsStatement(db: Db, userId: string, at: string): Statement {
  return db.run(sql`UPDATE sessions SET revoked_at = ${at} WHERE user_id = ${userId} AND revoked_at IS NULL`);
}

/** An admin cannot disable itself: the last admin would lock the community out. */
function refuseSelf(admin: Admin, userId: string) {
  if (admin.id === userId) throw new DomainError("CONFLICT", { reason: "own account" });
}

/** Disables or re-enables an account; disabling ends its sessions at once. */
export async function setUserActive(db: Db, clock: Clock, admin: Admin, meta: RequestMeta | null, userId: string, active: boolean): Promise<StaffUser> {
  const user = await userOfCommunity(db, admin.communityId, userId);
  if (!active) refuseSelf(admin, userId);
  const at = isoNow(clock);
  const statements: [Statement, ...Statement[]] = [
    db.update(users).set({ active }).where(eq(users.id, userId)),
    auditStatement(db, admin, meta, at, { action: active ? "user.enable" : "user.disable", targetType: "user", targetId: userId, details: { username: user.username } }),
  ];
  if (!active) statements.push(endSessionsStatement(db, userId, at));
  await db.batch(statements);
  return toStaffUser({ ...user, active });
}

/** Sets a new password (the admin hands it over); the account's sessions end at once. */
export async function resetUserPassword(db: Db, clock: Clock, admin: Admin, meta: RequestMeta | null, userId: string, password: string): Promise<StaffUser> {
  const user = await userOfCommunity(db, admin.communityId, userId);
  const at = isoNow(clock);
  const passwordHash = await hashSecret(password);
  await db.batch([
    db.update(users).set({ passwordHash }).where(eq(users.id, userId)),
    endSessionsStatement(db, userId, at),
    auditStatement(db, admin, meta, at, { action: "user.password_reset", targetType: "user", targetId: userId, details: { username: user.username } }),
  ]);
  return toStaffUser(user);
}

/** Ends every session of the account (a lost phone, a shared computer). */
export async function endUserSessions(db: Db, clock: Clock, admin: Admin, meta: RequestMeta | null, userId: string): Promise<{ ended: number }> {
  const user = await userOfCommunity(db, admin.communityId, userId);
  const at = isoNow(clock);
  const [open] = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM sessions WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > ${at}`);
  await db.batch([
    endSessionsStatement(db, userId, at),
    auditStatement(db, admin, meta, at, { action: "user.sessions_end", targetType: "user", targetId: userId, details: { username: user.username } }),
  ]);
  return { ended: Number(open?.n ?? 0) };
}

/**
 * An officer account the caller oversees (in its region or a township below it), never the
 * caller's own: an account outside answers 404 like an unknown one, so officers of one county
 * learn nothing about another's.
 */
async function officerBelow(db: Db, officer: OfficerActor, userId: string) {
  const user = await db.query.users.findFirst({ where: and(eq(users.id, userId), eq(users.role, "officer")) });
  if (!user?.regionId) throw new DomainError("NOT_FOUND", { userId });
  try {
    await regionOver(db, officer, user.regionId);
  } catch (err) {
    if (err instanceof DomainError && err.code === "FORBIDDEN") throw new DomainError("NOT_FOUND", { userId });
    throw err;
  }
  if (user.id === officer.id) throw new DomainError("CONFLICT", { reason: "own account" });
  return user;
}

/** Disables or re-enables an officer account below the caller; disabling ends its sessions at once. */
export async function setOfficerActive(db: Db, clock: Clock, officer: OfficerActor, meta: RequestMeta | null, userId: string, active: boolean): Promise<Account> {
  const user = await officerBelow(db, officer, userId);
  const at = isoNow(clock);
  const statements: [Statement, ...Statement[]] = [
    db.update(users).set({ active }).where(eq(users.id, userId)),
    regionAuditStatement(db, officerRef(officer), meta, at, { action: active ? "user.enable" : "user.disable", targetType: "user", targetId: userId, details: { username: user.username } }, user.regionId ?? officer.regionId),
  ];
  if (!active) statements.push(endSessionsStatement(db, userId, at));
  await db.batch(statements);
  return toAccount({ ...user, active });
}

/** Sets a new password for an officer account below the caller; its sessions end at once. */
export async function resetOfficerPassword(db: Db, clock: Clock, officer: OfficerActor, meta: RequestMeta | null, userId: string, password: string): Promise<Account> {
  const user = await officerBelow(db, officer, userId);
  const at = isoNow(clock);
  const passwordHash = await hashSecret(password);
  await db.batch([
    db.update(users).set({ passwordHash }).where(eq(users.id, userId)),
    endSessionsStatement(db, userId, at),
    regionAuditStatement(db, officerRef(officer), meta, at, { action: "user.password_reset", targetType: "user", targetId: userId, details: { username: user.username } }, user.regionId ?? officer.regionId),
  ]);
  return toAccount(user);
}
