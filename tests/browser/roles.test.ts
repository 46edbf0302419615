/**
 * Every role on every page, in real Chromium (issue 13 item 9): each of resident, admin,
 * reviewer, volunteer, clerk and the county officer (issue 11) signs in and opens every top-level page of the app (the routes
 * of web/src/main.tsx), every resident page and every admin section. Their own pages open;
 * anyone else's says whose page it is ("这个页面是给…用的") with a big link to their own start
 * page, never an endless 正在加载…, never a sign-in form while signed in. Any `pageerror` or
 * console error fails the test. Also the readable audit log (item 6) at 1280×800.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { addCounty } from "./county-world";
import { api, axeProblems, cardPin, desktop, launchBrowser, newPage, phone, screenshot, staffPassword, startWorld, type World } from "./support";

type Role = "resident" | "admin" | "reviewer" | "volunteer" | "clerk" | "officer";

const home: Record<Role, string> = { resident: "/me", admin: "/admin", reviewer: "/review", volunteer: "/volunteer", clerk: "/shop", officer: "/county" };
const roleWords: Record<Role, string> = { resident: "居民", admin: "管理员", reviewer: "认定小组", volunteer: "志愿者 / 楼长", clerk: "超市店员", officer: "区域工作人员" };

/** The signed-in pages of main.tsx and who they are for; `ready` is what shows once the page is there. */
const gated: { path: string; for: Role[]; ready: string }[] = [
  { path: "/me", for: ["resident"], ready: "[data-testid=balance]" },
  { path: "/me/history", for: ["resident"], ready: "[data-testid=history] li" },
  { path: "/me/applications", for: ["resident"], ready: "[data-testid=applications] li" },
  { path: "/me/notices", for: ["resident"], ready: "[data-testid=notices] li" },
  { path: "/me/apply", for: ["resident"], ready: "[data-testid=carrier-environment]" },
  { path: "/me/goods", for: ["resident"], ready: "[data-testid=goods] li" },
  { path: "/me/ranking", for: ["resident"], ready: "[data-testid=ranking] li" },
  { path: "/volunteer", for: ["volunteer", "admin"], ready: "main h1" },
  { path: "/review", for: ["reviewer", "admin"], ready: "main h1" },
  { path: "/shop", for: ["clerk", "admin"], ready: "main h1" },
  { path: "/admin", for: ["admin"], ready: "[data-testid=summary]" },
  { path: "/admin/households", for: ["admin"], ready: "main h1" },
  { path: "/admin/audit", for: ["admin"], ready: "main h1" },
  { path: "/county", for: ["officer"], ready: "[data-testid=county-table] tbody tr" },
  { path: "/county/manage", for: ["officer"], ready: "[data-testid=county-manage]" },
];

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe("every role on every page", () => {
  let world: World;
  let browser: Browser;

  beforeAll(async () => {
    world = await startWorld();
    // One redemption, so the audit log has a receipt to name.
    await api(world.target, "POST", "/redemptions", world.clerk, { qr: world.households[0].qr, items: [{ goodsId: world.goods.soap.id, quantity: 1 }] }, { "idempotency-key": `roles-${Date.now()}` });
    // A county around the community, with its officer (the officer's pages need one).
    await addCounty(world);
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await world?.target.stop();
  });

  /** A signed-in page for `role`, recording every console error and uncaught error. */
  async function signedIn(role: Role, viewport = phone) {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", viewport);
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console on ${new URL(page.url()).pathname}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`pageerror on ${new URL(page.url()).pathname}: ${error.message}`));
    if (role === "resident") {
      await page.goto("/login");
      await page.fill("#cardNo", world.households[0].cardNo);
      await page.fill("#pin", cardPin);
    } else {
      await page.goto("/staff");
      await page.fill("#username", role);
      await page.fill("#password", role === "admin" ? world.target.adminPassword : staffPassword);
    }
    await page.click("button[type=submit]");
    await page.waitForURL((url) => url.pathname.startsWith(home[role]));
    return { context, page, problems };
  }

  /** Nothing left saying 正在加载… once the network is quiet, and no page that failed. */
  async function settled(page: Page, path: string) {
    await page.waitForLoadState("networkidle");
    await page.waitForFunction(() => ![...document.querySelectorAll("main [role=status]")].some((e) => e.textContent?.includes("正在加载")), undefined, { timeout: 15_000 }).catch(() => undefined);
    expect(await page.locator("main [role=status]", { hasText: "正在加载" }).count(), `${path} still loading`).toBe(0);
    expect(await page.locator("[data-testid=page-failed]").count(), `${path} failed`).toBe(0);
    expect(await page.locator("#username, #cardNo, #pin").count(), `${path} shows a sign-in form while signed in`).toBe(0);
  }

  async function visitAll(role: Role, page: Page) {
    // The public pages: the start page sends a signed-in person to their own page; the sign-in
    // pages say who is signed in instead of showing the form again.
    await page.goto("/");
    await page.waitForURL((url) => url.pathname.startsWith(home[role]));
    for (const path of ["/login", "/staff", new URL(world.households[1].qr).pathname]) {
      await page.goto(path);
      await page.waitForSelector("[data-testid=already-signed-in]");
      expect(await page.getAttribute("[data-testid=already-signed-in] [data-testid=guard-home]", "href"), path).toBe(home[role]);
      await settled(page, path);
    }
    await page.goto("/board");
    await page.waitForSelector("[data-testid=board-items]");
    await settled(page, "/board");
    await page.goto("/d/ABCDEF");
    await page.waitForSelector("main h1");
    await settled(page, "/d/ABCDEF");

    for (const entry of gated) {
      await page.goto(entry.path);
      if (entry.for.includes(role)) {
        await page.waitForSelector(entry.ready);
        await settled(page, entry.path);
        expect(await page.locator("[data-testid=role-guard]").count(), `${role} on ${entry.path}`).toBe(0);
      } else {
        await page.waitForSelector("[data-testid=role-guard]");
        const text = await page.textContent("[data-testid=role-guard]");
        expect(text, `${role} on ${entry.path}`).toContain(`这个页面是给${entry.for.map((r) => roleWords[r]).join("、")}用的`);
        expect(text).toContain(roleWords[role]);
        expect(new URL(page.url()).pathname, `${role} stays on ${entry.path}`).toBe(entry.path);
        expect(await page.getAttribute("[data-testid=guard-home]", "href")).toBe(home[role]);
        await settled(page, entry.path);
      }
    }
  }

  for (const role of ["resident", "reviewer", "volunteer", "clerk", "officer"] as const) {
    it(`${role}: their own pages open, everyone else's says whose they are, with no error`, async () => {
      const { context, page, problems } = await signedIn(role);
      await visitAll(role, page);
      // The big link leads home.
      await page.goto("/admin/settings");
      await page.click("[data-testid=guard-home]");
      await page.waitForURL((url) => url.pathname === home[role]);
      expect(problems).toEqual([]);
      await context.close();
    }, 180_000);
  }

  it("a resident opening /review sees the guard, which passes axe, in English too", async () => {
    const { context, page, problems } = await signedIn("resident");
    await page.goto("/review");
    await page.waitForSelector("[data-testid=role-guard]");
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "guard-zh-phone");
    await page.click("[data-testid=lang-switch]");
    await page.waitForSelector("text=This page is for Certification group, Administrator");
    expect(await page.textContent("[data-testid=role-guard]")).toContain("Go to my start page");
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it("admin: every page, every admin section from the menu, and the rest of the roles' pages", async () => {
    const { context, page, problems } = await signedIn("admin", desktop);
    await visitAll("admin", page);
    await page.goto("/admin");
    await page.waitForSelector("[data-testid=summary]");
    const sections = await page.$$eval(".admin nav a", (links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    expect(sections.length).toBeGreaterThanOrEqual(10);
    for (const path of sections) {
      await page.goto(path);
      await page.waitForSelector("main h1");
      await settled(page, path);
      expect(await page.locator("main .error").count(), path).toBe(0);
    }
    expect(problems).toEqual([]);
    await context.close();
  }, 240_000);

  it("admin: the audit log names people and objects in words, filters, and fits 1280 px without sideways scrolling", async () => {
    const { context, page, problems } = await signedIn("admin", desktop);
    await page.goto("/admin/audit");
    await page.waitForSelector("[data-testid=audit-row]");
    const text = (await page.textContent("[data-testid=audit]")) ?? "";
    expect(text).toContain("陈店员（超市店员）");
    expect(text).toContain("王认定（认定小组）");
    expect(text).toContain("认定通过了申请");
    expect(text).toContain("小票 #1");
    expect(text).toContain("户号 XXL-0101");
    expect(text).not.toMatch(uuid);
    expect(text).not.toContain("application.approve");
    const overflow = await page.evaluate(() => {
      const root = document.scrollingElement ?? document.documentElement;
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
    });
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.clientWidth);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "admin-audit-zh-desktop");

    // Only redemptions, only the clerk: every row says so.
    await page.selectOption("#audit-group", { label: "兑换" });
    await page.click("[data-testid=audit-search]");
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=audit-row]")].every((row) => row.getAttribute("data-action")?.startsWith("redemption.")));
    expect(await page.locator("[data-testid=audit-row]").count()).toBe(1);
    expect(await page.textContent("[data-testid=audit-row]")).toContain("兑换了商品，共 5 分");
    await page.selectOption("#audit-group", { label: "全部" });
    await page.selectOption("#audit-who", { label: "王认定（认定小组）" });
    await page.click("[data-testid=audit-search]");
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll("[data-testid=audit-row]")];
      return rows.length > 0 && rows.every((row) => row.textContent?.startsWith("王认定"));
    });
    // A range of days with nothing in it (the world was built today).
    await page.selectOption("#audit-who", { label: "全部" });
    await page.fill("#audit-from", "2020-01-01");
    await page.fill("#audit-to", "2020-01-31");
    await page.click("[data-testid=audit-search]");
    await page.waitForSelector("text=没有符合的条目");
    expect(await page.locator("[data-testid=audit-row]").count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
