/**
 * The procedures as an office runs them, in real Chromium (issue 13 items 1–2): a volunteer's
 * second application for the same activity is refused with a clear message, the list empties and
 * the camera stops after a submission; the reviewer sees a likely duplicate marked; the public
 * board shows two open batches at once, each with its own end and its objection buttons.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { api, axeProblems, cardPin, desktop, launchBrowser, newPage, phone, qrVideo, screenshot, staffSignIn, startWorld, type World } from "./support";

describe("the office's procedures", () => {
  let world: World;
  let browser: Browser;
  let dir: string;
  let newcomer: { id: string; householdNo: string; headName: string; cardNo: string; qr: string };

  beforeAll(async () => {
    world = await startWorld();
    // A household that has not yet applied for the world's clean-up notice; the camera films its card.
    const h = await api(world.target, "POST", "/households", world.admin, { householdNo: "XXL-0104", headName: "赵新华", building: "15号楼", room: "202", members: [{ name: "赵新华", relation: "户主" }] });
    const card = await api(world.target, "POST", `/households/${h.id}/card`, world.admin, { pin: cardPin });
    newcomer = { id: h.id, householdNo: "XXL-0104", headName: "赵新华", cardNo: card.cardNo, qr: card.qr };
    dir = mkdtempSync(join(tmpdir(), "shuangfu-office-"));
    const video = join(dir, "card.y4m");
    qrVideo(newcomer.qr, video);
    browser = await launchBrowser(["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${video}`]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const forNotice = async (householdId: string) =>
    (await api(world.target, "GET", `/applications?householdId=${householdId}&noticeId=${world.notice.id}`, world.admin)).items as any[];

  it("volunteer: a household that already applied for the activity is named and not sent again; the list empties and the camera stops", async () => {
    const errors: string[] = [];
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    page.on("pageerror", (err) => errors.push(err.message));
    await staffSignIn(page, "volunteer");
    await page.selectOption("#notice", world.notice.id);
    await page.selectOption("#rule", world.rules.clean.id);
    // The camera adds the newcomer's card; 张三华 (XXL-0101) applied for this notice in round one.
    await page.click("[data-testid=camera-start]");
    await page.waitForSelector(`[data-testid=participants] >> text=${newcomer.headName}`, { timeout: 30_000 });
    await page.fill("[data-testid=typed-household]", "XXL-0101");
    await page.press("[data-testid=typed-household]", "Enter");
    await page.waitForSelector("[data-testid=participants] >> text=张三华");
    expect(await page.locator("[data-testid=participants] li").count()).toBe(2);
    await page.click("[data-testid=submit-all]");

    await page.waitForSelector("[data-testid=duplicates]");
    const refusal = await page.textContent("[data-testid=duplicates]");
    expect(refusal).toContain("张三华");
    expect(refusal).toContain("XXL-0101");
    expect(refusal).toContain("已经为这个活动、这条细则申请过");
    expect(await page.textContent("body")).toContain("已提交 1 份申请");
    // The camera is off and the list is empty; the card still in front of it is not added again.
    expect(await page.locator("video").count()).toBe(0);
    await page.waitForSelector("[data-testid=camera-start]");
    await page.waitForTimeout(1500);
    expect(await page.locator("[data-testid=participants] li").allTextContents()).toEqual(["还没有人。扫一张卡试试。"]);
    expect(await axeProblems(page)).toEqual([]);
    await page.locator("[data-testid=duplicates]").scrollIntoViewIfNeeded();
    await screenshot(page, "volunteer-duplicate-zh-phone");
    expect((await forNotice(newcomer.id)).map((a) => a.status)).toEqual(["submitted"]);
    expect(await forNotice(world.households[0].id)).toHaveLength(1);

    // The same refusal in English, for a household typed in again.
    await page.click("[data-testid=lang-switch]");
    await page.fill("[data-testid=typed-household]", "XXL-0104");
    await page.press("[data-testid=typed-household]", "Enter");
    await page.waitForSelector(`[data-testid=participants] >> text=${newcomer.headName}`);
    await page.click("[data-testid=submit-all]");
    await page.waitForSelector("[data-testid=duplicates]");
    expect(await page.textContent("[data-testid=duplicates]")).toContain("already applied for this activity and rule");
    expect(await forNotice(newcomer.id)).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it("reviewer: marks two applications of one household for the same standing rule on the same day", async () => {
    const h = world.households[2];
    for (const text of ["帮邻居刘奶奶买菜", "帮刘奶奶买菜（重复登记）"]) {
      await api(world.target, "POST", "/applications", world.volunteer, { householdId: h.id, ruleId: world.rules.help.id, description: text });
    }
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    await staffSignIn(page, "reviewer");
    await page.waitForSelector("[data-testid=queue-item]");
    const marked = page.locator("[data-testid=queue-item]").filter({ has: page.locator("[data-testid=likely-duplicate]") });
    expect(await marked.count()).toBe(2);
    expect(await marked.first().textContent()).toContain("可能重复");
    const unmarked = page.locator("[data-testid=queue-item]").filter({ hasNot: page.locator("[data-testid=likely-duplicate]") });
    expect(await unmarked.filter({ hasText: "帮邻居刘奶奶买菜" }).count()).toBe(0);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "reviewer-duplicate-zh-desktop");
    await context.close();
  }, 120_000);

  async function residentSignIn(page: Page, i: number) {
    await page.goto("/login");
    await page.fill("#cardNo", world.households[i].cardNo);
    await page.fill("#pin", cardPin);
    await page.click("button[type=submit]");
    await page.waitForURL("**/me");
  }

  it("board: two open batches at once, each with its own end and its own objection buttons", async () => {
    // A second batch while the world's batch (3 days) is still open: this one runs 5 days.
    const app = await api(world.target, "POST", "/applications", world.volunteer, { householdId: world.households[0].id, ruleId: world.rules.help.id, description: "陪独居老人看病" });
    await api(world.target, "POST", `/applications/${app.id}/certify`, world.reviewer, { decision: "approve", points: 15 });
    const newer = await api(world.target, "POST", "/publicity", world.admin, { endsAt: new Date(Date.now() + 5 * 86_400_000 - 60_000).toISOString() });
    expect(newer.items.map((i: any) => i.applicationId)).toContain(app.id);

    // Anyone: both batches, each with its days left, no buttons.
    const anonymous = await newPage(browser, world.target.baseUrl, "zh", phone);
    await anonymous.page.goto("/board");
    await anonymous.page.waitForSelector("[data-testid=board-batch] >> nth=1");
    expect(await anonymous.page.locator("[data-testid=days-left]").allTextContents()).toEqual(["5", "3"]);
    expect(await anonymous.page.textContent("[data-testid=board-open-count]")).toContain("2 期同时在公示");
    expect(await anonymous.page.locator("[data-testid=object]").count()).toBe(0);
    expect(await axeProblems(anonymous.page)).toEqual([]);
    await screenshot(anonymous.page, "board-two-batches-zh-phone");
    await anonymous.context.close();

    // A resident objects to an item of each batch.
    const errors: string[] = [];
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    page.on("pageerror", (err) => errors.push(err.message));
    await residentSignIn(page, 2);
    await page.goto("/board");
    await page.waitForSelector("[data-testid=board-batch] >> nth=1");
    const batches = page.locator("[data-testid=board-batch]");
    expect(await batches.nth(0).getAttribute("data-batch-id")).toBe(newer.id);
    expect(await batches.nth(1).getAttribute("data-batch-id")).toBe(world.openPublicity.id);
    for (const i of [0, 1]) {
      const batch = batches.nth(i);
      expect(await batch.locator("[data-testid=object]").count()).toBeGreaterThan(0);
      await batch.locator("[data-testid=object]").first().click();
      await batch.locator("textarea").fill(i === 0 ? "那天她在医院值班，不是她陪的。" : "刘奶奶说是亲戚在照顾。");
      await batch.locator("button[type=submit]").click();
      await batch.locator("text=异议已提交").waitFor();
    }
    const open = (await api(world.target, "GET", "/objections?status=open", world.reviewer)).items as any[];
    expect(new Set(open.map((o) => o.publicityId))).toEqual(new Set([newer.id, world.openPublicity.id]));
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
