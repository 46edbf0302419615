/** The demo community's data: staff, rules, a shop with goods, households with cards, history. */
import type { Db } from "./client";
import type { Clock } from "../api/domain/clock";
import type { SeedOptions } from "./seed";

export async function seedDemo(_db: Db, _clock: Clock, _communityId: string, _options: SeedOptions): Promise<void> {
  // Filled in as the domain modules land.
}
