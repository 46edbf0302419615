/**
 * The offline counter after an online spend (issue 14): the clerk signs in online (the pack says
 * 50 for 张建华), redeems 15 online at the same counter, and then the network drops. The counter
 * must start from the server's balance after that receipt (35), not the pack's older 50: a basket
 * of 40 is refused offline, one of 30 is accepted, the corrected balance survives a reload while
 * offline, and back online the queue syncs without a shortfall. The pack fetched after the sync
 * already holds both spends, and the counter takes neither off it a second time; and when that
 * pack is lost, the one the probe took before the sync is corrected by the synced receipt.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { api, axeProblems, clerkWithPack, desktop, launchBrowser, newPage, pageErrors, startWorld, type World } from "./support";

describe("the counter offline after spending online since its pack", () => {
  let world: World;
  let browser: Browser;

  beforeAll(async () => {
    world = await startWorld();
    // A threshold above the baskets, so the balance (not the per-redemption cap) is what speaks.
    await api(world.target, "PATCH", "/community/settings", world.admin, { pinThreshold: 60, offlineWindowHours: 24, offlinePerRedemptionMax: 50, offlinePerDeviceMax: 100 });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
  });

  const household = () => world.households[0];
  const balance = async () => (await api(world.target, "GET", `/households/${household().id}`, world.admin)).balance as number;

  async function scan(page: Page) {
    await page.fill("[data-testid=scan-input]", household().qr);
    await page.press("[data-testid=scan-input]", "Enter");
    await page.waitForSelector("[data-testid=customer]");
  }

  async function addGoods(page: Page, name: string, times = 1) {
    for (let n = 0; n < times; n++) await page.click(`[data-testid=goods-button]:has-text('${name}')`);
  }

  it("shows the balance after its own online receipt, refuses a basket over it, keeps it through a reload, and syncs without a shortfall", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const errors = pageErrors(page);
    expect(await balance()).toBe(50);

    // Online: sign in; the service worker takes over and the pack comes down (张建华: 50).
    const pack = await clerkWithPack(page);
    expect(pack.cards.find((c) => c.cardNo === household().cardNo)?.balance).toBe(50);

    // Still online, the same counter redeems 大米 5斤 (15): 35 left on the server.
    await scan(page);
    expect(await page.textContent("[data-testid=customer-balance]")).toBe("50");
    await addGoods(page, "大米 5斤");
    await page.click("[data-testid=confirm]");
    await page.waitForSelector("[data-testid=receipt]");
    expect(await page.textContent("[data-testid=receipt-balance]")).toBe("35");
    expect(await page.locator("[data-testid=receipt-offline]").count()).toBe(0);
    await page.click("[data-testid=next-customer]");
    expect(await balance()).toBe(35);

    // The network drops before the next pack: the counter shows 35, not the pack's 50.
    await context.setOffline(true);
    await scan(page);
    await page.waitForSelector("[data-testid=offline-banner]");
    expect(await page.textContent("[data-testid=customer-balance]")).toBe("35");
    expect(await page.textContent("[data-testid=offline-balance-note]")).toContain("本机最近从服务器得知的余额");

    // A basket of 40 (within the 50 per offline redemption) is over the real balance: refused.
    await addGoods(page, "大米 5斤", 2);
    await addGoods(page, "香皂", 2);
    await page.waitForFunction(() => document.querySelector("[data-testid=basket-total]")?.textContent === "40");
    expect(await page.isDisabled("[data-testid=confirm]")).toBe(true);
    expect(await page.textContent("[data-testid=counter-bar] [role=alert]")).toContain("积分不够，请减少商品。");
    expect(await axeProblems(page)).toEqual([]);
    await page.click("[data-testid=counter-bar] .cancel");

    // Reload while offline: the app opens from the service worker, and the corrected balance
    // comes back from IndexedDB with the pack.
    await page.reload();
    await page.waitForSelector("[data-testid=scan-input]", { timeout: 20_000 });
    await scan(page);
    await page.waitForSelector("[data-testid=offline-banner]");
    expect(await page.textContent("[data-testid=customer-balance]")).toBe("35");

    // A basket of 30 is within it: accepted and queued; 5 is what the counter then shows.
    await addGoods(page, "大米 5斤", 2);
    await page.waitForFunction(() => document.querySelector("[data-testid=basket-total]")?.textContent === "30");
    await page.click("[data-testid=confirm]");
    await page.waitForSelector("[data-testid=receipt-offline]");
    expect(await page.textContent("[data-testid=receipt-balance]")).toBe("5");
    await page.click("[data-testid=next-customer]");
    await scan(page);
    expect(await page.textContent("[data-testid=customer-balance]")).toBe("5");
    await page.click("[data-testid=counter-bar] .cancel");
    expect(await balance()).toBe(35);

    // Back online: the queue syncs by itself, booked in full, no shortfall; then a fresh pack.
    const repacked = page.waitForResponse((r) => r.url().includes("/offline-pack") && r.status() === 200, { timeout: 30_000 });
    await context.setOffline(false);
    await page.waitForSelector("[data-testid=offline-result]", { timeout: 30_000 });
    expect(await page.getAttribute("[data-testid=offline-result]", "data-status")).toBe("accepted");
    expect(await page.textContent("[data-testid=offline-result]")).not.toContain("差额");
    await repacked;
    await page.waitForFunction(() => !document.querySelector("[data-testid=offline-banner]"));
    expect(await balance()).toBe(5);
    const shortfalls = await api(world.target, "GET", "/redemptions/shortfalls", world.admin);
    expect(shortfalls.items.filter((s: { kind: string }) => s.kind === "points")).toEqual([]);
    expect((await api(world.target, "GET", "/ledger/check", world.admin)).ok).toBe(true);

    // Offline once more: the fresh pack holds both spends (5), and neither the online receipt nor
    // the synced basket is taken off it again.
    await page.waitForFunction(
      async (cardNo) => {
        const open = indexedDB.open("shuangfu-counter");
        const db: IDBDatabase = await new Promise((ok, fail) => ((open.onsuccess = () => ok(open.result)), (open.onerror = () => fail(open.error))));
        const keys: IDBValidKey[] = await new Promise((ok) => {
          const req = db.transaction("kv").objectStore("kv").getAllKeys();
          req.onsuccess = () => ok(req.result);
        });
        const packKey = keys.find((k) => String(k).startsWith("pack:"));
        const stored = await new Promise<{ cards: Array<{ cardNo: string; balance: number }> } | undefined>((ok) => {
          const req = db.transaction("kv").objectStore("kv").get(packKey!);
          req.onsuccess = () => ok(req.result);
        });
        db.close();
        return stored?.cards.find((c) => c.cardNo === cardNo)?.balance === 5;
      },
      household().cardNo,
      { timeout: 20_000 },
    );
    await context.setOffline(true);
    await scan(page);
    await page.waitForSelector("[data-testid=offline-banner]");
    expect(await page.textContent("[data-testid=customer-balance]")).toBe("5");
    await page.click("[data-testid=counter-bar] .cancel");

    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it("counts a basket synced after the probe's pack against that pack when the next pack does not come", async () => {
    // 王芳 (household 1). The probe that finds the network back takes a pack before the queue
    // drains, so that pack does not hold the queued basket; if the pack after the sync is lost,
    // the counter must still know the basket was booked.
    const other = world.households[1];
    const before = (await api(world.target, "GET", `/households/${other.id}`, world.admin)).balance as number;
    expect(before).toBeGreaterThanOrEqual(15);
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const errors = pageErrors(page);
    await clerkWithPack(page);

    await context.setOffline(true);
    await page.fill("[data-testid=scan-input]", other.qr);
    await page.press("[data-testid=scan-input]", "Enter");
    await page.waitForSelector("[data-testid=customer]");
    expect(await page.textContent("[data-testid=customer-balance]")).toBe(String(before));
    await addGoods(page, "大米 5斤");
    await page.click("[data-testid=confirm]");
    await page.waitForSelector("[data-testid=receipt-offline]");
    await page.click("[data-testid=next-customer]");

    // Back online: the probe's pack comes (it still says `before`); every pack after it is lost.
    let packs = 0;
    await context.route("**/offline-pack*", (route) => (++packs === 1 ? route.continue() : route.abort("internetdisconnected")));
    await context.setOffline(false);
    await page.waitForSelector("[data-testid=offline-result][data-status=accepted]", { timeout: 30_000 });
    await page.waitForSelector("[data-testid=offline-banner]", { timeout: 20_000 });
    expect(packs).toBeGreaterThanOrEqual(2);
    expect((await api(world.target, "GET", `/households/${other.id}`, world.admin)).balance).toBe(before - 15);

    // The counter is offline again on the probe's pack: it starts from the synced receipt's balance.
    await page.fill("[data-testid=scan-input]", other.qr);
    await page.press("[data-testid=scan-input]", "Enter");
    await page.waitForSelector("[data-testid=customer]");
    expect(await page.textContent("[data-testid=customer-balance]")).toBe(String(before - 15));
    await page.click("[data-testid=counter-bar] .cancel");

    await context.unroute("**/offline-pack*");
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
