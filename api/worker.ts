/**
 * Cloudflare Workers entry point: the same Hono app as `api/node.ts`, on D1 (binding `DB`) or on
 * Turso (remote libSQL, when `LIBSQL_URL` is set), with the built web app served as Workers
 * static assets (see wrangler.toml) and the scheduled job on a cron trigger.
 *
 * Nothing here may reach Node-only code (`node:*`, `db/migrate-node.ts`): migrations are applied
 * by `wrangler d1 migrations apply` (D1) or from a machine with Node (Turso), never by the worker.
 * tests/worker.test.ts scans the bundle to keep it that way.
 */
import { createClient } from "@libsql/client/web";
import type { ExecutionContext } from "hono";
import { drizzle as drizzleLibsql } from "drizzle-orm/libsql/web";
import { schema, type Db } from "../db/client";
import { dbFromD1, type D1Binding } from "../db/d1";
import { seedIfEmpty, type SeedOptions } from "../seed/seed";
import { createApp } from "./app";
import { parseEnv, type Env as Settings } from "./process-env";
import { systemClock, type Clock } from "./domain/clock";
import { DomainError, violatedConstraint } from "./domain/errors";
import { runScheduledJobs } from "./domain/jobs";
import type { AppConfig } from "./http/app-types";
import { languageOf } from "./http/middleware/context";
import { errorBody } from "./http/middleware/errors";

/**
 * The few Workers runtime types this file needs, kept local: @cloudflare/workers-types would
 * redeclare `Request`, `Response` and friends for the whole project, where they clash with the
 * DOM types the web app is checked against.
 */
interface FetcherBinding {
  fetch(request: Request): Promise<Response>;
}
interface ScheduledController {
  readonly scheduledTime: number;
  readonly cron: string;
}

/** Bindings, variables and secrets (wrangler.toml lists them; docs/deploy.md sets them up). */
export interface WorkerEnv {
  /** D1 database; used unless LIBSQL_URL is set. */
  DB?: D1Binding;
  /** Turso: `libsql://<db>-<org>.turso.io`; when set, the worker uses it instead of D1. */
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
  /** Static assets of the web app (`[assets]` in wrangler.toml). */
  ASSETS?: FetcherBinding;
  /** Secret. Required: without it, card QR codes could be forged with the public dev key. */
  CARD_SIGNING_KEY?: string;
  PUBLIC_URL?: string;
  SEED_DEMO?: string;
  SEED_PASSWORD?: string;
  SEED_HOUSEHOLDS?: string;
  SECURE_COOKIES?: string;
}

let settingsCache: Settings | null = null;

/**
 * Parses the worker's environment with the same zod schema as Node, once per isolate (vars and
 * secrets only change with a new deployment, which starts new isolates).
 */
function settingsOf(env: WorkerEnv): Settings {
  if (settingsCache) return settingsCache;
  if (!env.CARD_SIGNING_KEY) {
    throw new Error("CARD_SIGNING_KEY is not set: run `wrangler secret put CARD_SIGNING_KEY` (see docs/deploy.md)");
  }
  settingsCache = parseEnv(env as unknown as Record<string, unknown>);
  return settingsCache;
}

const d1Cache = new WeakMap<object, Db>();
let libsqlCache: { url: string; db: Db } | null = null;

/**
 * The database chosen by configuration: Turso when LIBSQL_URL is set, else the D1 binding.
 * Both run `db.batch([...])` as one transaction, which is all the money path needs.
 */
export function databaseOf(env: WorkerEnv): Db {
  if (env.LIBSQL_URL) {
    if (libsqlCache?.url !== env.LIBSQL_URL) {
      const client = createClient({ url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN });
      libsqlCache = { url: env.LIBSQL_URL, db: drizzleLibsql(client, { schema }) };
    }
    return libsqlCache.db;
  }
  if (!env.DB) throw new Error("No database: bind a D1 database as DB or set LIBSQL_URL (see docs/deploy.md)");
  let db = d1Cache.get(env.DB);
  if (!db) {
    db = dbFromD1(env.DB);
    d1Cache.set(env.DB, db);
  }
  return db;
}

/** PUBLIC_URL, or else the origin the request came in on (local dev, first deploy). */
function publicUrlOf(env: WorkerEnv, request: Request): string {
  return (env.PUBLIC_URL ?? new URL(request.url).origin).replace(/\/+$/, "");
}

function configOf(env: WorkerEnv): AppConfig {
  const settings = settingsOf(env);
  const publicUrl = env.PUBLIC_URL ?? "http://localhost";
  return {
    publicUrl,
    cardSigningKey: settings.CARD_SIGNING_KEY,
    secureCookies: settings.SECURE_COOKIES ? settings.SECURE_COOKIES === "1" : publicUrl.startsWith("https:"),
    addressFrom: "cloudflare",
    publicityFloorHours: settings.PUBLICITY_FLOOR_HOURS,
  };
}

const app = createApp({
  db: (env) => databaseOf(env as WorkerEnv),
  clock: systemClock,
  config: (env) => configOf(env as WorkerEnv),
});

/**
 * `seedIfEmpty`, safe when several isolates start on an empty database at once: each may find
 * it empty, but `communities.code` is UNIQUE, so only one seed batch commits and the others fail
 * on that constraint, which means another isolate won. Returns whether this call seeded.
 */
export async function seedIfEmptyOnce(db: Db, clock: Clock, options: SeedOptions): Promise<boolean> {
  try {
    return await seedIfEmpty(db, clock, options);
  } catch (err) {
    // createCommunity answers the taken code as DUPLICATE; a raw constraint error means the same.
    if (violatedConstraint(err) === "communities.code" || (err instanceof DomainError && err.code === "DUPLICATE")) return false;
    throw err;
  }
}

let seeding: Promise<unknown> | null = null;

/** Seeds an empty database once per isolate; a failure is retried by the next request. */
function ensureSeeded(env: WorkerEnv, publicUrl: string): Promise<unknown> {
  seeding ??= Promise.resolve()
    .then(() => {
      const settings = settingsOf(env);
      return seedIfEmptyOnce(databaseOf(env), systemClock, {
        demo: settings.SEED_DEMO === "1",
        password: settings.SEED_PASSWORD,
        households: settings.SEED_HOUSEHOLDS,
        publicUrl,
        cardSigningKey: settings.CARD_SIGNING_KEY,
      });
    })
    .catch((err) => {
      seeding = null;
      throw err;
    });
  return seeding;
}

async function fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  if (!url.pathname.startsWith("/api/") && url.pathname !== "/api") {
    // wrangler.toml sends only /api/* to the worker first; anything else that still arrives
    // here (no assets bound) goes to the assets, which fall back to the app shell.
    return env.ASSETS ? env.ASSETS.fetch(request) : new Response("Not found", { status: 404 });
  }
  const publicUrl = publicUrlOf(env, request);
  try {
    await ensureSeeded(env, publicUrl);
  } catch (err) {
    console.error("seeding failed", err);
    const lang = languageOf(request.headers.get("accept-language") ?? undefined);
    return Response.json(errorBody("INTERNAL", lang), { status: 500 });
  }
  return app.fetch(request, { ...env, PUBLIC_URL: publicUrl }, ctx);
}

async function scheduled(_controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
  const job = runScheduledJobs(databaseOf(env), systemClock).then((result) => {
    console.log(`scheduled jobs: ${result.toppedUp} top-up(s)`);
  });
  ctx.waitUntil(job);
  await job;
}

export default { fetch, scheduled };
