/**
 * The ledger check from the command line, on DATABASE_URL's database (issue 16):
 *
 *   npm run ledger:check            the incremental check of every community (what came since
 *                                   the last verified point, plus one verified range re-summed)
 *   npm run ledger:check -- --full  the full pass over every entry; rebuilds the proof
 *
 * Prints each community's result and its time; exits 1 when any check is not ok.
 */
import { parseArgs } from "node:util";
import { systemClock } from "../api/domain/clock";
import { checkLedgerFull, checkLedgerIncremental } from "../api/domain/ledger-check";
import { schema } from "../db/client";
import { openDatabase } from "../db/migrate-node";
import { sideReaderFor } from "../db/side-reader";
import { parseEnv } from "../api/process-env";

const { values } = parseArgs({ options: { full: { type: "boolean", default: false } } });
const env = parseEnv(process.env);
const opened = await openDatabase(env.DATABASE_URL, env.DATABASE_AUTH_TOKEN);
// The full pass sums the verified ranges on a second connection, beside its other reads.
const sideReader = values.full ? sideReaderFor(env.DATABASE_URL) : null;
let failed = false;
try {
  const communities = await opened.db.select({ id: schema.communities.id, name: schema.communities.name }).from(schema.communities);
  for (const row of communities) {
    const started = performance.now();
    const result = values.full ? await checkLedgerFull(opened.db, systemClock, String(row.id), { sideReader: sideReader ?? undefined }) : await checkLedgerIncremental(opened.db, systemClock, String(row.id));
    const ms = performance.now() - started;
    failed ||= !result.ok;
    console.log(`${row.name} (${row.id}): ${result.ok ? "ok" : "NOT OK"} in ${ms.toFixed(0)} ms — outstanding ${result.outstanding}, issued ${result.issued}, redeemed ${result.redeemed}`);
    for (const problem of result.problems) console.log(`  ${problem}`);
  }
} finally {
  sideReader?.close();
  opened.close();
}
process.exitCode = failed ? 1 : 0;
