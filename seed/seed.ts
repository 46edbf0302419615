/**
 * Seeding. An empty database gets the community 兴贤里社区 and its admin; with `demo` it also
 * gets the demo data (see `seedDemo`) and the demo county around it (`seedCounty`): 卢氏县 with
 * its officer, and a second, smaller community.
 */
import type { Db } from "../db/client";
import { communities } from "../db/schema";
import type { Clock } from "../api/domain/clock";
import { createCommunity } from "../api/domain/community";

import { demoCommunity, type SeedOptions } from "./options";

export { demoCommunity, type SeedOptions };

/** Seeds only when there is no community yet; returns whether it did. */
export async function seedIfEmpty(db: Db, clock: Clock, options: SeedOptions): Promise<boolean> {
  const existing = await db.select({ id: communities.id }).from(communities).limit(1);
  if (existing.length > 0) return false;
  const { communityId } = await createCommunity(db, clock, {
    ...demoCommunity,
    admin: { username: "admin", password: options.password, name: "驿站管理员" },
  });
  if (options.demo) {
    const { seedCounty, seedDemo } = await import("./demo");
    await seedDemo(db, clock, communityId, options);
    await seedCounty(db, clock, communityId, demoCommunity.code, options);
  }
  return true;
}
