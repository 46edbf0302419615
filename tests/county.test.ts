/**
 * One deployment for a whole county (issue 11): regions, the officer, the overview of a region's
 * communities for a period (each row what that community's own summary answers), the workbook,
 * creating and moving communities, and a database from before regions that keeps working.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { eq, sql } from "drizzle-orm";
import { migrate } from "drizzle-orm/libsql/migrator";
import { strFromU8, unzipSync } from "fflate";
import { readSheet } from "read-excel-file/universal";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../api/app";
import { createCommunity } from "../api/domain/community";
import { createCounty } from "../api/domain/regions";
import { summary } from "../api/domain/reports";
import { dbFromLibsql, type Db } from "../db/client";
import { migrationsFolder } from "../db/migrate-node";
import { communities } from "../db/schema";
import { chinaDayRange } from "../shared/time";
import { addGoods, addHousehold, countRows, creditApplication, grantPoints, issueCardFor, testConfig } from "./support/fixtures";
import { createTestApp, testPassword, testPasswordHash, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

/** A county with its first officer (as `npm run county` makes it), signed in. */
async function county(name = "卢氏县", username = "officer") {
  const { regionId, officerId } = await createCounty(t.db, t.clock, { name, officer: { username, password: testPassword, name: "县乡村振兴局" } });
  return { regionId, officerId, token: await t.login(username) };
}

async function township(token: string, name: string, parentId?: string) {
  const res = await t.call("POST", "/regions", { token, body: { name, ...(parentId ? { parentId } : {}) } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** Puts a test community (made without a region, as an old deployment's) into a region. */
async function placeIn(community: TestCommunity, regionId: string) {
  await t.db.update(communities).set({ regionId }).where(eq(communities.id, community.communityId));
}

async function officerFor(token: string, regionId: string, username: string) {
  const res = await t.call("POST", "/users", { token, body: { username, password: testPassword, name: "乡镇干部", role: "officer", regionId } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return t.login(username);
}

/** A redemption at the counter, through the API. */
async function redeem(c: TestCommunity, qr: string, goodsId: string, quantity: number) {
  const res = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": `k-${Math.random()}` }, body: { qr, items: [{ goodsId, quantity }] } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** Activity over several China days: households, awards, penalties, adjustments, redemptions, a void, an objection. */
async function activity(c: TestCommunity, scale: number) {
  const signIn = async () => {
    const suffix = (await t.db.all<{ code: string }>(sql`SELECT code FROM communities WHERE id = ${c.communityId}`))[0].code.toLowerCase();
    for (const role of ["admin", "reviewer", "volunteer", "clerk"] as const) c.tokens[role] = await t.login(`${role}-${suffix}`);
  };
  const households = [];
  for (let i = 0; i < 3 + scale; i++) households.push(await addHousehold(t, c, { building: String(1 + (i % 3)) }));
  const goods = await addGoods(t, c, { points: 3, stock: 1000 });
  const card = await issueCardFor(t, c, households[0].id);
  await creditApplication(t, c, households[0].id, { category: "environment", points: 20 * scale });
  await creditApplication(t, c, households[1].id, { category: "policy", points: 7 });
  t.clock.advanceHours(9);
  await signIn();
  await redeem(c, card.qr, goods.id, 2);
  const voided = await redeem(c, card.qr, goods.id, 1);
  await creditApplication(t, c, households[1].id, { kind: "penalty", points: 4 });
  await grantPoints(t.db, c.communityId, households[2].id, 5, t.clock.now().toISOString());
  t.clock.advanceHours(20);
  await signIn();
  expect((await t.call("POST", `/redemptions/${voided}/void`, { token: c.tokens.admin, body: { reason: "退货" } })).status).toBe(200);
  await creditApplication(t, c, households[0].id, { category: "civility", points: 10 });
  await addHousehold(t, c);
  // An objection through the procedures: apply, certify, publicise, object.
  expect((await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { minPublicityHours: 0 } })).status).toBe(200);
  const rule = (await t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "neighbour", title: "调解纠纷", kind: "award", minPoints: 2, maxPoints: 6 } })).body;
  const application = (await t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: households[2].id, ruleId: rule.id, description: "调解了邻里纠纷" } })).body;
  expect((await t.call("POST", `/applications/${application.id}/certify`, { token: c.tokens.reviewer, body: { decision: "approve" } })).status).toBe(200);
  const batch = (await t.call("POST", "/publicity", { token: c.tokens.admin, body: { endsAt: new Date(t.clock.now().getTime() + 3_600_000).toISOString() } })).body;
  expect((await t.call("POST", `/publicity/${batch.id}/objections`, { token: c.tokens.volunteer, body: { applicationId: application.id, reason: "核实" } })).status).toBe(201);
  t.clock.advanceHours(30);
  await signIn();
  await redeem(c, card.qr, goods.id, 1);
  return { households, card, goods };
}

/** The figures of one community for `[from, to)`, counted the slow, obvious way from the tables themselves. */
async function countedByHand(db: Db, communityId: string, from: string | null, to: string | null) {
  const lo = from ?? "0000";
  const hi = to ?? "9999";
  const one = async (query: ReturnType<typeof sql>) => Number((await db.all<{ n: number }>(query))[0]?.n ?? 0);
  const flow = async (kind: string) => one(sql`SELECT COALESCE(SUM(amount), 0) AS n FROM transfers WHERE community_id = ${communityId} AND kind = ${kind} AND created_at >= ${lo} AND created_at < ${hi}`);
  const households = await one(sql`SELECT COUNT(*) AS n FROM households WHERE community_id = ${communityId} AND created_at < ${hi}`);
  const participating = await one(sql`SELECT COUNT(DISTINCT household_id) AS n FROM credits WHERE community_id = ${communityId} AND kind = 'award' AND created_at < ${hi}`);
  return {
    households,
    participatingHouseholds: participating,
    participationRate: households === 0 ? 0 : participating / households,
    pointsAwarded: await flow("award"),
    pointsDeducted: await flow("penalty"),
    pointsRedeemed: (await flow("redemption")) - (await flow("reversal")),
    pointsOutstanding: await one(sql`SELECT COALESCE(SUM(p.amount), 0) AS n FROM postings p JOIN accounts a ON a.id = p.account_id
      WHERE a.community_id = ${communityId} AND a.kind = 'household' AND p.created_at < ${hi}`),
    applications: await one(sql`SELECT COUNT(*) AS n FROM applications WHERE community_id = ${communityId} AND created_at >= ${lo} AND created_at < ${hi}`),
    objections: await one(sql`SELECT COUNT(*) AS n FROM objections WHERE community_id = ${communityId} AND created_at >= ${lo} AND created_at < ${hi}`),
    redemptions: await one(sql`SELECT COUNT(*) AS n FROM redemptions r WHERE community_id = ${communityId} AND created_at >= ${lo} AND created_at < ${hi}
      AND NOT EXISTS (SELECT 1 FROM redemption_voids v WHERE v.redemption_id = r.id)`),
  };
}

/** `npm run <script> -- …args` against the database file `databaseFile`. */
function npmRun(script: string, args: string[], databaseFile: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], { env: { ...process.env, DATABASE_URL: `file:${databaseFile}`, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const figureKeys = ["households", "participatingHouseholds", "participationRate", "pointsAwarded", "pointsDeducted", "pointsRedeemed", "pointsOutstanding", "applications", "objections", "redemptions"] as const;
const figuresOf = (row: Record<string, unknown>) => Object.fromEntries(figureKeys.map((k) => [k, row[k]]));

describe("the officer", () => {
  it("signs in as an officer of its region, with no community; /me and sign-out work", async () => {
    const { regionId, officerId } = await createCounty(t.db, t.clock, { name: "卢氏县", officer: { username: "officer", password: testPassword, name: "县乡村振兴局" } });
    const login = await t.call("POST", "/auth/login", { body: { username: "officer", password: testPassword } });
    expect(login.status).toBe(200);
    expect(login.body.user).toEqual({ id: officerId, username: "officer", name: "县乡村振兴局", role: "officer", communityId: null, regionId, shopId: null, active: true });
    const token = login.body.token;
    const me = await t.call("GET", "/me", { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: "user", role: "officer", communityId: null, regionId, user: { role: "officer", regionId } });
    expect((await t.call("POST", "/auth/logout", { token })).status).toBe(200);
    expect((await t.call("GET", "/regions", { token })).status).toBe(401);
    // A wrong password is refused like anyone's.
    expect((await t.call("POST", "/auth/login", { body: { username: "officer", password: "not-the-password" } })).status).toBe(401);
  });

  it("is refused (403) by community routes and moves no points; community staff are refused (403) by the officer's", async () => {
    const { regionId, token } = await county();
    const c = await t.newCommunity("AAA");
    await placeIn(c, regionId);
    const household = await addHousehold(t, c);
    for (const [method, path, body] of [
      ["GET", "/households", undefined],
      ["GET", `/households/${household.id}`, undefined],
      ["GET", "/reports/summary", undefined],
      ["GET", "/rules", undefined],
      ["POST", "/topups", { publicityId: "x" }],
      ["POST", "/redemptions", {}],
      ["POST", "/households", {}],
      ["GET", "/audit", undefined],
      ["PATCH", "/community/settings", { publicityDays: 5 }],
      ["GET", "/users", undefined],
    ] as const) {
      const res = await t.call(method, path, { token, body, headers: { "idempotency-key": "k" } });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    for (const role of ["admin", "reviewer", "volunteer", "clerk"] as const) {
      expect((await t.call("GET", "/regions", { token: c.tokens[role] })).status).toBe(403);
      expect((await t.call("GET", `/regions/${regionId}/overview`, { token: c.tokens[role] })).status).toBe(403);
      expect((await t.call("GET", `/communities/${c.communityId}/summary`, { token: c.tokens[role] })).status).toBe(403);
    }
    expect((await t.call("GET", "/regions")).status).toBe(401);
  });
});

describe("regions", () => {
  it("lists the officer's region and the townships in it; a township officer sees its own only", async () => {
    const { regionId, token } = await county();
    const east = await township(token, "东明镇");
    const west = await township(token, "范里镇");
    const list = await t.call("GET", "/regions", { token });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      { id: regionId, name: "卢氏县", kind: "county", parentId: null },
      { id: east, name: "东明镇", kind: "township", parentId: regionId },
      { id: west, name: "范里镇", kind: "township", parentId: regionId },
    ]);
    const eastToken = await officerFor(token, east, "east-officer");
    expect((await t.call("GET", "/regions", { token: eastToken })).body.items.map((r: { id: string }) => r.id)).toEqual([east]);
    const officers = await t.call("GET", "/officers", { token });
    expect(officers.body.items.map((o: { username: string }) => o.username)).toEqual(["east-officer", "officer"]);
    expect((await t.call("GET", "/officers", { token: eastToken })).body.items.map((o: { username: string }) => o.username)).toEqual(["east-officer"]);
  });

  it("refuses bad townships: a township under a township (400 parentId), a taken name (409), an unknown parent (404), another county (403), bad input (400)", async () => {
    const { token } = await county();
    const other = await county("栾川县", "other-officer");
    const east = await township(token, "东明镇");
    const eastToken = await officerFor(token, east, "east-officer");
    const nested = await t.call("POST", "/regions", { token: eastToken, body: { name: "某村" } });
    expect(nested.status).toBe(400);
    expect(nested.body.error.details.fields).toHaveProperty("parentId");
    const taken = await t.call("POST", "/regions", { token, body: { name: "东明镇" } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.details.fields).toHaveProperty("name");
    expect((await t.call("POST", "/regions", { token, body: { name: "新镇", parentId: "no-such-region" } })).status).toBe(404);
    expect((await t.call("POST", "/regions", { token, body: { name: "新镇", parentId: other.regionId } })).status).toBe(403);
    const blank = await t.call("POST", "/regions", { token, body: { name: " " } });
    expect(blank.status).toBe(400);
    expect(blank.body.error.details.fields).toHaveProperty("name");
    // The same name in another county is another township.
    expect((await t.call("POST", "/regions", { token: other.token, body: { name: "东明镇" } })).status).toBe(201);
  });

  it("makes officer accounts for the region or a township in it, and only those", async () => {
    const { regionId, token } = await county();
    const other = await county("栾川县", "other-officer");
    const east = await township(token, "东明镇");
    const west = await township(token, "范里镇");
    const eastToken = await officerFor(token, east, "east-officer");
    const body = (username: string, regionId: string, role = "officer") => ({ username, password: testPassword, name: "干部", role, regionId });
    expect((await t.call("POST", "/users", { token, body: body("county-2", regionId) })).status).toBe(201);
    expect((await t.call("POST", "/users", { token, body: body("x-1", other.regionId) })).status).toBe(403);
    expect((await t.call("POST", "/users", { token, body: body("x-2", "no-such-region") })).status).toBe(404);
    // A township officer makes officers for its township, not for its county or a sibling.
    expect((await t.call("POST", "/users", { token: eastToken, body: body("east-2", east) })).status).toBe(201);
    expect((await t.call("POST", "/users", { token: eastToken, body: body("x-3", regionId) })).status).toBe(403);
    expect((await t.call("POST", "/users", { token: eastToken, body: body("x-4", west) })).status).toBe(403);
    // Officers make officers only; admins make no officers.
    expect((await t.call("POST", "/users", { token, body: body("x-5", regionId, "admin") })).status).toBe(403);
    const c = await t.newCommunity("AAA");
    expect((await t.call("POST", "/users", { token: c.tokens.admin, body: body("x-6", regionId) })).status).toBe(403);
    const noRegion = await t.call("POST", "/users", { token, body: { username: "x-7", password: testPassword, name: "干部", role: "officer" } });
    expect(noRegion.status).toBe(400);
    expect(noRegion.body.error.details.fields).toHaveProperty("regionId");
    const taken = await t.call("POST", "/users", { token, body: body("admin-aaa", regionId) });
    expect(taken.status).toBe(409);
    expect(taken.body.error.details.fields).toHaveProperty("username");
    expect(await countRows(t.db, "users", sql`username LIKE 'x-%'`)).toBe(0);
  });
});

describe("creating a community", () => {
  const newCommunity = (regionId: string, overrides: Record<string, unknown> = {}) => ({
    name: "幸福家园社区",
    code: "XFJY",
    regionId,
    admin: { username: "admin-xfjy", password: testPassword, name: "驿站管理员" },
    ...overrides,
  });

  it("starts with its admin, default settings and the seven-carrier catalogue; the admin signs in at once; the audit log names the officer", async () => {
    const { regionId, officerId, token } = await county();
    const west = await township(token, "范里镇");
    const res = await t.call("POST", "/communities", { token, body: newCommunity(west) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), name: "幸福家园社区", code: "XFJY", regionId: west });
    const admin = await t.login("admin-xfjy");
    const me = await t.call("GET", "/me", { token: admin });
    expect(me.body).toMatchObject({ role: "admin", communityId: res.body.id });
    const rules = (await t.call("GET", "/rules", { token: admin })).body.items as Array<{ category: string }>;
    expect([...new Set(rules.map((r) => r.category))].sort()).toEqual(["bravery", "civility", "enterprise", "environment", "neighbour", "penalty", "policy", "volunteer"]);
    const settings = (await t.call("GET", "/community/settings", { token: admin })).body;
    expect(settings).toMatchObject({ name: "幸福家园社区", code: "XFJY", publicityDays: 5, minPublicityHours: 72, pinThreshold: 50 });
    const audit = (await t.call("GET", "/audit?limit=50", { token: admin })).body.items as Array<{ action: string; actor: string; actorRole: string }>;
    expect(audit.find((a) => a.action === "community.create")).toMatchObject({ actor: `user:${officerId}`, actorRole: "officer" });
    // The public board knows it by its code at once.
    expect((await t.call("GET", "/publicity/current?community=XFJY")).status).toBe(200);
    // The county's overview lists it.
    const overview = (await t.call("GET", `/regions/${regionId}/overview`, { token })).body;
    expect(overview.communities.map((c: { code: string }) => c.code)).toEqual(["XFJY"]);
  });

  it("gives its admin a checklist of first steps that ticks itself as each is done", async () => {
    const { token } = await county();
    const east = await township(token, "东明镇");
    expect((await t.call("POST", "/communities", { token, body: newCommunity(east) })).status).toBe(201);
    const admin = await t.login("admin-xfjy");
    const checklist = async () => {
      const res = await t.call("GET", "/community/onboarding", { token: admin });
      expect(res.status).toBe(200);
      return { done: res.body.done, ticked: res.body.steps.filter((s: { done: boolean }) => s.done).map((s: { key: string }) => s.key) };
    };
    expect(await checklist()).toEqual({ done: false, ticked: [] });
    const household = (await t.call("POST", "/households", { token: admin, body: { householdNo: "XF-1", headName: "王建国", building: "1号楼", members: [{ name: "王建国" }] } })).body;
    expect((await t.call("POST", `/households/${household.id}/card`, { token: admin, body: { pin: "1357" } })).status).toBe(201);
    const shop = (await t.call("POST", "/shops", { token: admin, body: { name: "幸福家园驿站" } })).body;
    expect(await checklist()).toEqual({ done: false, ticked: ["households", "cards", "shop"] });
    expect((await t.call("POST", "/goods", { token: admin, body: { shopId: shop.id, name: "大米", points: 50, stock: 10 } })).status).toBe(201);
    const notice = (await t.call("POST", "/notices", { token: admin, body: { title: "积分超市开张", body: "欢迎参加" } })).body;
    expect(await checklist()).toEqual({ done: false, ticked: ["households", "cards", "shop", "goods"] });
    expect((await t.call("POST", `/notices/${notice.id}/publish`, { token: admin })).status).toBe(200);
    expect((await t.call("PATCH", "/community/settings", { token: admin, body: { publicityDays: 7 } })).status).toBe(200);
    expect(await checklist()).toEqual({ done: true, ticked: ["households", "cards", "shop", "goods", "notice", "publicityDays"] });
    // It is the admin's: the community's other staff and the officer are refused.
    expect((await t.call("GET", "/community/onboarding", { token })).status).toBe(403);
  });

  it("refuses a taken code or username with 409, leaving nothing half-created", async () => {
    const { regionId, token } = await county();
    const existing = await t.newCommunity("OLD");
    const before = { communities: await countRows(t.db, "communities"), users: await countRows(t.db, "users"), rules: await countRows(t.db, "rules"), accounts: await countRows(t.db, "accounts") };
    const takenCode = await t.call("POST", "/communities", { token, body: newCommunity(regionId, { code: "OLD" }) });
    expect(takenCode.status).toBe(409);
    expect(takenCode.body.error.details.fields).toHaveProperty("code");
    const takenUsername = await t.call("POST", "/communities", { token, body: newCommunity(regionId, { admin: { username: "admin-old", password: testPassword, name: "管理员" } }) });
    expect(takenUsername.status).toBe(409);
    expect(takenUsername.body.error.details.fields).toHaveProperty(["admin.username"]);
    const officerName = await t.call("POST", "/communities", { token, body: newCommunity(regionId, { admin: { username: "officer", password: testPassword, name: "管理员" } }) });
    expect(officerName.status).toBe(409);
    expect({ communities: await countRows(t.db, "communities"), users: await countRows(t.db, "users"), rules: await countRows(t.db, "rules"), accounts: await countRows(t.db, "accounts") }).toEqual(before);
    expect(await countRows(t.db, "communities", sql`code = 'XFJY'`)).toBe(0);
    void existing;
  });

  it("refuses bad input: a malformed code (400 naming code), an unknown region (404), a region outside the officer's (403)", async () => {
    const { regionId, token } = await county();
    const east = await township(token, "东明镇");
    const west = await township(token, "范里镇");
    for (const code of ["xfjy", "1ABC", "A", "AB CD", "社区", "ABCDEFGHIJKLMNOPQ", ""]) {
      const res = await t.call("POST", "/communities", { token, body: newCommunity(regionId, { code }) });
      expect(res.status, code).toBe(400);
      expect(res.body.error.details.fields, code).toHaveProperty("code");
    }
    const shortPassword = await t.call("POST", "/communities", { token, body: newCommunity(regionId, { admin: { username: "admin-x", password: "short", name: "x" } }) });
    expect(shortPassword.status).toBe(400);
    expect((await t.call("POST", "/communities", { token, body: newCommunity("no-such-region") })).status).toBe(404);
    const eastToken = await officerFor(token, east, "east-officer");
    expect((await t.call("POST", "/communities", { token: eastToken, body: newCommunity(regionId) })).status).toBe(403);
    expect((await t.call("POST", "/communities", { token: eastToken, body: newCommunity(west) })).status).toBe(403);
    expect((await t.call("POST", "/communities", { token: eastToken, body: newCommunity(east) })).status).toBe(201);
    expect(await countRows(t.db, "communities")).toBe(1);
  });
});

describe("the overview", () => {
  it("answers for each community exactly what its own summary answers for the same period, with totals that are the sums", async () => {
    const { regionId, token: first } = await county();
    const east = await township(first, "东明镇");
    const a = await t.newCommunity("AAA");
    const b = await t.newCommunity("BBB");
    const outside = await t.newCommunity("OUT");
    await placeIn(a, east);
    await placeIn(b, regionId);
    const start = t.clock.now().toISOString();
    await activity(a, 2);
    await activity(b, 1);
    await activity(outside, 3);
    const end = t.clock.now().toISOString();
    // Days have passed: staff sessions idle out after 12 hours.
    const token = await t.login("officer");
    for (const c of [a, b]) c.tokens.admin = await t.login(`admin-${c === a ? "aaa" : "bbb"}`);
    const day0 = start.slice(0, 10);
    const instants = [null, start, new Date(Date.parse(start) + 5 * 3_600_000).toISOString(), chinaDayRange(day0).end, new Date(Date.parse(start) + 26 * 3_600_000).toISOString(), end, null];
    const periods: Array<{ from?: string; to?: string }> = [{}, { from: day0 }, { to: day0 }, { from: day0, to: day0 }];
    for (let i = 0; i < instants.length; i++) {
      for (let j = i + 1; j < instants.length; j++) {
        const from = i === 0 ? undefined : instants[i]!;
        const to = j === instants.length - 1 ? undefined : instants[j]!;
        if (from && to && from >= to) continue;
        periods.push({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
      }
    }
    for (const period of periods) {
      const query = new URLSearchParams(period as Record<string, string>).toString();
      const overview = await t.call("GET", `/regions/${regionId}/overview?${query}`, { token });
      expect(overview.status, query).toBe(200);
      expect(overview.body.communities.map((c: { code: string }) => c.code), query).toEqual(["AAA", "BBB"]);
      for (const [row, community] of [[overview.body.communities[0], a], [overview.body.communities[1], b]] as const) {
        const own = await t.call("GET", `/reports/summary?${query}`, { token: community.tokens.admin });
        expect(own.status).toBe(200);
        expect(figuresOf(row), query).toEqual(figuresOf(own.body));
        const viaOfficer = await t.call("GET", `/communities/${community.communityId}/summary?${query}`, { token });
        expect(viaOfficer.body, query).toEqual(own.body);
        // And all of it is what the tables themselves hold.
        expect(figuresOf(own.body), query).toEqual(await countedByHand(t.db, community.communityId, own.body.from, own.body.to));
      }
      const rows = overview.body.communities as Array<Record<string, number>>;
      for (const key of figureKeys.filter((k) => k !== "participationRate")) {
        expect(overview.body.totals[key], `${query} ${key}`).toBe(rows.reduce((sum, r) => sum + r[key], 0));
      }
      const { households, participatingHouseholds } = overview.body.totals;
      expect(overview.body.totals.participationRate).toBe(households === 0 ? 0 : participatingHouseholds / households);
    }
    // The all-time figures are the live ones: outstanding is the sum of the balances.
    const all = await t.call("GET", `/regions/${regionId}/overview`, { token });
    const check = await t.call("GET", "/ledger/check", { token: a.tokens.admin });
    expect(all.body.communities[0].pointsOutstanding).toBe(check.body.outstanding);
    expect(all.body.communities[0].pointsRedeemed).toBe(check.body.redeemed);
    expect(all.body.totals.byCategory.map((c: { category: string }) => c.category)).toEqual(["civility", "environment", "penalty", "policy"]);
    await t.ledgerOk(a.communityId);
  });

  it("drills down: a township's overview holds its communities only; a township officer gets 403 for the county and 404 for an unknown region", async () => {
    const { regionId, token } = await county();
    const east = await township(token, "东明镇");
    const west = await township(token, "范里镇");
    const [a, b, c] = [await t.newCommunity("AAA"), await t.newCommunity("BBB"), await t.newCommunity("CCC")];
    await placeIn(a, east);
    await placeIn(b, west);
    await placeIn(c, regionId);
    const eastToken = await officerFor(token, east, "east-officer");
    const codes = async (tok: string, id: string) => (await t.call("GET", `/regions/${id}/overview`, { token: tok })).body.communities.map((r: { code: string }) => r.code);
    expect(await codes(token, regionId)).toEqual(["AAA", "BBB", "CCC"]);
    expect(await codes(token, east)).toEqual(["AAA"]);
    expect(await codes(token, west)).toEqual(["BBB"]);
    expect(await codes(eastToken, east)).toEqual(["AAA"]);
    const refused = await t.call("GET", `/regions/${regionId}/overview`, { token: eastToken });
    expect(refused.status).toBe(403);
    expect((await t.call("GET", `/regions/${west}/overview`, { token: eastToken })).status).toBe(403);
    expect((await t.call("GET", `/regions/${regionId}/overview.xlsx`, { token: eastToken })).status).toBe(403);
    expect((await t.call("GET", `/communities/${b.communityId}/summary`, { token: eastToken })).status).toBe(403);
    expect((await t.call("GET", `/communities/${a.communityId}/summary`, { token: eastToken })).status).toBe(200);
    const unknown = await t.call("GET", "/regions/no-such-region/overview", { token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("NOT_FOUND");
    expect((await t.call("GET", "/communities/no-such-community/summary", { token })).status).toBe(404);
    const bad = await t.call("GET", `/regions/${regionId}/overview?from=2026-13-45`, { token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toHaveProperty("from");
    const backwards = await t.call("GET", `/regions/${regionId}/overview?from=2026-11-05&to=2026-11-01`, { token });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details.fields).toHaveProperty("to");
  });

  it("shows aggregates only: no name, phone, card number or household id of anyone", async () => {
    const { regionId } = await county();
    const a = await t.newCommunity("AAA");
    await placeIn(a, regionId);
    const { households, card } = await activity(a, 1);
    await addHousehold(t, a, { headName: "欧阳秀英", phone: "13912345678" });
    const token = await t.login("officer");
    const answers = [
      await t.call("GET", `/regions/${regionId}/overview`, { token }),
      await t.call("GET", `/communities/${a.communityId}/summary`, { token }),
      await t.call("GET", `/regions/${regionId}/trend`, { token }),
      await t.call("GET", "/regions", { token }),
    ];
    const text = JSON.stringify(answers.map((r) => r.body));
    for (const secret of [...households.map((h) => h.id), ...households.map((h) => h.householdNo), card.cardNo, "欧阳秀英", "13912345678", "张"]) {
      expect(text).not.toContain(secret);
    }
  });

  it("answers a monthly trend whose months add up to the overview", async () => {
    const { regionId } = await county();
    const a = await t.newCommunity("AAA");
    await placeIn(a, regionId);
    await activity(a, 2);
    const token = await t.login("officer");
    const trend = await t.call("GET", `/regions/${regionId}/trend`, { token });
    expect(trend.status).toBe(200);
    expect(trend.body.months).toHaveLength(12);
    const last = trend.body.months[11];
    const overview = (await t.call("GET", `/regions/${regionId}/overview`, { token })).body.totals;
    const sum = (key: string) => trend.body.months.reduce((s: number, m: Record<string, number>) => s + m[key], 0);
    expect({ awarded: sum("pointsAwarded"), deducted: sum("pointsDeducted"), redeemed: sum("pointsRedeemed"), outstanding: last.pointsOutstanding, households: last.households })
      .toEqual({ awarded: overview.pointsAwarded, deducted: overview.pointsDeducted, redeemed: overview.pointsRedeemed, outstanding: overview.pointsOutstanding, households: overview.households });
    expect((await t.call("GET", `/regions/${regionId}/trend?months=61`, { token })).status).toBe(400);
    expect((await t.call("GET", `/regions/${regionId}/trend?months=3`, { token })).body.months).toHaveLength(3);
  });
});

describe("the overview workbook", () => {
  it("is a real workbook: a row per community and a totals row; names beginning with = + - @ stay text", async () => {
    const { regionId, token } = await county();
    const east = await township(token, "东明镇");
    const names = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1社区", "-2社区", "@SUM(A1)社区"];
    const codes = ["EVA", "EVB", "EVC", "EVD"];
    for (const [i, name] of names.entries()) {
      const res = await t.call("POST", "/communities", { token, body: { name, code: codes[i], regionId: i === 0 ? east : regionId, admin: { username: `admin-${codes[i].toLowerCase()}`, password: testPassword, name: "管理员" } } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const app = createApp({ db: () => t.db, clock: t.clock, config: () => ({ ...testConfig, secureCookies: false, publicityFloorHours: 0 }) });
    const res = await app.request(`/api/regions/${regionId}/overview.xlsx?from=2026-01-01&to=2026-12-31`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const bytes = new Uint8Array(await res.arrayBuffer());
    const files = unzipSync(bytes);
    const sheetXml = strFromU8(files["xl/worksheets/sheet1.xml"]);
    expect(sheetXml).not.toMatch(/<f[ >]/);
    const rows = await readSheet(bytes.buffer);
    expect(String(rows[0][0])).toContain("卢氏县");
    expect(String(rows[0][0])).toContain("2026-01-01 至 2026-12-31");
    expect(rows[1][0]).toBe("社区");
    const body = rows.slice(2, 2 + names.length);
    expect(body.map((r) => r[0]).sort()).toEqual([...names].sort());
    expect(body.find((r) => r[1] === "EVA")?.[2]).toBe("东明镇");
    expect(rows[2 + names.length][0]).toBe("合计");
    expect(rows[2 + names.length][1]).toBe("4 个社区");
  });
});

describe("moving a community", () => {
  it("moves between the townships of the county, audited; a township officer cannot move one out of its township", async () => {
    const { regionId, token } = await county();
    const other = await county("栾川县", "other-officer");
    const east = await township(token, "东明镇");
    const west = await township(token, "范里镇");
    const a = await t.newCommunity("AAA");
    await placeIn(a, east);
    const moved = await t.call("PATCH", `/communities/${a.communityId}`, { token, body: { regionId: west } });
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({ id: a.communityId, name: "测试社区AAA", code: "AAA", regionId: west });
    expect((await t.call("GET", `/regions/${west}/overview`, { token })).body.communities).toHaveLength(1);
    expect((await t.call("GET", `/regions/${east}/overview`, { token })).body.communities).toHaveLength(0);
    const audit = (await t.call("GET", "/audit?limit=50", { token: a.tokens.admin })).body.items as Array<{ action: string; details: unknown }>;
    expect(audit.find((e) => e.action === "community.move")?.details).toEqual({ from: east, to: west });
    const westToken = await officerFor(token, west, "west-officer");
    expect((await t.call("PATCH", `/communities/${a.communityId}`, { token: westToken, body: { regionId: east } })).status).toBe(403);
    expect((await t.call("PATCH", `/communities/${a.communityId}`, { token, body: { regionId: other.regionId } })).status).toBe(403);
    expect((await t.call("PATCH", `/communities/${a.communityId}`, { token: other.token, body: { regionId: other.regionId } })).status).toBe(403);
    expect((await t.call("PATCH", `/communities/${a.communityId}`, { token, body: { regionId: "no-such-region" } })).status).toBe(404);
    expect((await t.call("PATCH", "/communities/no-such-community", { token, body: { regionId } })).status).toBe(404);
    // A community in no region is no officer's to move.
    const loose = await t.newCommunity("LOO");
    expect((await t.call("PATCH", `/communities/${loose.communityId}`, { token, body: { regionId } })).status).toBe(403);
  });
});

describe("a database from before regions", () => {
  it("is restored from a backup (npm run restore migrates it): its community keeps working without a region, and the kept totals start from its whole history", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sf-old-"));
    try {
      // The migrations as they were before 0008.
      const old = join(dir, "migrations");
      mkdirSync(join(old, "meta"), { recursive: true });
      const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta/_journal.json"), "utf8"));
      const before = journal.entries.filter((e: { tag: string }) => e.tag < "0008");
      writeFileSync(join(old, "meta/_journal.json"), JSON.stringify({ ...journal, entries: before }));
      for (const file of readdirSync(migrationsFolder)) if (file.endsWith(".sql") && file < "0008") copyFileSync(join(migrationsFolder, file), join(old, file));
      const client = createClient({ url: `file:${join(dir, "old.db")}` });
      await migrate(dbFromLibsql(client), { migrationsFolder: old });
      const hash = await testPasswordHash();
      const at1 = "2026-03-01T02:00:00.000Z";
      const at2 = "2026-03-02T20:00:00.000Z"; // 2026-03-03 in China
      const statements = [
        `INSERT INTO communities (id, name, code, publicity_days, min_publicity_hours, pin_threshold, card_secret, created_at) VALUES ('c1', '旧社区', 'OLD', 5, 72, 50, 'secret', '${at1}')`,
        `INSERT INTO accounts (id, community_id, kind, balance, score, created_at) VALUES ('issuance:c1', 'c1', 'issuance', -28, 0, '${at1}')`,
        `INSERT INTO accounts (id, community_id, kind, balance, score, created_at) VALUES ('h1', 'c1', 'household', 18, 20, '${at1}')`,
        `INSERT INTO accounts (id, community_id, kind, balance, score, created_at) VALUES ('h2', 'c1', 'household', 0, 0, '${at1}')`,
        `INSERT INTO accounts (id, community_id, kind, balance, score, created_at) VALUES ('s1', 'c1', 'shop', 10, 0, '${at1}')`,
        `INSERT INTO households (id, community_id, household_no, head_name, building, created_at, updated_at) VALUES ('h1', 'c1', 'H1', '张三', '1', '${at1}', '${at1}'), ('h2', 'c1', 'H2', '李四', '1', '${at2}', '${at2}')`,
        `INSERT INTO shops (id, community_id, name, created_at) VALUES ('s1', 'c1', '超市', '${at1}')`,
        `INSERT INTO applications (id, community_id, household_id, rule_id, kind, category, description, evidence, status, points, submitted_by, submitted_by_role, created_at) VALUES ('a1', 'c1', 'h1', 'r1', 'award', 'environment', 'x', '[]', 'credited', 20, 'user:u1', 'volunteer', '${at1}')`,
        `INSERT INTO credits (application_id, community_id, top_up_id, household_id, kind, category, points, amount, score_delta, created_at) VALUES ('a1', 'c1', 't1', 'h1', 'award', 'environment', 20, 20, 20, '${at1}')`,
        `INSERT INTO transfers (id, community_id, debit_account_id, credit_account_id, amount, kind, cause, created_by, created_at) VALUES ('t1', 'c1', 'issuance:c1', 'h1', 20, 'award', 'application:a1', 'system', '${at1}')`,
        `INSERT INTO transfers (id, community_id, debit_account_id, credit_account_id, amount, kind, cause, created_by, created_at) VALUES ('t2', 'c1', 'issuance:c1', 'h1', 8, 'adjustment', 'fix:1', 'system', '${at2}')`,
        `INSERT INTO transfers (id, community_id, debit_account_id, credit_account_id, amount, kind, cause, created_by, created_at) VALUES ('t3', 'c1', 'h1', 's1', 10, 'redemption', 'redemption:r1', 'system', '${at2}')`,
        `INSERT INTO postings (community_id, transfer_id, account_id, amount, balance_after, kind, created_at) VALUES
          ('c1', 't1', 'issuance:c1', -20, -20, 'award', '${at1}'), ('c1', 't1', 'h1', 20, 20, 'award', '${at1}'),
          ('c1', 't2', 'issuance:c1', -8, -28, 'adjustment', '${at2}'), ('c1', 't2', 'h1', 8, 28, 'adjustment', '${at2}'),
          ('c1', 't3', 'h1', -10, 18, 'redemption', '${at2}'), ('c1', 't3', 's1', 10, 10, 'redemption', '${at2}')`,
        `INSERT INTO redemptions (id, community_id, shop_id, household_id, receipt_no, total, balance_after, clerk_id, created_at) VALUES ('r1', 'c1', 's1', 'h1', 1, 10, 18, 'u2', '${at2}')`,
        `INSERT INTO users (id, community_id, username, password_hash, name, role, created_at) VALUES ('u1', 'c1', 'oldadmin', '${hash}', '管理员', 'admin', '${at1}')`,
        `INSERT INTO sessions (id, community_id, role, user_id, created_at, last_seen_at, expires_at) VALUES ('s-old', 'c1', 'admin', 'u1', '${at1}', '${at1}', '2099-01-01T00:00:00.000Z')`,
      ];
      for (const statement of statements) await client.execute(statement);
      client.close();

      // The backup of that database goes back through `npm run restore`: integrity, migrations, ledger check.
      const restoredFile = join(dir, "restored.db");
      const restore = await npmRun("restore", [join(dir, "old.db")], restoredFile);
      expect(restore.stderr).toBe("");
      expect(restore.code).toBe(0);
      expect(restore.stdout).toMatch(/ledger ok for 1 communities/);
      const restored = createClient({ url: `file:${restoredFile}` });
      const db = dbFromLibsql(restored);
      const execute = (query: string) => restored.execute(query);

      expect((await execute("SELECT region_id FROM communities")).rows[0].region_id).toBeNull();
      expect((await execute("SELECT community_id, region_id FROM users")).rows[0]).toMatchObject({ community_id: "c1", region_id: null });
      expect(Number((await execute("SELECT COUNT(*) AS n FROM sessions")).rows[0].n)).toBe(1);
      const whole = await summary(db, "c1");
      expect(whole).toMatchObject({ households: 2, participatingHouseholds: 1, pointsAwarded: 20, pointsRedeemed: 10, pointsOutstanding: 18, applications: 1, redemptions: 1 });
      const firstDay = await summary(db, "c1", { from: null, to: chinaDayRange("2026-03-02").end });
      expect(firstDay).toMatchObject({ households: 1, participatingHouseholds: 1, pointsAwarded: 20, pointsRedeemed: 0, pointsOutstanding: 20, redemptions: 0 });
      // The old community's admin signs in through the app and reads its summary.
      const app = createApp({ db: () => db, clock: t.clock, config: () => ({ ...testConfig, secureCookies: false, publicityFloorHours: 0 }) });
      const login = await app.request("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "oldadmin", password: testPassword }) });
      expect(login.status).toBe(200);
      const { token, user } = (await login.json()) as { token: string; user: { communityId: string; regionId: null } };
      expect(user).toMatchObject({ communityId: "c1", regionId: null });
      const own = await app.request("/api/reports/summary", { headers: { authorization: `Bearer ${token}` } });
      expect(await own.json()).toMatchObject({ households: 2, pointsOutstanding: 18 });
      restored.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("npm run county", () => {
  const county = (args: string[], databaseFile: string, password: string) => npmRun("county", args, databaseFile, { COUNTY_OFFICER_PASSWORD: password });

  it("creates a county and its first officer on a deployment, and puts its region-less communities in it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sf-county-"));
    try {
      const file = join(dir, "shuangfu.db");
      const client = createClient({ url: `file:${file}` });
      const db = dbFromLibsql(client);
      await migrate(db, { migrationsFolder });
      await createCommunity(db, t.clock, { name: "兴贤里社区", code: "XXL", admin: { username: "admin", password: testPassword, name: "管理员" } });
      client.close();

      const bad = await county(["--name", "卢氏县", "--officer", "officer"], file, "short");
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/password/);
      const made = await county(["--name", "卢氏县", "--officer", "officer", "--communities", "XXL,NOPE"], file, testPassword);
      expect(made.stdout).toMatch(/County 卢氏县 .* with its officer officer/);
      expect(made.stdout).toMatch(/In 卢氏县 now: XXL/);
      expect(made.stderr).toMatch(/Not placed .*NOPE/);
      expect(made.code).toBe(1);
      const again = await county(["--name", "卢氏县", "--officer", "officer2"], file, testPassword);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/Nothing created: a county of this name already exists/);

      // The officer signs in to that database and sees the community.
      const reopened = createClient({ url: `file:${file}` });
      const app = createApp({ db: () => dbFromLibsql(reopened), clock: t.clock, config: () => ({ ...testConfig, secureCookies: false, publicityFloorHours: 0 }) });
      const login = await app.request("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "officer", password: testPassword }) });
      const { token, user } = (await login.json()) as { token: string; user: { regionId: string } };
      const view = await app.request(`/api/regions/${user.regionId}/overview`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await view.json()) as { communities: Array<{ code: string }> }).communities.map((c) => c.code)).toEqual(["XXL"]);
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
