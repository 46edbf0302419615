/**
 * The worker itself: its bundle (built as `wrangler deploy` builds it), what only the worker
 * does (static assets and the app-shell fallback, the cron trigger, seeding on first request,
 * choosing the database) and the D1 money path's error mapping. The seven procedures run on it
 * in tests/journey.test.ts, against both targets.
 */
import { createClient } from "@libsql/client";
import { migrate } from "drizzle-orm/libsql/migrator";
import { builtinModules } from "node:module";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker, { databaseOf, seedIfEmptyOnce } from "../api/worker";
import { systemClock } from "../api/domain/clock";
import { dbFromLibsql } from "../db/client";
import { migrationsFolder } from "../db/migrate-node";
import { communities, users } from "../db/schema";
import { targetPassword } from "../scripts/lib/server-target";
import { assetsDirFor, startWorkerTarget, wrangler, type WorkerTarget } from "./support/worker-target";

/** Every module specifier the bundle imports or requires. */
function importedModules(code: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\bimport\s*(?:[\w*{}\s,$]+\s*from\s*)?["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\bexport\s*[\w*{}\s,$]*\s*from\s*["']([^"']+)["']/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.add(match[1]);
  return [...found];
}

const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

describe("the worker bundle", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "shuangfu-bundle-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("builds with `wrangler deploy --dry-run` and imports no Node module", async () => {
    const assets = assetsDirFor(dir);
    const out = join(dir, "out");
    await wrangler(["deploy", "--dry-run", "--outdir", out, ...(assets ? ["--assets", assets] : [])], 120_000);
    const bundle = join(out, "worker.js");
    expect(existsSync(bundle)).toBe(true);
    const code = readFileSync(bundle, "utf8");
    const nodeImports = importedModules(code).filter((name) => name.startsWith("node:") || nodeBuiltins.has(name));
    expect(nodeImports).toEqual([]);
    // Node-only code of ours must not be reachable either (drizzle's file migrator, the CLI seeder).
    expect(code).not.toContain("migrationsFolder");
    expect(code).not.toContain("readMigrationFiles");
    // Workers' limit is 3 MiB gzipped on the free plan; we stay far below it (docs/edge.md).
    expect(statSync(bundle).size).toBeLessThan(3 * 1024 * 1024);
  }, 120_000);
});

describe("the worker in workerd on local D1", () => {
  let target: WorkerTarget;
  let adminToken: string;
  beforeAll(async () => {
    target = await startWorkerTarget();
    const login = await target.call("POST", "/auth/login", { body: { username: "admin", password: targetPassword } });
    expect(login.status).toBe(200);
    adminToken = login.body.token;
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  });

  it("answers health", async () => {
    const res = await target.call("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });

  it("serves the generated OpenAPI document", async () => {
    const res = await target.call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(["/auth/login", "/households", "/redemptions"]));
  });

  it("serves the app shell for a deep link", async () => {
    for (const path of ["/", "/admin/households/some-id", "/c/SF-0001.1.signature"]) {
      const res = await target.fetchPath(path, { headers: { accept: "text/html" } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(/text\/html/);
      expect(await res.text(), path).toContain('<div id="root">');
    }
  });

  it("answers an unknown API path with the JSON error shape, never the app shell", async () => {
    const res = await target.call("GET", "/no-such-thing");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
  });

  it("seeded only the community and its admin (SEED_DEMO=0), with SEED_PASSWORD", async () => {
    const me = await target.call("GET", "/me", { token: adminToken });
    expect(me.status).toBe(200);
    const households = await target.call("GET", "/households", { token: adminToken });
    expect(households.status).toBe(200);
    expect(households.body.items).toEqual([]);
    const wrong = await target.call("POST", "/auth/login", { body: { username: "admin", password: "not-the-password" } });
    expect(wrong.status).toBe(401);
  });

  it("maps D1's constraint errors to the same domain errors as libSQL", async () => {
    const shop = await target.call("POST", "/shops", { token: adminToken, body: { name: "驿站超市" } });
    expect(shop.status).toBe(201);
    const clerk = await target.call("POST", "/users", {
      token: adminToken,
      body: { username: "clerk-d1", password: "clerk-password-d1", name: "店员", role: "clerk", shopId: shop.body.id },
    });
    expect(clerk.status).toBe(201);
    const goods = await target.call("POST", "/goods", {
      token: adminToken,
      body: { shopId: shop.body.id, name: "洗衣粉", points: 10, stock: 5, unit: "袋" },
    });
    expect(goods.status).toBe(201);
    const household = { householdNo: "D1-001", headName: "王建国", building: "1", members: [{ name: "王建国" }] };
    const created = await target.call("POST", "/households", { token: adminToken, body: household });
    expect(created.status).toBe(201);

    // UNIQUE (households.household_no) → 409.
    const duplicate = await target.call("POST", "/households", { token: adminToken, body: household });
    expect(duplicate.status).toBe(409);

    // CHECK (balance >= 0) inside one D1 batch → INSUFFICIENT_POINTS, and nothing of it stays.
    const card = await target.call("POST", `/households/${created.body.id}/card`, { token: adminToken, body: { pin: "2468" } });
    expect(card.status).toBe(201);
    const clerkLogin = await target.call("POST", "/auth/login", { body: { username: "clerk-d1", password: "clerk-password-d1" } });
    const redemption = await target.call("POST", "/redemptions", {
      token: clerkLogin.body.token,
      headers: { "idempotency-key": "d1-insufficient-1" },
      body: { qr: card.body.qr, items: [{ goodsId: goods.body.id, quantity: 1 }] },
    });
    expect(redemption.status).toBe(409);
    expect(redemption.body.error.code).toBe("INSUFFICIENT_POINTS");
    const stock = await target.call("GET", "/goods", { token: adminToken });
    expect(stock.body.items.find((g: { id: string }) => g.id === goods.body.id).stock).toBe(5);

    const check = await target.call("GET", "/ledger/check", { token: adminToken });
    expect(check.status).toBe(200);
    expect(check.body.ok).toBe(true);
  });

  it("lets exactly one of eight simultaneous creations of the same household win, the rest 409", async () => {
    const body = { householdNo: "D1-RACE", headName: "李秀英", building: "2", members: [{ name: "李秀英" }] };
    const answers = await Promise.all(Array.from({ length: 8 }, () => target.call("POST", "/households", { token: adminToken, body })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const listed = await target.call("GET", "/households?q=D1-RACE", { token: adminToken });
    expect(listed.body.items).toHaveLength(1);
    const check = await target.call("GET", "/ledger/check", { token: adminToken });
    expect(check.body.ok).toBe(true);
  });

  it("runs the scheduled handler, and running it again changes nothing", async () => {
    const first = await target.scheduled();
    expect(first.status).toBe(200);
    const second = await target.scheduled();
    expect(second.status).toBe(200);
    const check = await target.call("GET", "/ledger/check", { token: adminToken });
    expect(check.body.ok).toBe(true);
  });
});

describe("worker entry, on Node", () => {
  it("seeds once when two isolates find the database empty at the same time", async () => {
    const client = createClient({ url: ":memory:" });
    const db = dbFromLibsql(client);
    await migrate(db, { migrationsFolder });
    const options = { demo: false, password: "seed-password-0123", households: 0, publicUrl: "http://localhost", cardSigningKey: "k".repeat(32) };
    // Both read "empty" before either writes (hashing the admin password takes a while); the
    // loser's batch then fails on communities.code and counts as "someone else seeded".
    const results = await Promise.all([seedIfEmptyOnce(db, systemClock, options), seedIfEmptyOnce(db, systemClock, options)]);
    expect(results.sort()).toEqual([false, true]);
    expect(await db.select().from(communities)).toHaveLength(1);
    expect(await db.select().from(users)).toHaveLength(1);
    client.close();
  });

  it("refuses to serve without CARD_SIGNING_KEY, with the one error shape", async () => {
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} };
    const res = await worker.fetch(new Request("https://example.org/api/health"), { DB: undefined }, ctx);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INTERNAL");
  });

  it("uses Turso when LIBSQL_URL is set, even with a D1 binding", () => {
    const d1 = { prepare: () => ({ bind: () => ({}) }), batch: async () => [] } as never;
    const turso = databaseOf({ DB: d1, LIBSQL_URL: "https://shuangfu-example.turso.io", LIBSQL_AUTH_TOKEN: "token" });
    const onD1 = databaseOf({ DB: d1 });
    expect(turso).not.toBe(onD1);
    // @libsql/client/web speaks Hrana over HTTP to Turso (no WebSockets, no native code).
    expect((turso as unknown as { $client: { protocol: string } }).$client.protocol).toBe("http");
  });
});
