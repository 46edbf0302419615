import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { accountOf, countRows } from "./support/fixtures";
import { createTestApp, type TestApp } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

describe("shops", () => {
  it("lets the admin open a shop with its ledger account; everyone signed in lists them", async () => {
    const c = await t.newCommunity();
    const res = await t.call("POST", "/shops", { token: c.tokens.admin, body: { name: "二号驿站超市" } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), name: "二号驿站超市", pointValueFen: 100 });
    expect(await accountOf(t.db, res.body.id)).toEqual({ balance: 0, score: 0 });
    const kind = await t.db.all<{ kind: string }>(sql`SELECT kind FROM accounts WHERE id = ${res.body.id}`);
    expect(kind[0].kind).toBe("shop");
    const list = await t.call("GET", "/shops", { token: c.tokens.volunteer });
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: any) => s.name).sort()).toEqual(["二号驿站超市", "驿站超市"]);
    expect(list.body.nextCursor).toBeNull();
    expect(await countRows(t.db, "audit_log", sql`action = 'shop.create'`)).toBe(1);
    await t.ledgerOk(c.communityId);
  });

  it("refuses other roles (403), strangers (401), bad names (400); lists only the own community", async () => {
    const c = await t.newCommunity();
    const other = await t.newCommunity();
    for (const role of ["reviewer", "volunteer", "clerk"] as const) {
      expect((await t.call("POST", "/shops", { token: c.tokens[role], body: { name: "x" } })).status).toBe(403);
    }
    expect((await t.call("POST", "/shops", { body: { name: "x" } })).status).toBe(401);
    expect((await t.call("GET", "/shops")).status).toBe(401);
    for (const body of [{}, { name: "" }, { name: "   " }, { name: "x".repeat(41) }, { name: 5 }]) {
      const res = await t.call("POST", "/shops", { token: c.tokens.admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.name).toBeTruthy();
    }
    const list = await t.call("GET", "/shops", { token: other.tokens.admin });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].id).toBe(other.shopId);
  });
});

describe("goods and stock", () => {
  it("creates goods with opening stock; lists them for anyone signed in, filtered by shop", async () => {
    const c = await t.newCommunity();
    const shop2 = await t.call("POST", "/shops", { token: c.tokens.admin, body: { name: "二号" } });
    const rice = await t.call("POST", "/goods", { token: c.tokens.admin, body: { shopId: c.shopId, name: "大米", points: 30, stock: 20, unit: "袋" } });
    expect(rice.status).toBe(201);
    expect(rice.body).toEqual({ id: expect.any(String), shopId: c.shopId, name: "大米", points: 30, stock: 20, unit: "袋", active: true, barcode: null, initials: "dm" });
    const soap = await t.call("POST", "/goods", { token: c.tokens.admin, body: { shopId: shop2.body.id, name: "肥皂", points: 5, stock: 0 } });
    expect(soap.body.unit).toBeNull();
    const all = await t.call("GET", "/goods", { token: c.tokens.clerk });
    expect(all.body.items).toHaveLength(2);
    const one = await t.call("GET", `/goods?shopId=${shop2.body.id}`, { token: c.tokens.reviewer });
    expect(one.body.items.map((g: any) => g.name)).toEqual(["肥皂"]);
    expect(await countRows(t.db, "stock_movements", sql`goods_id = ${rice.body.id} AND delta = 20`)).toBe(1);
  });

  it("changes stock with a reason and a movement row; below zero is 409 OUT_OF_STOCK and writes nothing", async () => {
    const c = await t.newCommunity();
    const rice = await t.call("POST", "/goods", { token: c.tokens.admin, body: { shopId: c.shopId, name: "大米", points: 30, stock: 5 } });
    const add = await t.call("POST", `/goods/${rice.body.id}/stock`, { token: c.tokens.admin, body: { delta: 10, reason: "进货" } });
    expect(add.status).toBe(200);
    expect(add.body.stock).toBe(15);
    const take = await t.call("POST", `/goods/${rice.body.id}/stock`, { token: c.tokens.admin, body: { delta: -15, reason: "盘点损耗" } });
    expect(take.body.stock).toBe(0);
    const movementsBefore = await countRows(t.db, "stock_movements", sql`goods_id = ${rice.body.id}`);
    const under = await t.call("POST", `/goods/${rice.body.id}/stock`, { token: c.tokens.admin, body: { delta: -1, reason: "x" } });
    expect(under.status).toBe(409);
    expect(under.body.error.code).toBe("OUT_OF_STOCK");
    expect(await countRows(t.db, "stock_movements", sql`goods_id = ${rice.body.id}`)).toBe(movementsBefore);
    const movements = await t.db.all<{ delta: number; reason: string }>(sql`SELECT delta, reason FROM stock_movements WHERE goods_id = ${rice.body.id} ORDER BY id`);
    expect(movements.map((m) => [Number(m.delta), m.reason])).toEqual([[5, "opening stock"], [10, "进货"], [-15, "盘点损耗"]]);
  });

  it("concurrent stock removals never take the stock below zero", async () => {
    const c = await t.newCommunity();
    const rice = await t.call("POST", "/goods", { token: c.tokens.admin, body: { shopId: c.shopId, name: "大米", points: 30, stock: 10 } });
    const answers = await Promise.all(Array.from({ length: 25 }, () => t.call("POST", `/goods/${rice.body.id}/stock`, { token: c.tokens.admin, body: { delta: -1, reason: "损耗" } })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(10);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(15);
    const [row] = await t.db.all<{ stock: number }>(sql`SELECT stock FROM goods WHERE id = ${rice.body.id}`);
    expect(Number(row.stock)).toBe(0);
  });

  it("answers 400 with the fields for bad goods and stock bodies", async () => {
    const c = await t.newCommunity();
    const bad: Array<[unknown, string]> = [
      [{ shopId: c.shopId, name: "x", points: 0, stock: 1 }, "points"],
      [{ shopId: c.shopId, name: "x", points: 1.5, stock: 1 }, "points"],
      [{ shopId: c.shopId, name: "x", points: "10", stock: 1 }, "points"],
      [{ shopId: c.shopId, name: "x", points: 100_001, stock: 1 }, "points"],
      [{ shopId: c.shopId, name: "x", points: 1, stock: -1 }, "stock"],
      [{ shopId: c.shopId, name: "", points: 1, stock: 1 }, "name"],
      [{ name: "x", points: 1, stock: 1 }, "shopId"],
    ];
    for (const [body, field] of bad) {
      const res = await t.call("POST", "/goods", { token: c.tokens.admin, body });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error.details.fields)).toContain(field);
    }
    const rice = await t.call("POST", "/goods", { token: c.tokens.admin, body: { shopId: c.shopId, name: "大米", points: 30, stock: 5 } });
    for (const [body, field] of [[{ delta: 0, reason: "x" }, "delta"], [{ delta: 1.5, reason: "x" }, "delta"], [{ delta: 200_000, reason: "x" }, "delta"], [{ delta: 1 }, "reason"]] as const) {
      const res = await t.call("POST", `/goods/${rice.body.id}/stock`, { token: c.tokens.admin, body });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error.details.fields)).toContain(field);
    }
    const malformed = await t.call("POST", "/goods", { token: c.tokens.admin, rawBody: "{", headers: { "content-type": "application/json" } });
    expect(malformed.body.error.code).toBe("MALFORMED_JSON");
  });

  it("refuses non-admins and another community's shop or goods", async () => {
    const c = await t.newCommunity();
    const other = await t.newCommunity();
    const body = { shopId: c.shopId, name: "大米", points: 30, stock: 5 };
    for (const role of ["reviewer", "volunteer", "clerk"] as const) {
      expect((await t.call("POST", "/goods", { token: c.tokens[role], body })).status).toBe(403);
    }
    const foreignShop = await t.call("POST", "/goods", { token: other.tokens.admin, body });
    expect(foreignShop.status).toBe(404);
    const rice = await t.call("POST", "/goods", { token: c.tokens.admin, body });
    expect((await t.call("POST", `/goods/${rice.body.id}/stock`, { token: other.tokens.admin, body: { delta: 1, reason: "x" } })).status).toBe(404);
    expect((await t.call("POST", `/goods/${rice.body.id}/stock`, { token: c.tokens.clerk, body: { delta: 1, reason: "x" } })).status).toBe(403);
    expect((await t.call("GET", "/goods", { token: other.tokens.clerk })).body.items).toEqual([]);
  });
});
