/** Setting up a community: its settings, its issuance account and its first admin. */
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { communities, users } from "../../db/schema";
import { limits } from "../../shared/limits";
import { isoNow, newId, type Clock } from "./clock";
import { hashSecret, randomToken } from "./crypto";
import { issuanceAccountId, openAccountStatement } from "./ledger";
import { DomainError } from "./errors";
import type { Actor, RequestMeta } from "./actor";
import { auditStatement } from "./audit";

export interface NewCommunity {
  name: string;
  code: string;
  admin: { username: string; password: string; name: string };
}

/** Creates a community with default settings, its issuance account and its admin user. */
export async function createCommunity(db: Db, clock: Clock, input: NewCommunity): Promise<{ communityId: string; adminId: string }> {
  const at = isoNow(clock);
  const communityId = newId();
  const adminId = newId();
  const passwordHash = await hashSecret(input.admin.password);
  await db.batch([
    db.insert(communities).values({
      id: communityId,
      name: input.name,
      code: input.code,
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
  ]);
  return { communityId, adminId };
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
