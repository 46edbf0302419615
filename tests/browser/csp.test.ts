/**
 * The Content-Security-Policy in a real browser (issue 9): every page of every role runs under it
 * without a single violation (no inline script, no foreign source), and it does what it is for:
 * an evidence "photo" that points at another site (a tracking pixel planted for the reviewer) is
 * never fetched, while evidence photos sent as data URLs still show.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { api, cardPin, desktop, launchBrowser, newPage, staffSignIn, startWorld, type World } from "./support";

/** Console lines in which Chromium reports a CSP violation, and every request that went to another host. */
function watch(page: Page, baseUrl: string) {
  const violations: string[] = [];
  const foreignRequests: string[] = [];
  const blockedByCsp: string[] = [];
  const errors: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
  // A request the CSP refuses still shows up, as failed with a "csp" reason: it never left the
  // browser. Anything else that ends (answered, or failed on the network) went out.
  const foreign = (url: string) => !/^(data|blob):/.test(url) && new URL(url).origin !== new URL(baseUrl).origin;
  page.on("requestfinished", (request) => {
    if (foreign(request.url())) foreignRequests.push(request.url());
  });
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "";
    if (/csp/i.test(reason)) blockedByCsp.push(request.url());
    else if (foreign(request.url())) foreignRequests.push(`${request.url()} (${reason})`);
  });
  return { violations, foreignRequests, blockedByCsp, errors };
}

/** Waits for the page to settle: its data loaded, its lazy chunks in. */
async function visit(page: Page, path: string) {
  await page.goto(path);
  await page.waitForLoadState("networkidle");
}

describe("the Content-Security-Policy in Chromium", () => {
  let world: World;
  let browser: Browser;
  const pixel = "https://tracker.example/pixel.png";
  const photo =
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

  beforeAll(async () => {
    world = await startWorld();
    // A resident's application whose evidence is a photo and a "photo" hosted elsewhere.
    const resident = (await api(world.target, "POST", "/auth/card-login", undefined, { cardNo: world.households[2].cardNo, pin: cardPin })).token;
    await api(world.target, "POST", "/applications", resident, {
      householdId: world.households[2].id,
      ruleId: world.rules.help.id,
      description: "帮邻居搬家",
      evidence: [photo, pixel],
    });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
  });

  it("runs every role's pages and the API docs without a violation or a request to another site", async () => {
    const pagesOf: Array<[string | null, string[]]> = [
      [null, ["/", "/board", "/login", "/staff", "/api/docs"]],
      ["admin", ["/admin/", "/admin/households", "/admin/rules", "/admin/notices", "/admin/publicity", "/admin/topups", "/admin/goods", "/admin/users", "/admin/settings", "/admin/audit"]],
      ["volunteer", ["/volunteer"]],
      ["clerk", ["/shop"]],
    ];
    for (const [username, paths] of pagesOf) {
      const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
      const seen = watch(page, world.target.baseUrl);
      if (username) await staffSignIn(page, username, username === "admin" ? world.target.adminPassword : undefined);
      for (const path of paths) await visit(page, path);
      // The docs page builds its list with its (served) script: proof that it ran.
      if (!username) expect(await page.locator("#ops .op").count(), "/api/docs rendered").toBeGreaterThan(5);
      expect(seen.violations, username ?? "anonymous").toEqual([]);
      expect(seen.foreignRequests, username ?? "anonymous").toEqual([]);
      expect(seen.errors, username ?? "anonymous").toEqual([]);
      await context.close();
    }

    // A resident on the phone: home with the card's QR, history, applications, goods, ranking.
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh");
    const seen = watch(page, world.target.baseUrl);
    await page.goto(new URL(world.households[0].qr).pathname);
    await page.fill("#pin", cardPin);
    await page.click("button[type=submit]");
    await page.waitForURL("**/me");
    for (const path of ["/me", "/me/history", "/me/applications", "/me/notices", "/me/apply", "/me/goods", "/me/ranking"]) await visit(page, path);
    expect(seen.violations).toEqual([]);
    expect(seen.foreignRequests).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  }, 180_000);

  it("never fetches evidence from another site (the CSP refuses it) and still shows photos sent as data URLs", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const seen = watch(page, world.target.baseUrl);
    await staffSignIn(page, "reviewer");
    await visit(page, "/review");
    const shown = page.locator('img[src^="data:image/png"]').first();
    await shown.waitFor();
    expect(await shown.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(seen.foreignRequests).toEqual([]);
    expect(seen.blockedByCsp).toContain(pixel);
    expect(seen.violations.some((line) => line.includes(pixel)), `a violation names ${pixel}`).toBe(true);
    await context.close();
  }, 120_000);
});
