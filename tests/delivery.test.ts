/**
 * What a phone on a weak network downloads (issue 13, delivery): compressed scripts and styles,
 * hashed files cached for a year, the app shell revalidated, long API answers compressed and
 * short ones not, and a robots.txt.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuilt } from "./browser/support";
import { startNodeTarget, type NodeTarget } from "../scripts/lib/server-target";

let server: NodeTarget;
beforeAll(async () => {
  await ensureWebBuilt();
  server = await startNodeTarget();
}, 180_000);
afterAll(() => server?.stop());

async function assetPaths(): Promise<string[]> {
  const html = await (await fetch(`${server.baseUrl}/`)).text();
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
}

describe("static delivery on Node", () => {
  it("sends the app's scripts gzip-compressed and cached for a year under their hashed names", async () => {
    const paths = await assetPaths();
    const script = paths.find((p) => p.endsWith(".js"));
    expect(script, "the app shell links a script under /assets/").toBeDefined();
    const res = await fetch(`${server.baseUrl}${script}`, { headers: { "accept-encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await res.text()).length).toBeGreaterThan(0);
  });

  it("gzips a long API answer and sends a short one as it is, with its length", async () => {
    const long = await fetch(`${server.baseUrl}/api/openapi.json`, { headers: { "accept-encoding": "gzip" } });
    expect(long.status).toBe(200);
    expect(long.headers.get("content-encoding")).toBe("gzip");
    expect(long.headers.get("vary")).toMatch(/accept-encoding/i);
    expect((await long.json()).paths["/redemptions"]).toBeDefined();

    // A receipt-sized answer: gzip would save nothing a phone notices and cost the server a
    // zlib stream per answer.
    const short = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: "POST",
      headers: { "accept-encoding": "gzip", "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "wrong-password" }),
    });
    expect(short.status).toBe(401);
    expect(short.headers.get("content-encoding")).toBeNull();
    const text = await short.text();
    expect(Number(short.headers.get("content-length"))).toBe(new TextEncoder().encode(text).length);
    expect(JSON.parse(text).error.code).toBeTruthy();
  });

  it("revalidates the app shell on every visit, deep links included", async () => {
    for (const path of ["/", "/shop", "/admin/households"]) {
      const res = await fetch(`${server.baseUrl}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-cache");
    }
  });

  it("answers robots.txt asking search engines to stay out", async () => {
    const res = await fetch(`${server.baseUrl}/robots.txt`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/User-agent: \*\s+Disallow: \//);
  });
});
