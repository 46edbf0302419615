/**
 * 结算 in real Chromium (issue 12 item 1): the admin sees the shop's unsettled points, drafts a
 * statement, reviews its lines, confirms it, records the payment, opens the printable A4 sheet
 * (signature lines, no app chrome on paper); the clerk sees its own shop's statement. Every page
 * fails the test on an uncaught page error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { api, cardPin, desktop, launchBrowser, newPage, screenshot, staffSignIn, startWorld, type World } from "./support";

describe("the admin's settlement with a shop", () => {
  let world: World;
  let browser: Browser;

  beforeAll(async () => {
    world = await startWorld();
    const [h0] = world.households;
    // Two redemptions at the shop: 2 × rice (30) and 1 × soap (5).
    for (const items of [[{ goodsId: world.goods.rice.id, quantity: 2 }], [{ goodsId: world.goods.soap.id, quantity: 1 }]]) {
      await api(world.target, "POST", "/redemptions", world.clerk, { qr: h0.qr, pin: cardPin, items }, { "idempotency-key": crypto.randomUUID() });
    }
    await api(world.target, "PATCH", `/shops/${world.shopId}`, world.admin, { pointValueFen: 90 });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
  });

  it("drafts, reviews, confirms and pays a statement; prints it; the clerk sees it", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await staffSignIn(page, "admin", world.target.adminPassword);
    await page.goto("/admin/settlements");
    const row = page.locator(`[data-testid=settle-shop][data-shop-id="${world.shopId}"]`);
    await row.waitFor();
    expect(await row.locator("[data-testid=settle-unsettled]").textContent()).toContain("35");
    expect(await row.textContent()).toContain("0.90");

    await row.locator("[data-testid=settle-draft]").click();
    await page.getByRole("link", { name: "核对明细", exact: true }).click();
    const statement = page.locator("[data-testid=settle-statement]");
    await statement.waitFor();
    expect(await statement.getAttribute("data-status")).toBe("draft");
    expect(await page.locator("[data-testid=settle-line]").count()).toBe(2);
    expect(await page.textContent("[data-testid=settle-total]")).toContain("35");
    expect(await page.textContent("[data-testid=settle-amount]")).toContain("31.50");
    await screenshot(page, "admin-settlement-draft");

    await page.click("[data-testid=settle-confirm]");
    await page.waitForSelector("[data-testid=settle-statement][data-status=confirmed]");
    await page.fill("[data-testid=settle-reference]", "农商行转账 20261102-001");
    await page.click("[data-testid=settle-pay]");
    await page.waitForSelector("[data-testid=settle-statement][data-status=paid]");
    expect(await statement.textContent()).toContain("农商行转账 20261102-001");
    const check = await api(world.target, "GET", "/ledger/check", world.admin);
    expect(check).toMatchObject({ ok: true, settled: 35, unsettled: 0 });

    const href = await page.getAttribute("[data-testid=settle-xlsx]", "href");
    expect(href).toMatch(/^\/api\/settlements\/[A-Za-z0-9_-]+\.xlsx$/);
    const download = await page.request.get(`${world.target.baseUrl}${href}`);
    expect(download.status()).toBe(200);
    expect(download.headers()["content-type"]).toContain("spreadsheetml");

    await page.click("[data-testid=settle-print]");
    const paper = page.locator("[data-testid=settle-paper]");
    await paper.waitFor();
    expect(await paper.textContent()).toContain("双扶驿站便民超市");
    const signatures = await page.textContent("[data-testid=paper-signatures]");
    for (const line of ["商户签字", "站点签字", "日期"]) expect(signatures).toContain(line);
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("nav").first().isVisible()).toBe(false);
    expect(await paper.isVisible()).toBe(true);
    await page.emulateMedia({ media: "screen" });
    await screenshot(page, "admin-settlement-print");
    expect(errors).toEqual([]);
    await context.close();

    // The shop's clerk sees its own shop's statement at the counter.
    const clerk = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const clerkErrors: string[] = [];
    clerk.page.on("pageerror", (err) => clerkErrors.push(err.message));
    await staffSignIn(clerk.page, "clerk");
    await clerk.page.goto("/shop");
    await clerk.page.click("[data-testid=clerk-statements-toggle]");
    const mine = clerk.page.locator("[data-testid=clerk-statement]");
    await mine.first().waitFor();
    expect(await mine.count()).toBe(1);
    expect(await mine.first().getAttribute("data-status")).toBe("paid");
    expect(await mine.first().textContent()).toContain("31.50");
    expect(clerkErrors).toEqual([]);
    await clerk.context.close();
  }, 120_000);
});
