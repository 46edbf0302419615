/**
 * The resident's phone in real Chromium (issue 13 items 8 and 3): the card's QR is the first
 * thing on the home screen and above the fold at 360×740; the card's QR and the one-time code
 * are never shown at once; offline the resident stays signed in and sees the last data with
 * "数据更新于 …" and the card's QR, and fresh data when the network is back; a penalty reads as
 * a deduction in 我的申请 and the history.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { api, axeProblems, cardSignIn as signInWithCard, launchBrowser, newPage, pageErrors, phone, screenshot, startWorld, type World } from "./support";

describe("the resident's home, offline, and penalties", () => {
  let world: World;
  let browser: Browser;

  beforeAll(async () => {
    world = await startWorld();
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
  });

  const watch = pageErrors;
  const cardSignIn = (page: Page, i: number) => signInWithCard(page, world, i);

  const qrLoaded = (page: Page, testid: string) =>
    page.waitForFunction((id) => ((document.querySelector(`[data-testid=${id}]`) as HTMLImageElement | null)?.naturalWidth ?? 0) > 0, testid);

  it("puts the card's QR first, above the fold on a small phone, and shows one code at a time", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    const problems = watch(page);
    await cardSignIn(page, 0);
    await qrLoaded(page, "card-qr");
    const qr = await page.locator("[data-testid=card-qr]").boundingBox();
    const balance = await page.locator("[data-testid=balance-card]").boundingBox();
    expect(qr).not.toBeNull();
    expect(qr!.y + qr!.height).toBeLessThanOrEqual(phone.height);
    expect(qr!.y).toBeLessThan(balance!.y);
    // Nothing of the page's own comes before the code to show at the shop.
    expect(await page.evaluate(() => document.querySelector("main")?.querySelector("section, nav, [data-testid]")?.getAttribute("data-testid"))).toBe("qr-panel");
    expect(await page.textContent("[data-testid=qr-panel]")).toContain("积分卡二维码");
    expect(await page.locator("[data-testid=code-qr]").count()).toBe(0);
    expect(await page.getAttribute("[data-testid=show-card]", "aria-pressed")).toBe("true");
    expect(await page.textContent("[data-testid=show-card]")).toContain("出示积分卡");
    expect(await page.textContent("[data-testid=get-code]")).toContain("出示一次性付款码");
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "resident-home-zh-phone");

    // The one-time code replaces the card's QR; switching back brings the card's QR alone.
    await page.click("[data-testid=get-code]");
    await qrLoaded(page, "code-qr");
    expect(await page.locator("[data-testid=card-qr]").count()).toBe(0);
    expect(await page.locator("img[data-testid$=qr]").count()).toBe(1);
    expect(await page.textContent("[data-testid=one-time-code]")).toMatch(/一次性付款码[\s\S]*还剩 \d+ 秒/);
    expect(await page.getAttribute("[data-testid=get-code]", "aria-pressed")).toBe("true");
    const codeBox = await page.locator("[data-testid=code-qr]").boundingBox();
    expect(codeBox!.y + codeBox!.height).toBeLessThanOrEqual(phone.height);
    expect(await axeProblems(page)).toEqual([]);
    await page.click("[data-testid=show-card]");
    await qrLoaded(page, "card-qr");
    expect(await page.locator("[data-testid=code-qr]").count()).toBe(0);
    expect(await page.locator("img[data-testid$=qr]").count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it("offline stays signed in with the last balance, history and card QR, dated; back online shows fresh data", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    const problems = watch(page);
    await cardSignIn(page, 0);
    // Let the service worker take over and keep the app shell (the first visit is cached as it is fetched).
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.reload();
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
    await page.waitForSelector("[data-testid=balance]");
    await qrLoaded(page, "card-qr");
    const before = await page.textContent("[data-testid=balance]");
    await page.click("text=积分明细");
    await page.waitForSelector("[data-testid=history] li");
    const historyOnline = await page.textContent("[data-testid=history]");
    await page.click("text=返回");
    await page.waitForSelector("[data-testid=balance]");
    // The other resident pages are fetched in the background once one has opened.
    await page.waitForTimeout(2500);

    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector("[data-testid=balance]");
    expect(await page.textContent("[data-testid=balance]")).toBe(before);
    expect(await page.textContent("[data-testid=as-of]")).toContain("数据更新于");
    await page.waitForSelector("[data-testid=offline]");
    await qrLoaded(page, "card-qr");
    expect(await page.locator("#cardNo, #pin").count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe("/me");
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "resident-offline-zh-phone");

    // Moving between pages offline: the kept history, dated; a page never read shows a retry, not 正在加载….
    await page.click("text=积分明细");
    await page.waitForSelector("[data-testid=history] li");
    expect(await page.textContent("[data-testid=history]")).toBe(historyOnline);
    expect(await page.textContent("[data-testid=as-of]")).toContain("数据更新于");
    await page.click("text=返回");
    await page.click("text=能换什么");
    await page.waitForSelector("[data-testid=load-failed] [data-testid=retry]");
    expect(await page.locator("main [role=status]", { hasText: "正在加载" }).count()).toBe(0);
    await page.click("text=返回");
    await page.waitForSelector("[data-testid=balance]");

    // Meanwhile the household spends 5 points at the shop; online again, the page catches up by itself.
    await api(world.target, "POST", "/redemptions", world.clerk, { qr: world.households[0].qr, items: [{ goodsId: world.goods.soap.id, quantity: 1 }] }, { "idempotency-key": `offline-${Date.now()}` });
    await context.setOffline(false);
    await page.waitForFunction((old) => document.querySelector("[data-testid=balance]")?.textContent !== old, before, { timeout: 20_000 });
    expect(Number(await page.textContent("[data-testid=balance]"))).toBe(Number(before) - 5);
    await page.waitForFunction(() => !document.querySelector("[data-testid=as-of]"));
    await page.reload();
    await page.waitForSelector("[data-testid=balance]");
    expect(await page.locator("[data-testid=as-of]").count()).toBe(0);
    expect(await page.locator("[data-testid=session-failed]").count()).toBe(0);
    expect(problems).toEqual([]);

    // Signing out forgets what was kept: offline, the next visit is the sign-in, not the last household.
    await page.click("[data-testid=sign-out]");
    await page.waitForURL((url) => url.pathname === "/");
    expect(await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith("sf-cache:") || key === "sf-me"))).toEqual([]);
    await context.close();
  }, 180_000);

  it("shows a penalty as a deduction in 我的申请 and in the history", async () => {
    const h = world.households[2];
    const litter = await api(world.target, "POST", "/rules", world.admin, { category: "penalty", title: "乱扔垃圾", kind: "penalty", minPoints: 1, maxPoints: 10 });
    const app = await api(world.target, "POST", "/applications", world.volunteer, { householdId: h.id, ruleId: litter.id, description: "在12号楼下乱扔垃圾" });
    await api(world.target, "POST", `/applications/${app.id}/certify`, world.reviewer, { decision: "approve", points: 3 });
    const batch = await api(world.target, "POST", "/publicity", world.admin, { endsAt: new Date(Date.now() + 1500).toISOString() });
    await new Promise((r) => setTimeout(r, 1700));
    await api(world.target, "POST", "/topups", world.admin, { publicityId: batch.id });

    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    const problems = watch(page);
    await cardSignIn(page, 2);
    expect(await page.textContent("[data-testid=balance]")).toBe("17");

    await page.goto("/me/applications");
    const penalty = page.locator("[data-testid=applications] li[data-kind=penalty]");
    await penalty.waitFor();
    const words = await penalty.textContent();
    expect(words).toContain("惩戒：乱扔垃圾");
    expect(words).toContain("已扣分");
    expect(words).toContain("扣 3 分");
    expect(words).not.toContain("已充值到卡");
    expect(words).not.toContain("认定分值");
    expect(await penalty.locator(".pts.minus").count()).toBe(1);
    expect(await penalty.locator(".badge.ok").count()).toBe(0);
    // The award beside it still reads as an award.
    expect(await page.textContent("[data-testid=applications] li[data-kind=award]")).toContain("已充值到卡");
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "resident-penalty-zh-phone");

    await page.goto("/me/history");
    const entry = page.locator("[data-testid=history] li[data-kind=penalty]");
    await entry.waitFor();
    expect(await entry.textContent()).toContain("惩戒扣分：乱扔垃圾，扣 3 分");
    expect(await entry.locator(".pts.minus").textContent()).toBe("−3");
    expect(await entry.locator(".pts.plus").count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
