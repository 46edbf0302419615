/**
 * The worker target: the REAL worker (`api/worker.ts`, bundled by wrangler from wrangler.toml,
 * static assets included) running in workerd on a fresh local D1 that the committed migrations
 * were applied to by `wrangler d1 migrations apply --local`, exactly as `npm run dev:edge` and
 * a deployment do. Offline: no account, no metrics, no network.
 */
import { execFile } from "node:child_process";
import { createClient } from "@libsql/client";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { freePort, httpCaller, targetPassword, waitForHealth, type Target } from "../../scripts/lib/server-target";

const run = promisify(execFile);

/** Keeps wrangler quiet and offline (STACK.md). */
export const offlineWranglerEnv = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
  WRANGLER_LOG: "warn",
} as const;

export const wranglerBin = resolve("node_modules/wrangler/bin/wrangler.js");

/** Runs the wrangler CLI offline; returns its output, or throws with it. */
export async function wrangler(args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout, stderr } = await run(process.execPath, [wranglerBin, ...args], {
      env: { ...process.env, ...offlineWranglerEnv },
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`wrangler ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}

/** How many migrations the local D1 under `persistDir` records as applied (wrangler's d1_migrations table). */
async function appliedMigrations(persistDir: string): Promise<number> {
  const dir = join(persistDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = existsSync(dir) ? readdirSync(dir).find((name) => name.endsWith(".sqlite") && name !== "metadata.sqlite") : undefined;
  if (!file) return 0;
  const client = createClient({ url: `file:${join(dir, file)}` });
  try {
    const rows = await client.execute("SELECT COUNT(*) AS n FROM d1_migrations");
    return Number(rows.rows[0]?.n ?? 0);
  } finally {
    client.close();
  }
}

/**
 * Applies db/migrations/*.sql to the local D1 kept under `persistDir`, and checks that every one
 * is recorded: in a full run on a loaded machine an apply was seen to stop part-way and still exit
 * 0 (the worker then failed to seed on a half-migrated database). What is left is applied again.
 */
export async function migrateLocalD1(persistDir: string): Promise<void> {
  const expected = readdirSync(resolve("db/migrations")).filter((name) => name.endsWith(".sql")).length;
  let output = "";
  for (let attempt = 1; attempt <= 3; attempt++) {
    output += await wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir]);
    const applied = await appliedMigrations(persistDir);
    if (applied === expected) return;
    output += `\nattempt ${attempt}: ${applied} of ${expected} migrations applied\n`;
  }
  throw new Error(`local D1 still has migrations to apply after 3 attempts:\n${output}`);
}

/** The built web app, or (before `npm run build:web`) a minimal stand-in with an app shell. */
export function assetsDirFor(dir: string): string | undefined {
  if (existsSync(resolve("web/dist/index.html"))) return undefined;
  const fixture = join(dir, "assets");
  mkdirSync(fixture, { recursive: true });
  writeFileSync(
    join(fixture, "index.html"),
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>双扶</title></head><body><div id="root"></div></body></html>\n',
  );
  return fixture;
}

export interface WorkerTarget extends Target {
  /** Fires the cron trigger, as Cloudflare does every 10 minutes. */
  scheduled(cron?: string): Promise<{ status: number; text: string }>;
  /** Fetches any path (assets, deep links), not only /api. */
  fetchPath(path: string, init?: RequestInit): Promise<Response>;
}

export interface WorkerTargetOptions {
  /** Extra variables (strings) for the worker, e.g. SEED_DEMO. */
  vars?: Record<string, string>;
  /** Static assets directory, instead of wrangler.toml's web/dist. */
  assetsDir?: string;
}

/** Starts the worker in workerd on a fresh, migrated local D1, seeded with `SEED_DEMO=0`. */
export async function startWorkerTarget(options: WorkerTargetOptions = {}): Promise<WorkerTarget> {
  Object.assign(process.env, offlineWranglerEnv);
  const dir = mkdtempSync(join(tmpdir(), "shuangfu-worker-"));
  const persist = join(dir, "state");
  await migrateLocalD1(persist);

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const vars: Record<string, string> = {
    SEED_DEMO: "0",
    SEED_PASSWORD: targetPassword,
    CARD_SIGNING_KEY: "worker-target-card-signing-key-0123456789",
    PUBLIC_URL: baseUrl,
    // Journeys open publicity windows of a few seconds.
    PUBLICITY_FLOOR_HOURS: "0",
    ...options.vars,
  };
  const { unstable_startWorker } = await import("wrangler");
  const worker = await unstable_startWorker({
    config: resolve("wrangler.toml"),
    bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: "plain_text", value }])),
    assets: options.assetsDir ?? assetsDirFor(dir),
    dev: {
      persist,
      server: { hostname: "127.0.0.1", port },
      inspector: false,
      watch: false,
      liveReload: false,
      logLevel: "warn",
      // Adds /__scheduled to the worker (Worker.scheduled() of wrangler 4.86 looks the worker up
      // in the wrong Miniflare instance and throws "worker not found").
      testScheduled: true,
    },
  });
  const stop = async () => {
    await worker.dispose();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await worker.ready;
    await waitForHealth(baseUrl, null);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return {
    name: "worker+d1",
    baseUrl,
    call: httpCaller(baseUrl),
    adminPassword: targetPassword,
    async scheduled(cron = "*/10 * * * *") {
      const res = await fetch(`${baseUrl}/__scheduled?cron=${encodeURIComponent(cron)}`);
      return { status: res.status, text: await res.text() };
    },
    fetchPath: (path, init) => fetch(`${baseUrl}${path}`, init),
    stop,
  };
}
