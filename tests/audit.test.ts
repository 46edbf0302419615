import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addGoods, addHousehold, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, type TestApp } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

async function someActivity() {
  const c = await t.newCommunity();
  const household = await addHousehold(t, c);
  const card = await issueCardFor(t, c, household.id);
  await grantPoints(t.db, c.communityId, household.id, 100);
  const shop = await t.call("POST", "/shops", { token: c.tokens.admin, body: { name: "二号超市" } });
  const goods = await addGoods(t, c, { points: 10, stock: 10 });
  const redemption = await t.call("POST", "/redemptions", {
    token: c.tokens.clerk,
    headers: { "idempotency-key": "a-1", "user-agent": "scanner/1.0" },
    body: { qr: card.qr, items: [{ goodsId: goods.id, quantity: 2 }] },
  });
  await t.call("POST", `/redemptions/${redemption.body.id}/void`, { token: c.tokens.admin, body: { reason: "测试" } });
  return { c, shop: shop.body, redemption: redemption.body };
}

describe("the audit log", () => {
  it("lists the community's changes newest first, with who, what and from where", async () => {
    const { c, redemption, shop } = await someActivity();
    const res = await t.call("GET", "/audit", { token: c.tokens.admin });
    expect(res.status).toBe(200);
    const actions = res.body.items.map((e: any) => e.action);
    expect(actions.slice(0, 3)).toEqual(["redemption.void", "redemption.create", "shop.create"]);
    const seqs = res.body.items.map((e: any) => e.seq);
    expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);
    expect(res.body.items[1]).toMatchObject({
      actor: `user:${c.userIds.clerk}`,
      actorRole: "clerk",
      targetType: "redemption",
      targetId: redemption.id,
      userAgent: "scanner/1.0",
      details: { total: 20 },
    });
    expect(res.body.items[2]).toMatchObject({ action: "shop.create", targetId: shop.id, details: { name: "二号超市" } });
  });

  it("filters by action (exact or prefix*) and by actor, and pages by seq", async () => {
    const { c } = await someActivity();
    const voids = await t.call("GET", "/audit?action=redemption.void", { token: c.tokens.admin });
    expect(voids.body.items.map((e: any) => e.action)).toEqual(["redemption.void"]);
    const prefixed = await t.call("GET", `/audit?action=${encodeURIComponent("redemption.*")}`, { token: c.tokens.admin });
    expect(prefixed.body.items.map((e: any) => e.action)).toEqual(["redemption.void", "redemption.create"]);
    const byClerk = await t.call("GET", `/audit?actor=${c.userIds.clerk}`, { token: c.tokens.admin });
    expect(byClerk.body.items.map((e: any) => e.action)).toEqual(["redemption.create", "auth.login"]);
    const byRef = await t.call("GET", `/audit?actor=user:${c.userIds.clerk}&action=auth.login`, { token: c.tokens.admin });
    expect(byRef.body.items).toHaveLength(1);

    const all = await t.call("GET", "/audit", { token: c.tokens.admin });
    const collected: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.call("GET", `/audit?limit=3${cursor ? `&cursor=${cursor}` : ""}`, { token: c.tokens.admin });
      collected.push(...page.body.items.map((e: any) => e.seq));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(collected).toEqual(all.body.items.map((e: any) => e.seq));
  });

  it("is for the admin only and never shows another community", async () => {
    const { c } = await someActivity();
    const other = await t.newCommunity();
    for (const role of ["reviewer", "volunteer", "clerk"] as const) expect((await t.call("GET", "/audit", { token: c.tokens[role] })).status).toBe(403);
    expect((await t.call("GET", "/audit")).status).toBe(401);
    const theirs = await t.call("GET", "/audit?action=redemption.create", { token: other.tokens.admin });
    expect(theirs.body.items).toEqual([]);
    expect((await t.call("GET", "/audit?limit=0", { token: c.tokens.admin })).status).toBe(400);
  });
});
