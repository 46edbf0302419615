/**
 * The certification group's screen in real Chromium (issue 13 item 7): objections first, each with
 * the day it was raised and its batch's end; evidence photos that open full screen and step with
 * the arrow keys and close with Escape; "select all in this activity" selecting exactly that
 * activity; a bulk approve that shows each application's points and the total before anything is
 * registered, and registers those points; penalties marked as deductions, likely duplicates kept
 * visible; checkboxes and buttons at least 44 px. Any uncaught page error fails the test.
 */
import QRCode from "qrcode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { api, axeProblems, cardPin, desktop, launchBrowser, newPage, phone, screenshot, staffSignIn, startWorld, type World } from "./support";

describe("the reviewer's screen", () => {
  let world: World;
  let browser: Browser;
  let photos: string[];
  let activityA: { id: string; apps: string[] };
  let activityB: { id: string; apps: string[] };
  let penaltyApp: string;
  let duplicates: string[];
  let objection: { id: string; createdAt: string };

  beforeAll(async () => {
    world = await startWorld();
    const { target, admin, volunteer, households, rules } = world;
    // Two real images as the camera would send them (data URLs), for the first household's application.
    photos = [await QRCode.toDataURL("证明照片一：楼道打扫前"), await QRCode.toDataURL("证明照片二：楼道打扫后")];
    const notice = async (title: string) => {
      const n = await api(target, "POST", "/notices", admin, { title, body: `${title}，每人5分起。`, ruleIds: [rules.clean.id] });
      await api(target, "POST", `/notices/${n.id}/publish`, admin);
      return n.id as string;
    };
    const apply = async (body: Record<string, unknown>) => (await api(target, "POST", "/applications", volunteer, body)).id as string;
    const a = await notice("周三下午9号楼楼道清扫");
    activityA = {
      id: a,
      apps: [
        await apply({ householdId: households[0].id, ruleId: rules.clean.id, noticeId: a, description: "9号楼一单元楼道清扫", evidence: photos }),
        await apply({ householdId: households[1].id, ruleId: rules.clean.id, noticeId: a, description: "9号楼二单元楼道清扫" }),
      ],
    };
    const b = await notice("周五上午小广场捡垃圾");
    activityB = { id: b, apps: [await apply({ householdId: households[2].id, ruleId: rules.clean.id, noticeId: b, description: "小广场捡垃圾" })] };
    // A penalty (惩戒), decided like an award.
    const litter = await api(target, "POST", "/rules", admin, { category: "penalty", title: "高空抛物", kind: "penalty", minPoints: 2, maxPoints: 10 });
    penaltyApp = await apply({ householdId: households[2].id, ruleId: litter.id, description: "从5楼往下扔垃圾袋" });
    // Two applications of one household for the same standing rule on one day: likely duplicates.
    duplicates = [
      await apply({ householdId: households[1].id, ruleId: rules.help.id, description: "给刘奶奶送饭" }),
      await apply({ householdId: households[1].id, ruleId: rules.help.id, description: "给刘奶奶送午饭" }),
    ];
    // An objection to the open batch, raised by a resident.
    const resident = await api(target, "POST", "/auth/card-login", undefined, { cardNo: households[0].cardNo, pin: cardPin });
    const raised = await api(target, "POST", `/publicity/${world.openPublicity.id}/objections`, resident.token, {
      applicationId: world.openPublicity.items[0].applicationId,
      reason: "那几天刘奶奶住院了，没人送饭。",
    });
    objection = { id: raised.id, createdAt: raised.createdAt };
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
  });

  /** The page's own date format (fmtDate with the time), computed in the browser. */
  const shown = (page: Page, iso: string) =>
    page.evaluate((at) => new Date(at).toLocaleString("zh-CN", { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }), iso);

  const item = (page: Page, id: string) => page.locator(`[data-testid=queue-item][data-application-id="${id}"]`);
  const checkedIds = (page: Page) =>
    page.$$eval("[data-testid=queue-item]", (items) =>
      items.filter((li) => li.querySelector<HTMLInputElement>("input[type=checkbox]")?.checked).map((li) => li.getAttribute("data-application-id")),
    );
  const get = (id: string) => api(world.target, "GET", `/applications/${id}`, world.admin);

  it("objections first with their dates; evidence enlarges; 44 px targets; penalties and duplicates marked (phone)", async () => {
    const errors: string[] = [];
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    page.on("pageerror", (err) => errors.push(err.message));
    await staffSignIn(page, "reviewer");
    await page.waitForSelector("[data-testid=queue-item]");
    await page.waitForSelector("[data-testid=objection]");

    // Objections sit above the queue, with the day raised and the batch's end.
    const objectionsTop = (await page.locator("[data-testid=objections-section]").boundingBox())!.y;
    const queueTop = (await page.locator("[data-testid=queue-group]").first().boundingBox())!.y;
    expect(objectionsTop).toBeLessThan(queueTop);
    const entry = page.locator("[data-testid=objection]");
    expect(await entry.locator("[data-testid=objection-raised]").textContent()).toContain(`${await shown(page, objection.createdAt)} 提出`);
    expect(await entry.locator("[data-testid=objection-batch-ends]").textContent()).toContain(`这一期公示到 ${await shown(page, world.openPublicity.endsAt)} 截止`);

    // Touch targets: every checkbox and every button in the queue is at least 44 × 44 px.
    const boxes = await page.locator("[data-testid=queue-item] input[type=checkbox], [data-testid=select-activity]").all();
    expect(boxes.length).toBe(8); // six applications, and "select all" for each of the two activities
    for (const target of [...boxes, ...(await page.locator("[data-testid=queue-item] button").all())]) {
      const box = (await target.boundingBox())!;
      expect(box.width).toBeGreaterThanOrEqual(44);
      expect(box.height).toBeGreaterThanOrEqual(44);
    }

    // The penalty reads as a deduction; the likely duplicates are marked.
    const penalty = item(page, penaltyApp);
    expect(await penalty.getAttribute("data-kind")).toBe("penalty");
    expect(await penalty.textContent()).toContain("扣分");
    expect(await penalty.locator(".pts.minus").textContent()).toBe("扣 2 分");
    for (const id of duplicates) expect(await item(page, id).locator("[data-testid=likely-duplicate]").count()).toBe(1);

    // Evidence: tap a thumbnail → full screen; arrows step within this application; Escape closes.
    const withPhotos = item(page, activityA.apps[0]);
    expect(await withPhotos.locator("[data-testid=evidence-thumb]").count()).toBe(2);
    await withPhotos.locator("[data-testid=evidence-thumb]").first().click();
    const lightbox = page.locator("[data-testid=lightbox]");
    await lightbox.waitFor();
    const view = (await lightbox.boundingBox())!;
    expect(view.width).toBeGreaterThanOrEqual(phone.width - 1);
    expect(view.height).toBeGreaterThanOrEqual(phone.height - 1);
    expect(await page.locator("[data-testid=lightbox-count]").textContent()).toBe("证明照片 1 / 2");
    expect(await page.getAttribute("[data-testid=lightbox-image]", "src")).toBe(photos[0]);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "reviewer-lightbox-zh-phone");
    await page.keyboard.press("ArrowRight");
    expect(await page.locator("[data-testid=lightbox-count]").textContent()).toBe("证明照片 2 / 2");
    expect(await page.getAttribute("[data-testid=lightbox-image]", "src")).toBe(photos[1]);
    await page.keyboard.press("ArrowRight"); // wraps round, never into another application's photos
    expect(await page.getAttribute("[data-testid=lightbox-image]", "src")).toBe(photos[0]);
    await page.keyboard.press("ArrowLeft");
    expect(await page.getAttribute("[data-testid=lightbox-image]", "src")).toBe(photos[1]);
    await page.click("[data-testid=lightbox-prev]");
    expect(await page.getAttribute("[data-testid=lightbox-image]", "src")).toBe(photos[0]);
    await page.keyboard.press("Escape");
    await lightbox.waitFor({ state: "detached" });
    // Again, closed with its button this time.
    await withPhotos.locator("[data-testid=evidence-thumb]").nth(1).click();
    await lightbox.waitFor();
    expect(await page.getAttribute("[data-testid=lightbox-image]", "src")).toBe(photos[1]);
    await page.click("[data-testid=lightbox-close]");
    await lightbox.waitFor({ state: "detached" });

    expect(await axeProblems(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it("selects one activity, shows each one's points and the total before a bulk approve, and registers those points (desktop)", async () => {
    const errors: string[] = [];
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    page.on("pageerror", (err) => errors.push(err.message));
    await staffSignIn(page, "reviewer");
    await page.waitForSelector("[data-testid=queue-item]");

    // "全选本次活动" selects exactly that activity's applications.
    const groupA = page.locator(`[data-testid=queue-group][data-notice-id="${activityA.id}"]`);
    expect(await groupA.locator("h3").textContent()).toContain("周三下午9号楼楼道清扫");
    await groupA.locator("[data-testid=select-activity]").check();
    expect(new Set(await checkedIds(page))).toEqual(new Set(activityA.apps));
    expect(await page.textContent("[data-testid=bulk-approve]")).toContain("（2）");

    // A bulk approve of a penalty and a likely duplicate shows both for what they are; going back approves nothing.
    await groupA.locator("[data-testid=select-activity]").uncheck();
    expect(await checkedIds(page)).toEqual([]);
    await item(page, penaltyApp).locator("input[type=checkbox]").check();
    await item(page, duplicates[0]).locator("input[type=checkbox]").check();
    await page.click("[data-testid=bulk-approve]");
    const dialog = page.locator("[data-testid=bulk-dialog]");
    await dialog.waitFor();
    expect(await dialog.locator(`[data-testid=bulk-row][data-application-id="${penaltyApp}"] .pts.minus`).textContent()).toBe("扣 2 分");
    expect(await dialog.locator(`[data-testid=bulk-row][data-application-id="${duplicates[0]}"] [data-testid=bulk-duplicate]`).count()).toBe(1);
    expect(await dialog.locator("[data-testid=bulk-total]").textContent()).toBe("合计 2 份，加 10 分（其中 1 份是扣分，共扣 2 分）");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect((await get(penaltyApp)).status).toBe("submitted");
    expect((await get(duplicates[0])).status).toBe("submitted");
    await item(page, penaltyApp).locator("input[type=checkbox]").uncheck();
    await item(page, duplicates[0]).locator("input[type=checkbox]").uncheck();

    // The activity again: each row starts at the rule's minimum, is editable within its range, and the total follows.
    await groupA.locator("[data-testid=select-activity]").check();
    await page.click("[data-testid=bulk-approve]");
    await dialog.waitFor();
    const rows = dialog.locator("[data-testid=bulk-row]");
    expect(await rows.count()).toBe(2);
    const pointsOf = (id: string) => dialog.locator(`[data-testid=bulk-row][data-application-id="${id}"] [data-testid=bulk-points]`);
    for (const id of activityA.apps) expect(await pointsOf(id).inputValue()).toBe("5");
    expect(await dialog.locator("[data-testid=bulk-total]").textContent()).toBe("合计 2 份，加 10 分");
    await pointsOf(activityA.apps[1]).fill("99");
    await dialog.locator("text=有分值不在细则范围内").waitFor();
    expect(await dialog.locator("[data-testid=bulk-confirm]").isDisabled()).toBe(true);
    await pointsOf(activityA.apps[1]).fill("12");
    expect(await dialog.locator("[data-testid=bulk-total]").textContent()).toBe("合计 2 份，加 17 分");
    expect(await dialog.locator("[data-testid=bulk-confirm]").isEnabled()).toBe(true);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "reviewer-bulk-zh-desktop");
    await dialog.locator("[data-testid=bulk-confirm]").click();
    await dialog.waitFor({ state: "detached" });
    await page.waitForSelector("text=已通过 2 份，共加 17 分");

    // The API registered exactly those points; the other activity was not touched.
    const [first, second] = await Promise.all(activityA.apps.map(get));
    expect([first.status, first.points]).toEqual(["registered", 5]);
    expect([second.status, second.points]).toEqual(["registered", 12]);
    expect((await get(activityB.apps[0])).status).toBe("submitted");
    expect(await page.locator(`[data-testid=queue-group][data-notice-id="${activityA.id}"]`).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
