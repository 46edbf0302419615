/**
 * The shop counter in real Chromium: a clerk scans a printed card through the (fake) camera,
 * the basket goes over the PIN threshold, the resident types the PIN, the receipt shows; a USB
 * scanner types into the focused field; a lost answer retried with the same basket charges once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { chinaDay } from "../../shared/time";
import { api, axeProblems, cardPin, desktop, launchBrowser, newPage, phone, qrVideo, screenshot, staffSignIn, startWorld, type World } from "./support";

describe("clerk at the shop counter", () => {
  let world: World;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    world = await startWorld();
    dir = mkdtempSync(join(tmpdir(), "shuangfu-camera-"));
    const video = join(dir, "card.y4m");
    // The camera "films" 张三华's printed card.
    qrVideo(world.households[0].qr, video);
    browser = await launchBrowser([
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-video-capture=${video}`,
    ]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const balanceOf = async (i: number) => (await api(world.target, "GET", `/households/${world.households[i].id}`, world.admin)).balance as number;

  it("scans the card with the camera, asks for the PIN over the threshold, and prints a receipt", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    await staffSignIn(page, "clerk");
    expect(new URL(page.url()).pathname).toBe("/shop");
    await page.waitForSelector("[data-testid=goods-button]");
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "clerk-zh-desktop");

    await page.click("[data-testid=camera-start]");
    await page.waitForSelector("[data-testid=customer]", { timeout: 30_000 });
    expect(await page.textContent("[data-testid=customer]")).toContain("张三华");
    expect(await page.textContent("[data-testid=customer-balance]")).toBe("50");

    await page.click("[data-testid=goods-button]:has-text('食用油')");
    expect(await page.textContent("[data-testid=basket-total]")).toBe("30");
    await page.click("[data-testid=confirm]");
    // 30 points is over the community's threshold of 20: the PIN pad opens.
    await page.waitForSelector("[data-testid=pinpad]");
    for (const digit of "1111") await page.click(`[data-testid=pinpad] .pinpad button:text-is("${digit}")`);
    await page.click("[data-testid=pin-ok]");
    await page.waitForSelector("[data-testid=pinpad] .error");
    expect(await page.textContent("[data-testid=pinpad] .error")).toContain("密码不正确");
    expect(await balanceOf(0)).toBe(50);
    for (const digit of cardPin) await page.click(`[data-testid=pinpad] .pinpad button:text-is("${digit}")`);
    await page.click("[data-testid=pin-ok]");

    await page.waitForSelector("[data-testid=receipt]");
    expect(await page.textContent("[data-testid=receipt-total]")).toBe("30");
    expect(await page.textContent("[data-testid=receipt-balance]")).toBe("20");
    expect(await page.textContent("[data-testid=receipt]")).toContain("食用油");
    expect(await balanceOf(0)).toBe(20);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "clerk-receipt-zh-desktop");
    // The day's list counts it.
    expect(await page.textContent("[data-testid=today]")).toContain("30");
    await context.close();
  }, 120_000);

  it("takes a USB scanner's typing + Enter, and a retried basket after a lost answer charges once", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    await staffSignIn(page, "clerk");
    await screenshot(page, "clerk-zh-phone");
    // A USB scanner types the QR text into the focused field and presses Enter.
    await page.focus("[data-testid=scan-input]");
    await page.keyboard.type(world.households[1].qr);
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=customer]");
    expect(await page.textContent("[data-testid=customer-balance]")).toBe("30");
    await page.click("[data-testid=goods-button]:has-text('香皂')");
    await page.click("[data-testid=goods-button]:has-text('香皂')");

    // The first answer is lost on the way back (the server did charge); the clerk taps again.
    let calls = 0;
    const keys: string[] = [];
    await page.route("**/api/redemptions", async (route) => {
      calls += 1;
      keys.push(route.request().headers()["idempotency-key"] ?? "");
      const response = await route.fetch();
      if (calls === 1) await route.abort("failed");
      else await route.fulfill({ response });
    });
    await page.click("[data-testid=confirm]");
    await page.waitForSelector("[data-testid=customer] .error");
    expect(await balanceOf(1)).toBe(20);
    await page.click("[data-testid=confirm]");
    await page.waitForSelector("[data-testid=receipt]");
    expect(calls).toBe(2);
    expect(keys[0]).toMatch(/.{16,}/);
    expect(keys[1]).toBe(keys[0]);
    expect(await page.textContent("[data-testid=receipt-balance]")).toBe("20");
    expect(await balanceOf(1)).toBe(20);
    const receipts = await api(world.target, "GET", `/redemptions?householdId=${world.households[1].id}`, world.admin);
    expect(receipts.items).toHaveLength(1);

    // The next basket gets a new key.
    await page.click("[data-testid=next-customer]");
    await page.keyboard.type(world.households[1].qr);
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=customer]");
    await page.click("[data-testid=goods-button]:has-text('香皂')");
    await page.click("[data-testid=confirm]");
    await page.waitForSelector("[data-testid=receipt]");
    expect(keys[2]).not.toBe(keys[0]);
    expect(await balanceOf(1)).toBe(15);
    await context.close();
  }, 120_000);

  it("counts today as the day in China: at 01:00 Beijing time the day's list and totals show today's receipts", async () => {
    // A receipt of this test's own, made now on the server's clock.
    const receipt = await api(world.target, "POST", "/redemptions", world.clerk, { qr: world.households[2].qr, items: [{ goodsId: world.goods.soap.id, quantity: 1 }] }, { "idempotency-key": `china-day-${Date.now()}` });
    const day = chinaDay(receipt.createdAt);
    // 01:00 in Beijing on that day is 17:00 UTC the day before: a UTC "today" would be yesterday.
    const oneAm = new Date(`${day}T01:00:00+08:00`);
    expect(oneAm.toISOString().slice(0, 10)).not.toBe(day);
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    await page.clock.setFixedTime(oneAm);
    const asked = page.waitForRequest((req) => req.url().includes("/api/redemptions?") && req.url().includes("date="));
    await staffSignIn(page, "clerk");
    expect(new URL((await asked).url()).searchParams.get("date")).toBe(day);
    await page.waitForSelector(`[data-testid=today] >> text=小票号 ${receipt.receiptNo}`);
    const listed = await api(world.target, "GET", `/redemptions?date=${day}&limit=200`, world.clerk);
    const points = listed.items.reduce((sum: number, r: { total: number }) => sum + r.total, 0);
    expect(listed.items.length).toBeGreaterThanOrEqual(1);
    expect(await page.textContent("#day-title + p")).toBe(`今天共 ${listed.items.length} 笔，合计 ${points} 分`);
    await context.close();
  }, 120_000);

  it("explains a bad card and a refused camera in the clerk's language", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "en", desktop);
    await context.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("denied", "NotAllowedError"));
    });
    await staffSignIn(page, "clerk");
    await page.fill("[data-testid=scan-input]", `${world.target.baseUrl}/c/NOPE.1.forged`);
    await page.press("[data-testid=scan-input]", "Enter");
    await page.waitForSelector(".error");
    expect(await page.textContent(".error")).toContain("Invalid card");
    await page.click("[data-testid=camera-start]");
    await page.waitForSelector("[data-testid=camera-problem]");
    expect(await page.textContent("[data-testid=camera-problem]")).toContain("type the card number");
    await page.fill("[data-testid=scan-input]", "");
    await screenshot(page, "clerk-en-desktop");
    const { context: c2, page: p2 } = await newPage(browser, world.target.baseUrl, "en", phone);
    await staffSignIn(p2, "clerk");
    await p2.waitForSelector("[data-testid=goods-button]");
    await screenshot(p2, "clerk-en-phone");
    await c2.close();
    await context.close();
  }, 120_000);
});
