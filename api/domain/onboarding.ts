/**
 * The new community's first steps (issue 11, 开通): what the admin of a community an officer has
 * just created still has to do before residents can earn and spend points — import households,
 * issue cards, add a shop and its goods, publish the first notice, set the publicity days. Each
 * step ticks itself from the community's own records; nothing is stored for the checklist.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { num } from "../../db/sql";

export const onboardingSteps = ["households", "cards", "shop", "goods", "notice", "publicityDays"] as const;
export type OnboardingStep = (typeof onboardingSteps)[number];

export interface Onboarding {
  /** Every step, in the order an office does them; `count` where counting means something. */
  steps: Array<{ key: OnboardingStep; done: boolean; count: number }>;
  done: boolean;
}

/**
 * The checklist of a community. "Publicity days" is done once the admin has saved the publicity
 * settings (`publicityDays` or `minPublicityHours`) in the settings page — a deliberate choice,
 * whether or not it keeps the default — which the audit log records as `settings.update`.
 */
export async function onboarding(db: Db, communityId: string): Promise<Onboarding> {
  const [row] = await db.all<Record<string, number>>(sql`SELECT
      (SELECT COUNT(*) FROM households WHERE community_id = ${communityId}) AS households,
      (SELECT COUNT(*) FROM households h JOIN cards c ON c.household_id = h.id AND c.status = 'active' WHERE h.community_id = ${communityId}) AS cards,
      (SELECT COUNT(*) FROM shops WHERE community_id = ${communityId}) AS shop,
      (SELECT COUNT(*) FROM goods WHERE community_id = ${communityId} AND active = 1) AS goods,
      (SELECT COUNT(*) FROM notices WHERE community_id = ${communityId} AND status = 'published') AS notice,
      (SELECT COUNT(*) FROM audit_log WHERE community_id = ${communityId} AND action = 'settings.update'
        AND (json_extract(details, '$.after.publicityDays') IS NOT NULL OR json_extract(details, '$.after.minPublicityHours') IS NOT NULL)) AS publicityDays`);
  const steps = onboardingSteps.map((key) => {
    const count = num(row?.[key]);
    return { key, done: count > 0, count };
  });
  return { steps, done: steps.every((s) => s.done) };
}
