/**
 * The offline counter in real Chromium (issue 14): the clerk signs in online (the pack comes
 * down), the network goes (`context.setOffline(true)`), three baskets for two households are
 * redeemed from the pack and queued, a fourth over the cap is refused, a reload while still
 * offline keeps the queue, and back online the queue syncs by itself. Meanwhile a second counter
 * spends one household's points online, so its offline basket syncs with a shortfall: listed for
 * the admin, the balance zero, never negative.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { api, axeProblems, clerkWithPack, cardPin, desktop, launchBrowser, newPage, screenshot, staffSignIn, startWorld, type World } from "./support";

describe("the counter offline", () => {
  let world: World;
  let browser: Browser;

  beforeAll(async () => {
    world = await startWorld();
    // pinThreshold is 20 in the world: 20 per offline redemption, 40 per device and pack.
    await api(world.target, "PATCH", "/community/settings", world.admin, { offlineWindowHours: 24, offlinePerRedemptionMax: 20, offlinePerDeviceMax: 40 });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
  });

  const balanceOf = async (i: number) => (await api(world.target, "GET", `/households/${world.households[i].id}`, world.admin)).balance as number;

  async function scan(page: Page, i: number) {
    await page.fill("[data-testid=scan-input]", world.households[i].qr);
    await page.press("[data-testid=scan-input]", "Enter");
    await page.waitForSelector("[data-testid=customer]");
  }

  async function addGoods(page: Page, name: string, times = 1) {
    for (let n = 0; n < times; n++) await page.click(`[data-testid=goods-button]:has-text('${name}')`);
  }

  /** Confirms the basket offline: the receipt says 离线 with its provisional number. */
  async function confirmOffline(page: Page): Promise<string> {
    await page.click("[data-testid=confirm]");
    await page.waitForSelector("[data-testid=receipt-offline]");
    const text = (await page.textContent("[data-testid=receipt-offline]")) ?? "";
    await page.click("[data-testid=next-customer]");
    await page.waitForSelector("[data-testid=scan-input]");
    return text;
  }

  it("redeems from the pack while offline, keeps the queue through a reload, and syncs it when back online", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    const [h0, h1] = [await balanceOf(0), await balanceOf(1)];
    expect([h0, h1]).toEqual([50, 30]);

    // Online: sign in; the service worker takes over so the app opens offline; the pack comes down.
    await clerkWithPack(page);
    expect(await page.locator("[data-testid=offline-banner]").count()).toBe(0);

    await context.setOffline(true);
    // Household 0: 香皂 ×2 = 10, from the pack's balance of 50.
    await scan(page, 0);
    await page.waitForSelector("[data-testid=offline-banner]");
    expect(await page.textContent("[data-testid=offline-banner]")).toContain("离线收银中");
    expect(await page.textContent("[data-testid=customer-balance]")).toBe("50");
    expect(await page.textContent("[data-testid=customer]")).toContain("张*华");
    await addGoods(page, "香皂", 2);
    const first = await confirmOffline(page);
    expect(first).toMatch(/离线[\s\S]*临时编号 t-\w+-1/);
    // Household 1: 大米 5斤 = 15 of its 30.
    await scan(page, 1);
    await addGoods(page, "大米 5斤");
    expect(await confirmOffline(page)).toMatch(/临时编号 t-\w+-2/);
    // Household 0 again: the balance shown is the pack's less this device's spend.
    await scan(page, 0);
    expect(await page.textContent("[data-testid=customer-balance]")).toBe("40");
    await addGoods(page, "香皂");
    expect(await confirmOffline(page)).toMatch(/临时编号 t-\w+-3/);
    expect(await page.textContent("[data-testid=offline-banner]")).toMatch(/本机离线额度还剩 10 分[\s\S]*3 笔等待同步/);

    // A fourth basket: 15 points over the device's 10 left → refused; 30 points over the 20 per redemption → refused.
    await scan(page, 1);
    await addGoods(page, "大米 5斤");
    await page.click("[data-testid=confirm]");
    await page.waitForSelector("[data-testid=customer] .error");
    expect(await page.textContent("[data-testid=customer] .error")).toContain("本机离线额度只剩 10 分");
    await page.click("[data-testid=counter-bar] .cancel");
    await scan(page, 0);
    await addGoods(page, "食用油");
    await page.click("[data-testid=confirm]");
    await page.waitForSelector("[data-testid=customer] .error");
    expect(await page.textContent("[data-testid=customer] .error")).toContain("离线时每笔最多兑换 20 分");
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "counter-offline-zh-desktop");
    await page.click("[data-testid=counter-bar] .cancel");

    // Reload while still offline: the app opens from the service worker, the queue from IndexedDB.
    await page.reload();
    await page.waitForSelector("[data-testid=offline-banner] [data-testid=offline-waiting]", { timeout: 20_000 });
    expect(await page.textContent("[data-testid=offline-waiting]")).toContain("3 笔等待同步");

    // Meanwhile a second counter spends all of household 1's points online.
    await api(world.target, "POST", "/redemptions", world.clerk, { qr: world.households[1].qr, items: [{ goodsId: world.goods.oil.id, quantity: 1 }], pin: cardPin }, { "idempotency-key": `second-counter-${Date.now()}` });
    expect(await balanceOf(1)).toBe(0);

    // Back online: the queue drains by itself, in order, and each answer is shown.
    await context.setOffline(false);
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=offline-result]").length === 3, undefined, { timeout: 30_000 });
    const statuses = await page.locator("[data-testid=offline-result]").evaluateAll((items) => items.map((li) => li.getAttribute("data-status")));
    expect(statuses.sort()).toEqual(["accepted", "accepted", "shortfall"]);
    expect(await page.textContent("[data-testid=offline-results]")).toContain("差额 15 分");
    await page.waitForFunction(() => !document.querySelector("[data-testid=offline-banner]"));
    await screenshot(page, "counter-offline-synced-zh-desktop");

    expect(await balanceOf(0)).toBe(35);
    expect(await balanceOf(1)).toBe(0);
    const shortfalls = await api(world.target, "GET", "/redemptions/shortfalls", world.admin);
    expect(shortfalls.items).toContainEqual(expect.objectContaining({ kind: "points", amount: 15, household: expect.objectContaining({ id: world.households[1].id }) }));
    const check = await api(world.target, "GET", "/ledger/check", world.admin);
    expect(check.ok).toBe(true);

    // Opening the counter again sends nothing twice: the synced entries keep their answers.
    const count = (await api(world.target, "GET", "/redemptions", world.admin)).items.length;
    await page.reload();
    await page.waitForSelector("[data-testid=scan-input]");
    await page.waitForTimeout(1000);
    expect((await api(world.target, "GET", "/redemptions", world.admin)).items.length).toBe(count);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it("shows the admin the shortfall, resolved by writing it off", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    await staffSignIn(page, "admin", world.target.adminPassword);
    await page.goto("/admin/shortfalls");
    await page.waitForSelector("[data-testid=shortfall][data-kind=points]");
    expect(await page.textContent("[data-testid=shortfall][data-kind=points]")).toContain("15 分");
    await page.fill("[data-testid=shortfall][data-kind=points] [data-testid=shortfall-note]", "社区承担");
    await page.click("[data-testid=shortfall][data-kind=points] [data-testid=shortfall-write-off]");
    await page.waitForSelector("text=已处理。");
    await page.waitForFunction(() => !document.querySelector("[data-testid=shortfall][data-kind=points]"));
    expect(await axeProblems(page)).toEqual([]);
    expect(await balanceOf(1)).toBe(0);
    await context.close();
  }, 120_000);

  it("works like a till: a barcode scan or pinyin initials find goods, quantities are typed, and the basket survives a reload", async () => {
    await api(world.target, "PATCH", `/goods/${world.goods.rice.id}/barcode`, world.admin, { barcode: "6901234567892" });
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await staffSignIn(page, "clerk");
    await page.goto("/shop");
    await scan(page, 2);
    // The USB scanner types the product's barcode and Enter into the focused search: one 大米 in the basket.
    await page.waitForFunction(() => document.activeElement?.getAttribute("data-testid") === "goods-search");
    await page.keyboard.type("6901234567892");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=basket-quantity]");
    expect(await page.inputValue("[data-testid=basket-quantity]")).toBe("1");
    // Pinyin initials: "xz" finds 香皂 alone.
    await page.fill("[data-testid=goods-search]", "xz");
    expect(await page.locator("[data-testid=goods-button]").allTextContents()).toEqual([expect.stringContaining("香皂")]);
    await page.click("[data-testid=goods-button]:has-text('香皂')");
    await page.fill("[data-testid=goods-search]", "");
    // A typed quantity: 3 soaps.
    await page.fill("[data-testid=basket-quantity] >> nth=1", "3");
    await page.press("[data-testid=basket-quantity] >> nth=1", "Tab");
    await page.waitForFunction(() => document.querySelector("[data-testid=basket-total]")?.textContent === "30");
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "counter-till-zh-desktop");
    // A reload keeps the card and the basket.
    await page.reload();
    await page.waitForSelector("[data-testid=customer]");
    await page.waitForFunction(() => document.querySelector("[data-testid=basket-total]")?.textContent === "30");
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
