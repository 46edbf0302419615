/**
 * `npm run seed -- --households 2749 [--reset]`: builds the demo community into DATABASE_URL
 * (default data/shuangfu.db). `--reset` deletes an existing database file first; without it an
 * existing community is left alone.
 */
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseEnv } from "../api/process-env";
import { systemClock } from "../api/domain/clock";
import { openDatabase } from "../db/migrate-node";
import { seedIfEmpty } from "./seed";

const { values } = parseArgs({
  options: { households: { type: "string" }, reset: { type: "boolean", default: false }, empty: { type: "boolean", default: false } },
});
const env = parseEnv(process.env);
const households = Number(values.households ?? env.SEED_HOUSEHOLDS);
if (!Number.isInteger(households) || households < 0 || households > 100_000) {
  console.error("--households takes a whole number from 0 to 100000");
  process.exit(2);
}
if (values.reset && env.DATABASE_URL.startsWith("file:")) {
  const path = env.DATABASE_URL.slice("file:".length);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
}
const started = Date.now();
const { db, close } = await openDatabase(env.DATABASE_URL, env.DATABASE_AUTH_TOKEN);
const seeded = await seedIfEmpty(db, systemClock, {
  demo: !values.empty,
  password: env.SEED_PASSWORD,
  households,
  publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
  cardSigningKey: env.CARD_SIGNING_KEY,
});
close();
console.log(
  seeded
    ? `Seeded 兴贤里社区 with ${households} households in ${((Date.now() - started) / 1000).toFixed(1)} s into ${env.DATABASE_URL}.`
    : `${env.DATABASE_URL} already holds a community; nothing seeded (use --reset to start over).`,
);
