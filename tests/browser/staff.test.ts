/**
 * Office and field staff in real Chromium: the admin's households (add, import with the
 * row-by-row report, issue a card, print the card sheet), publicity, top-up, goods, staff and
 * the dashboard charts; a volunteer logging several households at once; a reviewer approving,
 * rejecting and bulk-approving, then resolving an objection.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { api, axeProblems, desktop, launchBrowser, newPage, phone, screenshot, staffSignIn, startWorld, type World } from "./support";

describe("staff journeys", () => {
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

  it("admin: dashboard charts, households, import report, cards and the A4 sheet, goods, staff", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    await staffSignIn(page, "admin", world.target.adminPassword);
    await page.waitForSelector("[data-testid=summary]");
    expect(await page.textContent("[data-testid=points-awarded]")).toBe("100");
    await page.waitForSelector("svg.bars rect");
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "admin-zh-desktop");

    await page.click("nav >> text=住户与积分卡");
    await page.waitForSelector("[data-testid=households] tbody tr");
    expect(await axeProblems(page)).toEqual([]);
    await page.fill("#f-no", "XXL-0201");
    await page.fill("#f-head", "孙桂兰");
    await page.fill("#f-building", "20号楼");
    await page.fill("#f-room", "502");
    await page.fill("#f-members", "孙桂兰、周强");
    await page.click("[data-testid=save-household]");
    await page.waitForSelector("[data-testid=households] >> text=孙桂兰");
    const row = page.locator("[data-testid=households] tr", { hasText: "孙桂兰" });
    await row.locator("input[placeholder]").fill("1357");
    await row.locator("[data-testid=issue-card]").click();
    await page.waitForSelector("text=已为 孙桂兰 发卡");

    // Import: a bad file lists every problem by line; nothing is imported.
    await page.setInputFiles("#import-file", { name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from("户号,户主姓名,楼栋\nXXL-0301,,21号楼\nXXL-0101,重复户,12号楼\n") });
    await page.click("[data-testid=import]");
    await page.waitForSelector("[data-testid=import-errors] tbody tr");
    expect(await page.locator("[data-testid=import-errors] tbody tr").count()).toBeGreaterThanOrEqual(1);
    expect(await page.textContent("[data-testid=import-errors]")).toContain("2");
    await page.setInputFiles("#import-file", { name: "good.csv", mimeType: "text/csv", buffer: Buffer.from("户号,户主姓名,楼栋\nXXL-0301,钱多多,21号楼\n") });
    await page.click("[data-testid=import]");
    await page.waitForSelector("text=已导入 1 户");

    // Card sheet for two households.
    for (const name of ["张三华", "孙桂兰"]) await page.locator("[data-testid=households] tr", { hasText: name }).locator("input[type=checkbox]").check();
    await page.click("[data-testid=print-cards]");
    await page.waitForSelector("[data-testid=card-sheet] .idcard");
    expect(await page.locator("[data-testid=card-sheet] .idcard").count()).toBe(2);
    await page.waitForFunction(() => [...document.querySelectorAll(".idcard img")].every((i) => (i as HTMLImageElement).naturalWidth > 0));
    expect(await page.textContent("[data-testid=card-sheet]")).toContain("XXL-0201");
    await page.emulateMedia({ media: "print" });
    expect(await page.locator(".topbar").isVisible()).toBe(false);
    await page.emulateMedia({ media: "screen" });

    await page.goto("/admin/goods");
    await page.fill("#g-name", "洗衣粉");
    await page.fill("#g-points", "12");
    await page.click("text=新增商品 >> nth=-1");
    await page.waitForSelector("td:text-is('洗衣粉')");

    await page.goto("/admin/users");
    await page.fill("#u-username", "volunteer2");
    await page.fill("#u-name", "孙志愿");
    await page.fill("#u-password", "volunteer-password");
    await page.click("form button[type=submit]");
    await page.waitForSelector("td:text-is('volunteer2')");

    await page.goto("/admin/publicity");
    await page.waitForSelector("[data-testid=publicity-board]");
    expect(await page.textContent("[data-testid=publicity-board]")).toContain("李*英");
    expect(await axeProblems(page)).toEqual([]);

    for (const path of ["/admin/rules", "/admin/notices", "/admin/topups", "/admin/settings", "/admin/audit"]) {
      await page.goto(path);
      await page.waitForSelector("main h1");
      await page.waitForLoadState("networkidle");
      expect(await page.locator(".error").count(), path).toBe(0);
      expect(await axeProblems(page), path).toEqual([]);
    }
    // Settings: a daily cap against stolen cards, and automatic top-up when a window ends.
    await page.goto("/admin/settings");
    await page.fill("#s-cap", "300");
    await page.check("#s-auto");
    await page.click("form button[type=submit]");
    await page.waitForSelector("text=已保存");
    expect(await api(world.target, "GET", "/community/settings", world.admin)).toMatchObject({ dailyRedemptionCap: 300, autoTopUp: true });
    await page.fill("#s-cap", "");
    await page.uncheck("#s-auto");
    await page.click("form button[type=submit]");
    await page.waitForFunction(async () => (await (await fetch("/api/community/settings")).json()).dailyRedemptionCap === null);
    expect(await api(world.target, "GET", "/community/settings", world.admin)).toMatchObject({ dailyRedemptionCap: null, autoTopUp: false });
    await context.close();

    for (const [lang, viewport, size] of [
      ["zh", phone, "phone"],
      ["en", phone, "phone"],
      ["en", desktop, "desktop"],
    ] as const) {
      const v = await newPage(browser, world.target.baseUrl, lang, viewport);
      await staffSignIn(v.page, "admin", world.target.adminPassword);
      await v.page.waitForSelector("svg.bars rect");
      await screenshot(v.page, `admin-${lang}-${size}`);
      await v.context.close();
    }
  }, 180_000);

  it("admin: the card sheet takes only well-formed household ids from its link, each as one escaped path segment", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    await staffSignIn(page, "admin", world.target.adminPassword);
    const paths: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith("/api/")) paths.push(url.pathname);
    });
    const ids = ["../users", "..%2Fshops", world.households[0].id, "a/b", world.households[1].id].join(",");
    await page.goto(`/admin/cards?ids=${encodeURIComponent(ids)}`);
    await page.waitForSelector("[data-testid=card-sheet] .idcard");
    await page.waitForLoadState("networkidle");
    expect(await page.locator("[data-testid=card-sheet] .idcard").count()).toBe(2);
    expect(await page.textContent("main")).toContain("已忽略 3 个");
    const householdReads = paths.filter((path) => path.startsWith("/api/households/"));
    expect(householdReads.sort()).toEqual([`/api/households/${world.households[0].id}`, `/api/households/${world.households[1].id}`].sort());
    expect(paths.filter((path) => /\/api\/(users|shops)/.test(path))).toEqual([]);
    await context.close();
  }, 120_000);

  it("volunteer: picks the notice, adds households one after another, submits all at once", async () => {
    // A new activity: every household already applied for the world's first one, and one deed
    // takes one application (tests/browser/office.test.ts shows the refusal).
    const activity = await api(world.target, "POST", "/notices", world.admin, { title: "周日下午15号楼绿化带清理", body: "14点在15号楼集合。", ruleIds: [world.rules.clean.id] });
    await api(world.target, "POST", `/notices/${activity.id}/publish`, world.admin);
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    await staffSignIn(page, "volunteer");
    expect(new URL(page.url()).pathname).toBe("/volunteer");
    await page.selectOption("#notice", activity.id);
    await page.selectOption("#rule", world.rules.clean.id);
    for (const no of ["XXL-0101", "XXL-0103"]) {
      await page.fill("[data-testid=typed-household]", no);
      await page.press("[data-testid=typed-household]", "Enter");
    }
    await page.fill("[data-testid=typed-household]", "XXL-0101");
    await page.press("[data-testid=typed-household]", "Enter");
    await page.waitForSelector("text=已经在名单里了");
    expect(await page.locator("[data-testid=participants] li").count()).toBe(2);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "volunteer-zh-phone");
    await page.click("[data-testid=submit-all]");
    await page.waitForSelector("text=已提交 2 份申请");
    await page.waitForSelector("[data-testid=logged] >> text=等待认定");
    const submitted = await api(world.target, "GET", `/applications?status=submitted`, world.admin);
    expect(submitted.items.filter((a: any) => a.noticeId === activity.id)).toHaveLength(2);
    await context.close();
    for (const [lang, viewport, size] of [
      ["zh", desktop, "desktop"],
      ["en", phone, "phone"],
      ["en", desktop, "desktop"],
    ] as const) {
      const v = await newPage(browser, world.target.baseUrl, lang, viewport);
      await staffSignIn(v.page, "volunteer");
      await v.page.waitForSelector("[data-testid=logged] li");
      await screenshot(v.page, `volunteer-${lang}-${size}`);
      await v.context.close();
    }
  }, 120_000);

  it("reviewer: approves with points in range, rejects with a reason, bulk-approves, resolves an objection", async () => {
    // Three fresh applications by the volunteer, and one objection on the open board.
    for (const [i, text] of ["楼道清扫", "清理小广告", "绿化带捡垃圾"].entries()) {
      await api(world.target, "POST", "/applications", world.volunteer, { householdId: world.households[i].id, ruleId: world.rules.clean.id, description: text });
    }
    const item = world.openPublicity.items[0];
    const resident = await api(world.target, "POST", "/auth/card-login", undefined, { cardNo: world.households[0].cardNo, pin: "2468" });
    await api(world.target, "POST", `/publicity/${world.openPublicity.id}/objections`, resident.token, { applicationId: item.applicationId, reason: "不属实" });

    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    await staffSignIn(page, "reviewer");
    expect(new URL(page.url()).pathname).toBe("/review");
    await page.waitForSelector("[data-testid=queue-item]");
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "reviewer-zh-desktop");
    const before = await page.locator("[data-testid=queue-item]").count();

    // Each queue item shows its rule's title too ("打扫楼道、清理小广告"), so an item is found by
    // its description: the element whose whole text is exactly that description.
    const queued = (description: string) => page.locator("[data-testid=queue-item]").filter({ has: page.getByText(description, { exact: true }) });
    const first = queued("楼道清扫");
    await first.locator("input[type=number]").fill("99");
    await first.locator("[data-testid=approve]").click();
    await page.waitForSelector("text=分值不在该细则规定的范围内");
    await first.locator("input[type=number]").fill("8");
    await first.locator("[data-testid=approve]").click();
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=queue-item]").length === n - 1, before);

    const second = queued("清理小广告");
    await second.locator("[data-testid=reject]").click();
    await second.locator("input:not([type])").last().fill("当天没有参加");
    await second.locator("[data-testid=reject-confirm]").click();
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=queue-item]").length === n - 2, before);

    for (const box of await page.locator("[data-testid=queue-item] input[type=checkbox]").all()) await box.check();
    await page.click("[data-testid=bulk-approve]");
    // Nothing is approved before the confirmation that shows each one's points.
    await page.waitForSelector("[data-testid=bulk-dialog] [data-testid=bulk-row]");
    await page.click("[data-testid=bulk-confirm]");
    await page.waitForSelector("text=没有待认定的申请");

    const approved = await api(world.target, "GET", `/applications?householdId=${world.households[0].id}&status=registered`, world.admin);
    expect(approved.items.some((a: any) => a.points === 8)).toBe(true);
    const rejected = await api(world.target, "GET", `/applications?householdId=${world.households[1].id}&status=rejected`, world.admin);
    expect(rejected.items[0].reason).toBe("当天没有参加");

    await page.waitForSelector("[data-testid=objection]");
    await page.fill("[data-testid=objection] input", "核实属实，是她本人照顾");
    await page.click("[data-testid=dismiss]");
    await page.waitForSelector("text=没有待处理的异议");
    await context.close();
    // The main screen as a reviewer usually finds it: a queue, and an objection to look into.
    for (const [i, text] of ["帮助邻居搬家", "清理楼道杂物"].entries()) {
      await api(world.target, "POST", "/applications", world.volunteer, { householdId: world.households[i + 1].id, ruleId: world.rules.clean.id, description: text });
    }
    await api(world.target, "POST", `/publicity/${world.openPublicity.id}/objections`, resident.token, { applicationId: item.applicationId, reason: "请再核实一次" });
    for (const [lang, viewport, size] of [
      ["zh", phone, "phone"],
      ["en", phone, "phone"],
      ["en", desktop, "desktop"],
    ] as const) {
      const v = await newPage(browser, world.target.baseUrl, lang, viewport);
      await staffSignIn(v.page, "reviewer");
      await v.page.waitForSelector("[data-testid=queue-item]");
      await v.page.waitForSelector("[data-testid=objection]");
      await v.page.waitForLoadState("networkidle");
      await screenshot(v.page, `reviewer-${lang}-${size}`);
      await v.context.close();
    }
  }, 180_000);
});
