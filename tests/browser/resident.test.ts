/**
 * Residents and the public in real Chromium: the notice board without signing in; the card's
 * QR opening the sign-in with the number filled; home with balance, score, rank and the card's
 * QR; history in words; applications through the seven steps; applying with a photo; objecting
 * on the board; goods; ranking; English kept across visits, API errors in English.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page, Route } from "playwright-core";
import { api, axeProblems, cardPin, desktop, launchBrowser, newPage, phone, screenshot, startWorld, type World } from "./support";

describe("residents and the public board", () => {
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

  async function cardSignIn(page: Page, i: number) {
    // The phone camera scanning the card opens the QR's URL: /c/<cardNo>.<version>.<sig>.
    await page.goto(new URL(world.households[i].qr).pathname);
    expect(await page.inputValue("#cardNo")).toBe(world.households[i].cardNo);
    await page.fill("#pin", cardPin);
    await page.click("button[type=submit]");
    await page.waitForURL("**/me");
    await page.waitForSelector("[data-testid=balance]");
  }

  it("shows the running publicity to anyone, with masked names, days left and how to object", async () => {
    for (const [lang, viewport, size] of [
      ["zh", phone, "phone"],
      ["zh", desktop, "desktop"],
      ["en", phone, "phone"],
      ["en", desktop, "desktop"],
    ] as const) {
      const { context, page } = await newPage(browser, world.target.baseUrl, lang, viewport);
      await page.goto("/board");
      await page.waitForSelector("[data-testid=board-items]");
      const text = await page.textContent("[data-testid=board-current]");
      expect(text).toContain("李*英");
      expect(text).not.toContain("李秀英");
      expect(text).not.toContain(world.households[1].cardNo);
      expect(text).toContain(lang === "zh" ? "照顾独居老人" : "照顾独居老人");
      expect(await page.textContent("[data-testid=days-left]")).toBe("3");
      expect(text).toContain(lang === "zh" ? "提出异议" : "object");
      // Nobody signed in: no objection button, the text says how.
      expect(await page.locator("[data-testid=object]").count()).toBe(0);
      expect(await axeProblems(page)).toEqual([]);
      await screenshot(page, `board-${lang}-${size}`);
      if (lang === "zh" && size === "phone") {
        await page.goto("/");
        expect(await axeProblems(page)).toEqual([]);
        await screenshot(page, "start-zh-phone");
      }
      await context.close();
    }
  }, 120_000);

  it("opens every public page anonymously without a console error, and without asking who is signed in", async () => {
    const cardLink = new URL(world.households[0].qr).pathname;
    for (const [path, ready] of [
      ["/", "[data-testid=start-resident]"],
      ["/login", "#cardNo"],
      [cardLink, "#cardNo"],
      ["/staff", "#username"],
      ["/board", "[data-testid=board-items]"],
      ["/d/ABCDEF", "main h1"],
    ] as const) {
      const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
      const asked: string[] = [];
      page.on("request", (request) => {
        if (new URL(request.url()).pathname === "/api/me") asked.push(request.url());
      });
      await page.goto(path);
      await page.waitForSelector(ready);
      await page.waitForLoadState("networkidle");
      expect(problems, path).toEqual([]);
      expect(asked, path).toEqual([]);
      await context.close();
    }
  }, 120_000);

  it("shows a failed session check as an error with a retry, not as the sign-in form", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    await cardSignIn(page, 1);
    for (const fail of [(route: Route) => route.fulfill({ status: 503, contentType: "text/plain", body: "upstream down" }), (route: Route) => route.abort("failed")]) {
      await page.route("**/api/me", fail);
      await page.goto("/me");
      await page.waitForSelector("[data-testid=session-failed]");
      expect(new URL(page.url()).pathname).toBe("/me");
      expect(await page.locator("#cardNo").count()).toBe(0);
      expect(await axeProblems(page)).toEqual([]);
      await page.unroute("**/api/me");
      await page.click("[data-testid=session-retry]");
      // The kept balance may already show beside the error; the retry must clear the error itself.
      await page.waitForSelector("[data-testid=session-failed]", { state: "detached", timeout: 15_000 });
      await page.waitForSelector("[data-testid=balance]");
      expect(await page.locator("[data-testid=session-failed]").count()).toBe(0);
    }
    await context.close();
  }, 120_000);

  it("signs in from the card's QR and shows balance, score, rank, the card QR and history in words", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    await page.goto(new URL(world.households[0].qr).pathname);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "resident-login-zh-phone");
    await cardSignIn(page, 0);
    expect(await page.textContent("[data-testid=balance]")).toBe("50");
    expect(await page.textContent("[data-testid=score]")).toBe("50");
    await page.waitForSelector("text=全社区第 1 名");
    // The card's QR image loads (the household may fetch its own).
    await page.waitForFunction(() => (document.querySelector("[data-testid=card-qr]") as HTMLImageElement)?.naturalWidth > 0);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "resident-zh-phone");

    // The phone shows a one-time code instead of the card: the shop can use it once, within 60 s.
    const issued = page.waitForResponse((res) => res.url().endsWith("/api/cards/code") && res.status() === 201);
    await page.click("[data-testid=get-code]");
    const code = await (await issued).json();
    await page.waitForFunction(() => (document.querySelector("[data-testid=code-qr]") as HTMLImageElement)?.naturalWidth > 0);
    expect(await page.textContent("[data-testid=one-time-code]")).toMatch(/还剩 \d+ 秒/);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "resident-code-zh-phone");
    const basket = { qr: code.qr, items: [{ goodsId: world.goods.soap.id, quantity: 1 }] };
    const paid = await api(world.target, "POST", "/redemptions", world.clerk, basket, { "idempotency-key": `code-${Date.now()}` });
    expect(paid.balanceAfter).toBe(45);
    const again = await world.target.call("POST", "/redemptions", { token: world.clerk, body: basket, headers: { "idempotency-key": `code-again-${Date.now()}` } });
    expect(again.body.error.code).toBe("CODE_USED");
    // The first screen lists the last redemptions, so a card used by someone else shows at once.
    await page.reload();
    await page.waitForSelector("[data-testid=recent-redemptions] li");
    expect(await page.textContent("[data-testid=recent-redemptions]")).toContain("香皂×1");
    expect(await page.textContent("[data-testid=balance]")).toBe("45");
    expect(await axeProblems(page)).toEqual([]);

    await page.click("text=积分明细");
    await page.waitForSelector("[data-testid=history] li");
    const history = await page.textContent("[data-testid=history]");
    expect(history).toContain("+50");
    expect(history).toContain("香皂");
    expect(history).toMatch(/打扫楼道|大扫除|加分|积分/);
    expect(await axeProblems(page)).toEqual([]);

    await page.goto("/me/applications");
    await page.waitForSelector("[data-testid=applications] li");
    expect(await page.textContent("[data-testid=applications]")).toContain("已充值到卡");
    expect(await page.locator("[data-testid=applications] .steps li.done").count()).toBe(6);

    await page.goto("/me/goods");
    await page.waitForSelector("[data-testid=goods] li");
    expect(await page.textContent("[data-testid=goods]")).toContain("大米 5斤");
    expect(await page.textContent("[data-testid=goods]")).toContain("15 分");

    await page.goto("/me/ranking");
    await page.waitForSelector("[data-testid=ranking] li");
    expect(await page.textContent("[data-testid=ranking]")).toContain("第 1 名");
    expect(await axeProblems(page)).toEqual([]);

    await page.goto("/me/notices");
    await page.waitForSelector("[data-testid=notices] li");
    expect(await page.textContent("[data-testid=notices]")).toContain("周六上午12号楼大扫除");
    await context.close();
  }, 120_000);

  it("applies for points: carrier → rule → description → photo, then follows it in the seven steps", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    await cardSignIn(page, 2);
    await page.click("[data-testid=tile-apply]");
    await page.click("[data-testid=carrier-neighbour]");
    await page.click("[data-testid=rule-choice]:has-text('照顾独居老人')");
    await page.fill("#description", "每周两次陪楼下的孙大爷去医院");
    // A tiny red PNG (2×2, valid checksums, so the browser can decode it) stands in for the
    // phone's camera photo.
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEUlEQVR42mP4z8DwnwGMgRQAH+4D/a+/4gQAAAAASUVORK5CYII=", "base64");
    await page.setInputFiles("#photo", { name: "evidence.png", mimeType: "image/png", buffer: png });
    await page.waitForSelector("img[alt='证明照片']");
    expect(await axeProblems(page)).toEqual([]);
    await page.click("button[type=submit]");
    await page.waitForSelector(".success");
    const apps = await api(world.target, "GET", `/applications?householdId=${world.households[2].id}&status=submitted`, world.admin);
    expect(apps.items).toHaveLength(1);
    expect(apps.items[0].description).toBe("每周两次陪楼下的孙大爷去医院");
    expect(apps.items[0].evidence[0]).toMatch(/^data:image\/jpeg;base64,/);
    await page.goto("/me/applications");
    await page.waitForSelector("text=等待认定");
    await context.close();
  }, 120_000);

  it("objects to a publicity item from the board", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    await cardSignIn(page, 0);
    await page.goto("/board");
    await page.click("[data-testid=object]");
    await page.fill("textarea", "刘奶奶是她亲戚在照顾，不是她。");
    await page.click("button[type=submit]");
    await page.waitForSelector("text=异议已提交");
    await context.close();
  }, 120_000);

  it("keeps English across visits and shows API errors in English", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    await page.goto("/login");
    await page.click("[data-testid=lang-switch]");
    await page.waitForSelector("text=Card sign-in");
    await page.reload();
    await page.waitForSelector("text=Card sign-in");
    await page.fill("#cardNo", world.households[1].cardNo);
    await page.fill("#pin", "0000");
    await page.click("button[type=submit]");
    await page.waitForSelector(".error");
    expect(await page.textContent(".error")).toContain("Wrong card number or PIN");
    await screenshot(page, "resident-login-en-phone");
    await page.fill("#pin", cardPin);
    await page.click("button[type=submit]");
    await page.waitForSelector("[data-testid=balance]");
    expect(await page.textContent("[data-testid=balance-card]")).toContain("Points to spend");
    await page.waitForFunction(() => (document.querySelector("[data-testid=card-qr]") as HTMLImageElement)?.naturalWidth > 0);
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, "resident-en-phone");
    await page.setViewportSize(desktop);
    await screenshot(page, "resident-en-desktop");
    await context.close();
    const zh = await newPage(browser, world.target.baseUrl, "zh", desktop);
    await cardSignIn(zh.page, 1);
    await zh.page.waitForFunction(() => (document.querySelector("[data-testid=card-qr]") as HTMLImageElement)?.naturalWidth > 0);
    await screenshot(zh.page, "resident-zh-desktop");
    await zh.context.close();
  }, 120_000);

  it("is an installable PWA whose shell opens offline and says so clearly", async () => {
    const { context, page } = await newPage(browser, world.target.baseUrl, "zh", phone);
    await page.goto("/board");
    const manifest = await (await page.request.get("/manifest.webmanifest")).json();
    expect(manifest.display).toBe("standalone");
    expect(manifest.icons.some((i: { sizes: string }) => i.sizes === "512x512")).toBe(true);
    // Bounded: a service worker that never activates fails here and says so, not by a hang.
    const ready = await page.evaluate(() =>
      Promise.race([
        navigator.serviceWorker.ready.then(() => "ready"),
        new Promise<string>((done) =>
          setTimeout(async () => {
            const reg = await navigator.serviceWorker.getRegistration();
            done(`service worker not active after 30 s: ${reg ? JSON.stringify({ installing: !!reg.installing, waiting: !!reg.waiting, active: !!reg.active }) : "never registered"}`);
          }, 30_000),
        ),
      ]),
    );
    expect(ready).toBe("ready");
    await page.reload();
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
    await context.setOffline(true);
    await page.goto("/");
    await page.waitForSelector("[data-testid=offline]");
    expect(await page.textContent("[data-testid=offline]")).toContain("没有网络");
    await screenshot(page, "offline-zh-phone");
    await context.setOffline(false);
    await context.close();
  }, 120_000);
});
