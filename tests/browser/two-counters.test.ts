/**
 * Two counters, one household (issue 14, Tests): counter A loses the network and redeems a basket
 * for 王建国 from its pack; meanwhile counter B, online, with another clerk, spends the same
 * household's points at the same shop. When A is back online its queue syncs by itself and A sees
 * "booked, with a shortfall"; the admin's 离线差额 page lists the shortfall; the household's
 * balance is zero and never went below it, in the statement as in the ledger check.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { api, axeProblems, clerkWithPack, desktop, launchBrowser, newPage, pageErrors, screenshot, staffPassword, staffSignIn, startWorld, type World } from "./support";

describe("two counters spend the same household, one of them offline", () => {
  let world: World;
  let browser: Browser;
  /** 王建国 (XXL-0103): 20 points after the world's first round. */
  const h = 2;

  beforeAll(async () => {
    world = await startWorld();
    // pinThreshold is 20 in the world: 20 per offline redemption, 40 per device and pack.
    await api(world.target, "PATCH", "/community/settings", world.admin, { offlineWindowHours: 24, offlinePerRedemptionMax: 20, offlinePerDeviceMax: 40 });
    await api(world.target, "POST", "/users", world.admin, { username: "clerk2", password: staffPassword, name: "周店员", role: "clerk", shopId: world.shopId });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
  });

  const household = () => world.households[h];
  const balance = async () => (await api(world.target, "GET", `/households/${household().id}`, world.admin)).balance as number;

  async function scanCard(page: Page) {
    await page.fill("[data-testid=scan-input]", household().qr);
    await page.press("[data-testid=scan-input]", "Enter");
    await page.waitForSelector("[data-testid=customer]");
  }

  it("syncs A's offline basket with a shortfall once B has spent the points, lists it for the admin, and keeps the balance at zero", async () => {
    expect(await balance()).toBe(20);

    // Counter A signs in online: the service worker takes over and the pack comes down.
    const a = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const aErrors = pageErrors(a.page);
    await clerkWithPack(a.page);

    // Counter B: another clerk at the same shop, in another browser, online throughout.
    const b = await newPage(browser, world.target.baseUrl, "en", desktop);
    const bErrors = pageErrors(b.page);
    await staffSignIn(b.page, "clerk2");
    await b.page.goto("/shop");
    await b.page.waitForSelector("[data-testid=scan-input]");

    // A goes offline and redeems 大米 5斤 (15) for 王建国 from the pack, which says 20.
    await a.context.setOffline(true);
    await scanCard(a.page);
    await a.page.waitForSelector("[data-testid=offline-banner]");
    expect(await a.page.textContent("[data-testid=customer-balance]")).toBe("20");
    await a.page.click("[data-testid=goods-button]:has-text('大米 5斤')");
    await a.page.click("[data-testid=confirm]");
    await a.page.waitForSelector("[data-testid=receipt-offline]");
    expect(await a.page.textContent("[data-testid=receipt-offline]")).toMatch(/离线[\s\S]*临时编号 t-\w+-1/);
    await a.page.click("[data-testid=next-customer]");
    expect(await a.page.textContent("[data-testid=offline-waiting]")).toContain("1 笔等待同步");
    // Nothing has reached the server yet.
    expect(await balance()).toBe(20);

    // Meanwhile B, online, redeems 大米 5斤 (15) for the same household: 5 points are left.
    await scanCard(b.page);
    expect(await b.page.textContent("[data-testid=customer-balance]")).toBe("20");
    await b.page.click("[data-testid=goods-button]:has-text('大米 5斤')");
    await b.page.click("[data-testid=confirm]");
    await b.page.waitForSelector("[data-testid=receipt]");
    expect(await b.page.textContent("[data-testid=receipt-balance]")).toBe("5");
    expect(await b.page.locator("[data-testid=receipt-offline]").count()).toBe(0);
    await b.page.click("[data-testid=next-customer]");
    expect(await balance()).toBe(5);

    // A is back online: the queue syncs by itself. 5 points could be taken, 10 are short.
    await a.context.setOffline(false);
    await a.page.waitForSelector("[data-testid=offline-result][data-status=shortfall]", { timeout: 30_000 });
    expect(await a.page.locator("[data-testid=offline-result]").count()).toBe(1);
    expect(await a.page.textContent("[data-testid=offline-result]")).toMatch(/XXL-0103 · 15 · .+ · 已入账，小票 No\.\d+；余额不足，差额 10 分已交给管理员处理/);
    await a.page.waitForFunction(() => !document.querySelector("[data-testid=offline-banner]"));
    // A's shelf and the shop's day list now count the synced basket beside B's: two bags of rice
    // gone, two receipts.
    await a.page.waitForSelector("[data-testid=goods-button]:has-text('大米 5斤'):has-text('还有 18袋')");
    await a.page.waitForFunction(() => /今天共 2 笔，合计 30 分/.test(document.body.textContent ?? ""), undefined, { timeout: 10_000 }).catch(async (error) => {
      throw new Error(`${error}: ${await a.page.textContent("main")}`);
    });
    expect(await axeProblems(a.page)).toEqual([]);
    await screenshot(a.page, "counter-two-shortfall-zh-desktop");
    expect(await balance()).toBe(0);

    // B scans the card again: zero, not a negative number.
    await scanCard(b.page);
    expect(await b.page.textContent("[data-testid=customer-balance]")).toBe("0");

    // The admin's 离线差额 page lists the shortfall for this household.
    const admin = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const adminErrors = pageErrors(admin.page);
    await staffSignIn(admin.page, "admin", world.target.adminPassword);
    await admin.page.goto("/admin/shortfalls");
    await admin.page.waitForSelector("[data-testid=shortfall][data-kind=points]");
    expect(await admin.page.locator("[data-testid=shortfall][data-kind=points]").count()).toBe(1);
    const row = (await admin.page.textContent("[data-testid=shortfall][data-kind=points]")) ?? "";
    expect(row).toContain("积分差额");
    expect(row).toContain("10 分");
    expect(row).toContain("XXL-0103");
    // The rice was in stock for both baskets: no stock discrepancy.
    expect(await admin.page.locator("[data-testid=shortfall][data-kind=stock]").count()).toBe(0);
    expect(await axeProblems(admin.page)).toEqual([]);

    // The server agrees: one open shortfall of 10, both redemptions booked, the balance never below zero.
    const shortfalls = await api(world.target, "GET", "/redemptions/shortfalls", world.admin);
    expect(shortfalls.items.filter((s: { kind: string }) => s.kind === "points")).toEqual([
      expect.objectContaining({ kind: "points", amount: 10, household: expect.objectContaining({ id: household().id }) }),
    ]);
    const statement = await api(world.target, "GET", `/households/${household().id}/statement`, world.admin);
    expect(statement.closing).toBe(0);
    const after = statement.entries.map((e: { balanceAfter: number }) => e.balanceAfter);
    expect(Math.min(...after)).toBeGreaterThanOrEqual(0);
    expect(statement.entries.filter((e: { kind: string }) => e.kind === "redemption").map((e: { amount: number }) => e.amount).sort()).toEqual([-15, -5].sort());
    expect((await api(world.target, "GET", "/ledger/check", world.admin)).ok).toBe(true);

    expect(aErrors).toEqual([]);
    expect(bErrors).toEqual([]);
    expect(adminErrors).toEqual([]);
    await Promise.all([a.context.close(), b.context.close(), admin.context.close()]);
  }, 180_000);
});
