/**
 * Every resident can use it (issue 15), in real Chromium: 朗读 queues an utterance in zh-CN
 * whose text holds the balance in Chinese words (and says so where no voice exists); a family
 * helper signs in, sees the balance, cannot change the PIN and is signed out when the admin ends
 * it; a card locked by five wrong PINs says until when, is in the admin's list and signs in
 * again after unlock; at A++ on 360×740 no resident page scrolls sideways; the clerk and the
 * volunteer show a resident with only a card the balance (给居民看) and print the statement on A4
 * and 58 mm; axe finds nothing serious on any of these pages in either language and size.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { api, axeProblems, cardPin, cardSignIn as signInWithCard, desktop, launchBrowser, newPage, pageErrors, phone, screenshot, staffSignIn, startWorld, type World } from "./support";

type Spoken = { text: string; lang: string };

/**
 * Records what the app asks the speech engine to say, instead of saying it. `voices`: the voice
 * list the page sees — none, or one fake voice per language when the machine has none (Debian's
 * headless Chromium has no speech engine; a phone does).
 */
async function watchSpeech(context: BrowserContext, voices: "none" | "some") {
  await context.addInitScript((mode) => {
    const w = window as unknown as { __spoken: Spoken[] };
    w.__spoken = [];
    const synth = window.speechSynthesis;
    if (!synth) return;
    synth.speak = (u: SpeechSynthesisUtterance) => {
      w.__spoken.push({ text: u.text, lang: u.lang });
    };
    const fake = [
      { name: "Test 中文", lang: "zh-CN", default: true, localService: true, voiceURI: "test-zh" },
      { name: "Test English", lang: "en-GB", default: false, localService: true, voiceURI: "test-en" },
    ];
    const real = synth.getVoices.bind(synth);
    synth.getVoices = () => (mode === "none" ? [] : real().length ? real() : (fake as unknown as SpeechSynthesisVoice[]));
  }, voices);
}

const spoken = (page: Page) => page.evaluate(() => (window as unknown as { __spoken: Spoken[] }).__spoken);

/** No page of the app may scroll sideways. */
async function overflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
}

describe("every resident can use it", () => {
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

  it("reads the balance aloud in Chinese words, the entries, a notice and the board; in English when the app is", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    await watchSpeech(context, "some");
    const problems = watch(page);
    await cardSignIn(page, 0); // 张三华: 50 points
    await page.click("[data-testid=read-aloud]");
    await page.waitForFunction(() => (window as unknown as { __spoken: unknown[] }).__spoken.length === 1);
    const [home] = await spoken(page);
    expect(home.lang).toBe("zh-CN");
    expect(home.text).toContain("您家现在有五十分");
    expect(home.text).toContain("加五十分");
    expect(home.text).not.toMatch(/\d{2}分/);

    await page.goto("/me/notices");
    await page.click("[data-testid=read-notice]");
    await page.waitForFunction(() => (window as unknown as { __spoken: unknown[] }).__spoken.length === 1);
    expect((await spoken(page))[0].text).toBe("通知：周六上午12号楼大扫除。周六9点在12号楼集合，每人5分。");

    await page.goto("/board");
    await page.click("[data-testid=read-aloud]");
    await page.waitForFunction(() => (window as unknown as { __spoken: unknown[] }).__spoken.length === 1);
    expect((await spoken(page))[0].text).toMatch(/^公示还有三天结束。|^公示还有\d天结束。/);
    expect((await spoken(page))[0].text).toContain("照顾独居老人，加二十分");

    await page.click("[data-testid=lang-switch]");
    await page.waitForSelector("[data-testid=lang-switch]:has-text('中文')");
    await page.goto("/me");
    await page.waitForSelector("[data-testid=balance]");
    await page.click("[data-testid=read-aloud]");
    await page.waitForFunction(() => (window as unknown as { __spoken: unknown[] }).__spoken.length === 1);
    const [english] = await spoken(page);
    expect(english.lang).toBe("en-GB");
    expect(english.text).toContain("Your household has 50 points.");
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it("says so on the button when the phone has no voice for the language, and speaks nothing", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    await watchSpeech(context, "none");
    await cardSignIn(page, 0);
    await page.click("[data-testid=read-aloud]");
    await page.waitForSelector("[data-testid=no-voice]");
    expect(await page.textContent("[data-testid=read-aloud]")).toContain("这部手机不能朗读中文");
    expect(await spoken(page)).toEqual([]);
    expect(await axeProblems(page)).toEqual([]);
    await context.close();
  }, 60_000);

  it("a family helper signs in, sees the balance, cannot change the PIN, and is signed out when the admin ends it", async () => {
    const h = world.households[1]; // 李秀英: 30 points
    // The admin gives the household a helper on its page and sees the code once.
    const { context: office, page: admin } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    const adminProblems = watch(admin);
    await staffSignIn(admin, "admin", world.target.adminPassword);
    await admin.goto(`/admin/household/${h.id}`);
    await admin.fill("#helper-name", "李小军");
    await admin.fill("#helper-relation", "儿子");
    await admin.click("[data-testid=add-helper]");
    const code = (await admin.textContent("[data-testid=helper-code]"))!.trim();
    expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    expect(await admin.textContent("[data-testid=helper-code-once]")).toContain("只显示这一次");
    await admin.waitForSelector("[data-testid=helpers] li:has-text('李小军')");
    expect(await axeProblems(admin)).toEqual([]);

    // The son's phone.
    const { context: phoneContext, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    const problems = watch(page);
    await page.goto("/login");
    await page.click("[data-testid=helper-login-link]");
    await page.waitForURL("**/helper");
    expect(await axeProblems(page)).toEqual([]);
    await page.fill("#helper-code", code.toLowerCase());
    await page.click("[data-testid=helper-submit]");
    await page.waitForURL("**/me");
    expect(await page.textContent("[data-testid=balance]")).toBe("30");
    expect(await page.textContent("[data-testid=helper-banner]")).toContain("李小军，您在帮 XXL-0102 户看积分");
    // The one-time payment code shows on the helper's phone.
    await page.click("[data-testid=get-code]");
    await page.waitForSelector("[data-testid=code-qr]");
    // A PIN is never the helper's to change: the calls that set one answer 403.
    const status = await page.evaluate(async (id) => {
      const res = await fetch(`/api/households/${id}/card`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pin: "1357" }) });
      return res.status;
    }, h.id);
    expect(status).toBe(403);
    expect((await world.target.call("POST", "/auth/card-login", { body: { cardNo: h.cardNo, pin: cardPin } })).status).toBe(200);

    // The household sees who helps and when they signed in.
    const { context: own, page: household } = await newPage(browser, world.target.baseUrl, "zh", phone);
    await cardSignIn(household, 1);
    await household.waitForSelector("[data-testid=my-helpers]");
    expect(await household.textContent("[data-testid=helper-sign-ins]")).toContain("李小军（儿子）在");
    expect(await axeProblems(household)).toEqual([]);
    await own.close();

    // The admin ends the helper: the phone is signed out at once.
    admin.once("dialog", (dialog) => void dialog.accept());
    await admin.click("[data-testid=helpers] li:has-text('李小军') [data-testid=end-helper]");
    await admin.waitForSelector("text=已停止 李小军 的亲情代理");
    await page.goto("/me/history");
    await page.waitForURL("**/login");
    expect((await world.target.call("POST", "/auth/helper-login", { body: { code } })).status).toBe(401);
    expect(problems).toEqual([]);
    expect(adminProblems).toEqual([]);
    await phoneContext.close();
    await office.close();
  }, 120_000);

  it("a card locked by five wrong PINs says until when, is in the admin's list, and signs in again after unlock", async () => {
    const h = world.households[2];
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    await page.goto("/login");
    await page.fill("#cardNo", h.cardNo);
    for (let i = 0; i < 5; i++) {
      await page.fill("#pin", "000000");
      await page.click("button[type=submit]");
      await page.waitForSelector(i < 4 ? "[role=alert]:has-text('卡号或密码不正确')" : "[data-testid=card-locked]");
    }
    const message = await page.textContent("[data-testid=card-locked]");
    expect(message).toMatch(/已经锁住了。请在 .*\d{2}:\d{2} 以后再试，或者带上积分卡到双扶驿站，请工作人员解锁/);
    expect(await axeProblems(page)).toEqual([]);

    const { context: office, page: admin } = await newPage(browser, world.target.baseUrl, "zh", desktop);
    await staffSignIn(admin, "admin", world.target.adminPassword);
    await admin.goto("/admin/card-desk");
    const locked = admin.locator("[data-testid=locked-cards] tbody tr", { hasText: h.cardNo });
    await locked.waitFor();
    expect(await locked.textContent()).toContain(h.householdNo);
    admin.once("dialog", (dialog) => void dialog.accept());
    await locked.locator("[data-testid=unlock-card]").click();
    await admin.waitForSelector("[data-testid=no-locked-cards]");
    const audit = await api<{ items: { action: string }[] }>(world.target, "GET", "/audit?action=card.unlock", world.admin);
    expect(audit.items.length).toBe(1);

    await page.fill("#pin", cardPin);
    await page.click("button[type=submit]");
    await page.waitForURL("**/me");
    await context.close();
    await office.close();
  }, 120_000);

  it("shows the resident the balance at the counter (给居民看) and prints the statement on A4 and 58 mm", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    await context.addInitScript(() => {
      const w = window as unknown as { __printed: string[] };
      w.__printed = [];
      window.print = () => {
        w.__printed.push([...document.querySelectorAll("style")].map((s) => s.textContent ?? "").join("\n"));
      };
    });
    const problems = watch(page);
    await staffSignIn(page, "clerk");
    await page.focus("[data-testid=scan-input]");
    await page.keyboard.type(world.households[0].qr);
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=customer]");
    await page.click("[data-testid=show-resident-open]");
    await page.waitForSelector("[data-testid=show-entries] li");
    const balance = await page.textContent("[data-testid=show-balance]");
    expect(Number(balance)).toBeGreaterThanOrEqual(0);
    await page.waitForSelector("[data-testid=statement-receipt]");
    const closing = await page.textContent("[data-testid=statement-receipt] [data-testid=statement-closing]");
    expect(closing).toBe(balance);
    expect(await axeProblems(page)).toEqual([]);
    expect((await overflow(page)).scrollWidth).toBeLessThanOrEqual(phone.width);
    await page.click("[data-testid=print-receipt]");
    await page.waitForFunction(() => (window as unknown as { __printed: string[] }).__printed.length === 1);
    expect((await page.evaluate(() => (window as unknown as { __printed: string[] }).__printed[0]))).toContain("size: 58mm auto");
    await page.click("[data-testid=print-a4]");
    await page.waitForFunction(() => (window as unknown as { __printed: string[] }).__printed.length === 2);
    expect((await page.evaluate(() => (window as unknown as { __printed: string[] }).__printed[1]))).toContain("size: A4");
    await page.click("[data-testid=show-resident-close]");
    await page.waitForSelector("[data-testid=show-resident]", { state: "detached" });
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it("the volunteer shows a resident with only a card the balance and the statement (给居民看)", async () => {
    const h = world.households[2];
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    const problems = watch(page);
    await staffSignIn(page, "volunteer");
    await page.fill("[data-testid=typed-household]", h.householdNo);
    await page.press("[data-testid=typed-household]", "Enter");
    await page.click(`[data-testid=participants] li:has-text('${h.headName}') [data-testid=show-resident-open]`);
    await page.waitForSelector("[data-testid=show-entries] li");
    const balance = await page.textContent("[data-testid=show-balance]");
    await page.waitForSelector("[data-testid=statement-receipt]");
    expect(await page.textContent("[data-testid=statement-receipt] [data-testid=statement-closing]")).toBe(balance);
    expect(await axeProblems(page)).toEqual([]);
    expect((await overflow(page)).scrollWidth).toBeLessThanOrEqual(phone.width);
    await page.keyboard.press("Escape");
    await page.waitForSelector("[data-testid=show-resident]", { state: "detached" });
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  const residentPaths = ["/me", "/me/history", "/me/applications", "/me/notices", "/me/apply", "/me/goods", "/me/ranking", "/board"];
  const publicPaths = ["/login", "/helper"];

  for (const lang of ["zh", "en"] as const) {
    it(`no page scrolls sideways at 360×740 and axe finds nothing serious, in every text size (${lang})`, async () => {
      const visitor = await newPage(browser, world.target.baseUrl, lang, phone);
      const resident = await newPage(browser, world.target.baseUrl, lang, phone);
      const problems = [...watch(visitor.page), ...watch(resident.page)];
      await cardSignIn(resident.page, 0);
      for (const [size, label] of [["normal", "A"], ["large", "A+"], ["larger", "A++"]] as const) {
        for (const { page, paths } of [{ page: visitor.page, paths: publicPaths }, { page: resident.page, paths: residentPaths }]) {
          await page.goto(paths[0]);
          await page.click(`[data-testid=text-size-${size}]`);
          expect(await page.getAttribute(`[data-testid=text-size-${size}]`, "aria-pressed")).toBe("true");
          for (const path of paths) {
            await page.goto(path);
            await page.waitForSelector("main h1, main [data-testid=qr-panel]");
            await page.waitForLoadState("networkidle");
            // Remembered on the device: every page (a fresh load) has the size chosen.
            expect(await page.evaluate(() => document.documentElement.dataset.textSize ?? "normal")).toBe(size);
            const { scrollWidth, clientWidth } = await overflow(page);
            expect(scrollWidth, `${path} at ${label}`).toBeLessThanOrEqual(clientWidth);
            expect(await axeProblems(page), `${path} at ${label}`).toEqual([]);
            if (size === "larger" && path === "/me" && lang === "zh") await screenshot(page, "resident-home-zh-phone-a++");
          }
        }
      }
      // Staff pages keep their layout: the size is not applied there.
      await resident.page.goto("/staff");
      await resident.page.waitForLoadState("networkidle");
      expect(await resident.page.evaluate(() => document.documentElement.dataset.textSize ?? null)).toBeNull();
      expect(problems).toEqual([]);
      await visitor.context.close();
      await resident.context.close();
    }, 300_000);
  }
});
