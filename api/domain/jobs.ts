/**
 * The scheduled job: runs on the Workers cron trigger and on a timer on Node. A publicity
 * window closes by time alone (the board shows it closed once `endsAt` has passed, and
 * objections are refused from then on); what the job does is the automatic top-up of every
 * ended batch with items still to credit, in communities whose settings ask for it
 * (`autoTopUp`). It is idempotent: the top-up itself never credits an item twice, and a batch
 * with nothing left is not touched. It also expires old unspent points in communities whose
 * settings ask for it (`expiryMonths`, api/domain/expiry.ts), idempotent the same way.
 */
import { eq, isNotNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { SideReader } from "../../db/side-reader";
import { communities } from "../../db/schema";
import type { Clock } from "./clock";
import { DomainError } from "./errors";
import { expireCommunity } from "./expiry";
import { checkLedgerFull, communitiesDueFullCheck } from "./ledger-check";
import { batchesDue, topUp } from "./topup";

/**
 * `sideReader` (Node, embedded file): the full pass sums its verified ranges on that second
 * connection, so the event loop is held for the rest of the pass only (api/domain/ledger-check.ts).
 */
export async function runScheduledJobs(db: Db, clock: Clock, options: { sideReader?: SideReader } = {}): Promise<{ toppedUp: number; pointsExpired: number }> {
  const auto = await db.select({ id: communities.id }).from(communities).where(eq(communities.autoTopUp, true));
  let toppedUp = 0;
  for (const community of auto) {
    for (const publicityId of await batchesDue(db, clock, community.id)) {
      try {
        await topUp(db, clock, "system", null, community.id, publicityId);
        toppedUp += 1;
      } catch (err) {
        // A manual top-up racing the job wins; the next run finds nothing left to do.
        if (err instanceof DomainError && err.code === "CONFLICT") continue;
        throw err;
      }
    }
  }
  let pointsExpired = 0;
  const expiring = await db.select({ id: communities.id, months: communities.expiryMonths }).from(communities).where(isNotNull(communities.expiryMonths));
  for (const community of expiring) {
    if (community.months === null) continue;
    pointsExpired += (await expireCommunity(db, clock, community.id, community.months)).points;
  }
  // The ledger's full pass once a day per community (the office's check is incremental); its
  // result rebuilds the proof the incremental check starts from. A failing pass is logged.
  for (const communityId of await communitiesDueFullCheck(db, clock)) {
    const result = await checkLedgerFull(db, clock, communityId, options);
    if (!result.ok) console.error(`ledger full check of ${communityId} is NOT ok: ${result.problems.join("; ")}`);
  }
  return { toppedUp, pointsExpired };
}
