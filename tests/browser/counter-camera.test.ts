/**
 * The till's camera reads product barcodes (issue 14, item 5), in real Chromium whose fake camera
 * films a card lying beside a product (tests/browser/camera-video.ts, bars drawn by bwip-js). The
 * camera that read the card stays on and adds the product by its barcode to the basket, once
 * while it stays in view; online from the server's goods and offline from the pack. A barcode no
 * goods carry is said plainly, and a UPC-A finds goods recorded by its 13-digit form.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { counterVideo } from "./camera-video";
import { api, axeProblems, desktop, launchBrowser, newPage, pageErrors, phone, screenshot, staffSignIn, startWorld, type World } from "./support";

const riceEan13 = "6901234567892";

function fakeCamera(video: string) {
  return ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${video}`];
}

describe("the till's camera reads product barcodes", () => {
  let world: World;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    world = await startWorld();
    await api(world.target, "PATCH", "/community/settings", world.admin, { offlineWindowHours: 24, offlinePerRedemptionMax: 20, offlinePerDeviceMax: 40 });
    await api(world.target, "PATCH", `/goods/${world.goods.rice.id}/barcode`, world.admin, { barcode: riceEan13 });
    dir = mkdtempSync(join(tmpdir(), "shuangfu-barcode-"));
    // 张三华's card beside a bag of rice with its EAN-13.
    const video = join(dir, "card-and-rice.y4m");
    counterVideo(video, world.households[0].qr, { code: riceEan13, bcid: "ean13" });
    browser = await launchBrowser(fakeCamera(video));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const balanceOf = async (i: number) => (await api(world.target, "GET", `/households/${world.households[i].id}`, world.admin)).balance as number;
  const quantities = (page: Page) => page.locator("[data-testid=basket-quantity]").evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));

  /** The camera reads the card; the same camera, still on, reads the rice's barcode into the basket. */
  async function cardThenRice(page: Page) {
    await page.click("[data-testid=camera-start]");
    await page.waitForSelector("[data-testid=customer]", { timeout: 30_000 });
    expect(await page.textContent("[data-testid=customer]")).toContain("张");
    await page.waitForSelector("[data-testid=barcode-note][data-ok=true]", { timeout: 30_000 });
    expect(await page.textContent("[data-testid=barcode-note]")).toContain("已加入：大米 5斤");
    expect(await page.textContent("[data-testid=basket]")).toContain("大米 5斤");
    expect(await quantities(page)).toEqual(["1"]);
    // Still in front of the camera, the same bag is not added again.
    await page.waitForTimeout(2500);
    expect(await quantities(page)).toEqual(["1"]);
    expect(await page.textContent("[data-testid=basket-total]")).toBe("15");
  }

  it("adds the product the camera sees to the basket, offline from the pack and online", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const errors = pageErrors(page);
    expect(await balanceOf(0)).toBe(50);

    // Online, with the service worker in charge (so the app opens offline); the pack comes down,
    // and with it the camera's decoders, although the camera has not been opened yet.
    await staffSignIn(page, "clerk");
    await page.goto("/shop");
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    const packed = page.waitForResponse((r) => r.url().includes("/offline-pack") && r.status() === 200);
    const decoders = Promise.all([
      page.waitForResponse((r) => r.url().includes("/assets/jsQR") && r.ok()),
      page.waitForResponse((r) => r.url().includes("/assets/MultiFormatUPCEANReader") && r.ok()),
    ]);
    await page.reload();
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
    await packed;
    await decoders;

    // Offline: the card and the rice are read from the pack (its goods carry their barcodes).
    await context.setOffline(true);
    await cardThenRice(page);
    await page.waitForSelector("[data-testid=offline-banner]");
    expect(await page.textContent("[data-testid=customer-balance]")).toBe("50");
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "counter-camera-barcode-zh-desktop");
    await page.click("[data-testid=confirm]");
    await page.waitForSelector("[data-testid=receipt-offline]");
    await page.click("[data-testid=next-customer]");
    // The next customer starts with the camera off: the last card may still lie in front of it.
    await page.waitForSelector("[data-testid=camera-start]");

    // Back online, the queued basket syncs: 15 points and one bag of rice.
    await context.setOffline(false);
    await page.waitForSelector("[data-testid=offline-result][data-status=accepted]", { timeout: 30_000 });
    expect(await balanceOf(0)).toBe(35);

    // Online, from the server's goods.
    await cardThenRice(page);
    expect(await page.locator("[data-testid=offline-banner]").count()).toBe(0);
    await page.click("[data-testid=confirm]");
    await page.waitForSelector("[data-testid=receipt]");
    expect(await page.locator("[data-testid=receipt-offline]").count()).toBe(0);
    expect(await balanceOf(0)).toBe(20);
    const shelf = await api(world.target, "GET", `/goods?shopId=${world.shopId}`, world.admin);
    expect(shelf.items.find((g: { id: string }) => g.id === world.goods.rice.id).stock).toBe(18);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it("says so when no goods carry the barcode the camera reads, and adds nothing", async () => {
    await api(world.target, "PATCH", `/goods/${world.goods.rice.id}/barcode`, world.admin, { barcode: null });
    const { context, page } = await newPage(browser, world.target.baseUrl, "en", phone);
    const errors = pageErrors(page);
    await staffSignIn(page, "clerk");
    await page.goto("/shop");
    await page.click("[data-testid=camera-start]");
    await page.waitForSelector("[data-testid=customer]", { timeout: 30_000 });
    await page.waitForSelector("[data-testid=barcode-note][data-ok=false]", { timeout: 30_000 });
    expect(await page.textContent("[data-testid=barcode-note]")).toContain(`No goods have the barcode ${riceEan13}`);
    expect(await page.locator("[data-testid=basket-quantity]").count()).toBe(0);
    // The clerk can stop the camera; the search box and the goods buttons remain.
    await page.click("[data-testid=product-camera-stop]");
    await page.waitForSelector("[data-testid=product-camera-start]");
    expect(await axeProblems(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it("finds goods recorded by their 13-digit EAN-13 when the camera reads the 12-digit UPC-A", async () => {
    // The soap's UPC-A 042100005264, recorded as EAN-13 0042100005264.
    await api(world.target, "PATCH", `/goods/${world.goods.soap.id}/barcode`, world.admin, { barcode: "0042100005264" });
    const video = join(dir, "card-and-soap.y4m");
    counterVideo(video, world.households[1].qr, { code: "042100005264", bcid: "upca" });
    const upcBrowser = await launchBrowser(fakeCamera(video));
    try {
      const { page } = await newPage(upcBrowser, world.target.baseUrl, "zh", desktop);
      const errors = pageErrors(page);
      await staffSignIn(page, "clerk");
      await page.goto("/shop");
      await page.click("[data-testid=camera-start]");
      await page.waitForSelector("[data-testid=customer]", { timeout: 30_000 });
      expect(await page.textContent("[data-testid=customer]")).toContain("李秀英");
      await page.waitForSelector("[data-testid=barcode-note][data-ok=true]", { timeout: 30_000 });
      expect(await page.textContent("[data-testid=basket]")).toContain("香皂");
      expect(await page.textContent("[data-testid=basket-total]")).toBe("5");
      expect(errors).toEqual([]);
    } finally {
      await upcBrowser.close();
    }
  }, 120_000);
});
