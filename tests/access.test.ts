/**
 * The access table, row by row: every endpoint called by every kind of caller. "Let through"
 * means the role and ownership gates passed (the call may still be refused for its content);
 * a refusal must be exactly the status the table promises. The table itself is published in
 * docs/security.md and must match this one.
 */
import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { createCounty } from "../api/domain/regions";
import { communities } from "../db/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addGoods, addHousehold, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, testPassword, type TestApp, type TestCommunity } from "./support/harness";
import { accessRows, callers, expected, renderAccessTable, type Caller, type Ids } from "../scripts/lib/access-matrix";

let t: TestApp;
let c: TestCommunity;
let foreign: TestCommunity;
let ids: Ids;
const tokens = {} as Record<Caller, string | null>;
const cards = {} as Record<"resident" | "otherResident", { cardNo: string; pin: string }>;

async function must(res: Promise<{ status: number; body: any }>, status: number) {
  const r = await res;
  if (r.status !== status) throw new Error(`setup: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

beforeAll(async () => {
  t = await createTestApp();
  c = await t.newCommunity("ACC");
  foreign = await t.newCommunity("FOR");
  // The county the community lies in, with its officer (issue 11).
  const county = await createCounty(t.db, t.clock, { name: "测试县", officer: { username: "officer-acc", password: testPassword, name: "县乡村振兴局" } });
  await t.db.update(communities).set({ regionId: county.regionId }).where(eq(communities.id, c.communityId));
  await must(t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { minPublicityHours: 0 } }), 200);
  const own = await addHousehold(t, c);
  const other = await addHousehold(t, c);
  const spare = await addHousehold(t, c);
  const spare2 = await addHousehold(t, c);
  const ownCard = await issueCardFor(t, c, own.id, "2468");
  const otherCard = await issueCardFor(t, c, other.id, "2468");
  await issueCardFor(t, c, spare.id);
  const spareCard = await issueCardFor(t, c, spare2.id);
  await grantPoints(t.db, c.communityId, own.id, 100);
  const goods = await addGoods(t, c, { points: 5 });
  const rule = await must(t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "policy", title: "政策宣讲", kind: "award", minPoints: 1, maxPoints: 5 } }), 201);
  const notice = await must(t.call("POST", "/notices", { token: c.tokens.admin, body: { title: "通知", body: "内容" } }), 201);
  await must(t.call("POST", `/notices/${notice.id}/publish`, { token: c.tokens.admin }), 200);
  const published = await must(t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: own.id, ruleId: rule.id, description: "x" } }), 201);
  await must(t.call("POST", `/applications/${published.id}/certify`, { token: c.tokens.reviewer, body: { decision: "approve" } }), 200);
  const batch = await must(t.call("POST", "/publicity", { token: c.tokens.admin, body: { endsAt: new Date(t.clock.now().getTime() + 3_600_000).toISOString() } }), 201);
  const objection = await must(t.call("POST", `/publicity/${batch.id}/objections`, { token: c.tokens.volunteer, body: { applicationId: published.id, reason: "核实" } }), 201);
  const application = await must(t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: own.id, ruleId: rule.id, description: "y" } }), 201);
  const receipt = await must(t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": "setup" }, body: { qr: ownCard.qr, items: [{ goodsId: goods.id, quantity: 1 }] } }), 201);
  ids = {
    household: own.id,
    otherHousehold: other.id,
    cardNo: ownCard.cardNo,
    spareHousehold: spare.id,
    spareCardNo: spareCard.cardNo,
    application: application.id,
    rule: rule.id,
    notice: notice.id,
    publicity: batch.id,
    objection: objection.id,
    goods: goods.id,
    redemption: receipt.id,
    region: county.regionId,
    community: c.communityId,
  };
  cards.resident = ownCard;
  cards.otherResident = otherCard;
  tokens.anonymous = null;
  for (const who of ["admin", "reviewer", "volunteer", "clerk"] as const) tokens[who] = c.tokens[who];
  tokens.foreignAdmin = foreign.tokens.admin;
  tokens.officer = await t.login("officer-acc");
  for (const who of ["resident", "otherResident"] as const) tokens[who] = (await must(t.call("POST", "/auth/card-login", { body: { cardNo: cards[who].cardNo, pin: "2468" } }), 200)).token;
}, 60_000);
afterAll(() => t.close());

async function freshToken(caller: Caller): Promise<string | null> {
  if (caller === "anonymous") return null;
  if (caller === "resident" || caller === "otherResident") return (await t.call("POST", "/auth/card-login", { body: { cardNo: cards[caller].cardNo, pin: "2468" } })).body.token;
  const username = caller === "foreignAdmin" ? "admin-for" : caller === "officer" ? "officer-acc" : `${caller}-acc`;
  return t.login(username, testPassword);
}

describe("the access table", () => {
  it("is published in docs/security.md exactly as tested", () => {
    const doc = readFileSync(new URL("../docs/security.md", import.meta.url), "utf8");
    const section = /<!-- access-table:start -->\n([\s\S]*?)\n<!-- access-table:end -->/.exec(doc)?.[1];
    expect(section, "docs/security.md has the access-table markers").toBeDefined();
    expect(section).toBe(renderAccessTable());
  });

  it("lists every endpoint of the OpenAPI document", async () => {
    const doc = (await t.call("GET", "/openapi.json")).body;
    const documented = Object.entries<any>(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(accessRows.map((r) => `${r.method} ${r.path}`).sort()).toEqual(documented.sort());
  });

  for (const row of accessRows) {
    it(`${row.method} ${row.path}`, async () => {
      for (const caller of callers) {
        const want = expected(row, caller);
        const request = row.call(ids);
        const token = row.freshToken ? await freshToken(caller) : tokens[caller];
        const res = await t.call(row.method, request.path, { token, body: request.body, headers: request.headers });
        const what = `${caller} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
        expect(res.status, what).toBeLessThan(500);
        if (want === "ok") expect([401, 403], what).not.toContain(res.status);
        else if (want === "403/404") expect([403, 404], what).toContain(res.status);
        else expect(res.status, what).toBe(want);
        if (res.status >= 400) expect(res.body.error.code, what).toMatch(/^[A-Z_]+$/);
      }
    });
  }
});
