/**
 * Browser-test support: real Chromium (Debian's /usr/bin/chromium, never a downloaded build)
 * driven by playwright-core against the real server from startNodeTarget, plus the data every
 * journey needs, built through the API as a person would.
 *
 * A test that cannot run fails and says why; nothing here skips.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import QRCode from "qrcode";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startNodeTarget, type Target } from "../../scripts/lib/server-target";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const staffPassword = "browser-test-password";
export const cardPin = "2468";
export const phone = { width: 360, height: 740 };
export const desktop = { width: 1280, height: 800 };
export const screenshotDir = resolve("docs/screenshots");

const launchArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Browser tests need Chromium at ${chromiumPath} (apt-get install chromium, as .ci/run does). They fail rather than skip.`);
  }
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: [...launchArgs, ...extraArgs] });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}

/**
 * Builds web/dist when it is missing or older than its sources. Test files run in parallel, so
 * the build is guarded by a lock directory; the others wait for it.
 */
export async function ensureWebBuilt(): Promise<void> {
  const lock = resolve("web/.build-lock");
  const index = resolve("web/dist/index.html");
  const stale = () =>
    !existsSync(index) ||
    statSync(index).mtimeMs < Math.max(newestMtime(resolve("web/src")), newestMtime(resolve("web/public")), statSync(resolve("web/index.html")).mtimeMs,
      // The build writes `_headers` (Cloudflare's security headers) from these two.
      statSync(resolve("web/vite.config.ts")).mtimeMs, statSync(resolve("api/http/middleware/security-headers.ts")).mtimeMs);
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - started > 120_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (!stale()) return;
    const vite = resolve("node_modules/vite/bin/vite.js");
    // The production build that `npm start` serves. Vitest sets NODE_ENV=test, and a Vite build
    // under it is not a production build (import.meta.env.PROD is false), so it is reset here.
    const result = spawnSync(process.execPath, [vite, "build", "--config", "web/vite.config.ts", "--logLevel", "warn"], {
      encoding: "utf8",
      env: { ...process.env, NODE_ENV: "production" },
    });
    if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Calls the API and fails loudly on an unexpected status. */
export async function api<T = any>(target: Target, method: string, path: string, token: string | undefined, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const res = await target.call(method, path, { token, body, headers });
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

export async function login(target: Target, username: string, password = staffPassword): Promise<string> {
  return (await api<{ token: string }>(target, "POST", "/auth/login", undefined, { username, password })).token;
}

export interface World {
  target: Target;
  admin: string;
  reviewer: string;
  volunteer: string;
  clerk: string;
  shopId: string;
  rules: { clean: any; help: any };
  notice: any;
  households: { id: string; householdNo: string; headName: string; cardNo: string; qr: string }[];
  goods: { rice: any; oil: any; soap: any };
  openPublicity: any;
}

/**
 * Starts the server and builds a small community through the API: staff for every role, two
 * rules, three households with cards, goods, one completed round of the seven procedures (so
 * households have points) and one publicity batch still open (for the board and objections).
 */
export async function startWorld(): Promise<World> {
  await ensureWebBuilt();
  const target = await startNodeTarget();
  const admin = await login(target, "admin", target.adminPassword);
  await api(target, "PATCH", "/community/settings", admin, { minPublicityHours: 0, pinThreshold: 20 });
  const shop = await api(target, "POST", "/shops", admin, { name: "双扶驿站便民超市" });
  for (const [username, name, role] of [
    ["reviewer", "王认定", "reviewer"],
    ["reviewer2", "刘认定", "reviewer"],
    ["volunteer", "赵楼长", "volunteer"],
    ["clerk", "陈店员", "clerk"],
  ] as const) {
    await api(target, "POST", "/users", admin, { username, password: staffPassword, name, role, shopId: role === "clerk" ? shop.id : undefined });
  }
  const clean = await api(target, "POST", "/rules", admin, { category: "environment", title: "打扫楼道、清理小广告", kind: "award", minPoints: 5, maxPoints: 50 });
  const help = await api(target, "POST", "/rules", admin, { category: "neighbour", title: "照顾独居老人", kind: "award", minPoints: 10, maxPoints: 30 });
  const notice = await api(target, "POST", "/notices", admin, { title: "周六上午12号楼大扫除", body: "周六9点在12号楼集合，每人5分。", ruleIds: [clean.id] });
  await api(target, "POST", `/notices/${notice.id}/publish`, admin);

  const households = [];
  for (const [householdNo, headName, building, room] of [
    ["XXL-0101", "张三华", "12号楼", "301"],
    ["XXL-0102", "李秀英", "12号楼", "402"],
    ["XXL-0103", "王建国", "15号楼", "101"],
  ]) {
    const h = await api(target, "POST", "/households", admin, { householdNo, headName, building, room, members: [{ name: headName, relation: "户主" }] });
    const card = await api(target, "POST", `/households/${h.id}/card`, admin, { pin: cardPin });
    households.push({ id: h.id, householdNo, headName, cardNo: card.cardNo, qr: card.qr });
  }
  const rice = await api(target, "POST", "/goods", admin, { shopId: shop.id, name: "大米 5斤", points: 15, stock: 20, unit: "袋" });
  const oil = await api(target, "POST", "/goods", admin, { shopId: shop.id, name: "食用油", points: 30, stock: 10, unit: "桶" });
  const soap = await api(target, "POST", "/goods", admin, { shopId: shop.id, name: "香皂", points: 5, stock: 50, unit: "块" });

  const volunteer = await login(target, "volunteer");
  const reviewer = await login(target, "reviewer");
  const clerk = await login(target, "clerk");

  // Round one, all the way to top-up: every household ends with points.
  for (const [i, h] of households.entries()) {
    const app = await api(target, "POST", "/applications", volunteer, { householdId: h.id, ruleId: clean.id, noticeId: notice.id, description: "参加12号楼大扫除" });
    await api(target, "POST", `/applications/${app.id}/certify`, reviewer, { decision: "approve", points: [50, 30, 20][i] });
  }
  const first = await api(target, "POST", "/publicity", admin, { endsAt: new Date(Date.now() + 1500).toISOString() });
  await new Promise((r) => setTimeout(r, 1700));
  await api(target, "POST", "/topups", admin, { publicityId: first.id });

  // Round two stays open on the board.
  const app = await api(target, "POST", "/applications", volunteer, { householdId: households[1].id, ruleId: help.id, description: "每天给独居的刘奶奶送饭" });
  await api(target, "POST", `/applications/${app.id}/certify`, reviewer, { decision: "approve", points: 20 });
  const openPublicity = await api(target, "POST", "/publicity", admin, { endsAt: new Date(Date.now() + 3 * 86_400_000).toISOString() });

  return { target, admin, reviewer, volunteer, clerk, shopId: shop.id, rules: { clean, help }, notice, households, goods: { rice, oil, soap }, openPublicity };
}

/**
 * A page whose UI language is set before the app first starts (the app keeps it in
 * localStorage). The init script runs before every document, reloads included, so it sets the
 * language only while none is stored: a choice made in the page (the language switch) is
 * what the next visit must find.
 */
export async function newPage(browser: Browser, baseUrl: string, lang: "zh" | "en", viewport = phone): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, baseURL: baseUrl, locale: lang === "en" ? "en-GB" : "zh-CN" });
  await context.addInitScript((l) => {
    try {
      if (localStorage.getItem("sf-lang") === null) localStorage.setItem("sf-lang", l);
    } catch {
      /* about:blank and other opaque origins have no localStorage */
    }
  }, lang);
  const page = await context.newPage();
  return { context, page };
}

/** Signs a staff member in through the form (the session cookie then belongs to the context). */
export async function staffSignIn(page: Page, username: string, password = staffPassword) {
  await page.goto("/staff");
  await page.fill("#username", username);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
  await page.waitForURL((url) => url.pathname !== "/staff");
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core in the page; returns the serious and critical violations, described. */
export async function axeProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, not added as an inline <script>: the app's CSP
  // (script-src 'self') rightly refuses inline scripts, and the tests keep that CSP on.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n: any) => n.target.join(" ")) }));
  });
  return violations
    .filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical")
    .map((v: { id: string; impact: string; help: string; nodes: string[] }) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(", ")}`);
}

/** Saves docs/screenshots/<name>.png of the viewport (not the full page, to keep files small). */
export async function screenshot(page: Page, name: string) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.evaluate(() => document.fonts?.ready);
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

/**
 * Writes a Y4M video (YUV 4:2:0) that shows `text` as a QR code on a white card, for Chromium's
 * --use-file-for-fake-video-capture. Grey levels only: Y carries the image, U and V stay 128.
 */
export function qrVideo(text: string, path: string, width = 640, height = 480, frames = 4) {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const size = qr.modules.size;
  const quiet = 4;
  const scale = Math.floor((Math.min(width, height) - 40) / (size + 2 * quiet));
  const side = scale * (size + 2 * quiet);
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);
  const y = Buffer.alloc(width * height, 200); // a light grey desk around the white card
  for (let row = 0; row < side; row++) {
    for (let col = 0; col < side; col++) {
      const mr = Math.floor(row / scale) - quiet;
      const mc = Math.floor(col / scale) - quiet;
      const dark = mr >= 0 && mc >= 0 && mr < size && mc < size && qr.modules.get(mr, mc);
      y[(top + row) * width + left + col] = dark ? 16 : 235;
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), y, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}

/** Collects the page's uncaught errors, for a test to assert there were none. */
/**
 * A clerk signs in online and opens the counter; the service worker takes over (so the app
 * opens offline later) and the shop's offline pack comes down. Answers the pack.
 */
export async function clerkWithPack(page: Page, username = "clerk"): Promise<{ cards: Array<{ cardNo: string; balance: number }> }> {
  await staffSignIn(page, username);
  await page.goto("/shop");
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  // The pack the reloaded page takes. The first page's own pack request may still be answering
  // when the reload starts, and its body is gone with that page: each pack answer is read as it
  // comes, and the first one read whole after the reload began is the one.
  let reloading = false;
  const packs: Array<Promise<unknown>> = [];
  const onResponse = (r: { url(): string; status(): number; json(): Promise<unknown> }) => {
    if (reloading && r.url().includes("/offline-pack") && r.status() === 200) packs.push(r.json().catch(() => null));
  };
  page.on("response", onResponse);
  try {
    reloading = true;
    await page.reload();
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
    await page.waitForSelector("[data-testid=scan-input]");
    const deadline = Date.now() + 30_000;
    for (;;) {
      const pack = (await Promise.all(packs)).find((body) => body !== null);
      if (pack) return pack as { cards: Array<{ cardNo: string; balance: number }> };
      if (Date.now() > deadline) throw new Error("the counter took no offline pack within 30 s of the reload");
      await page.waitForTimeout(100);
    }
  } finally {
    page.off("response", onResponse);
  }
}

export function pageErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

/** Signs the world's i-th household in with its card number and PIN, and waits for its home. */
export async function cardSignIn(page: Page, world: World, i: number): Promise<void> {
  await page.goto("/login");
  await page.fill("#cardNo", world.households[i].cardNo);
  await page.fill("#pin", cardPin);
  await page.click("button[type=submit]");
  await page.waitForURL("**/me");
  await page.waitForSelector("[data-testid=balance]");
}
