import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addGoods, addHousehold, accountOf, countRows, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, testPasswordHash, type TestApp, type TestCommunity } from "./support/harness";
import { newId } from "../api/domain/clock";
import { openAccountStatement } from "../api/domain/ledger";
import { shops, users } from "../db/schema";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

let keyCounter = 0;
const freshKey = () => `key-${++keyCounter}-${Math.random().toString(36).slice(2)}`;

/** A community with one household holding `points`, a card, and two goods on the shelf. */
async function setup(points = 1000, code = "CAP") {
  const c = await t.newCommunity(code);
  const household = await addHousehold(t, c);
  const card = await issueCardFor(t, c, household.id, "2468");
  if (points > 0) await grantPoints(t.db, c.communityId, household.id, points);
  const rice = await addGoods(t, c, { name: "大米", points: 10, stock: 100 });
  const oil = await addGoods(t, c, { name: "食用油", points: 25, stock: 5 });
  return { c, household, card, rice, oil };
}

function redeem(c: TestCommunity, body: unknown, key: string | null = freshKey(), token = c.tokens.clerk) {
  return t.call("POST", "/redemptions", { token, body, headers: key === null ? {} : { "idempotency-key": key } });
}

async function stockOf(goodsId: string) {
  const rows = await t.db.all<{ stock: number }>(sql`SELECT stock FROM goods WHERE id = ${goodsId}`);
  return Number(rows[0].stock);
}

/** Everything a redemption could leave behind, to prove a refused one left nothing. */
async function traces(communityId: string) {
  return {
    redemptions: await countRows(t.db, "redemptions", sql`community_id = ${communityId}`),
    keys: await countRows(t.db, "idempotency_keys", sql`community_id = ${communityId}`),
    transfers: await countRows(t.db, "transfers", sql`community_id = ${communityId} AND kind = 'redemption'`),
    postings: await countRows(t.db, "postings", sql`community_id = ${communityId}`),
    lines: await countRows(t.db, "redemption_lines"),
    movements: await countRows(t.db, "stock_movements", sql`community_id = ${communityId} AND reason = 'redemption'`),
    audit: await countRows(t.db, "audit_log", sql`community_id = ${communityId} AND action = 'redemption.create'`),
  };
}

describe("redeeming a basket", () => {
  it("debits the household, credits the shop, takes the stock and numbers receipts 1, 2, 3", async () => {
    const { c, household, card, rice, oil } = await setup(1000);
    const first = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 2 }, { goodsId: oil.id, quantity: 1 }] });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      receiptNo: 1,
      householdId: household.id,
      total: 45,
      balanceAfter: 955,
      items: [
        { goodsId: expect.any(String), name: expect.any(String), points: expect.any(Number), quantity: expect.any(Number), subtotal: expect.any(Number) },
        expect.anything(),
      ],
    });
    const byGoods = Object.fromEntries(first.body.items.map((i: any) => [i.goodsId, i]));
    expect(byGoods[rice.id]).toEqual({ goodsId: rice.id, name: "大米", points: 10, quantity: 2, subtotal: 20 });
    expect(byGoods[oil.id]).toEqual({ goodsId: oil.id, name: "食用油", points: 25, quantity: 1, subtotal: 25 });
    expect(typeof first.body.id).toBe("string");
    expect(first.body.createdAt).toBe(t.clock.now().toISOString());

    const second = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] });
    const third = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] });
    expect([second.body.receiptNo, third.body.receiptNo]).toEqual([2, 3]);
    expect(third.body.balanceAfter).toBe(935);
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 935 });
    expect(await accountOf(t.db, c.shopId)).toMatchObject({ balance: 65 });
    expect(await stockOf(rice.id)).toBe(96);
    expect(await stockOf(oil.id)).toBe(4);
    await t.ledgerOk(c.communityId);
  });

  it("merges repeated goods into one line", async () => {
    const { c, card, rice } = await setup(1000);
    const res = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }, { goodsId: rice.id, quantity: 2 }] });
    expect(res.status).toBe(201);
    expect(res.body.items).toEqual([{ goodsId: rice.id, name: "大米", points: 10, quantity: 3, subtotal: 30 }]);
    expect(await stockOf(rice.id)).toBe(97);
    await t.ledgerOk(c.communityId);
  });

  it("writes the ledger postings with the balance after, the stock movements and an audit row", async () => {
    const { c, household, card, rice } = await setup(100);
    const res = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 3 }] });
    const postings = await t.db.all<any>(sql`SELECT account_id, amount, balance_after, kind FROM postings WHERE kind = 'redemption' ORDER BY seq`);
    expect(postings.map((p) => [p.account_id, Number(p.amount), Number(p.balance_after)])).toEqual([
      [household.id, -30, 70],
      [c.shopId, 30, 30],
    ]);
    const transfer = await t.db.all<any>(sql`SELECT cause FROM transfers WHERE kind = 'redemption'`);
    expect(transfer[0].cause).toBe(`redemption:${res.body.id}`);
    expect(await traces(c.communityId)).toMatchObject({ redemptions: 1, keys: 1, transfers: 1, lines: 1, movements: 1, audit: 1 });
  });

  it("answers 404 CARD_INVALID for a forged, altered or revoked card and moves nothing", async () => {
    const { c, card, rice } = await setup(100);
    for (const qr of ["http://localhost:8787/c/123456789012.1.AAAAAAAAAAAAAAAAAAAAAA", card.qr.replace(/.$/, (ch) => (ch === "A" ? "B" : "A")), "garbage"]) {
      const res = await redeem(c, { qr, items: [{ goodsId: rice.id, quantity: 1 }] });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("CARD_INVALID");
    }
    await issueCardFor(t, c, (await accountHolder(card.qr, c))!, "1111"); // a new card revokes the old one
    const revoked = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] });
    expect(revoked.body.error.code).toBe("CARD_INVALID");
    expect((await traces(c.communityId)).redemptions).toBe(0);
  });
});

async function accountHolder(_qr: string, c: TestCommunity) {
  const rows = await t.db.all<{ household_id: string }>(sql`SELECT household_id FROM cards WHERE community_id = ${c.communityId} LIMIT 1`);
  return rows[0]?.household_id;
}

describe("a card stopped between the scan and the write", () => {
  it("fails the whole batch with CARD_INVALID: no debit, no stock taken, no receipt", async () => {
    const { c, household, card, rice } = await setup(100);
    const before = await traces(c.communityId);
    // Stand-in for an admin reporting the card lost in the instant between the clerk's scan and
    // the redemption's batch: the batch's own first write (its transfer) stops the card.
    await t.db.run(sql.raw(`CREATE TRIGGER stop_card_mid_batch AFTER INSERT ON transfers BEGIN UPDATE cards SET status = 'revoked' WHERE household_id = '${household.id}'; END`));
    const res = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] });
    await t.db.run(sql.raw("DROP TRIGGER stop_card_mid_batch"));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("CARD_INVALID");
    expect(await traces(c.communityId)).toEqual(before);
    expect((await t.call("GET", `/households/${household.id}`, { token: c.tokens.admin })).body.balance).toBe(100);
    expect(await stockOf(rice.id)).toBe(100);
    await t.ledgerOk(c.communityId);
  });
});

describe("the PIN", () => {
  it("is needed above the threshold: 401 PIN_REQUIRED without it, PIN_WRONG when wrong, 201 when right", async () => {
    const { c, household, card, oil } = await setup(1000); // threshold 50; 3 × 25 = 75
    const basket = { qr: card.qr, items: [{ goodsId: oil.id, quantity: 3 }] };
    const missing = await redeem(c, basket);
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe("PIN_REQUIRED");
    const wrong = await redeem(c, { ...basket, pin: "0000" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("PIN_WRONG");
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 1000 });
    const right = await redeem(c, { ...basket, pin: card.pin });
    expect(right.status).toBe(201);
    expect(right.body.balanceAfter).toBe(925);
    await t.ledgerOk(c.communityId);
  });

  it("is not asked for at or below the threshold", async () => {
    const { c, card, oil } = await setup(1000);
    const res = await redeem(c, { qr: card.qr, items: [{ goodsId: oil.id, quantity: 2 }] }); // 50 = threshold
    expect(res.status).toBe(201);
  });

  it("locks after five wrong PINs: then 429 even with the right PIN, until the lock ends", async () => {
    const { c, card, oil } = await setup(1000);
    const basket = { qr: card.qr, items: [{ goodsId: oil.id, quantity: 3 }] };
    for (let i = 0; i < 5; i++) expect((await redeem(c, { ...basket, pin: "9999" })).body.error.code).toBe("PIN_WRONG");
    const locked = await redeem(c, { ...basket, pin: card.pin });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe("TOO_MANY_ATTEMPTS");
    // The counter keeps its own count: a lock at the counter does not lock the resident's own
    // sign-in (and the reverse, below), so a stranger cannot shut a household out of both.
    const login = await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: card.pin } });
    expect(login.status).toBe(200);
    t.clock.advanceHours(0.26);
    const after = await redeem(c, { ...basket, pin: card.pin });
    expect(after.status).toBe(201);
    await t.ledgerOk(c.communityId);
  });

  it("still takes the right PIN at the counter while a stranger has locked the card's remote sign-in", async () => {
    const { c, card, oil } = await setup(1000);
    for (let i = 0; i < 5; i++) await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "9999" } });
    expect((await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: card.pin } })).status).toBe(429);
    const paid = await redeem(c, { qr: card.qr, items: [{ goodsId: oil.id, quantity: 3 }], pin: card.pin });
    expect(paid.status).toBe(201);
  });

  it("checks the PIN at most five times when sixty baskets race with wrong PINs", async () => {
    const { c, card, oil } = await setup(1000);
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "Idempotency-Key": `race-${i}` }, body: { qr: card.qr, items: [{ goodsId: oil.id, quantity: 3 }], pin: i === 40 ? card.pin : "9999" } })),
    );
    const codes = answers.map((a) => a.body.error?.code ?? String(a.status));
    const checked = codes.filter((code) => code === "PIN_WRONG" || code === "201").length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(codes.filter((code) => code === "TOO_MANY_ATTEMPTS").length).toBeGreaterThanOrEqual(55);
    await t.ledgerOk(c.communityId);
  });

  it("a right PIN resets the count of wrong ones", async () => {
    const { c, card } = await setup(1000);
    const tea = await addGoods(t, c, { name: "茶叶", points: 60, stock: 10 });
    const basket = { qr: card.qr, items: [{ goodsId: tea.id, quantity: 1 }] };
    for (let i = 0; i < 4; i++) await redeem(c, { ...basket, pin: "9999" });
    expect((await redeem(c, { ...basket, pin: card.pin })).status).toBe(201);
    for (let i = 0; i < 4; i++) await redeem(c, { ...basket, pin: "9999" });
    expect((await redeem(c, { ...basket, pin: card.pin })).status).toBe(201);
  });
});

describe("refused redemptions leave no trace", () => {
  it("409 INSUFFICIENT_POINTS: no receipt, no key, no postings, stock unchanged; a retry after a top-up works", async () => {
    const { c, household, card, rice } = await setup(15);
    const before = await traces(c.communityId);
    const key = freshKey();
    const res = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 2 }] }, key);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("INSUFFICIENT_POINTS");
    expect(res.body.error.details).toMatchObject({ total: 20, balance: 15 });
    expect(await traces(c.communityId)).toEqual(before);
    expect(await stockOf(rice.id)).toBe(100);
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 15 });
    await t.ledgerOk(c.communityId);

    await grantPoints(t.db, c.communityId, household.id, 5);
    const retry = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 2 }] }, key);
    expect(retry.status).toBe(201);
    expect(retry.body.balanceAfter).toBe(0);
    await t.ledgerOk(c.communityId);
  });

  it("409 OUT_OF_STOCK: nothing written, balance unchanged", async () => {
    const { c, household, card, rice, oil } = await setup(1000);
    const before = await traces(c.communityId);
    const res = await redeem(c, { qr: card.qr, pin: card.pin, items: [{ goodsId: rice.id, quantity: 1 }, { goodsId: oil.id, quantity: 6 }] });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("OUT_OF_STOCK");
    expect(res.body.error.details.goods).toEqual([{ goodsId: oil.id, requested: 6, stock: 5 }]);
    expect(await traces(c.communityId)).toEqual(before);
    expect([await stockOf(rice.id), await stockOf(oil.id)]).toEqual([100, 5]);
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 1000 });
    await t.ledgerOk(c.communityId);
  });
});

describe("idempotency", () => {
  it("replays the first answer for the same key three times and debits once", async () => {
    const { c, household, card, rice } = await setup(1000);
    const key = freshKey();
    const body = { qr: card.qr, items: [{ goodsId: rice.id, quantity: 2 }] };
    const first = await redeem(c, body, key);
    expect(first.status).toBe(201);
    t.clock.advanceHours(1);
    for (let i = 0; i < 3; i++) {
      const again = await redeem(c, body, key);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
    }
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 980 });
    expect(await stockOf(rice.id)).toBe(98);
    expect((await traces(c.communityId)).redemptions).toBe(1);
    await t.ledgerOk(c.communityId);
  });

  it("treats the same basket written differently (split lines, other order) as the same request", async () => {
    const { c, card, rice, oil } = await setup(1000);
    const key = freshKey();
    const first = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 2 }, { goodsId: oil.id, quantity: 1 }] }, key);
    const again = await redeem(c, { qr: card.qr, items: [{ goodsId: oil.id, quantity: 1 }, { goodsId: rice.id, quantity: 1 }, { goodsId: rice.id, quantity: 1 }] }, key);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
  });

  it("replays concurrent copies of one request: one debit, identical bodies", async () => {
    const { c, household, card, rice } = await setup(1000);
    const key = freshKey();
    const body = { qr: card.qr, items: [{ goodsId: rice.id, quantity: 3 }] };
    const answers = await Promise.all([1, 2, 3].map(() => redeem(c, body, key)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(answers[1].body).toEqual(answers[0].body);
    expect(answers[2].body).toEqual(answers[0].body);
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 970 });
    expect(await stockOf(rice.id)).toBe(97);
    expect((await traces(c.communityId)).redemptions).toBe(1);
    await t.ledgerOk(c.communityId);
  });

  it("answers 409 IDEMPOTENCY_KEY_REUSED for the same key with a different basket, and moves nothing more", async () => {
    const { c, household, card, rice } = await setup(1000);
    const key = freshKey();
    expect((await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] }, key)).status).toBe(201);
    const reused = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 2 }] }, key);
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 990 });
    await t.ledgerOk(c.communityId);
  });

  it("requires the Idempotency-Key header and limits its length", async () => {
    const { c, card, rice } = await setup(1000);
    const body = { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] };
    const missing = await redeem(c, body, null);
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe("IDEMPOTENCY_KEY_REQUIRED");
    const blank = await redeem(c, body, "   ");
    expect(blank.body.error.code).toBe("IDEMPOTENCY_KEY_REQUIRED");
    const long = await redeem(c, body, "k".repeat(101));
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe("VALIDATION_FAILED");
    expect(long.body.error.details.fields["idempotency-key"]).toBeTruthy();
  });
});

describe("races", () => {
  it("200 concurrent 10-point baskets against 1,000 points: exactly 100 succeed, balance 0", async () => {
    const { c, household, card } = await setup(1000);
    const soap = await addGoods(t, c, { name: "肥皂", points: 10, stock: 1000 });
    const answers = await Promise.all(Array.from({ length: 200 }, () => redeem(c, { qr: card.qr, items: [{ goodsId: soap.id, quantity: 1 }] })));
    const ok = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 409);
    expect(ok).toHaveLength(100);
    expect(refused).toHaveLength(100);
    expect(refused.every((a) => a.body.error.code === "INSUFFICIENT_POINTS")).toBe(true);
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 0 });
    expect(await accountOf(t.db, c.shopId)).toMatchObject({ balance: 1000 });
    expect(await stockOf(soap.id)).toBe(900);
    expect(ok.map((a) => a.body.receiptNo).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(new Set(ok.map((a) => a.body.balanceAfter)).size).toBe(100);
    await t.ledgerOk(c.communityId);
  });

  it("stock race: 30 concurrent baskets for 5 in stock → exactly 5 succeed, stock 0", async () => {
    const c = await t.newCommunity();
    const soap = await addGoods(t, c, { name: "肥皂", points: 1, stock: 5 });
    const cards: Array<{ qr: string }> = [];
    for (let i = 0; i < 3; i++) {
      const h = await addHousehold(t, c);
      await grantPoints(t.db, c.communityId, h.id, 100);
      cards.push(await issueCardFor(t, c, h.id));
    }
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => redeem(c, { qr: cards[i % 3].qr, items: [{ goodsId: soap.id, quantity: 1 }] })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === "OUT_OF_STOCK")).toBe(true);
    expect(await stockOf(soap.id)).toBe(0);
    expect(await accountOf(t.db, c.shopId)).toMatchObject({ balance: 5 });
    await t.ledgerOk(c.communityId);
  });
});

describe("the daily cap", () => {
  async function withCap(cap: number) {
    const setup1 = await setup(1000);
    await t.db.run(sql`UPDATE communities SET daily_redemption_cap = ${cap} WHERE id = ${setup1.c.communityId}`);
    return setup1;
  }

  it("refuses a basket that would pass the day's cap (409 DAILY_CAP_REACHED, no trace); the next China day starts afresh", async () => {
    const { c, household, card, rice } = await withCap(30);
    const basket = (quantity: number) => ({ qr: card.qr, items: [{ goodsId: rice.id, quantity }] });
    expect((await redeem(c, basket(2))).status).toBe(201);
    const before = await traces(c.communityId);
    const over = await redeem(c, basket(2));
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe("DAILY_CAP_REACHED");
    expect(over.body.error.details).toMatchObject({ total: 20, redeemedToday: 20, dailyCap: 30 });
    expect(await traces(c.communityId)).toEqual(before);
    expect((await redeem(c, basket(1))).status).toBe(201); // exactly the cap
    expect((await redeem(c, basket(1))).status).toBe(409);
    t.clock.advanceHours(14); // 10:00 + 14h = 00:00 the next day in China
    c.tokens.clerk = await t.login("clerk-cap");
    expect((await redeem(c, basket(3))).status).toBe(201);
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 940 });
    await t.ledgerOk(c.communityId);
  });

  it("a void gives the points back to the day's allowance", async () => {
    const { c, card, rice } = await withCap(30);
    const first = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 3 }] });
    expect((await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] })).status).toBe(409);
    await t.call("POST", `/redemptions/${first.body.id}/void`, { token: c.tokens.admin, body: { reason: "退货" } });
    expect((await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 3 }] })).status).toBe(201);
    await t.ledgerOk(c.communityId);
  });

  it("holds under concurrency: 20 baskets of 10 against a cap of 50 → exactly 5", async () => {
    const { c, household, card, rice } = await withCap(50);
    const answers = await Promise.all(Array.from({ length: 20 }, () => redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === "DAILY_CAP_REACHED")).toBe(true);
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 950 });
    await t.ledgerOk(c.communityId);
  });
});

describe("void", () => {
  it("restores the balance and the stock exactly once; a second void is 409 ALREADY_VOIDED", async () => {
    const { c, household, card, rice, oil } = await setup(1000);
    const res = await redeem(c, { qr: card.qr, pin: card.pin, items: [{ goodsId: rice.id, quantity: 2 }, { goodsId: oil.id, quantity: 2 }] });
    expect(res.body.total).toBe(70);
    const voided = await t.call("POST", `/redemptions/${res.body.id}/void`, { token: c.tokens.admin, body: { reason: "扫错了卡" } });
    expect(voided.status).toBe(200);
    expect(voided.body.void).toMatchObject({ reason: "扫错了卡", by: `user:${c.userIds.admin}` });
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 1000 });
    expect(await accountOf(t.db, c.shopId)).toMatchObject({ balance: 0 });
    expect([await stockOf(rice.id), await stockOf(oil.id)]).toEqual([100, 5]);
    const transfers = await t.db.all<any>(sql`SELECT id, kind, cause, reverses_transfer_id, amount FROM transfers WHERE kind IN ('redemption', 'reversal') ORDER BY created_at, kind`);
    const original = transfers.find((x) => x.kind === "redemption");
    expect(transfers.find((x) => x.kind === "reversal")).toMatchObject({ cause: `void:${res.body.id}`, reverses_transfer_id: original.id, amount: 70 });

    const again = await t.call("POST", `/redemptions/${res.body.id}/void`, { token: c.tokens.admin, body: { reason: "再撤一次" } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("ALREADY_VOIDED");
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 1000 });
    expect(await stockOf(rice.id)).toBe(100);
    await t.ledgerOk(c.communityId);
  });

  it("concurrent voids reverse once", async () => {
    const { c, household, card, rice } = await setup(100);
    const res = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 5 }] });
    const answers = await Promise.all([1, 2, 3, 4].map(() => t.call("POST", `/redemptions/${res.body.id}/void`, { token: c.tokens.admin, body: { reason: "退货" } })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409]);
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 100 });
    expect(await stockOf(rice.id)).toBe(100);
    await t.ledgerOk(c.communityId);
  });

  it("a replay after a void still answers the first answer and debits nothing", async () => {
    const { c, household, card, rice } = await setup(100);
    const key = freshKey();
    const body = { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] };
    const first = await redeem(c, body, key);
    await t.call("POST", `/redemptions/${first.body.id}/void`, { token: c.tokens.admin, body: { reason: "退货" } });
    const again = await redeem(c, body, key);
    expect(again.body).toEqual(first.body);
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 100 });
    await t.ledgerOk(c.communityId);
  });

  it("only an admin of the community voids; unknown ids are 404", async () => {
    const { c, card, rice } = await setup(100);
    const other = await t.newCommunity();
    const res = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] });
    for (const role of ["reviewer", "volunteer", "clerk"] as const) {
      expect((await t.call("POST", `/redemptions/${res.body.id}/void`, { token: c.tokens[role] })).status).toBe(403);
    }
    expect((await t.call("POST", `/redemptions/${res.body.id}/void`, { body: {} })).status).toBe(401);
    expect((await t.call("POST", `/redemptions/${res.body.id}/void`, { token: other.tokens.admin, body: { reason: "退货" } })).status).toBe(404);
    expect((await t.call("POST", `/redemptions/nope/void`, { token: c.tokens.admin, body: { reason: "退货" } })).status).toBe(404);
    await t.ledgerOk(c.communityId);
  });
});

describe("who may redeem", () => {
  async function secondShopClerk(c: TestCommunity) {
    const shopId = newId();
    const at = t.clock.now().toISOString();
    await t.db.batch([
      t.db.insert(shops).values({ id: shopId, communityId: c.communityId, name: "二号超市", createdAt: at }),
      openAccountStatement(t.db, { id: shopId, communityId: c.communityId, kind: "shop", at }),
      t.db.insert(users).values({ id: newId(), communityId: c.communityId, username: `clerk2-${shopId.slice(-12)}`, passwordHash: await testPasswordHash(), name: "店员二", role: "clerk", shopId, createdAt: at }),
    ]);
    return { shopId, token: await t.login(`clerk2-${shopId.slice(-12)}`) };
  }

  it("refuses a clerk of another shop (403), other roles (403), strangers (401) and other communities (404)", async () => {
    const { c, household, card, rice } = await setup(100);
    const body = { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] };
    const clerk2 = await secondShopClerk(c);
    const foreignShop = await redeem(c, body, freshKey(), clerk2.token);
    expect(foreignShop.status).toBe(403);
    expect(foreignShop.body.error.details.goodsIds).toEqual([rice.id]);
    for (const role of ["admin", "reviewer", "volunteer"] as const) {
      expect((await redeem(c, body, freshKey(), c.tokens[role])).status).toBe(403);
    }
    expect((await t.call("POST", "/redemptions", { body, headers: { "idempotency-key": freshKey() } })).status).toBe(401);
    const login = await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: card.pin } });
    expect((await redeem(c, body, freshKey(), login.body.token)).status).toBe(403);
    const other = await t.newCommunity();
    const foreign = await redeem(other, body, freshKey(), other.tokens.clerk);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("CARD_INVALID");
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 100 });
    await t.ledgerOk(c.communityId);
  });

  it("answers 404 for unknown goods", async () => {
    const { c, card } = await setup(100);
    const res = await redeem(c, { qr: card.qr, items: [{ goodsId: "no-such-goods", quantity: 1 }] });
    expect(res.status).toBe(404);
    expect(res.body.error.details.goodsIds).toEqual(["no-such-goods"]);
  });
});

describe("bad input", () => {
  it("answers 400 with details.fields for bad quantities, too many lines, wrong types", async () => {
    const { c, card, rice } = await setup(100);
    const cases: Array<[unknown, string]> = [
      [{ qr: card.qr, items: [{ goodsId: rice.id, quantity: -1 }] }, "items.0.quantity"],
      [{ qr: card.qr, items: [{ goodsId: rice.id, quantity: 0 }] }, "items.0.quantity"],
      [{ qr: card.qr, items: [{ goodsId: rice.id, quantity: 1e9 }] }, "items.0.quantity"],
      [{ qr: card.qr, items: [{ goodsId: rice.id, quantity: 1.5 }] }, "items.0.quantity"],
      [{ qr: card.qr, items: [{ goodsId: rice.id, quantity: "2" }] }, "items.0.quantity"],
      [{ qr: card.qr, items: Array.from({ length: 31 }, () => ({ goodsId: rice.id, quantity: 1 })) }, "items"],
      [{ items: [{ goodsId: rice.id, quantity: 1 }] }, "qr"],
      [{ qr: card.qr }, "items"],
      [{ qr: "x".repeat(501), items: [{ goodsId: rice.id, quantity: 1 }] }, "qr"],
    ];
    for (const [body, field] of cases) {
      const res = await redeem(c, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(Object.keys(res.body.error.details.fields)).toContain(field);
    }
    const empty = await redeem(c, { qr: card.qr, items: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe("BASKET_EMPTY");
    expect(empty.body.error.details.fields.items).toBeTruthy();
    const merged = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 60 }, { goodsId: rice.id, quantity: 60 }] });
    expect(merged.status).toBe(400);
    expect(merged.body.error.details.fields.items).toBeTruthy();
    const malformed = await t.call("POST", "/redemptions", { token: c.tokens.clerk, rawBody: "{items: [", headers: { "content-type": "application/json", "idempotency-key": freshKey() } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("MALFORMED_JSON");
    expect((await traces(c.communityId)).redemptions).toBe(0);
    await t.ledgerOk(c.communityId);
  });
});

describe("receipts", () => {
  it("lists the clerk's own shop's receipts for a day with totals; admins see all; others are refused", async () => {
    const { c, card, rice } = await setup(1000);
    const a = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] });
    const b = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 2 }] });
    await t.call("POST", `/redemptions/${a.body.id}/void`, { token: c.tokens.admin, body: { reason: "退货" } });
    // 2026-11-02T02:00Z is 10:00 on 2 November in China
    const day = await t.call("GET", "/redemptions?date=2026-11-02", { token: c.tokens.clerk });
    expect(day.status).toBe(200);
    expect(day.body.items.map((r: any) => r.receiptNo)).toEqual([2, 1]);
    expect(day.body.items[1].void).not.toBeNull();
    expect(day.body.totals).toEqual({ count: 2, points: 30, voidedCount: 1, voidedPoints: 10, netPoints: 20 });
    const otherDay = await t.call("GET", "/redemptions?date=2026-11-03", { token: c.tokens.clerk });
    expect(otherDay.body.items).toEqual([]);
    expect(otherDay.body.totals.count).toBe(0);
    const paged = await t.call("GET", "/redemptions?limit=1", { token: c.tokens.admin });
    expect(paged.body.items.map((r: any) => r.receiptNo)).toEqual([2]);
    const next = await t.call("GET", `/redemptions?limit=1&cursor=${paged.body.nextCursor}`, { token: c.tokens.admin });
    expect(next.body.items.map((r: any) => r.receiptNo)).toEqual([1]);
    expect(next.body.nextCursor).toBeNull();
    expect((await t.call("GET", "/redemptions", { token: c.tokens.reviewer })).status).toBe(403);
    expect((await t.call("GET", "/redemptions?date=2026-13-45", { token: c.tokens.clerk })).status).toBe(400);

    const receipt = await t.call("GET", `/redemptions/${b.body.id}`, { token: c.tokens.clerk });
    expect(receipt.status).toBe(200);
    expect(receipt.body).toMatchObject({ ...b.body, void: null });
    expect((await t.call("GET", `/redemptions/${b.body.id}`, { token: c.tokens.volunteer })).status).toBe(403);
    const other = await t.newCommunity();
    expect((await t.call("GET", `/redemptions/${b.body.id}`, { token: other.tokens.admin })).status).toBe(404);
  });
});
