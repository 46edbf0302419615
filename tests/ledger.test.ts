import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addGoods, addHousehold, creditApplication, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, type TestApp } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

/** A household with an award, a redemption, its void, an adjustment and a penalty bigger than its balance. */
async function history() {
  const c = await t.newCommunity();
  const household = await addHousehold(t, c);
  const card = await issueCardFor(t, c, household.id, "1357");
  const rice = await addGoods(t, c, { name: "大米", points: 10, stock: 50 });
  const oil = await addGoods(t, c, { name: "食用油", points: 15, stock: 50 });
  await creditApplication(t, c, household.id, { kind: "award", category: "environment", points: 40, ruleTitle: "清扫楼道" });
  t.clock.advanceHours(1);
  const redemption = await t.call("POST", "/redemptions", {
    token: c.tokens.clerk,
    headers: { "idempotency-key": "k-1" },
    body: { qr: card.qr, items: [{ goodsId: rice.id, quantity: 2 }, { goodsId: oil.id, quantity: 1 }] },
  });
  t.clock.advanceHours(1);
  await t.call("POST", `/redemptions/${redemption.body.id}/void`, { token: c.tokens.admin, body: { reason: "退货" } });
  t.clock.advanceHours(1);
  await grantPoints(t.db, c.communityId, household.id, 5, t.clock.now().toISOString());
  t.clock.advanceHours(1);
  await creditApplication(t, c, household.id, { kind: "penalty", category: "penalty", points: 60, ruleTitle: "乱扔垃圾" });
  return { c, household, card, redemption: redemption.body };
}

describe("a household's points history", () => {
  it("lists every movement newest first, signed, with the balance after and a sentence a resident reads", async () => {
    const { c, household, redemption } = await history();
    const res = await t.call("GET", `/households/${household.id}/ledger`, { token: c.tokens.clerk });
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const entries = res.body.items;
    expect(entries.map((e: any) => [e.kind, e.amount, e.balanceAfter])).toEqual([
      ["penalty", -45, 0],
      ["adjustment", 5, 45],
      ["reversal", 35, 40],
      ["redemption", -35, 5],
      ["award", 40, 40],
    ]);
    expect(entries[0].description).toBe("惩戒扣分：乱扔垃圾（应扣 60 分，余额不足，实扣 45 分）");
    expect(entries[1].description).toBe("积分调整");
    expect(entries[2].description).toBe("撤销兑换，小票 No.1，积分退回");
    expect(entries[3].description).toBe("兑换商品，小票 No.1：大米×2、食用油×1");
    expect(entries[3]).toMatchObject({ ref: redemption.id, receiptNo: 1, at: redemption.createdAt });
    expect(entries[4].description).toBe("积分奖励：清扫楼道（环境爱护者）");
    for (const e of entries) expect(e.id).toEqual(expect.any(String));
    await t.ledgerOk(c.communityId);
  });

  it("speaks English when asked", async () => {
    const { c, household } = await history();
    const res = await t.call("GET", `/households/${household.id}/ledger`, { token: c.tokens.admin, headers: { "accept-language": "en" } });
    expect(res.body.items[3].description).toBe("Redeemed, receipt No.1: 大米×2, 食用油×1");
  });

  it("pages with a cursor", async () => {
    const { c, household } = await history();
    const first = await t.call("GET", `/households/${household.id}/ledger?limit=2`, { token: c.tokens.admin });
    expect(first.body.items.map((e: any) => e.kind)).toEqual(["penalty", "adjustment"]);
    const second = await t.call("GET", `/households/${household.id}/ledger?limit=2&cursor=${first.body.nextCursor}`, { token: c.tokens.admin });
    expect(second.body.items.map((e: any) => e.kind)).toEqual(["reversal", "redemption"]);
    const third = await t.call("GET", `/households/${household.id}/ledger?limit=2&cursor=${second.body.nextCursor}`, { token: c.tokens.admin });
    expect(third.body.items.map((e: any) => e.kind)).toEqual(["award"]);
    expect(third.body.nextCursor).toBeNull();
    expect((await t.call("GET", `/households/${household.id}/ledger?limit=0`, { token: c.tokens.admin })).status).toBe(400);
    expect((await t.call("GET", `/households/${household.id}/ledger?cursor=abc`, { token: c.tokens.admin })).status).toBe(400);
  });

  it("lets the household itself read it, but not another household (403), another community (404) or strangers (401)", async () => {
    const { c, household, card } = await history();
    const login = await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: card.pin } });
    const own = await t.call("GET", `/households/${household.id}/ledger`, { token: login.body.token });
    expect(own.status).toBe(200);
    expect(own.body.items).toHaveLength(5);
    const neighbour = await addHousehold(t, c);
    expect((await t.call("GET", `/households/${neighbour.id}/ledger`, { token: login.body.token })).status).toBe(403);
    for (const role of ["reviewer", "volunteer", "clerk", "admin"] as const) {
      expect((await t.call("GET", `/households/${neighbour.id}/ledger`, { token: c.tokens[role] })).status).toBe(200);
    }
    const other = await t.newCommunity();
    expect((await t.call("GET", `/households/${household.id}/ledger`, { token: other.tokens.admin })).status).toBe(404);
    expect((await t.call("GET", `/households/${household.id}/ledger`)).status).toBe(401);
    expect((await t.call("GET", `/households/nope/ledger`, { token: c.tokens.admin })).status).toBe(404);
  });
});

describe("the ledger check", () => {
  it("answers the totals for the admin and ok when every invariant holds", async () => {
    const { c } = await history();
    const res = await t.call("GET", "/ledger/check", { token: c.tokens.admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, sumOfBalances: 0, issued: 40, deducted: 45, redeemed: 0, outstanding: 0, settled: 0, unsettled: 0, problems: [] });
    for (const role of ["reviewer", "volunteer", "clerk"] as const) {
      expect((await t.call("GET", "/ledger/check", { token: c.tokens[role] })).status).toBe(403);
    }
  });

  it("reports a balance that no longer matches its entries", async () => {
    const c = await t.newCommunity();
    const household = await addHousehold(t, c);
    await grantPoints(t.db, c.communityId, household.id, 10);
    await t.db.run(sql`UPDATE accounts SET balance = balance + 7 WHERE id = ${household.id}`);
    const res = await t.call("GET", "/ledger/check", { token: c.tokens.admin });
    expect(res.body.ok).toBe(false);
    expect(res.body.problems.join(" ")).toMatch(/balance 17 but postings sum to 10/);
    expect(res.body.sumOfBalances).toBe(7);
  });
});
