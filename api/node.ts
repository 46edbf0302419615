/**
 * Node entry point: opens the embedded libSQL file (or Turso), migrates, seeds an empty
 * database, and serves the API and the built web app on PORT.
 */
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Hono } from "hono";
import { compress } from "hono/compress";
import { openDatabase } from "../db/migrate-node";
import { seedIfEmpty } from "../seed/seed";
import { apiNotFound, createApp } from "./app";
import { parseEnv, productionProblems } from "./process-env";
import { systemClock } from "./domain/clock";
import { runScheduledJobs } from "./domain/jobs";
import { sideReaderFor } from "../db/side-reader";
import { parseHouseholdFileInThread } from "./import-thread";
import { useSyncHashing } from "./domain/crypto";
import { nodeHashing } from "./node-hashing";
import { securityHeaders } from "./http/middleware/security-headers";
import { databaseFileOf, restoreInProgress } from "../scripts/db-file";

// Session tokens and card signatures hashed by Node itself, not through its thread pool.
useSyncHashing(nodeHashing);

const env = parseEnv(process.env);
const problems = productionProblems(env);
if (problems.length > 0) {
  console.error(`Refusing to start with PUBLIC_URL=${env.PUBLIC_URL}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
const publicUrl = env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;
// `npm run restore` holds a lock while it swaps the database file: never serve the file it is
// replacing. Asked again once the database is open, so a restore that took its lock in between
// is seen either way (its own check refuses while we hold the file open).
const databaseFile = databaseFileOf(env.DATABASE_URL);
const refuseDuringRestore = () => {
  const restoring = databaseFile && restoreInProgress(databaseFile);
  if (restoring) {
    console.error(`Refusing to start: ${restoring}`);
    process.exit(1);
  }
};
refuseDuringRestore();
const { db } = await openDatabase(env.DATABASE_URL, env.DATABASE_AUTH_TOKEN);
refuseDuringRestore();
const seeded = await seedIfEmpty(db, systemClock, {
  demo: env.SEED_DEMO === "1",
  password: env.SEED_PASSWORD,
  households: env.SEED_HOUSEHOLDS,
  publicUrl,
  cardSigningKey: env.CARD_SIGNING_KEY,
});
if (seeded) console.log(`Seeded ${env.SEED_DEMO === "1" ? "the demo community 兴贤里社区" : "an empty community"}.`);

const api = createApp({
  db: () => db,
  clock: systemClock,
  // Import files are read in a worker thread: a big one never holds up other requests.
  parseHouseholdFile: parseHouseholdFileInThread,
  config: () => ({
    publicUrl,
    cardSigningKey: env.CARD_SIGNING_KEY,
    secureCookies: env.SECURE_COOKIES ? env.SECURE_COOKIES === "1" : publicUrl.startsWith("https:"),
    addressFrom: env.TRUST_PROXY === "1" ? "forwarded" : "socket",
    publicityFloorHours: env.PUBLICITY_FLOOR_HOURS,
  }),
});

const webRoot = resolve("web/dist");
const server = new Hono();
// The web app's pages and files carry the same security headers as the API (CSP, DENY framing).
// The API sets its own (api/app.ts): setting them twice on every answer cost a redemption ~1 %.
const pageHeaders = securityHeaders();
server.use("*", (c, next) => (c.req.path === "/api" || c.req.path.startsWith("/api/") ? next() : pageHeaders(c, next)));
server.route("/", api);
// An unknown API path is a JSON 404, never the app shell below.
server.all("/api", apiNotFound);
server.all("/api/*", apiNotFound);
if (existsSync(webRoot)) {
  const indexHtml = readFileSync(resolve(webRoot, "index.html"), "utf8");
  // Hashed build files never change under their name: a phone on rural 3G keeps them for a
  // year. Everything else (the app shell, the service worker, the manifest) is revalidated.
  server.use(
    "/*",
    serveStatic({
      root: "web/dist",
      onFound: (path, c) => c.header("cache-control", /\/assets\//.test(path) ? "public, max-age=31536000, immutable" : "no-cache"),
    }),
  );
  // Deep links (/c/…, /shop, /admin/…) fall back to the app shell.
  server.get("*", (c) => {
    c.header("cache-control", "no-cache");
    return c.html(indexHtml);
  });
}

// gzip for anything over 1 KB the client accepts compressed (scripts, styles, long lists).
// compress() judges the size by Content-Length, which a JSON answer made by c.json() lacks, so it
// used to gzip every answer, a ~500-byte receipt too: a zlib stream set up per answer and the
// answer piped through web streams, 0.8 ms of CPU per redemption (docs/bench.md). The app's
// answers now reach it through one step that gives a JSON answer its length; the short ones go
// out as they are, written straight from their string.
const served = new Hono();
served.use("*", compress());
served.all("*", async (c) => withLength(c.req.method, await server.fetch(c.req.raw, c.env)));

async function withLength(method: string, res: Response): Promise<Response> {
  if (method === "HEAD" || res.headers.has("content-length") || !/^application\/json\b/i.test(res.headers.get("content-type") ?? "")) return res;
  const text = await res.text();
  const headers = new Headers(res.headers);
  headers.set("content-length", String(Buffer.byteLength(text)));
  return new Response(text, { status: res.status, headers });
}

serve({ fetch: served.fetch, port: env.PORT }, (info) => {
  console.log(`Shuangfu is serving http://localhost:${info.port} (database ${env.DATABASE_URL})`);
});

// The daily full ledger pass sums its verified ranges on a second connection (db/side-reader.ts):
// the event loop, which serves the counters, is held for the rest of the pass only.
const sideReader = sideReaderFor(env.DATABASE_URL) ?? undefined;
// The same scheduled job as the worker's cron trigger (publicity close + automatic top-up), on a
// timer. It is idempotent, so a run that overlaps a restart or a manual top-up credits nothing
// twice; runs never overlap each other in this process.
let jobRunning = false;
const jobTimer = setInterval(async () => {
  if (jobRunning) return;
  jobRunning = true;
  try {
    const { toppedUp } = await runScheduledJobs(db, systemClock, { sideReader });
    if (toppedUp > 0) console.log(`Scheduled job: ${toppedUp} automatic top-up(s).`);
  } catch (err) {
    console.error("Scheduled job failed:", err);
  } finally {
    jobRunning = false;
  }
}, env.JOB_INTERVAL_SECONDS * 1000);
jobTimer.unref();
