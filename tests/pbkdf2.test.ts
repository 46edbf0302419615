/**
 * PBKDF2 stays within Cloudflare Workers' cap: Workers refuse `deriveBits` above 100,000
 * iterations (in production only: `wrangler dev` and workerd do not enforce it, so this test
 * reads every hash the app writes). The last test runs hash + verify inside workerd itself.
 */
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decoyHash, hashSecret, verifySecret } from "../api/domain/crypto";
import { cards, users } from "../db/schema";
import { limits } from "../shared/limits";
import { createTestApp, type TestApp } from "./support/harness";

const workersPbkdf2IterationsMax = 100_000;

function iterationsOf(stored: string): number {
  const match = /^pbkdf2-sha256\$(\d+)\$[\w-]+\$[\w-]+$/.exec(stored);
  if (!match) throw new Error(`not a PBKDF2 hash the app writes: ${stored.slice(0, 20)}…`);
  return Number(match[1]);
}

describe("PBKDF2 iterations", () => {
  it("the configured count is within the Workers cap", () => {
    expect(limits.pbkdf2Iterations).toBeLessThanOrEqual(workersPbkdf2IterationsMax);
    expect(iterationsOf(decoyHash)).toBeLessThanOrEqual(workersPbkdf2IterationsMax);
  });

  it("hashSecret refuses more than the cap", async () => {
    await expect(hashSecret("correct-horse-battery", workersPbkdf2IterationsMax + 1)).rejects.toThrow(/cap/);
  });

  it("verifySecret rejects a stored hash above the cap instead of deriving it", async () => {
    const stored = await hashSecret("correct-horse-battery", 1_000);
    const [scheme, , salt, hash] = stored.split("$");
    expect(await verifySecret("correct-horse-battery", stored)).toBe(true);
    expect(await verifySecret("correct-horse-battery", `${scheme}$${workersPbkdf2IterationsMax + 1}$${salt}$${hash}`)).toBe(false);
  });
});

describe("every hash the app stores", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app?.close());

  it("uses at most 100,000 iterations (staff passwords, users created over HTTP, card PINs)", async () => {
    const community = await app.newCommunity();
    const created = await app.call("POST", "/users", {
      token: community.tokens.admin,
      body: { username: "pbkdf2-clerk", password: "another-long-password", name: "店员", role: "clerk", shopId: community.shopId },
    });
    expect(created.status).toBe(201);
    const household = await app.call("POST", "/households", {
      token: community.tokens.admin,
      body: { householdNo: "PB-001", headName: "王建国", building: "1", members: [{ name: "王建国" }] },
    });
    expect(household.status).toBe(201);
    const card = await app.call("POST", `/households/${household.body.id}/card`, { token: community.tokens.admin, body: { pin: "2468" } });
    expect(card.status).toBe(201);

    const passwords = await app.db.select({ hash: users.passwordHash }).from(users);
    const pins = await app.db.select({ hash: cards.pinHash }).from(cards);
    const hashes = [...passwords, ...pins].map((row) => row.hash);
    expect(passwords.length).toBeGreaterThanOrEqual(6);
    expect(pins.length).toBe(1);
    for (const stored of hashes) expect(iterationsOf(stored)).toBeLessThanOrEqual(workersPbkdf2IterationsMax);
  });
});

describe("PBKDF2 inside workerd", () => {
  it("hashes and verifies with api/domain/crypto.ts at the configured count", async () => {
    const bundle = await build({
      stdin: {
        contents: `
          import { hashSecret, verifySecret } from "./api/domain/crypto";
          export default {
            async fetch() {
              const started = Date.now();
              const stored = await hashSecret("correct-horse-battery");
              const ok = await verifySecret("correct-horse-battery", stored);
              const wrong = await verifySecret("wrong-horse-battery", stored);
              return Response.json({ stored, ok, wrong, ms: Date.now() - started });
            },
          };`,
        resolveDir: resolve("."),
        loader: "ts",
      },
      bundle: true,
      format: "esm",
      platform: "neutral",
      write: false,
    });
    const mf = new Miniflare({
      modules: true,
      script: bundle.outputFiles[0].text,
      compatibilityDate: "2026-04-20",
    });
    try {
      const res = await mf.dispatchFetch("http://worker/");
      const body = (await res.json()) as { stored: string; ok: boolean; wrong: boolean; ms: number };
      expect(res.status).toBe(200);
      expect(iterationsOf(body.stored)).toBe(limits.pbkdf2Iterations);
      expect(body.ok).toBe(true);
      expect(body.wrong).toBe(false);
      // A hash made in workerd verifies on Node too: one format for both runtimes.
      expect(await verifySecret("correct-horse-battery", body.stored)).toBe(true);
    } finally {
      await mf.dispose();
    }
  }, 60_000);
});
