/** Setting up a community: its settings, its issuance account and its first admin. */
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { communities, users } from "../../db/schema";
import { limits } from "../../shared/limits";
import { isoNow, newId, type Clock } from "./clock";
import { hashSecret, randomToken } from "./crypto";
import { issuanceAccountId, openAccountStatement } from "./ledger";
import { DomainError } from "./errors";

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
