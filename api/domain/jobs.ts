/**
 * The scheduled job: closes publicity windows that have ended and, where a community's settings
 * ask for it, runs their top-up. Runs on the Workers cron trigger and on a timer on Node; it
 * must be idempotent (running it twice credits nothing twice).
 *
 * Placeholder with the agreed signature, so the entry points can call it; the publicity/top-up
 * work fills it in.
 */
import type { Db } from "../../db/client";
import type { Clock } from "./clock";

export async function runScheduledJobs(_db: Db, _clock: Clock): Promise<{ toppedUp: number }> {
  return { toppedUp: 0 };
}
