import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addGoods, addHousehold, creditApplication, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, type TestApp } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

/**
 * Five households over two days (China time; the clock starts at 10:00 on 2 November):
 *   A (bldg 1): award environment 30 (day 1), award policy 20 (day 2)            → score 50, balance 50
 *   B (bldg 1): award environment 10 (day 1), penalty 25 (day 2) takes only 10   → score −15, balance 0
 *   C (bldg 2): award volunteer 40 (day 2), redeems 25, redeems 5 (voided)       → score 40, balance 15
 *   D (bldg 2): adjustment +7, penalty 5 (day 1)                                 → score −5, balance 2
 *   E (bldg 2): award civility 10 (day 1)                                        → score 10, balance 10
 */
async function dataSet() {
  const c = await t.newCommunity("RPT");
  const [a, b, cc, d, e] = await Promise.all([
    addHousehold(t, c, { householdNo: "A01", building: "1" }),
    addHousehold(t, c, { householdNo: "B02", building: "1" }),
    addHousehold(t, c, { householdNo: "C03", building: "2" }),
    addHousehold(t, c, { householdNo: "D04", building: "2" }),
    addHousehold(t, c, { householdNo: "E05", building: "2" }),
  ]);
  await creditApplication(t, c, a.id, { category: "environment", points: 30 });
  await creditApplication(t, c, b.id, { category: "environment", points: 10 });
  await grantPoints(t.db, c.communityId, d.id, 7, t.clock.now().toISOString());
  await creditApplication(t, c, d.id, { kind: "penalty", points: 5 });
  await creditApplication(t, c, e.id, { category: "civility", points: 10 });
  t.clock.advanceHours(24);
  // Staff sessions end after 12 idle hours: sign in again on day 2.
  for (const role of ["admin", "reviewer", "volunteer", "clerk"] as const) c.tokens[role] = await t.login(`${role}-rpt`);
  await creditApplication(t, c, a.id, { category: "policy", points: 20 });
  await creditApplication(t, c, b.id, { kind: "penalty", points: 25 });
  await creditApplication(t, c, cc.id, { category: "volunteer", points: 40 });
  const card = await issueCardFor(t, c, cc.id);
  const goods = await addGoods(t, c, { points: 5, stock: 100 });
  const redeem = (quantity: number, key: string) =>
    t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": key }, body: { qr: card.qr, items: [{ goodsId: goods.id, quantity }] } });
  expect((await redeem(5, "r1")).status).toBe(201);
  const voided = await redeem(1, "r2");
  expect((await t.call("POST", `/redemptions/${voided.body.id}/void`, { token: c.tokens.admin, body: { reason: "退货" } })).status).toBe(200);
  return { c, ids: { a: a.id, b: b.id, c: cc.id, d: d.id, e: e.id } };
}

describe("the summary", () => {
  it("answers exactly the hand-counted numbers", async () => {
    const { c } = await dataSet();
    const res = await t.call("GET", "/reports/summary", { token: c.tokens.admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: null,
      to: null,
      households: 5,
      participatingHouseholds: 4,
      participationRate: 0.8,
      pointsAwarded: 110,
      pointsDeducted: 15,
      pointsRedeemed: 25,
      pointsOutstanding: 77,
      pointsExpired: 0,
      applications: 7,
      objections: 0,
      redemptions: 1,
      byCategory: [
        { category: "civility", points: 10, applications: 1, pointsAwarded: 10, pointsDeducted: 0 },
        { category: "environment", points: 40, applications: 2, pointsAwarded: 40, pointsDeducted: 0 },
        { category: "penalty", points: -15, applications: 2, pointsAwarded: 0, pointsDeducted: 15 },
        { category: "policy", points: 20, applications: 1, pointsAwarded: 20, pointsDeducted: 0 },
        { category: "volunteer", points: 40, applications: 1, pointsAwarded: 40, pointsDeducted: 0 },
      ],
    });
    const check = await t.call("GET", "/ledger/check", { token: c.tokens.admin });
    expect(check.body.outstanding).toBe(res.body.pointsOutstanding);
    await t.ledgerOk(c.communityId);
  });

  it("is zero, not NaN, for an empty community; only the own community counts", async () => {
    await dataSet();
    const empty = await t.newCommunity();
    const res = await t.call("GET", "/reports/summary", { token: empty.tokens.reviewer });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ from: null, to: null, households: 0, participatingHouseholds: 0, participationRate: 0, pointsAwarded: 0, pointsDeducted: 0, pointsRedeemed: 0, pointsOutstanding: 0, pointsExpired: 0, applications: 0, objections: 0, redemptions: 0, byCategory: [] });
  });

  it("is for the admin and reviewers only", async () => {
    const c = await t.newCommunity();
    for (const role of ["volunteer", "clerk"] as const) expect((await t.call("GET", "/reports/summary", { token: c.tokens[role] })).status).toBe(403);
    expect((await t.call("GET", "/reports/summary")).status).toBe(401);
  });
});

describe("the ranking", () => {
  it("ranks by the score column without a period", async () => {
    const { c, ids } = await dataSet();
    const res = await t.call("GET", "/reports/ranking", { token: c.tokens.admin });
    expect(res.status).toBe(200);
    expect(res.body.items.map((r: any) => [r.rank, r.householdId, r.score])).toEqual([
      [1, ids.a, 50],
      [2, ids.c, 40],
      [3, ids.e, 10],
      [4, ids.d, -5],
      [5, ids.b, -15],
    ]);
    expect(res.body.items[0]).toMatchObject({ householdNo: "A01", building: "1", headName: expect.any(String) });
  });

  it("filters by building and limits", async () => {
    const { c, ids } = await dataSet();
    const building = await t.call("GET", "/reports/ranking?building=1", { token: c.tokens.reviewer });
    expect(building.body.items.map((r: any) => [r.householdId, r.score])).toEqual([[ids.a, 50], [ids.b, -15]]);
    const top2 = await t.call("GET", "/reports/ranking?limit=2", { token: c.tokens.admin });
    expect(top2.body.items.map((r: any) => r.householdId)).toEqual([ids.a, ids.c]);
  });

  it("sums the credits of a period (China days, inclusive), ties sharing a rank", async () => {
    const { c, ids } = await dataSet();
    const day1 = await t.call("GET", "/reports/ranking?from=2026-11-02&to=2026-11-02", { token: c.tokens.admin });
    expect(day1.body.items.map((r: any) => [r.rank, r.householdId, r.score])).toEqual([
      [1, ids.a, 30],
      [2, ids.b, 10],
      [2, ids.e, 10],
      [4, ids.d, -5],
    ]);
    const day2 = await t.call("GET", "/reports/ranking?from=2026-11-03", { token: c.tokens.admin });
    expect(day2.body.items.map((r: any) => [r.householdId, r.score])).toEqual([[ids.c, 40], [ids.a, 20], [ids.b, -25]]);
    const instant = await t.call("GET", "/reports/ranking?from=2026-11-03T00:00:00Z&building=2", { token: c.tokens.admin });
    expect(instant.body.items.map((r: any) => [r.householdId, r.score])).toEqual([[ids.c, 40]]);
    const before = await t.call("GET", "/reports/ranking?to=2026-11-01", { token: c.tokens.admin });
    expect(before.body.items).toEqual([]);
  });

  it("shows residents the 红榜 with masked names and no ids except their own row", async () => {
    const { c, ids } = await dataSet();
    const card = await issueCardFor(t, c, ids.e, "2222");
    const login = await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: card.pin } });
    const res = await t.call("GET", "/reports/ranking", { token: login.body.token });
    expect(res.status).toBe(200);
    const [first, , mine] = res.body.items;
    expect(first).toMatchObject({ rank: 1, householdId: null, householdNo: null, score: 50 });
    expect(first.headName).toMatch(/^.\*+.$/u);
    expect(mine).toMatchObject({ rank: 3, householdId: ids.e, householdNo: "E05", score: 10 });
    expect(mine.headName).not.toContain("*");
    expect((await t.call("GET", "/reports/ranking", { token: c.tokens.volunteer })).status).toBe(200);
    expect((await t.call("GET", "/reports/ranking")).status).toBe(401);
  });

  it("answers 400 for bad periods and limits", async () => {
    const c = await t.newCommunity();
    for (const q of ["from=yesterday", "from=2026-02-30x", "to=2026-13-01", "from=2026-11-05&to=2026-11-01", "limit=0", "limit=1000", "limit=abc"]) {
      const res = await t.call("GET", `/reports/ranking?${q}`, { token: c.tokens.admin });
      expect(res.status, q).toBe(400);
      expect(res.body.error.details.fields).toBeTruthy();
    }
  });
});
