/**
 * The admin's 公示 and 充值 as an office runs them, in real Chromium (issue 13 items 2 and 10):
 * every open batch listed at once with its own end, its items and its objections (open and
 * decided, with dates), past batches below; a top-up preview whose figures are what the top-up
 * then credits; a credited batch that says when and by whom instead of offering the button; the
 * printed notice of one batch with its header and signature lines and no app chrome on paper;
 * deliveries (进货) and the printable stock ledger; the settings page's publicity floor.
 * Every page fails the test on an uncaught page error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startNodeTarget, type NodeTarget } from "../../scripts/lib/server-target";
import { api, axeProblems, desktop, launchBrowser, login, newPage, screenshot, staffSignIn, startWorld, type World } from "./support";

describe("the admin's publicity, top-up and paperwork", () => {
  let world: World;
  let browser: Browser;
  let closing: any; // ended, not credited: an award, a penalty, an award held back by an objection
  let newer: any; // a second open batch, five days
  let first: any; // the world's round one, credited when the world was built
  const heldReason = "那天他不在小区，是别人打扫的。";

  beforeAll(async () => {
    world = await startWorld();
    const [h0, h1, h2] = world.households;
    const { admin, reviewer, volunteer, target } = world;
    await api(target, "PATCH", "/community/settings", admin, { supervisionPhone: "0398-7890123" });
    const litter = await api(target, "POST", "/rules", admin, { category: "penalty", title: "高空抛物、乱扔垃圾", kind: "penalty", minPoints: 1, maxPoints: 20 });
    const apply = async (householdId: string, ruleId: string, description: string, points: number) => {
      const app = await api(target, "POST", "/applications", volunteer, { householdId, ruleId, description });
      await api(target, "POST", `/applications/${app.id}/certify`, reviewer, { decision: "approve", points });
      return app;
    };
    await apply(h0.id, world.rules.help.id, "陪独居老人看病", 10);
    await apply(h1.id, litter.id, "从五楼往下扔垃圾袋", 5);
    const held = await apply(h2.id, world.rules.clean.id, "清理楼道小广告", 8);
    closing = await api(target, "POST", "/publicity", admin, { endsAt: new Date(Date.now() + 2500).toISOString() });
    await api(target, "POST", `/publicity/${closing.id}/objections`, volunteer, { applicationId: held.id, reason: heldReason });
    await new Promise((r) => setTimeout(r, 2700));

    // A second open batch beside the world's (3 days): this one runs 5 days. One objection to it
    // is decided at once, one to the world's batch stays open.
    const later = await apply(h2.id, world.rules.help.id, "帮邻居搬家", 12);
    newer = await api(target, "POST", "/publicity", admin, { endsAt: new Date(Date.now() + 5 * 86_400_000 - 60_000).toISOString() });
    const decided = await api(target, "POST", `/publicity/${newer.id}/objections`, volunteer, { applicationId: later.id, reason: "搬家那天他在外地。" });
    await api(target, "POST", `/objections/${decided.id}/resolve`, reviewer, { upheld: false, note: "核实无误，有照片。" });
    const openItem = world.openPublicity.items[0].applicationId;
    await api(target, "POST", `/publicity/${world.openPublicity.id}/objections`, volunteer, { applicationId: openItem, reason: "刘奶奶说是亲戚在照顾。" });
    first = (await api(target, "GET", "/publicity?limit=50", admin)).items.find((b: any) => b.topUp && b.id !== closing.id);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
  });

  /** A signed-in admin page that records every uncaught page error. */
  async function adminPage(): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await staffSignIn(page, "admin", world.target.adminPassword);
    return { page, errors, close: () => context.close() };
  }

  /** How the page writes a moment (fmtDate with time), computed in the page's own locale and zone. */
  const shown = (page: Page, iso: string) =>
    page.evaluate((at) => new Date(at).toLocaleString("zh-CN", { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }), iso);

  it("publicity: both open batches at once, each with its own end, items and objections; past batches below", async () => {
    const { page, errors, close } = await adminPage();
    await page.goto("/admin/publicity");
    await page.waitForSelector("[data-testid=publicity-board] >> nth=1");
    const boards = page.locator("[data-testid=publicity-board]");
    expect(await boards.count()).toBe(2);
    expect(await boards.nth(0).getAttribute("data-batch-id")).toBe(newer.id);
    expect(await boards.nth(1).getAttribute("data-batch-id")).toBe(world.openPublicity.id);
    expect(await page.textContent("[data-testid=open-batches-title]")).toContain("2 期");
    expect(await boards.nth(0).locator("[data-testid=batch-ends]").textContent()).toContain(await shown(page, newer.endsAt));
    expect(await boards.nth(1).locator("[data-testid=batch-ends]").textContent()).toContain(await shown(page, world.openPublicity.endsAt));
    expect(await boards.nth(1).textContent()).toContain("李*英");

    // Objections with their dates: the decided one says how, the open one is open.
    await boards.nth(0).locator("[data-testid=objection]").waitFor();
    const decided = boards.nth(0).locator("[data-testid=objection]");
    expect(await decided.getAttribute("data-status")).toBe("dismissed");
    const decidedText = await decided.textContent();
    expect(decidedText).toContain("搬家那天他在外地。");
    expect(decidedText).toContain("不成立");
    expect(decidedText).toContain("核实无误，有照片。");
    expect(decidedText).toMatch(/提出.*处理/);
    await boards.nth(1).locator("[data-testid=objection][data-status=open]").waitFor();
    expect(await boards.nth(1).locator("[data-testid=objection]").textContent()).toContain("待处理");

    // Past batches, folded; the ended one holds the penalty as a deduction and its open objection.
    const past = page.locator("[data-testid=past-batch]");
    expect(await past.count()).toBe(2);
    const ended = page.locator(`[data-testid=past-batch][data-batch-id="${closing.id}"]`);
    await ended.locator("summary").click();
    await ended.locator("[data-testid=objection]").waitFor();
    expect(await ended.textContent()).toContain("扣 5 分");
    expect(await ended.textContent()).toContain(heldReason);
    expect(await page.locator(`[data-testid=past-batch][data-batch-id="${first.id}"]`).textContent()).toContain("已充值");
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "admin-publicity-zh-desktop");
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it("top-up: the preview shows households, points, deductions and the held-back item; confirming credits exactly that", async () => {
    const { page, errors, close } = await adminPage();
    await page.goto("/admin/topups");
    const row = page.locator(`[data-testid=topup-batch][data-batch-id="${closing.id}"]`);
    await row.locator("[data-testid=run-topup]").click();
    const preview = row.locator("[data-testid=topup-preview]");
    await preview.locator("[data-testid=preview-households]").waitFor();
    const figure = async (id: string) => Number(await preview.locator(`[data-testid=${id}]`).textContent());
    const shownFigures = { households: await figure("preview-households"), credited: await figure("preview-items"), points: await figure("preview-points"), deducted: await figure("preview-deducted"), heldBack: await figure("preview-held") };
    expect(shownFigures).toEqual({ households: 2, credited: 2, points: 10, deducted: 5, heldBack: 1 });
    expect(await preview.locator("[data-testid=preview-held-items]").textContent()).toContain(heldReason);
    expect(await preview.locator("[data-testid=preview-items-table]").textContent()).toContain("扣 5 分");
    // Nothing was written by the preview.
    expect((await api(world.target, "GET", "/topups", world.admin)).items.filter((t: any) => t.publicityId === closing.id)).toEqual([]);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "admin-topup-preview-zh-desktop");

    await preview.locator("[data-testid=confirm-topup]").click();
    await page.waitForSelector("text=已充值 2 条：加 10 分，扣 5 分；暂缓 1 条（有异议）。");
    const written = (await api(world.target, "GET", "/topups", world.admin)).items.filter((t: any) => t.publicityId === closing.id);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ credited: shownFigures.credited, points: shownFigures.points, deducted: shownFigures.deducted, heldBack: shownFigures.heldBack });

    // Now it says when and by whom, and no longer offers the button.
    await row.locator("[data-testid=credited-by]").waitFor();
    const creditedBy = await row.locator("[data-testid=credited-by]").textContent();
    expect(creditedBy).toContain("驿站管理员");
    expect(creditedBy).toContain(await shown(page, written[0].createdAt));
    expect(await row.locator("[data-testid=run-topup]").count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it("top-up: a batch credited earlier says when and by whom; checking again offers nothing to confirm and writes nothing", async () => {
    const { page, errors, close } = await adminPage();
    await page.goto("/admin/topups");
    const row = page.locator(`[data-testid=topup-batch][data-batch-id="${first.id}"]`);
    await row.locator("[data-testid=credited-by]").waitFor();
    const text = await row.locator("[data-testid=credited-by]").textContent();
    expect(text).toContain("驿站管理员");
    expect(text).toContain(await shown(page, first.topUp.at));
    expect(text).toContain("3 条");
    expect(await row.locator("[data-testid=run-topup]").count()).toBe(0);
    // Open batches cannot be credited yet.
    expect(await page.locator(`[data-testid=topup-batch][data-batch-id="${newer.id}"] [data-testid=run-topup]`).count()).toBe(0);
    const before = (await api(world.target, "GET", "/topups", world.admin)).items.length;
    await row.locator("[data-testid=recheck-topup]").click();
    await row.locator("text=没有可以充值的条目。").waitFor();
    expect(await row.locator("[data-testid=confirm-topup]").count()).toBe(0);
    await row.locator("[data-testid=cancel-topup]").click();
    expect(await row.locator("[data-testid=topup-preview]").count()).toBe(0);
    expect((await api(world.target, "GET", "/topups", world.admin)).items.length).toBe(before);
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it("print: one batch as the posted notice, header and signature lines; on paper no app chrome", async () => {
    const { page, errors, close } = await adminPage();
    await page.goto("/admin/publicity");
    const board = page.locator(`[data-testid=publicity-board][data-batch-id="${world.openPublicity.id}"]`);
    await board.locator("[data-testid=print-batch]").click();
    await page.waitForURL(`**/admin/publicity/print/${world.openPublicity.id}`);
    await page.waitForSelector("[data-testid=publicity-print] tbody tr");
    const sheet = page.locator("[data-testid=publicity-print]");
    expect(await sheet.getAttribute("data-batch-id")).toBe(world.openPublicity.id);
    const header = await page.textContent("[data-testid=print-header]");
    const settings = await api(world.target, "GET", "/community/settings", world.admin);
    expect(header).toContain(`${settings.name}积分公示`);
    expect(header).toContain(`发布单位：${settings.name} 双扶驿站积分认定小组`);
    expect(header).toContain("监督电话：0398-7890123");
    expect(header).toContain("公示日期：");
    expect(header).toContain("公示期：");
    expect(header).toContain("（北京时间）");
    const posted = await page.evaluate((at) => new Date(at).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "long", day: "numeric" }), world.openPublicity.startsAt);
    expect(await page.textContent("[data-testid=print-posted]")).toContain(posted);
    // Only this batch: its masked name, none of the other open batch's items, no real names.
    const table = await sheet.locator("table").textContent();
    expect(table).toContain("李*英");
    expect(table).not.toContain("李秀英");
    expect(await sheet.locator("tbody tr").count()).toBe(world.openPublicity.items.length);
    expect(await page.textContent("[data-testid=print-how-to-object]")).toContain("0398-7890123");
    const signatures = await page.textContent("[data-testid=print-signatures]");
    expect(signatures).toContain("认定小组负责人（签字）");
    expect(signatures).toContain("社区（盖章）");
    expect(signatures).toContain("日期");
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "admin-publicity-print-zh-desktop");

    await page.emulateMedia({ media: "print" });
    expect(await page.locator(".topbar").isVisible()).toBe(false);
    expect(await page.locator(".admin nav").isVisible()).toBe(false);
    expect(await page.locator("[data-testid=print-now]").isVisible()).toBe(false);
    expect(await page.locator("[data-testid=print-header]").isVisible()).toBe(true);
    expect(await page.locator("[data-testid=print-signatures]").isVisible()).toBe(true);
    // A4 portrait, as the sheet asks the printer for.
    const pdf = await page.pdf({ preferCSSPageSize: true });
    expect(pdf.subarray(0, 4).toString()).toBe("%PDF");
    await page.emulateMedia({ media: "screen" });

    // A batch with a penalty prints it as a deduction; a held-back item says so.
    await page.goto(`/admin/publicity/print/${closing.id}`);
    await page.waitForSelector("[data-testid=publicity-print] tbody tr");
    const printed = await page.textContent("[data-testid=publicity-print]");
    expect(printed).toContain("扣 5 分");
    expect(printed).toContain("有异议，核实中");
    expect(await page.textContent("[data-testid=print-summary]")).toContain("扣分 1 项共 5 分");
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it("deliveries: recording one raises the stock once; the printed ledger balances to the stock", async () => {
    const { page, errors, close } = await adminPage();
    const rice = world.goods.rice;
    await page.goto("/admin/goods");
    await page.locator("[data-testid=goods-stock-in]").first().waitFor();
    await page.goto(`/admin/stock?goods=${rice.id}`);
    await page.waitForSelector("[data-testid=stock-ledger-sheet]");
    await page.waitForSelector(`#si-goods option[value="${world.goods.soap.id}"]`, { state: "attached" });
    expect(await page.inputValue("#si-goods")).toBe(rice.id);
    // Soap is listed last by name: the goods the link names is the one chosen, in both lists.
    await page.goto(`/admin/stock?goods=${world.goods.soap.id}`);
    await page.waitForSelector(`#sl-goods option[value="${world.goods.soap.id}"]`, { state: "attached" });
    expect(await page.inputValue("#si-goods")).toBe(world.goods.soap.id);
    expect(await page.inputValue("#sl-goods")).toBe(world.goods.soap.id);
    await page.selectOption("#si-goods", rice.id);
    const before = (await api(world.target, "GET", "/goods", world.admin)).items.find((g: any) => g.id === rice.id).stock;
    await page.fill("#si-quantity", "30");
    await page.fill("#si-supplier", "卢氏县粮油批发部");
    await page.fill("#si-cost", "23.5");
    await page.click("[data-testid=record-stock-in]");
    await page.waitForSelector(`text=已登记进货：大米 5斤 30袋，现有库存 ${before + 30}。`);
    const after = (await api(world.target, "GET", "/goods", world.admin)).items.find((g: any) => g.id === rice.id).stock;
    expect(after).toBe(before + 30);
    expect(await page.inputValue("#si-date")).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await page.inputValue("#si-quantity")).toBe("");
    await page.selectOption("#sl-goods", rice.id);

    const ledger = page.locator(`[data-testid=ledger-goods][data-goods-id="${rice.id}"]`);
    await page.waitForFunction((stock) => document.querySelector("[data-testid=ledger-goods] [data-testid=ledger-closing]")?.textContent === String(stock), after);
    expect(await ledger.locator("[data-testid=ledger-closing]").textContent()).toBe(String(after));
    const receipts = await page.textContent("[data-testid=ledger-receipts]");
    expect(receipts).toContain("卢氏县粮油批发部");
    expect(receipts).toContain("705.00");
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "admin-stock-ledger-zh-desktop");
    await page.emulateMedia({ media: "print" });
    expect(await page.locator(".topbar").isVisible()).toBe(false);
    expect(await page.locator("form").first().isVisible()).toBe(false);
    expect(await page.locator("[data-testid=stock-ledger-sheet]").isVisible()).toBe(true);
    await page.emulateMedia({ media: "screen" });
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it("settings: the deployment's publicity floor beside the minimum hours, and why a shorter window is refused", async () => {
    // A deployment with a 24-hour floor (the world's runs with none).
    const floored: NodeTarget = await startNodeTarget({ PUBLICITY_FLOOR_HOURS: "24" });
    try {
      const { context, page } = await newPage(browser, floored.baseUrl, "zh", desktop);
      const errors: string[] = [];
      page.on("pageerror", (err) => errors.push(err.message));
      await staffSignIn(page, "admin", floored.adminPassword);
      await page.goto("/admin/settings");
      await page.waitForSelector("[data-testid=publicity-floor]");
      expect(await page.textContent("[data-testid=publicity-floor]")).toContain("24 小时");
      await page.fill("#s-hours", "12");
      await page.click("form button[type=submit]");
      await page.waitForSelector("[data-testid=floor-refused]");
      expect(await page.textContent("[data-testid=floor-refused]")).toContain("不能少于 24 小时");
      const token = await login(floored, "admin", floored.adminPassword);
      expect((await api(floored, "GET", "/community/settings", token)).minPublicityHours).toBeGreaterThanOrEqual(24);
      // A window at the floor saves, with the supervision phone.
      await page.fill("#s-hours", "24");
      await page.fill("#s-phone", "0398-7654321");
      await page.click("form button[type=submit]");
      await page.waitForSelector("text=已保存");
      expect(await page.locator("[data-testid=floor-refused]").count()).toBe(0);
      expect(await api(floored, "GET", "/community/settings", token)).toMatchObject({ minPublicityHours: 24, supervisionPhone: "0398-7654321", publicityFloorHours: 24 });
      expect(await axeProblems(page)).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await floored.stop();
    }
  }, 120_000);
});
