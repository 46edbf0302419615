/**
 * 进货 and the stock ledger (issue 13.10): a stock-in record moves stock once, in one batch with
 * its movement; the ledger's days, totals and balances add up to the goods' stock and to the
 * movements themselves; bad input and other communities' goods are refused in the error shape.
 * Also the community's supervision phone, printed on the 公示.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addGoods, addHousehold, countRows, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const stockIn = (c: TestCommunity, goodsId: string, body: unknown, headers: Record<string, string> = {}) =>
  t.call("POST", `/goods/${goodsId}/stock-in`, { token: c.tokens.admin, body, headers });

const ledger = (token: string, query = "") => t.call("GET", `/goods/stock-ledger${query ? `?${query}` : ""}`, { token });

async function stockOf(goodsId: string): Promise<number> {
  const rows = await t.db.all<{ stock: number }>(sql`SELECT stock FROM goods WHERE id = ${goodsId}`);
  return Number(rows[0].stock);
}

async function movementSum(goodsId: string): Promise<number> {
  const rows = await t.db.all<{ n: number }>(sql`SELECT COALESCE(SUM(delta), 0) AS n FROM stock_movements WHERE goods_id = ${goodsId}`);
  return Number(rows[0].n);
}

describe("stock-in (进货)", () => {
  it("records a delivery: one record, one movement naming it, one audit row, the stock up by the quantity", async () => {
    const c = await t.newCommunity();
    const rice = await addGoods(t, c, { name: "大米", stock: 5 });
    const res = await stockIn(c, rice.id, { quantity: 40, supplier: "卢氏县粮油批发部", unitCostFen: 2350, note: "第一批", receivedOn: "2026-11-01" });
    expect(res.status).toBe(201);
    expect(res.body.replayed).toBe(false);
    expect(res.body.goods).toMatchObject({ id: rice.id, stock: 45 });
    expect(res.body.receipt).toEqual({
      id: expect.any(String),
      goodsId: rice.id,
      shopId: c.shopId,
      quantity: 40,
      supplier: "卢氏县粮油批发部",
      unitCostFen: 2350,
      amountFen: 94_000,
      note: "第一批",
      receivedOn: "2026-11-01",
      createdAt: t.clock.now().toISOString(),
      createdBy: `user:${c.userIds.admin}`,
    });
    expect(await stockOf(rice.id)).toBe(45);
    const movements = await t.db.all<{ delta: number; reason: string; ref: string }>(sql`SELECT delta, reason, ref FROM stock_movements WHERE goods_id = ${rice.id} ORDER BY id`);
    expect(movements.map((m) => [Number(m.delta), m.reason, m.ref])).toEqual([[5, "opening stock", null], [40, "stock in", res.body.receipt.id]]);
    expect(await countRows(t.db, "stock_receipts")).toBe(1);
    const audit = await t.db.all<{ details: string }>(sql`SELECT details FROM audit_log WHERE action = 'goods.stockIn'`);
    expect(audit.map((a) => JSON.parse(a.details))).toEqual([{ receiptId: res.body.receipt.id, name: "大米", quantity: 40, supplier: "卢氏县粮油批发部", unitCostFen: 2350, receivedOn: "2026-11-01" }]);

    // Today (China) by default; supplier, cost and note are optional.
    const plain = await stockIn(c, rice.id, { quantity: 1 });
    expect(plain.status).toBe(201);
    expect(plain.body.receipt).toMatchObject({ receivedOn: "2026-11-02", supplier: null, unitCostFen: null, amountFen: null, note: null });
    expect(await stockOf(rice.id)).toBe(46);
  });

  it("moves stock once per record: a retry with the same Idempotency-Key answers the first record (200); the key for another delivery is 409", async () => {
    const c = await t.newCommunity();
    const oil = await addGoods(t, c, { name: "食用油", stock: 0 });
    const body = { quantity: 12, supplier: "粮油店" };
    const first = await stockIn(c, oil.id, body, { "Idempotency-Key": "delivery-1" });
    expect(first.status).toBe(201);
    const again = await Promise.all([1, 2, 3].map(() => stockIn(c, oil.id, body, { "Idempotency-Key": "delivery-1" })));
    for (const res of again) {
      expect(res.status).toBe(200);
      expect(res.body.replayed).toBe(true);
      expect(res.body.receipt.id).toBe(first.body.receipt.id);
    }
    expect(await stockOf(oil.id)).toBe(12);
    expect(await countRows(t.db, "stock_receipts")).toBe(1);
    expect(await countRows(t.db, "stock_movements", sql`goods_id = ${oil.id} AND reason = 'stock in'`)).toBe(1);
    const other = await stockIn(c, oil.id, { quantity: 13, supplier: "粮油店" }, { "Idempotency-Key": "delivery-1" });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    // Without a key, each request is its own delivery.
    await stockIn(c, oil.id, body);
    await stockIn(c, oil.id, body);
    expect(await stockOf(oil.id)).toBe(36);
    expect(await movementSum(oil.id)).toBe(36);
  });

  it("two deliveries at once both count, each with its own record and movement", async () => {
    const c = await t.newCommunity();
    const soap = await addGoods(t, c, { name: "香皂", stock: 3 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => stockIn(c, soap.id, { quantity: i + 1 })));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(await stockOf(soap.id)).toBe(3 + 55);
    expect(await movementSum(soap.id)).toBe(58);
    expect(await countRows(t.db, "stock_receipts", sql`goods_id = ${soap.id}`)).toBe(10);
  });

  it("refuses bad input with 400 naming the field, and writes nothing", async () => {
    const c = await t.newCommunity();
    const rice = await addGoods(t, c, { stock: 5 });
    const bad: Array<[unknown, string]> = [
      [{}, "quantity"],
      [{ quantity: 0 }, "quantity"],
      [{ quantity: -3 }, "quantity"],
      [{ quantity: 1.5 }, "quantity"],
      [{ quantity: "10" }, "quantity"],
      [{ quantity: 100_001 }, "quantity"],
      [{ quantity: 1, unitCostFen: -1 }, "unitCostFen"],
      [{ quantity: 1, unitCostFen: 10_000_001 }, "unitCostFen"],
      [{ quantity: 1, unitCostFen: 2.5 }, "unitCostFen"],
      [{ quantity: 1, supplier: "" }, "supplier"],
      [{ quantity: 1, supplier: "供".repeat(61) }, "supplier"],
      [{ quantity: 1, note: "x".repeat(501) }, "note"],
      [{ quantity: 1, receivedOn: "2026-13-01" }, "receivedOn"],
      [{ quantity: 1, receivedOn: "2026-02-30" }, "receivedOn"],
      [{ quantity: 1, receivedOn: "1 Nov" }, "receivedOn"],
      // Not after today in China (2026-11-02), at most 31 days back.
      [{ quantity: 1, receivedOn: "2026-11-03" }, "receivedOn"],
      [{ quantity: 1, receivedOn: "2026-10-01" }, "receivedOn"],
    ];
    for (const [body, field] of bad) {
      const res = await stockIn(c, rice.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code, JSON.stringify(body)).toBe("VALIDATION_FAILED");
      expect(res.body.error.details.fields[field], JSON.stringify(body)).toBeTruthy();
    }
    expect((await stockIn(c, rice.id, { quantity: 1, receivedOn: "2026-10-02" })).status).toBe(201);
    const unknown = await stockIn(c, rice.id, { quantity: 1, price: 3 });
    expect(unknown.status).toBe(400);

    // Never above stockMax: the guard in SQL refuses, and the whole batch rolls back.
    const full = await addGoods(t, c, { name: "满仓", stock: 999_990 });
    const over = await stockIn(c, full.id, { quantity: 11 });
    expect(over.status).toBe(400);
    expect(over.body.error.details.fields.quantity).toContain("1000000");
    expect(await stockOf(full.id)).toBe(999_990);
    expect(await countRows(t.db, "stock_receipts", sql`goods_id = ${full.id}`)).toBe(0);
    expect(await countRows(t.db, "stock_movements", sql`goods_id = ${full.id}`)).toBe(1);
    expect(await countRows(t.db, "audit_log", sql`action = 'goods.stockIn' AND target_id = ${full.id}`)).toBe(0);
    expect((await stockIn(c, full.id, { quantity: 10 })).status).toBe(201);

    expect(await stockOf(rice.id)).toBe(6);
    expect(await countRows(t.db, "stock_receipts")).toBe(2);
  });

  it("another community's goods are 404; unknown goods 404; only the admin records deliveries", async () => {
    const c = await t.newCommunity();
    const other = await t.newCommunity();
    const theirs = await addGoods(t, other, { stock: 7 });
    const res = await stockIn(c, theirs.id, { quantity: 5 });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
    expect((await stockIn(c, "no-such-goods", { quantity: 5 })).status).toBe(404);
    expect(await stockOf(theirs.id)).toBe(7);
    const ours = await addGoods(t, c);
    for (const role of ["reviewer", "volunteer", "clerk"] as const) {
      const refused = await t.call("POST", `/goods/${ours.id}/stock-in`, { token: c.tokens[role], body: { quantity: 1 } });
      expect(refused.status).toBe(403);
    }
    expect((await t.call("POST", `/goods/${ours.id}/stock-in`, { body: { quantity: 1 } })).status).toBe(401);
    expect(await countRows(t.db, "stock_receipts")).toBe(0);
  });

  it("a stock-in record cannot be edited or deleted (append-only)", async () => {
    const c = await t.newCommunity();
    const rice = await addGoods(t, c);
    await stockIn(c, rice.id, { quantity: 2 });
    // drizzle wraps the driver's error; SQLite's message is its cause.
    const failure = async (run: Promise<unknown>) => {
      try {
        await run;
        return "no error";
      } catch (err) {
        return `${String(err)} ${String((err as { cause?: unknown }).cause ?? "")}`;
      }
    };
    expect(await failure(t.db.run(sql`UPDATE stock_receipts SET quantity = 200`))).toMatch(/append-only: stock_receipts/);
    expect(await failure(t.db.run(sql`DELETE FROM stock_receipts`))).toMatch(/append-only: stock_receipts/);
    expect(await stockOf(rice.id)).toBe(102);
  });
});

describe("the stock ledger (库存台账 / 进货台账)", () => {
  /** Redeems `quantity` of the goods for a household with points, at the clerk's counter. */
  async function redeem(c: TestCommunity, qr: string, pin: string, goodsId: string, quantity: number, key: string) {
    const res = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "Idempotency-Key": key }, body: { qr, items: [{ goodsId, quantity }], pin } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  it("per goods and day: in, out net of voids, adjustments and balances that add up to the stock and the movements", async () => {
    const c = await t.newCommunity();
    const h = await addHousehold(t, c);
    const card = await issueCardFor(t, c, h.id);
    await grantPoints(t.db, c.communityId, h.id, 10_000);
    t.clock.set(new Date("2026-10-30T02:00:00.000Z")); // 10:00 on 30 Oct in China
    const rice = await addGoods(t, c, { name: "大米", points: 10, stock: 20 });
    const oil = await addGoods(t, c, { name: "食用油", points: 30, stock: 4 });

    t.clock.set(new Date("2026-10-31T03:00:00.000Z"));
    await stockIn(c, rice.id, { quantity: 50, supplier: "粮站", unitCostFen: 2000 });
    await redeem(c, card.qr, card.pin, rice.id, 3, "r1");

    // 1 Nov 07:30 in China is still 31 Oct in UTC: the ledger counts China days.
    t.clock.set(new Date("2026-10-31T23:30:00.000Z"));
    const voided = await redeem(c, card.qr, card.pin, rice.id, 4, "r2");
    await redeem(c, card.qr, card.pin, oil.id, 1, "r3");
    expect((await t.call("POST", `/redemptions/${voided.id}/void`, { token: c.tokens.admin, body: { reason: "退货" } })).status).toBe(200);
    expect((await t.call("POST", `/goods/${rice.id}/stock`, { token: c.tokens.admin, body: { delta: -2, reason: "盘点损耗" } })).status).toBe(200);

    // Recorded on 2 Nov for goods that arrived on 1 Nov: booked on the day they arrived.
    t.clock.set(new Date("2026-11-02T02:00:00.000Z"));
    await stockIn(c, oil.id, { quantity: 6, receivedOn: "2026-11-01", unitCostFen: 5000 });
    await redeem(c, card.qr, card.pin, rice.id, 1, "r4");

    const res = await ledger(c.tokens.admin, "from=2026-10-31&to=2026-11-02");
    expect(res.status).toBe(200);
    const book = res.body;
    expect(book).toMatchObject({ from: "2026-10-31", to: "2026-11-02", shopId: null, goodsId: null });
    const riceBook = book.goods.find((g: any) => g.goodsId === rice.id);
    expect(riceBook).toMatchObject({ name: "大米", unit: "袋", shopId: c.shopId, shopName: "驿站超市", opening: 20 });
    expect(riceBook.days).toEqual([
      { date: "2026-10-31", in: 50, out: 3, adjust: 0, balance: 67 },
      // 4 redeemed and voided the same day: nothing out, net.
      { date: "2026-11-01", in: 0, out: 0, adjust: -2, balance: 65 },
      { date: "2026-11-02", in: 0, out: 1, adjust: 0, balance: 64 },
    ]);
    expect(riceBook.totals).toEqual({ in: 50, out: 4, adjust: -2 });
    expect(riceBook.closing).toBe(64);
    expect(riceBook.stock).toBe(64);
    expect(await stockOf(rice.id)).toBe(64);
    expect(await movementSum(rice.id)).toBe(64);

    const oilBook = book.goods.find((g: any) => g.goodsId === oil.id);
    expect(oilBook.opening).toBe(4);
    expect(oilBook.days).toEqual([{ date: "2026-11-01", in: 6, out: 1, adjust: 0, balance: 9 }]);
    expect(oilBook.closing).toBe(await stockOf(oil.id));
    expect(oilBook.closing).toBe(await movementSum(oil.id));
    expect(book.totals).toEqual({ in: 56, out: 5, adjust: -2 });

    // For every goods: opening + in − out + adjust = closing, and each day's balance follows.
    for (const g of book.goods) {
      let balance = g.opening;
      for (const d of g.days) {
        balance += d.in - d.out + d.adjust;
        expect(d.balance).toBe(balance);
      }
      expect(g.closing).toBe(balance);
      expect(g.closing).toBe(g.stock);
    }

    // The stock-in records (进货台账), by arrival day, with what they cost.
    expect(book.receipts.map((r: any) => [r.receivedOn, r.goodsName, r.quantity, r.supplier, r.amountFen, r.byName])).toEqual([
      ["2026-10-31", "大米", 50, "粮站", 100_000, "管理员"],
      ["2026-11-01", "食用油", 6, null, 30_000, "管理员"],
    ]);
    expect(book.receiptsAmountFen).toBe(130_000);
    expect(book.receiptsTruncated).toBe(false);

    // An earlier period: the opening stock is the goods' first movement, the closing what was left then.
    const early = await ledger(c.tokens.admin, `from=2026-10-30&to=2026-10-31&goodsId=${rice.id}`);
    expect(early.body.goods).toHaveLength(1);
    expect(early.body.goods[0]).toMatchObject({ opening: 0, closing: 67, stock: 64 });
    expect(early.body.goods[0].days).toEqual([
      { date: "2026-10-30", in: 20, out: 0, adjust: 0, balance: 20 },
      { date: "2026-10-31", in: 50, out: 3, adjust: 0, balance: 67 },
    ]);
    expect(early.body.receipts.map((r: any) => r.goodsName)).toEqual(["大米"]);

    // By default, this month (China) to today.
    const month = await ledger(c.tokens.admin, `goodsId=${rice.id}`);
    expect(month.body).toMatchObject({ from: "2026-11-01", to: "2026-11-02" });
    expect(month.body.goods[0]).toMatchObject({ opening: 67, closing: 64, stock: 64 });
    // A period with no movement: no days, opening = closing = stock.
    const quiet = await ledger(c.tokens.admin, `goodsId=${rice.id}&from=2026-11-03&to=2026-11-30`);
    expect(quiet.body.goods[0]).toMatchObject({ opening: 64, days: [], totals: { in: 0, out: 0, adjust: 0 }, closing: 64, stock: 64 });
    expect(quiet.body.receipts).toEqual([]);
    await t.ledgerOk(c.communityId);
  });

  it("the shop's clerk reads only their own shop's ledger; other roles are refused", async () => {
    const c = await t.newCommunity();
    const shop2 = await t.call("POST", "/shops", { token: c.tokens.admin, body: { name: "二号驿站" } });
    const ours = await addGoods(t, c, { name: "大米" });
    const theirs = await addGoods(t, c, { name: "酱油", shopId: shop2.body.id });
    const all = await ledger(c.tokens.admin);
    expect(all.body.goods.map((g: any) => g.name).sort()).toEqual(["大米", "酱油"]);
    const byShop = await ledger(c.tokens.admin, `shopId=${shop2.body.id}`);
    expect(byShop.body.goods.map((g: any) => g.name)).toEqual(["酱油"]);

    const clerk = await ledger(c.tokens.clerk);
    expect(clerk.status).toBe(200);
    expect(clerk.body.shopId).toBe(c.shopId);
    expect(clerk.body.goods.map((g: any) => g.goodsId)).toEqual([ours.id]);
    expect((await ledger(c.tokens.clerk, `goodsId=${theirs.id}`)).status).toBe(404);
    const otherShop = await ledger(c.tokens.clerk, `shopId=${shop2.body.id}`);
    expect(otherShop.status).toBe(403);
    expect(otherShop.body.error.code).toBe("FORBIDDEN");
    for (const role of ["reviewer", "volunteer"] as const) expect((await ledger(c.tokens[role])).status).toBe(403);
    expect((await t.call("GET", "/goods/stock-ledger")).status).toBe(401);
  });

  it("another community's goods are 404; a bad period is 400 naming the field", async () => {
    const c = await t.newCommunity();
    const other = await t.newCommunity();
    const theirs = await addGoods(t, other);
    const foreign = await ledger(c.tokens.admin, `goodsId=${theirs.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("NOT_FOUND");
    // Another community's shop lists nothing of theirs.
    const foreignShop = await ledger(c.tokens.admin, `shopId=${other.shopId}`);
    expect(foreignShop.body.goods).toEqual([]);
    const bad: Array<[string, string]> = [
      ["from=2026-11-05&to=2026-11-01", "from"],
      ["from=2025-01-01&to=2026-11-01", "to"],
      ["from=2026-02-30", "from"],
      ["to=tomorrow", "to"],
      ["from=20261101", "from"],
    ];
    for (const [query, field] of bad) {
      const res = await ledger(c.tokens.admin, query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe("VALIDATION_FAILED");
      expect(res.body.error.details.fields[field], query).toBeTruthy();
    }
    expect((await ledger(c.tokens.admin, "from=2025-11-02&to=2026-11-02")).status).toBe(200);
  });
});

describe("the supervision phone (监督电话) printed on the 公示", () => {
  it("is null until set, kept as typed, cleared by an empty value, audited; a bad number is 400", async () => {
    const c = await t.newCommunity();
    const get = () => t.call("GET", "/community/settings", { token: c.tokens.reviewer });
    expect((await get()).body.supervisionPhone).toBeNull();
    const set = await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { supervisionPhone: " 0398-7890123 " } });
    expect(set.status).toBe(200);
    expect(set.body.supervisionPhone).toBe("0398-7890123");
    expect((await get()).body.supervisionPhone).toBe("0398-7890123");
    const audit = await t.db.all<{ details: string }>(sql`SELECT details FROM audit_log WHERE action = 'settings.update'`);
    expect(JSON.parse(audit[0].details)).toEqual({ before: { supervisionPhone: null }, after: { supervisionPhone: "0398-7890123" } });
    for (const supervisionPhone of ["12345", "电话", "0398-1234567 / 139 0000 1111", "1".repeat(21), 3987890123]) {
      const res = await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { supervisionPhone } });
      expect(res.status, String(supervisionPhone)).toBe(400);
      expect(res.body.error.details.fields.supervisionPhone).toBeTruthy();
    }
    expect((await get()).body.supervisionPhone).toBe("0398-7890123");
    expect((await t.call("PATCH", "/community/settings", { token: c.tokens.reviewer, body: { supervisionPhone: "0398-7890123" } })).status).toBe(403);
    expect((await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { supervisionPhone: "" } })).body.supervisionPhone).toBeNull();
    expect((await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { supervisionPhone: "0398-7890123" } })).status).toBe(200);
    expect((await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { supervisionPhone: null } })).body.supervisionPhone).toBeNull();
  });
});
