/**
 * The books that leave the system, printed from the web app in real Chromium (issue 12 items 2
 * and 3): the register book in pages of 20 entries, each page with the period in its header and
 * its own total (and the running total), for the admin and the reviewer; the monthly report with
 * the summary's figures for the month. Every page fails the test on an uncaught page error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { chinaDay } from "../../shared/time";
import { api, axeProblems, desktop, launchBrowser, newPage, screenshot, staffSignIn, startWorld, type World } from "./support";

describe("the register book and the monthly report, printed", () => {
  let world: World;
  let browser: Browser;
  const today = chinaDay(new Date());
  const from = `${today.slice(0, 8)}01`;

  beforeAll(async () => {
    world = await startWorld();
    const { admin, reviewer, volunteer, target, households } = world;
    // 21 more entries beside the world's 4: two printed pages (20 + 5).
    for (let i = 0; i < 21; i += 1) {
      const app = await api(target, "POST", "/applications", volunteer, { householdId: households[i % 3].id, ruleId: world.rules.help.id, description: `第${i + 1}次照顾老人` });
      await api(target, "POST", `/applications/${app.id}/certify`, reviewer, { decision: "approve", points: 10 + (i % 7) });
    }
    expect((await api(target, "GET", `/register?from=${from}&to=${today}`, admin)).total).toBe(25);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
  });

  async function signedIn(username: string, password?: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await staffSignIn(page, username, password);
    return { page, errors, close: () => context.close() };
  }

  /** Checks the pages against the API's register: rows per page, the period on each, page and running totals. */
  async function checkPages(page: Page) {
    const book = await api(world.target, "GET", `/register?from=${from}&to=${today}`, world.admin);
    await page.waitForSelector("[data-testid=register-page] >> nth=1");
    const pages = page.locator("[data-testid=register-page]");
    expect(await pages.count()).toBe(2);
    const chunks = [book.items.slice(0, 20), book.items.slice(20)];
    let running = 0;
    for (const [i, chunk] of chunks.entries()) {
      const p = pages.nth(i);
      expect(await p.locator("[data-testid=register-row]").count()).toBe(chunk.length);
      expect(await p.locator("[data-testid=register-period]").textContent()).toContain(`登记期间：${from} 至 ${today}`);
      expect(await p.locator("[data-testid=register-period]").textContent()).toContain(`第 ${i + 1} 页 / 共 2 页`);
      const total = chunk.reduce((n: number, e: any) => n + e.points, 0);
      expect(await p.locator("[data-testid=register-page-total]").textContent()).toBe(total.toLocaleString("zh-CN"));
      expect(await p.locator("[data-testid=register-running-total]").textContent()).toBe(`承前 ${running.toLocaleString("zh-CN")}，累计 ${(running + total).toLocaleString("zh-CN")}`);
      running += total;
      // Register-number order, as the API answers it.
      expect(await p.locator("[data-testid=register-row] td:first-child").allTextContents()).toEqual(chunk.map((e: any) => String(e.registerNo)));
    }
  }

  it("the admin's register: pages of 20 with the period on each and their totals; on paper two A4 pages and no app chrome", async () => {
    const { page, errors, close } = await signedIn("admin", world.target.adminPassword);
    await page.goto("/admin/register");
    await checkPages(page);
    expect(await page.getAttribute("[data-testid=register-xlsx]", "href")).toBe(`/api/register.xlsx?from=${from}&to=${today}`);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "register-book-zh-desktop");
    await page.emulateMedia({ media: "print" });
    expect(await page.locator(".admin nav").isVisible()).toBe(false);
    expect(await page.locator("[data-testid=register-print]").isVisible()).toBe(false);
    expect(await page.locator("[data-testid=register-page] >> nth=1").locator("thead").evaluate((el) => getComputedStyle(el).display)).toBe("table-header-group");
    const pdf = await page.pdf({ preferCSSPageSize: true });
    expect(pdf.subarray(0, 4).toString()).toBe("%PDF");
    expect(pdf.toString("latin1").match(/\/Type\s*\/Page\b/g)?.length).toBe(2);
    await page.emulateMedia({ media: "screen" });
    // A shorter period: only today's entries would be the same here; a period with none says so.
    await page.fill("[data-testid=register-from]", "2020-01-01");
    await page.fill("[data-testid=register-to]", "2020-01-31");
    await page.click("[data-testid=register-show]");
    await page.waitForSelector("[data-testid=register-empty]");
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it("the reviewer prints the same register from the review desk", async () => {
    const { page, errors, close } = await signedIn("reviewer");
    await page.goto("/review/register");
    await checkPages(page);
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it("the monthly report shows the summary's figures for the month", async () => {
    const month = today.slice(0, 7);
    const [y, m] = month.split("-").map(Number);
    const lastDay = chinaDay(new Date(Date.UTC(y, m, 1) - 8 * 3_600_000 - 1));
    const summary = await api(world.target, "GET", `/reports/summary?from=${from}&to=${lastDay}`, world.admin);
    const { page, errors, close } = await signedIn("admin", world.target.adminPassword);
    await page.goto("/admin/monthly");
    await page.fill("[data-testid=monthly-month]", month);
    await page.click("[data-testid=monthly-show]");
    await page.waitForSelector(`[data-testid=monthly-report][data-month="${month}"]`);
    const cells = await page.locator("[data-testid=monthly-summary] td").allTextContents();
    expect(cells[0]).toBe(summary.households.toLocaleString("zh-CN"));
    expect(cells[2]).toBe(summary.pointsAwarded.toLocaleString("zh-CN"));
    expect(cells[4]).toBe(summary.pointsRedeemed.toLocaleString("zh-CN"));
    expect(cells[5]).toBe(summary.pointsOutstanding.toLocaleString("zh-CN"));
    const buildingTotal = await page.locator("[data-testid=monthly-buildings] tfoot td").allTextContents();
    expect(buildingTotal.slice(1)).toEqual([summary.households, summary.pointsAwarded, summary.pointsDeducted, summary.pointsRedeemed].map((n) => n.toLocaleString("zh-CN")));
    expect(await page.getAttribute("[data-testid=monthly-xlsx]", "href")).toBe(`/api/reports/monthly.xlsx?month=${month}`);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "monthly-report-zh-desktop");
    expect(errors).toEqual([]);
    await close();
  }, 120_000);
});
