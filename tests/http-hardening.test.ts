/**
 * What a browser relies on, over real HTTP: security headers on every page and answer (CSP with
 * no inline script, no framing, nosniff, no referrer, images only from our origin), writes that
 * ride on the session cookie refused from another site whatever their content type, and unknown
 * API paths answered with the JSON 404, never the app shell.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuilt } from "./browser/support";
import { limits } from "../shared/limits";
import { createTestApp, testPassword, type TestApp } from "./support/harness";
import { startNodeTarget, targetPassword, type NodeTarget } from "../scripts/lib/server-target";
import { startWorkerTarget, type WorkerTarget } from "./support/worker-target";

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: string | null): Record<string, string[]> {
  expect(header, "Content-Security-Policy is set").toBeTruthy();
  return Object.fromEntries(
    header!
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name, values]),
  );
}

/** The headers every page and every answer must carry. */
function expectSecurityHeaders(res: Response, what: string) {
  const csp = directives(res.headers.get("content-security-policy"));
  expect(csp["script-src"], what).toEqual(["'self'"]);
  expect(csp["frame-ancestors"], what).toEqual(["'none'"]);
  expect(csp["img-src"], what).toEqual(["'self'", "data:", "blob:"]);
  expect(csp["object-src"], what).toEqual(["'none'"]);
  expect(res.headers.get("x-frame-options"), what).toBe("DENY");
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(res.headers.get("referrer-policy"), what).toBe("no-referrer");
}

describe("the Node server over HTTP", () => {
  let target: NodeTarget;
  beforeAll(async () => {
    await ensureWebBuilt();
    target = await startNodeTarget();
  }, 180_000);
  afterAll(() => target?.stop());

  const get = (path: string, init?: RequestInit) => fetch(`${target.baseUrl}${path}`, init);

  it("sends the security headers with the app's pages, its files, the API and the API's errors", async () => {
    const shell = await get("/");
    const html = await shell.text();
    const script = /<script[^>]*src="([^"]+)"/.exec(html)?.[1];
    expect(script, "the app shell loads its script from a file").toBeTruthy();
    const answers: Array<[string, Response]> = [
      ["/", shell],
      ["deep link /admin/households", await get("/admin/households")],
      ["the app's script", await get(script!)],
      ["the service worker", await get("/sw.js")],
      ["/api/health", await get("/api/health")],
      ["an API error", await get("/api/households")],
      ["/api/docs", await get("/api/docs")],
    ];
    for (const [what, res] of answers) {
      expect(res.status, what).toBeLessThan(500);
      expectSecurityHeaders(res, what);
    }
  });

  it("serves no inline script in the app shell or the docs page, so script-src 'self' breaks neither", async () => {
    for (const path of ["/", "/api/docs"]) {
      const html = await (await get(path)).text();
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
      expect(scripts.length, path).toBeGreaterThan(0);
      for (const [, attributes, body] of scripts) {
        expect(attributes, `${path}: every script has a src`).toMatch(/\bsrc=/);
        expect(body.trim(), `${path}: no inline code`).toBe("");
      }
      expect(html, `${path}: no inline event handlers`).not.toMatch(/\son[a-z]+\s*=/i);
    }
    const docsScript = await get("/api/docs.js");
    expect(docsScript.status).toBe(200);
    expect(docsScript.headers.get("content-type")).toMatch(/javascript/);
    expect(await docsScript.text()).toContain("/api/openapi.json");
  });

  it("answers unknown API paths with a JSON 404 in the error shape, never the app shell", async () => {
    for (const [method, path] of [
      ["GET", "/api/nope"],
      ["GET", "/api/households/x/nope"],
      ["POST", "/api/nope"],
      ["GET", "/api"],
    ] as const) {
      const res = await get(path, { method, headers: { "accept-language": "en" } });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get("content-type"), `${method} ${path}`).toMatch(/application\/json/);
      const body = await res.json();
      expect(body.error, `${method} ${path}`).toMatchObject({ code: "NOT_FOUND", message: "Not found." });
      expectSecurityHeaders(res, `${method} ${path}`);
    }
    // The app's own deep links still get the shell.
    const deep = await get("/admin/households");
    expect(deep.status).toBe(200);
    expect(deep.headers.get("content-type")).toMatch(/text\/html/);
  });

  it("refuses a body over the limit with 413 in the error shape, whether its length is declared or it comes chunked, and reads a chunked body within it", async () => {
    const login = (password: string) => JSON.stringify({ username: "admin", password });
    const chunked = (text: string) => {
      const bytes = new TextEncoder().encode(text);
      return new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 8192) controller.enqueue(bytes.slice(at, at + 8192));
          controller.close();
        },
      });
    };
    const post = (body: BodyInit, chunks: boolean) =>
      get("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body, ...(chunks ? { duplex: "half" } : {}) } as RequestInit);
    const oversized = login("x".repeat(limits.bodyBytesMax + 1));
    for (const [how, res] of [
      ["with content-length", await post(oversized, false)],
      ["chunked", await post(chunked(oversized), true)],
    ] as const) {
      expect(res.status, how).toBe(413);
      expect((await res.json()).error, how).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    }
    // Within the limit, both ways reach the route and its JSON.
    expect((await post(login(targetPassword), false)).status).toBe(200);
    expect((await post(chunked(login(targetPassword)), true)).status).toBe(200);
    expect((await post(chunked(login("wrong-password")), true)).status).toBe(401);
  });

  it("refuses a cookie-carrying JSON write from another origin with 403 CROSS_SITE, and lets the same write from our own origin through", async () => {
    const login = await target.call("POST", "/auth/login", { body: { username: "admin", password: targetPassword } });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    const shop = (origin: string, name: string) =>
      get("/api/shops", { method: "POST", headers: { cookie, origin, "content-type": "application/json" }, body: JSON.stringify({ name }) });

    const forged = await shop("https://evil.example", "伪造的商店");
    expect(forged.status).toBe(403);
    expect((await forged.json()).error.code).toBe("CROSS_SITE");
    const own = await shop(target.baseUrl, "双扶驿站");
    expect(own.status).toBe(201);
    const names = (await target.call("GET", "/shops", { token: login.body.token })).body.items.map((s: { name: string }) => s.name);
    expect(names).toContain("双扶驿站");
    expect(names).not.toContain("伪造的商店");
  });
});

describe("the worker in workerd, with the built web app as its static assets", () => {
  let target: WorkerTarget;
  beforeAll(async () => {
    await ensureWebBuilt();
    target = await startWorkerTarget({ assetsDir: resolve("web/dist") });
  }, 180_000);
  afterAll(() => target?.stop());

  it("sends the same security headers with the pages Cloudflare serves itself (web/dist/_headers) as with the API", async () => {
    const shell = await target.fetchPath("/", { headers: { accept: "text/html" } });
    const script = /<script[^>]*src="([^"]+)"/.exec(await shell.text())?.[1];
    const answers: Array<[string, Response]> = [
      ["/", shell],
      ["deep link /admin/households", await target.fetchPath("/admin/households", { headers: { accept: "text/html" } })],
      ["the app's script", await target.fetchPath(script!)],
      ["/api/health", await target.fetchPath("/api/health")],
      ["an unknown API path", await target.fetchPath("/api/nope")],
    ];
    for (const [what, res] of answers) expectSecurityHeaders(res, what);
    expect(answers[0][1].headers.get("content-security-policy")).toBe(answers[3][1].headers.get("content-security-policy"));
    // The rules file configures Cloudflare; it is not itself served.
    expect(await (await target.fetchPath("/_headers")).text()).not.toContain("content-security-policy");
  });
});

describe("writes that ride on the session cookie", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it("are refused from another origin or site with 403 CROSS_SITE in the error shape, for JSON as for forms, and change nothing", async () => {
    const c = await t.newCommunity("XSITE");
    const login = await t.call("POST", "/auth/login", { body: { username: "admin-xsite", password: testPassword } });
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    const rule = { category: "civility", title: "文明劝导", kind: "award", minPoints: 1, maxPoints: 5 };
    const attempts: Array<[string, Record<string, string>]> = [
      ["a foreign Origin", { origin: "https://evil.example" }],
      ["a look-alike Origin", { origin: "http://localhost:8787.evil.example" }],
      ["an opaque Origin (sandboxed frame)", { origin: "null" }],
      ["Sec-Fetch-Site: cross-site, no Origin", { "sec-fetch-site": "cross-site" }],
      ["Sec-Fetch-Site: same-site (another subdomain), no Origin", { "sec-fetch-site": "same-site" }],
    ];
    for (const [what, headers] of attempts) {
      // No route takes DELETE or PUT today; the check runs before routing, so a future one is covered.
      for (const method of ["POST", "PATCH", "PUT", "DELETE"]) {
        const res = await t.call(method, method === "POST" ? "/rules" : "/community/settings", { body: method === "POST" ? rule : { publicityDays: 7 }, headers: { cookie, "accept-language": "en", ...headers } });
        expect(res.status, `${method} with ${what}`).toBe(403);
        expect(res.body.error, `${method} with ${what}`).toMatchObject({ code: "CROSS_SITE", message: expect.stringContaining("another site") });
      }
    }
    const rules = await t.call("GET", "/rules", { token: c.tokens.admin });
    expect(rules.body.items.map((r: { title: string }) => r.title)).not.toContain("文明劝导");
    // Still signed in: the forged writes did not sign the admin out either.
    expect((await t.call("POST", "/auth/logout", { rawBody: "{}", headers: { cookie, origin: "https://evil.example", "content-type": "application/json" } })).status).toBe(403);
    expect((await t.call("GET", "/me", { headers: { cookie } })).status).toBe(200);
  });

  it("pass from our own origin, from PUBLIC_URL's origin, with Sec-Fetch-Site same-origin, or with no Origin at all", async () => {
    await t.newCommunity("OWN");
    const login = await t.call("POST", "/auth/login", { body: { username: "admin-own", password: testPassword } });
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    const cases: Array<[string, Record<string, string>]> = [
      ["the request's own origin", { origin: "http://localhost" }],
      ["PUBLIC_URL's origin (behind a proxy)", { origin: "http://localhost:8787" }],
      ["Sec-Fetch-Site: same-origin", { "sec-fetch-site": "same-origin" }],
      ["no Origin (a script, curl)", {}],
    ];
    for (const [i, [what, headers]] of cases.entries()) {
      const res = await t.call("POST", "/rules", { body: { category: "civility", title: `规则${i}`, kind: "award", minPoints: 1, maxPoints: 5 }, headers: { cookie, ...headers } });
      expect(res.status, what).toBe(201);
    }
  });

  it("do not concern bearer tokens, which a browser never attaches by itself: a foreign Origin with a token passes", async () => {
    const c = await t.newCommunity();
    const res = await t.call("POST", "/rules", {
      token: c.tokens.admin,
      body: { category: "civility", title: "令牌规则", kind: "award", minPoints: 1, maxPoints: 5 },
      headers: { origin: "https://tool.example" },
    });
    expect(res.status).toBe(201);
  });
});
