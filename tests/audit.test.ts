import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addGoods, addHousehold, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, type TestApp } from "./support/harness";
import { chinaDay } from "../shared/time";

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

  it("names each row's actor and target in words: staff by name and role, residents by 户号, receipts, cards by their last four digits", async () => {
    const { c, redemption, shop } = await someActivity();
    const household = await addHousehold(t, c, { householdNo: "XXL-0808", headName: "钟大胜" });
    const card = await issueCardFor(t, c, household.id, "2468");
    expect((await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "0000" } })).status).toBe(401);
    expect((await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "2468" } })).status).toBe(200);
    const res = await t.call("GET", "/audit", { token: c.tokens.admin });
    expect(res.status).toBe(200);
    const find = (action: string) => res.body.items.find((e: any) => e.action === action);

    // A resident signing in is named by the household's head and 户号; so is a failed attempt
    // at the card (its actor is `card:<no>`), with the card shown by its last four digits.
    expect(find("auth.card_login")).toMatchObject({ actorRole: "resident", actorName: "钟大胜", actorHouseholdNo: "XXL-0808", targetType: "card", targetLabel: card.cardNo.slice(-4), householdNo: "XXL-0808" });
    expect(find("auth.card_login_failed")).toMatchObject({ actor: `card:${card.cardNo}`, actorName: "钟大胜", actorHouseholdNo: "XXL-0808", details: { attempt: 1 } });
    expect(find("card.issue")).toMatchObject({ targetLabel: card.cardNo.slice(-4), householdNo: "XXL-0808" });
    expect(find("household.create")).toMatchObject({ actorName: "管理员", actorRole: "admin", targetLabel: "XXL-0808 钟大胜", householdNo: "XXL-0808" });

    // Staff by name; the receipt by its number, and the household it was for.
    const created = find("redemption.create");
    expect(created).toMatchObject({ actor: `user:${c.userIds.clerk}`, actorName: "clerk", actorRole: "clerk", targetId: redemption.id, targetLabel: String(redemption.receiptNo), actorHouseholdNo: null });
    expect(created.householdNo).toEqual(expect.any(String));
    expect(find("redemption.void")).toMatchObject({ actorName: "管理员", targetLabel: String(redemption.receiptNo), householdNo: created.householdNo });
    expect(find("shop.create")).toMatchObject({ targetId: shop.id, targetLabel: "二号超市", householdNo: null });
    const login = res.body.items.find((e: any) => e.action === "auth.login" && e.actor === `user:${c.userIds.clerk}`);
    expect(login.targetLabel).toMatch(/^clerk \(clerk-/);

    // The existing fields stay, and no row names its actor by a bare id when the actor is known.
    for (const e of res.body.items) {
      expect(e).toEqual(expect.objectContaining({ seq: expect.any(Number), at: expect.any(String), actor: expect.any(String), action: expect.any(String), targetType: expect.any(String) }));
      if (e.actor !== "system") expect(e.actorName, e.action).toEqual(expect.any(String));
    }
  });

  it("filters by action group (several patterns), by the actor's role and by China day, and refuses a malformed day", async () => {
    const { c } = await someActivity();
    const groups = await t.call("GET", `/audit?action=${encodeURIComponent("redemption.*,shop.*")}`, { token: c.tokens.admin });
    expect(groups.body.items.map((e: any) => e.action)).toEqual(["redemption.void", "redemption.create", "shop.create"]);
    const clerks = await t.call("GET", "/audit?actorRole=clerk", { token: c.tokens.admin });
    expect(clerks.body.items.length).toBeGreaterThan(0);
    expect(clerks.body.items.every((e: any) => e.actorRole === "clerk")).toBe(true);

    const today = chinaDay(t.clock.now());
    const all = await t.call("GET", "/audit", { token: c.tokens.admin });
    const onToday = await t.call("GET", `/audit?from=${today}&to=${today}`, { token: c.tokens.admin });
    expect(onToday.body.items.map((e: any) => e.seq)).toEqual(all.body.items.filter((e: any) => chinaDay(e.at) === today).map((e: any) => e.seq));
    expect(onToday.body.items.length).toBeGreaterThan(0);
    // Two days on, in steps shorter than a staff session's idle limit, so the admin stays signed in.
    for (let step = 0; step < 5; step++) {
      t.clock.advanceHours(10);
      expect((await t.call("GET", "/audit?limit=1", { token: c.tokens.admin })).status).toBe(200);
    }
    await t.call("POST", "/shops", { token: c.tokens.admin, body: { name: "三号超市" } });
    const later = chinaDay(t.clock.now());
    const since = await t.call("GET", `/audit?from=${later}`, { token: c.tokens.admin });
    expect(since.body.items.map((e: any) => [e.action, e.targetLabel])).toEqual([["shop.create", "三号超市"]]);
    const until = await t.call("GET", `/audit?to=${today}`, { token: c.tokens.admin });
    expect(until.body.items.some((e: any) => e.targetLabel === "三号超市")).toBe(false);

    for (const bad of ["from=2026-13-45", "to=yesterday", "actorRole=mayor"]) {
      expect((await t.call("GET", `/audit?${bad}`, { token: c.tokens.admin })).status, bad).toBe(400);
    }
  });
});
