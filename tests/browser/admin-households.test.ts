/**
 * The admin's household register at the scale of a real community, in real Chromium (issue 13
 * item 5, issue 9 item 6, issue 15 item 3): paging past 200 households with "已显示 n / 共 N 户"
 * and filters; picking every household of a building without a card and issuing them cards in
 * one go, with the PIN slips and the handover register as A4 print views (each card then signs
 * in with the PIN its slip shows); 挂失 and 补卡; importing a file that clashes with existing 户号,
 * then skipping or updating them, one message at a time; disabling a staff account and unlocking
 * a card locked by wrong PINs. Every page fails the test on an uncaught page error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { api, axeProblems, cardPin, desktop, launchBrowser, login, newPage, screenshot, staffPassword, staffSignIn, startWorld, type World } from "./support";

describe("the admin's households at scale", () => {
  let world: World;
  let browser: Browser;
  const imported = 250;
  const inBuilding12 = 40;

  beforeAll(async () => {
    world = await startWorld();
    // 250 households as an office imports them: 40 in 12号楼 (beside the world's two, which have
    // cards), the rest in 7号楼; none has a card yet.
    const lines = ["户号,户主姓名,楼栋,单元,房号,家庭成员,户类型"];
    for (let i = 1; i <= imported; i++) {
      lines.push(`B-${String(i).padStart(4, "0")},住户${i},${i <= inBuilding12 ? "12号楼" : "7号楼"},${(i % 3) + 1}单元,${100 + i},住户${i}、家人${i}（配偶）,${i % 4 === 0 ? "低保户" : "一般户"}`);
    }
    const res = await world.target.call("POST", "/households/import", { token: world.admin, rawBody: `${lines.join("\n")}\n`, headers: { "content-type": "text/csv" } });
    if (res.status !== 201) throw new Error(`import: ${res.status} ${JSON.stringify(res.body)}`);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
  });

  /** A signed-in admin page that records every uncaught page error and answers dialogs. */
  async function adminPage(promptAnswer = ""): Promise<{ page: Page; errors: string[]; dialogs: string[]; close: () => Promise<void> }> {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const errors: string[] = [];
    const dialogs: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void (dialog.type() === "prompt" ? dialog.accept(promptAnswer) : dialog.accept());
    });
    await staffSignIn(page, "admin", world.target.adminPassword);
    return { page, errors, dialogs, close: () => context.close() };
  }

  const total = async () => (await api(world.target, "GET", "/households?limit=1", world.admin)).total as number;
  const countText = (page: Page) => page.textContent("[data-testid=households-count]");

  it("pages past 200 households with the total shown, and filters by building, card and type", async () => {
    const { page, errors, close } = await adminPage();
    const all = await total();
    expect(all).toBeGreaterThan(200);
    await page.goto("/admin/households");
    await page.waitForFunction((text) => document.querySelector("[data-testid=households-count]")?.textContent?.includes(text), `已显示 200 / 共 ${all} 户`);
    expect(await page.locator("[data-testid=households] tbody tr").count()).toBe(200);
    await page.click("[data-testid=households-more]");
    await page.waitForFunction((text) => document.querySelector("[data-testid=households-count]")?.textContent?.includes(text), `已显示 ${all} / 共 ${all} 户`);
    expect(await page.locator("[data-testid=households] tbody tr").count()).toBe(all);
    expect(await page.locator("[data-testid=households-more]").count()).toBe(0);
    expect(await page.textContent("[data-testid=households]")).toContain(`B-0${imported}`);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "admin-households-paging-zh-desktop");

    // Filters: building and card state, with their counts in the choices.
    expect(await page.locator("[data-testid=filter-building] option", { hasText: "12号楼" }).textContent()).toContain(`（${inBuilding12 + 2}）`);
    await page.selectOption("[data-testid=filter-building]", "12号楼");
    await page.waitForFunction((text) => document.querySelector("[data-testid=households-count]")?.textContent?.includes(text), `共 ${inBuilding12 + 2} 户`);
    await page.selectOption("[data-testid=filter-card]", "none");
    await page.waitForFunction((text) => document.querySelector("[data-testid=households-count]")?.textContent?.includes(text), `已显示 ${inBuilding12} / 共 ${inBuilding12} 户`);
    const states = await page.locator("[data-testid=households] [data-testid=card-state]").allTextContents();
    expect(new Set(states)).toEqual(new Set(["无卡"]));
    await page.selectOption("[data-testid=filter-card]", "active");
    await page.waitForFunction(() => document.querySelector("[data-testid=households-count]")?.textContent?.includes("共 2 户"));
    await page.selectOption("[data-testid=filter-card]", "");
    await page.selectOption("[data-testid=filter-building]", "");
    await page.selectOption("[data-testid=filter-type]", "低保户");
    await page.waitForFunction((text) => document.querySelector("[data-testid=households-count]")?.textContent?.includes(text), `共 ${Math.floor(imported / 4)} 户`);
    // Search (a member's name) within the filter.
    await page.fill("#hh-q", "家人8");
    await page.click("form[role=search] button[type=submit]");
    // 家人8 and 家人80…89 match; of them 8, 80, 84 and 88 are 低保户.
    await page.waitForFunction(() => document.querySelector("[data-testid=households-count]")?.textContent?.includes("已显示 4 / 共 4 户"));
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it("issues cards to every household of 12号楼 without one: PIN slips and the handover register print on A4, and each card signs in with its slip's PIN", async () => {
    const { page, errors, dialogs, close } = await adminPage();
    await page.goto("/admin/households");
    await page.waitForSelector("[data-testid=households] tbody tr");
    await page.selectOption("[data-testid=filter-building]", "12号楼");
    await page.selectOption("[data-testid=filter-card]", "none");
    await page.waitForFunction((text) => document.querySelector("[data-testid=households-count]")?.textContent?.includes(text), `共 ${inBuilding12} 户`);
    await page.click("[data-testid=pick-shown]");
    expect(await page.textContent("[data-testid=picked-count]")).toContain(`已选 ${inBuilding12} 户`);
    // window.print opens nothing in headless Chromium; count the calls instead.
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => {
        (window as unknown as { printed: number }).printed += 1;
      };
    });
    await page.click("[data-testid=issue-batch]");
    await page.waitForSelector("[data-testid=pin-slips] [data-testid=pin-slip]", { timeout: 60_000 });
    expect(dialogs.at(-1)).toContain(`为 ${inBuilding12} 户各发一张新卡`);
    expect(await page.locator("[data-testid=pin-slip]").count()).toBe(inBuilding12);
    expect(await page.textContent("body")).toContain("密码只显示这一次");
    const slips = await page.locator("[data-testid=pin-slip]").evaluateAll((nodes) =>
      nodes.map((n) => ({ householdNo: n.querySelector("[data-testid=slip-household]")?.textContent ?? "", pin: n.querySelector("[data-testid=slip-pin]")?.textContent ?? "", text: n.textContent ?? "" })),
    );
    expect(slips.map((s) => s.householdNo)).toEqual(Array.from({ length: inBuilding12 }, (_, i) => `B-${String(i + 1).padStart(4, "0")}`));
    for (const slip of slips) {
      expect(slip.pin).toMatch(/^\d{6}$/);
      expect(slip.text).toContain("请撕开后妥善保管");
      expect(slip.text).toContain("12号楼");
    }
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "admin-pin-slips-zh-desktop");

    // Print the slips: A4, only the slips on paper (no menu, no register, no table).
    await page.click("[data-testid=print-slips]");
    await page.waitForFunction(() => (window as unknown as { printed: number }).printed === 1);
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("[data-testid=pin-slip]").first().isVisible()).toBe(true);
    expect(await page.locator("[data-testid=households]").isVisible()).toBe(false);
    expect(await page.locator("[data-testid=handover-register]").isVisible()).toBe(false);
    expect(await page.locator(".admin nav").isVisible()).toBe(false);
    expect(await page.locator("[data-testid=print-slips]").isVisible()).toBe(false);
    // Eight slips to a page: the ninth starts the second sheet.
    const firstRows = await page.locator(".pin-page").first().locator("[data-testid=pin-slip]").count();
    expect(firstRows).toBe(8);
    const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
    expect(pdf.length).toBeGreaterThan(1000);
    await page.emulateMedia({ media: "screen" });

    // The handover register: 户号, 户主, the card's last 4 digits, a signature column; no PIN.
    await page.click("[data-testid=print-register]");
    await page.waitForFunction(() => (window as unknown as { printed: number }).printed === 2);
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("[data-testid=handover-register]").isVisible()).toBe(true);
    expect(await page.locator("[data-testid=pin-slip]").first().isVisible()).toBe(false);
    const register = (await page.textContent("[data-testid=handover-register]")) ?? "";
    expect(register).toContain("积分卡发放签收表");
    expect(register).toContain("签收");
    for (const slip of slips) expect(register).not.toContain(slip.pin);
    expect(await page.locator("[data-testid=handover-register] tbody tr").count()).toBe(inBuilding12);
    await screenshot(page, "admin-handover-register-zh-print");
    await page.emulateMedia({ media: "screen" });

    // Each card signs in with the PIN on its slip, and its last 4 digits are on the register.
    for (const slip of slips) {
      const found = (await api(world.target, "GET", `/households?q=${encodeURIComponent(slip.householdNo)}`, world.admin)).items[0];
      expect(found.card.status).toBe("active");
      expect(register).toContain(found.card.cardNo.slice(-4));
      const signIn = await world.target.call("POST", "/auth/card-login", { body: { cardNo: found.card.cardNo, pin: slip.pin } });
      expect(signIn.status, slip.householdNo).toBe(200);
    }
    // Closing asks first, then the PINs are gone from the page.
    await page.click("[data-testid=close-batch]");
    await page.waitForSelector("[data-testid=pin-slips]", { state: "detached" });
    expect(dialogs.at(-1)).toContain("关闭后密码不能再查看");
    expect(await page.textContent("body")).not.toContain(slips[0].pin);
    await page.waitForFunction(() => document.querySelector("[data-testid=households-count]")?.textContent?.includes("共 0 户"));

    // The register prints again from 积分卡管理, without PINs.
    await page.click("nav >> text=积分卡管理");
    await page.waitForSelector("[data-testid=card-batches] tbody tr");
    await page.locator("[data-testid=card-batches] tbody tr").first().locator("[data-testid=reprint-register]").click();
    await page.waitForSelector("[data-testid=register-reprint] [data-testid=handover-register] tbody tr");
    expect(await page.locator("[data-testid=register-reprint] [data-testid=handover-register] tbody tr").count()).toBe(inBuilding12);
    expect(await page.locator("[data-testid=register-reprint] [data-testid=pin-slip]").count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it("挂失 blocks a card at once and 补卡 gives a new number and PIN as a separate step", async () => {
    const { page, errors, dialogs, close } = await adminPage("户主本人");
    const h = world.households[0];
    const resident = (await api<{ token: string }>(world.target, "POST", "/auth/card-login", undefined, { cardNo: h.cardNo, pin: cardPin })).token;
    await page.goto("/admin/households");
    await page.fill("#hh-q", h.householdNo);
    await page.click("form[role=search] button[type=submit]");
    await page.waitForFunction(() => document.querySelector("[data-testid=households-count]")?.textContent?.includes("共 1 户"));
    const row = page.locator("[data-testid=households] tbody tr", { hasText: h.householdNo });
    expect(await row.locator("[data-testid=card-state]").textContent()).toBe("在用");
    await row.locator("[data-testid=report-lost]").click();
    await page.waitForSelector(`text=卡 ${h.cardNo} 已挂失`);
    expect(dialogs.at(-1)).toContain("挂失后这张卡立即停用");
    expect(await row.locator("[data-testid=card-state]").textContent()).toBe("已挂失");
    // Stopped everywhere at once: the resident's session, a new sign-in, the shop's scan.
    expect((await world.target.call("GET", "/me", { token: resident })).status).toBe(401);
    expect((await world.target.call("POST", "/auth/card-login", { body: { cardNo: h.cardNo, pin: cardPin } })).status).toBe(401);
    expect((await world.target.call("POST", "/cards/resolve", { token: world.clerk, body: { qr: h.qr } })).status).toBe(404);

    await row.locator("[data-testid=reissue-card]").click();
    await page.waitForSelector("[data-testid=pin-slips] [data-testid=pin-slip]");
    expect(await page.locator("[data-testid=pin-slip]").count()).toBe(1);
    const pin = (await page.textContent("[data-testid=slip-pin]")) ?? "";
    expect(pin).toMatch(/^\d{6}$/);
    const now = (await api(world.target, "GET", `/households/${h.id}`, world.admin)).card;
    expect(now.status).toBe("active");
    expect(now.cardNo).not.toBe(h.cardNo);
    expect((await world.target.call("POST", "/auth/card-login", { body: { cardNo: now.cardNo, pin } })).status).toBe(200);
    expect((await world.target.call("POST", "/auth/card-login", { body: { cardNo: h.cardNo, pin: cardPin } })).status).toBe(401);
    await page.click("[data-testid=close-batch]");
    await page.waitForSelector("[data-testid=pin-slips]", { state: "detached" });
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it("imports a file that clashes with existing 户号: the refusal names them and offers skip or update; one message at a time", async () => {
    const { page, errors, close } = await adminPage();
    await page.goto("/admin/households");
    await page.waitForSelector("[data-testid=households] tbody tr");
    const file = (lines: string[]) => ({ name: "花名册.csv", mimeType: "text/csv", buffer: Buffer.from(`\ufeff户号,户主姓名,楼栋,家庭成员\n${lines.join("\n")}\n`) });
    // B-0100 moves to 9号楼 with a new member; C-0001 and C-0002 are new.
    const clash = file(["C-0001,新住户甲,9号楼,新住户甲", "B-0100,住户100,9号楼,住户100、家人100（配偶）、新生儿100（孙子）", "C-0002,新住户乙,9号楼,"]);
    await page.setInputFiles("#import-file", clash);
    await page.click("[data-testid=import]");
    await page.waitForSelector("[data-testid=import-existing]");
    expect(await page.textContent("[data-testid=import-existing]")).toContain("1 户的户号本社区已经有了");
    const errorsTable = (await page.textContent("[data-testid=import-errors]")) ?? "";
    expect(errorsTable).toContain("B-0100");
    expect(errorsTable).toContain("住户100");
    const before = (await api(world.target, "GET", "/households?q=B-0100", world.admin)).items[0];

    await page.click("[data-testid=import-update]");
    await page.waitForSelector("[data-testid=import-result]");
    expect(await page.textContent("[data-testid=import-result]")).toBe("已导入 2 户。更新 1 户。");
    // The refusal is gone: one message at a time.
    expect(await page.locator("[data-testid=import-existing]").count()).toBe(0);
    expect(await page.locator("[data-testid=import-errors]").count()).toBe(0);
    expect(await page.locator("section.panel .error").count()).toBe(0);
    const after = await api(world.target, "GET", `/households/${before.id}`, world.admin);
    expect(after.building).toBe("9号楼");
    expect(after.members.map((m: { name: string }) => m.name).sort()).toEqual(["住户100", "家人100", "新生儿100"].sort());

    // The same clash again, skipped this time: nothing new, the update above stays.
    await page.setInputFiles("#import-file", file(["C-0001,别的名字,10号楼,", "C-0003,新住户丙,9号楼,"]));
    expect(await page.locator("[data-testid=import-result]").count()).toBe(0); // a new file clears the last result
    await page.click("[data-testid=import]");
    await page.waitForSelector("[data-testid=import-skip]");
    await page.click("[data-testid=import-skip]");
    await page.waitForSelector("[data-testid=import-result]");
    expect(await page.textContent("[data-testid=import-result]")).toBe("已导入 1 户。跳过 1 户（户号已有）。");
    expect((await api(world.target, "GET", "/households?q=C-0001", world.admin)).items[0]).toMatchObject({ headName: "新住户甲", building: "9号楼" });

    // A bad file after a success: only the error shows, naming the 户号 and the person.
    await page.setInputFiles("#import-file", file(["C-0009,,9号楼,", "C-0010,钱多多,9号楼,钱多多、李四（配偶"]));
    await page.click("[data-testid=import]");
    await page.waitForSelector("[data-testid=import-errors] tbody tr");
    expect(await page.locator("[data-testid=import-result]").count()).toBe(0);
    const problems = (await page.textContent("[data-testid=import-errors]")) ?? "";
    expect(problems).toContain("C-0009");
    expect(problems).toContain("钱多多 / 李四（配偶");
    expect(await page.locator("[data-testid=import-existing]").count()).toBe(0);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "admin-import-errors-zh-desktop");
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it("disables a staff account (its session dies), enables it, resets its password; unlocks a card locked by wrong PINs", async () => {
    const { page, errors, dialogs, close } = await adminPage();
    await api(world.target, "POST", "/users", world.admin, { username: "helper-vol", password: staffPassword, name: "孙志愿", role: "volunteer" });
    const token = await login(world.target, "helper-vol");
    await page.goto("/admin/users");
    const row = page.locator("[data-testid=staff-users] tbody tr", { hasText: "helper-vol" });
    await row.waitFor();
    expect(await page.locator("[data-testid=staff-users] tbody tr", { hasText: "admin" }).first().textContent()).toContain("您自己");
    await row.locator("[data-testid=disable-user]").click();
    await page.waitForSelector("text=已停用 孙志愿");
    expect(dialogs.at(-1)).toContain("停用 孙志愿（helper-vol）");
    expect(await row.textContent()).toContain("已停用");
    expect((await world.target.call("GET", "/me", { token })).status).toBe(401);
    expect((await world.target.call("POST", "/auth/login", { body: { username: "helper-vol", password: staffPassword } })).status).toBe(401);
    await row.locator("[data-testid=enable-user]").click();
    await page.waitForSelector("text=已重新启用 孙志愿");
    await row.locator("[data-testid=reset-password]").click();
    await page.fill("#u-new-password", "a-brand-new-password");
    await page.click("[data-testid=reset-password-save]");
    await page.waitForSelector("text=已为 孙志愿 设置新密码");
    expect((await world.target.call("POST", "/auth/login", { body: { username: "helper-vol", password: "a-brand-new-password" } })).status).toBe(200);
    await row.locator("[data-testid=end-sessions]").click();
    await page.waitForSelector("text=孙志愿 已在 1 个设备上退出登录");

    // A card locked by five wrong PINs: listed with its 户号 and until when, then unlocked.
    const h = world.households[2];
    for (let i = 0; i < 5; i++) await world.target.call("POST", "/auth/card-login", { body: { cardNo: h.cardNo, pin: "000000" } });
    expect((await world.target.call("POST", "/auth/card-login", { body: { cardNo: h.cardNo, pin: cardPin } })).status).toBe(429);
    await page.click("nav >> text=积分卡管理");
    const locked = page.locator("[data-testid=locked-cards] tbody tr", { hasText: h.cardNo });
    await locked.waitFor();
    expect(await locked.textContent()).toContain(h.householdNo);
    expect(await axeProblems(page)).toEqual([]);
    await locked.locator("[data-testid=unlock-card]").click();
    await page.waitForSelector(`text=卡 ${h.cardNo} 已解锁`);
    await page.waitForSelector("[data-testid=no-locked-cards]");
    expect((await world.target.call("POST", "/auth/card-login", { body: { cardNo: h.cardNo, pin: cardPin } })).status).toBe(200);
    expect(errors).toEqual([]);
    await close();
  }, 120_000);
});
