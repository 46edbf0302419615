/**
 * The county officer's journey in real Chromium (issue 11): sign in, the overview of both
 * communities, a sorted column, the period picker, drill-down county → township → community and
 * back by the breadcrumbs, the workbook downloaded and read, the A4-landscape print; then a new
 * community with its admin (a taken code said plainly), whose admin signs in to a checklist with
 * nothing ticked, publishes a notice and sees that step ticked. At 1280×800 and on a 10" tablet
 * nothing scrolls sideways; any console error or `pageerror` fails.
 */
import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { readSheet } from "read-excel-file/universal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addCounty, type County } from "./county-world";
import { api, axeProblems, desktop, launchBrowser, newPage, screenshot, staffPassword, staffSignIn, startWorld, type World } from "./support";

const tablet = { width: 800, height: 1280 };

describe("the county officer", () => {
  let world: World;
  let county: County;
  let browser: Browser;

  beforeAll(async () => {
    world = await startWorld();
    county = await addCounty(world);
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
  });

  async function signedIn(username: string, viewport = desktop) {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", viewport);
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console on ${new URL(page.url()).pathname}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`pageerror on ${new URL(page.url()).pathname}: ${error.message}`));
    await staffSignIn(page, username);
    return { context, page, problems };
  }

  const rowNames = (page: Page) => page.$$eval("[data-testid=county-table] tbody tr", (rows) => rows.map((r) => r.querySelector("td a")?.childNodes[0]?.textContent?.trim() ?? ""));
  const noSidewaysScroll = (page: Page) =>
    page.evaluate(() => {
      const root = document.scrollingElement ?? document.documentElement;
      return root.scrollWidth <= root.clientWidth;
    });

  it("sees both communities, sorts, picks a period, drills down and back, downloads the workbook and prints on A4 landscape", async () => {
    const { context, page, problems } = await signedIn("officer");
    // Staff sign-in leads the officer to the county's page.
    expect(new URL(page.url()).pathname).toBe("/county");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=county-table] tbody tr").length === 2);
    expect((await rowNames(page)).sort()).toEqual(["兴贤里社区", "幸福苑社区"]);
    const overview = await api(world.target, "GET", `/regions/${county.countyId}/overview`, county.officer);
    const totals = (await page.textContent("[data-testid=county-totals]")) ?? "";
    expect(totals).toContain("合计（2 个社区）");
    expect(totals).toContain(overview.totals.pointsAwarded.toLocaleString("zh-CN"));
    expect(overview.totals.households).toBe(8);
    // Aggregates only: no resident's name or card number anywhere on the page.
    const text = (await page.textContent("main")) ?? "";
    for (const h of world.households) {
      expect(text).not.toContain(h.headName);
      expect(text).not.toContain(h.cardNo);
    }
    await page.waitForSelector("[data-testid=trend] canvas");
    await page.waitForSelector("figure svg.bars");
    expect(await noSidewaysScroll(page)).toBe(true);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "county-zh-desktop");

    // Sort by households: 3 (兴贤里) before 5 (幸福苑), then the other way round.
    const households = page.locator("[data-testid=county-table] thead button", { hasText: "住户" }).first();
    await households.click();
    expect(await rowNames(page)).toEqual(["兴贤里社区", "幸福苑社区"]);
    await households.click();
    expect(await rowNames(page)).toEqual(["幸福苑社区", "兴贤里社区"]);
    expect(await page.getAttribute("[data-testid=county-table] th[aria-sort]", "aria-sort")).toBe("descending");
    // The totals row stays below the sorted rows.
    expect(await page.$eval("[data-testid=county-table] tfoot tr", (tr) => tr.textContent)).toContain("合计");

    // A period with nothing in it (January 2020): no households yet, nothing awarded.
    await page.selectOption("#period-kind", "custom");
    await page.fill("#period-from", "2020-01-01");
    await page.fill("#period-to", "2020-01-31");
    await page.locator("#period-to").dispatchEvent("change");
    await page.waitForFunction(() => document.querySelector("[data-testid=period-words]")?.textContent?.includes("2020-01-01 至 2020-01-31"));
    await page.waitForFunction(() => /合计（2 个社区）\s*0\s*0\s*0\.0%\s*0/.test(document.querySelector("[data-testid=county-totals]")?.textContent ?? ""));
    // This month: the world was built today, so the awards are in it.
    await page.selectOption("#period-kind", "month");
    await page.waitForURL((url) => url.searchParams.get("period") === "month");
    await page.waitForFunction((awarded) => document.querySelector("[data-testid=county-totals]")?.textContent?.includes(awarded), overview.totals.pointsAwarded.toLocaleString("zh-CN"));

    // The workbook of this month: one row per community and a totals row.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=download-xlsx]")]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const bytes = readFileSync((await download.path())!);
    const rows = await readSheet(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(String(rows[0][0])).toContain("卢氏县");
    const names = rows.map((r) => String(r[0]));
    expect(names).toContain("兴贤里社区");
    expect(names).toContain("幸福苑社区");
    expect(names.some((n) => n.includes("合计"))).toBe(true);

    // Drill down: the township, then the community, then back up by the breadcrumbs.
    await page.click("[data-testid=region-link] >> text=城关镇");
    await page.waitForURL((url) => url.pathname === `/county/region/${county.cityId}` && url.searchParams.get("period") === "month");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=county-table] tbody tr").length === 1);
    expect(await page.textContent("[data-testid=crumbs]")).toContain("卢氏县 › 城关镇");
    await page.click("[data-testid=community-link]");
    await page.waitForURL((url) => url.pathname === `/county/community/${county.first.id}`);
    await page.waitForSelector("[data-testid=community-summary]");
    expect(await page.textContent("[data-testid=summary-households]")).toBe("3");
    await page.waitForFunction(() => document.querySelector("[data-testid=crumbs]")?.textContent?.includes("卢氏县 › 城关镇 › 兴贤里社区"));
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.click("[data-testid=crumbs] >> text=城关镇");
    await page.waitForURL((url) => url.pathname === `/county/region/${county.cityId}`);
    await page.click("[data-testid=crumbs] >> text=卢氏县");
    await page.waitForURL((url) => url.pathname === "/county");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=county-table] tbody tr").length === 2);

    // Printed: A4 landscape (842 × 595 pt), without the menu and the controls.
    await page.emulateMedia({ media: "print" });
    expect(await page.isVisible(".county-nav")).toBe(false);
    expect(await page.isVisible("[data-testid=download-xlsx]")).toBe(false);
    expect(await page.isVisible("[data-testid=county-table]")).toBe(true);
    const pdf = (await page.pdf({ preferCSSPageSize: true })).toString("latin1");
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf);
    expect(box, "the PDF names its page size").not.toBeNull();
    expect(Math.round(Number(box![1]))).toBe(842);
    expect(Math.round(Number(box![2]))).toBe(595);
    await page.emulateMedia({ media: "screen" });

    // A 10" tablet held upright: the table scrolls inside its frame, the page never sideways.
    await page.setViewportSize(tablet);
    await page.waitForSelector("[data-testid=trend] canvas");
    expect(await noSidewaysScroll(page)).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);

  it("creates a community with its admin (a taken code said plainly); that admin's checklist ticks the notice once it is published", async () => {
    const { context, page, problems } = await signedIn("officer");
    await page.goto("/county/manage");
    await page.waitForSelector("[data-testid=county-officers] tbody tr");
    const fill = async (code: string, username: string) => {
      await page.fill("#community-name", "阳光社区");
      await page.fill("#community-code", code);
      await page.selectOption("#community-region", { label: "东明镇" });
      await page.fill("#community-admin-username", username);
      await page.fill("#community-admin-name", "孙管理");
      await page.fill("#community-admin-password", staffPassword);
      await page.click("[data-testid=community-submit]");
    };
    // XFY is taken: 409, said in words, and nothing created.
    await fill("XFY", "admin3");
    await page.waitForSelector(".county-manage .error >> text=已经有人用了这个代码或用户名");
    await fill("YG", "admin3");
    await page.waitForSelector("text=已新建 阳光社区（YG），管理员 admin3 现在可以登录了。");
    expect(await noSidewaysScroll(page)).toBe(true);
    expect(await axeProblems(page)).toEqual([]);
    const overview = await api(world.target, "GET", `/regions/${county.eastId}/overview`, county.officer);
    expect(overview.communities.map((c: { code: string }) => c.code).sort()).toEqual(["XFY", "YG"]);
    // The browser logs the refused request (409) itself; that one was meant. Nothing else.
    expect(problems.filter((p) => !p.includes("status of 409"))).toEqual([]);
    expect(problems.length).toBeLessThanOrEqual(1);
    await context.close();

    // The new admin's first sign-in: the checklist, nothing ticked, each step a link to its page.
    const admin = await signedIn("admin3");
    expect(new URL(admin.page.url()).pathname).toBe("/admin");
    await admin.page.waitForSelector("[data-testid=onboarding]");
    const states = () => admin.page.$$eval("[data-testid=onboarding] li", (items) => items.map((li) => `${li.getAttribute("data-testid")}:${li.getAttribute("data-done")}`));
    expect(await states()).toEqual(["households", "cards", "shop", "goods", "notice", "publicityDays"].map((k) => `onboarding-${k}:no`));
    expect(await admin.page.getAttribute("[data-testid=onboarding-notice] a", "href")).toBe("/admin/notices");
    expect(await axeProblems(admin.page)).toEqual([]);
    await screenshot(admin.page, "onboarding-zh-desktop");

    // Publish the first notice from its page; back home, that step is ticked.
    await admin.page.click("[data-testid=onboarding-notice] a");
    await admin.page.waitForURL((url) => url.pathname === "/admin/notices");
    await admin.page.fill("#n-title", "周六上午大扫除");
    await admin.page.fill("#n-body", "周六9点在3号楼集合。");
    await admin.page.click("main form button[type=submit]");
    await admin.page.click("[data-testid=publish]");
    await admin.page.waitForSelector("text=已发布");
    await admin.page.click(".admin nav a[href='/admin/']");
    await admin.page.waitForSelector("[data-testid=onboarding-notice][data-done=yes]");
    expect((await states()).filter((s) => s.endsWith(":yes"))).toEqual(["onboarding-notice:yes"]);
    expect(admin.problems).toEqual([]);
    await admin.context.close();
  }, 180_000);
});
