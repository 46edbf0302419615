/**
 * Setting up a community: its settings, its issuance account and its first admin; an officer's
 * community also starts with the rule catalogue. Officers move communities between the
 * townships of their county.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { communities, rules, users } from "../../db/schema";
import { limits } from "../../shared/limits";
import { isoNow, newId, type Clock } from "./clock";
import { hashSecret, randomToken } from "./crypto";
import { issuanceAccountId, openAccountStatement, type Statement } from "./ledger";
import { DomainError, violatedConstraint } from "./errors";
import { officerRef, type Actor, type OfficerActor, type RequestMeta } from "./actor";
import { auditStatement, regionAuditStatement, type AuditSubject } from "./audit";
import { getRegion, isWithin, regionOver } from "./regions";
import { ruleCatalogue } from "./rule-catalogue";

export interface NewCommunity {
  name: string;
  code: string;
  admin: { username: string; password: string; name: string };
  /** The county or township it lies in; none for a deployment without regions. */
  regionId?: string | null;
  /** Start with the seven-carrier rule catalogue (`rule-catalogue.ts`). */
  catalogue?: boolean;
}

/** Who set the community up, for its audit log: an officer, or nobody (the seed, the command line). */
export interface CreatedBy {
  officer: OfficerActor;
  meta: RequestMeta | null;
}

/**
 * Creates a community with default settings, its issuance account and its admin user — and, when
 * asked, the rule catalogue and an audit row naming the officer — in one batch: a taken code or
 * username fails it whole, leaving nothing behind (the UNIQUE violation is thrown as it is: the
 * worker's first start reads it as "another isolate seeded first").
 */
export async function createCommunity(db: Db, clock: Clock, input: NewCommunity, by?: CreatedBy): Promise<{ communityId: string; adminId: string }> {
  const at = isoNow(clock);
  const communityId = newId();
  const adminId = newId();
  const passwordHash = await hashSecret(input.admin.password);
  const statements: [Statement, ...Statement[]] = [
    db.insert(communities).values({
      id: communityId,
      name: input.name,
      code: input.code,
      regionId: input.regionId ?? null,
      publicityDays: limits.publicityDaysDefault,
      minPublicityHours: limits.minPublicityHoursDefault,
      pinThreshold: limits.pinThresholdDefault,
      cardSecret: randomToken(32),
      createdAt: at,
    }),
    openAccountStatement(db, { id: issuanceAccountId(communityId), communityId, kind: "issuance", at }),
    db.insert(users).values({
      id: adminId,
      communityId,
      username: input.admin.username,
      passwordHash,
      name: input.admin.name,
      role: "admin",
      createdAt: at,
    }),
  ];
  if (input.catalogue) {
    // Ten rules a statement: D1 binds at most 100 values in one.
    const rows = ruleCatalogue.map((rule) => ({ id: newId(), communityId, ...rule, createdAt: at }));
    for (let i = 0; i < rows.length; i += 10) statements.push(db.insert(rules).values(rows.slice(i, i + 10)));
  }
  if (by) {
    statements.push(
      auditStatement(db, officerSubject(by.officer, communityId), by.meta, at, {
        action: "community.create",
        targetType: "community",
        targetId: communityId,
        details: { name: input.name, code: input.code, regionId: input.regionId ?? null, admin: input.admin.username },
      }),
      regionAuditStatement(db, officerRef(by.officer), by.meta, at, { action: "community.create", targetType: "community", targetId: communityId, details: { name: input.name, code: input.code } }, input.regionId ?? by.officer.regionId),
    );
  }
  await db.batch(statements);
  return { communityId, adminId };
}

/** An officer as the audit log of a community it acted on names it (`user:<id>`, role officer). */
function officerSubject(officer: OfficerActor, communityId: string): AuditSubject {
  return { ref: `user:${officer.id}`, role: "officer", communityId };
}

/**
 * The community, if the officer oversees it: unknown → 404; outside the officer's region (or in
 * no region at all) → 403.
 */
export async function communityOver(db: Db, officer: OfficerActor, communityId: string) {
  const community = await getCommunity(db, communityId);
  const region = community.regionId ? await getRegion(db, community.regionId) : null;
  if (!region || !isWithin(region, officer.regionId)) throw new DomainError("FORBIDDEN", { communityId });
  return community;
}

export interface CommunityView {
  id: string;
  name: string;
  code: string;
  regionId: string | null;
}

/** Creates a community in a region the officer oversees, with its admin and the rule catalogue. */
export async function createCommunityAsOfficer(db: Db, clock: Clock, officer: OfficerActor, meta: RequestMeta | null, input: Omit<NewCommunity, "catalogue"> & { regionId: string }, lang: "zh" | "en"): Promise<CommunityView> {
  const region = await regionOver(db, officer, input.regionId);
  try {
    const { communityId } = await createCommunity(db, clock, { ...input, regionId: region.id, catalogue: true }, { officer, meta });
    return { id: communityId, name: input.name, code: input.code, regionId: region.id };
  } catch (err) {
    const violated = violatedConstraint(err);
    if (violated === "communities.code") throw new DomainError("DUPLICATE", { fields: { code: lang === "en" ? "a community with this code exists" : "该社区代码已被使用" } });
    if (violated === "users.username") throw new DomainError("DUPLICATE", { fields: { "admin.username": lang === "en" ? "this username is taken" : "该用户名已被使用" } });
    throw err;
  }
}

/**
 * Moves a community to another region the officer oversees (a township of its county, or the
 * county itself), audited in the community's log in the same batch.
 */
export async function moveCommunity(db: Db, clock: Clock, officer: OfficerActor, meta: RequestMeta | null, communityId: string, regionId: string): Promise<CommunityView> {
  const community = await communityOver(db, officer, communityId);
  const region = await regionOver(db, officer, regionId);
  const view = { id: community.id, name: community.name, code: community.code, regionId: region.id };
  if (community.regionId === region.id) return view;
  const at = isoNow(clock);
  await db.batch([
    db.update(communities).set({ regionId: region.id }).where(eq(communities.id, community.id)),
    auditStatement(db, officerSubject(officer, community.id), meta, at, { action: "community.move", targetType: "community", targetId: community.id, details: { from: community.regionId, to: region.id } }),
    regionAuditStatement(db, officerRef(officer), meta, at, { action: "community.move", targetType: "community", targetId: community.id, details: { name: community.name, from: community.regionId, to: region.id } }, officer.regionId),
  ]);
  return view;
}

export async function getCommunity(db: Db, communityId: string) {
  const community = await db.query.communities.findFirst({ where: eq(communities.id, communityId) });
  if (!community) throw new DomainError("NOT_FOUND", { communityId });
  return community;
}

export interface CommunitySettings {
  id: string;
  name: string;
  code: string;
  publicityDays: number;
  minPublicityHours: number;
  pinThreshold: number;
  dailyRedemptionCap: number | null;
  autoTopUp: boolean;
  /** 监督电话 printed on the posted 公示 (as the office writes it), or null. */
  supervisionPhone: string | null;
  /** The offline counter (issue 14): a pack's window, the cap per redemption and per device and pack (0 = off). */
  offlineWindowHours: number;
  offlinePerRedemptionMax: number;
  offlinePerDeviceMax: number;
  /** Points expiry (issue 12): months after which unspent points expire (6–60), or null = never. */
  expiryMonths: number | null;
  /**
   * The deployment's floor (`PUBLICITY_FLOOR_HOURS`), read-only: the least `minPublicityHours`
   * and publicity window this community may set.
   */
  publicityFloorHours: number;
}

export async function getSettings(db: Db, communityId: string, floorHours = 0): Promise<CommunitySettings> {
  const c = await getCommunity(db, communityId);
  return {
    id: c.id,
    name: c.name,
    code: c.code,
    publicityDays: c.publicityDays,
    minPublicityHours: c.minPublicityHours,
    pinThreshold: c.pinThreshold,
    dailyRedemptionCap: c.dailyRedemptionCap,
    autoTopUp: c.autoTopUp,
    supervisionPhone: c.supervisionPhone,
    offlineWindowHours: c.offlineWindowHours,
    offlinePerRedemptionMax: c.offlinePerRedemptionMax,
    offlinePerDeviceMax: c.offlinePerDeviceMax,
    expiryMonths: c.expiryMonths,
    publicityFloorHours: floorHours,
  };
}

export type SettingsChanges = Partial<Omit<CommunitySettings, "id" | "code" | "publicityFloorHours">>;

/**
 * Refuses publicity settings below the deployment's floor: one admin alone must not be able to
 * shorten the window in which residents can object (issue 9).
 */
function checkFloor(changes: SettingsChanges, floorHours: number): void {
  const fields: Record<string, string> = {};
  if (changes.minPublicityHours !== undefined && changes.minPublicityHours < floorHours) {
    fields.minPublicityHours = `at least ${floorHours} hours (the deployment's PUBLICITY_FLOOR_HOURS)`;
  }
  if (changes.publicityDays !== undefined && changes.publicityDays * 24 < floorHours) {
    fields.publicityDays = `at least ${Math.ceil(floorHours / 24)} days (the deployment's PUBLICITY_FLOOR_HOURS)`;
  }
  if (Object.keys(fields).length) throw new DomainError("VALIDATION_FAILED", { fields, publicityFloorHours: floorHours });
}

/**
 * Changes the community's settings, with the old and new values in the audit log (one
 * `settings.update` row per change that changes anything, in the same batch as the change).
 */
export async function updateSettings(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, changes: SettingsChanges, floorHours = 0): Promise<CommunitySettings> {
  checkFloor(changes, floorHours);
  const current = await getSettings(db, actor.communityId, floorHours);
  // No PIN can be checked offline, so an offline basket stays within the PIN threshold. A lower
  // pinThreshold set later wins on its own: the pack takes the smaller of the two.
  const pinThreshold = changes.pinThreshold ?? current.pinThreshold;
  if (changes.offlinePerRedemptionMax !== undefined && changes.offlinePerRedemptionMax > pinThreshold) {
    throw new DomainError("VALIDATION_FAILED", { fields: { offlinePerRedemptionMax: `at most pinThreshold (${pinThreshold}): no PIN can be checked offline` } });
  }
  const set: SettingsChanges = {};
  const before: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes) as Array<[keyof SettingsChanges, unknown]>) {
    if (value === undefined || value === current[key]) continue;
    (set as Record<string, unknown>)[key] = value;
    before[key] = current[key];
  }
  if (Object.keys(set).length === 0) return current;
  const at = isoNow(clock);
  await db.batch([
    db.update(communities).set(set).where(eq(communities.id, actor.communityId)),
    auditStatement(db, actor, meta, at, { action: "settings.update", targetType: "community", targetId: actor.communityId, details: { before, after: set } }),
  ]);
  return { ...current, ...set };
}
