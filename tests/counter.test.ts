/**
 * The shop counter as a clerk lives in it (issue 13, item 4): a typed card number with the
 * card's PIN when a card or camera fails, words for a used or expired one-time code, the
 * admin's void with a reason, receipts naming the shop and the clerk, and the end-of-day sheet.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { newId } from "../api/domain/clock";
import { verifySecret } from "../api/domain/crypto";
import { openAccountStatement } from "../api/domain/ledger";
import { shops, users } from "../db/schema";
import { accountOf, addGoods, addHousehold, alter, countRows, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, testPasswordHash, type TestApp, type TestCommunity } from "./support/harness";

// Counts the PBKDF2 comparisons, to show an unknown card number costs one exactly like a wrong PIN.
vi.mock("../api/domain/crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../api/domain/crypto")>();
  return { ...actual, verifySecret: vi.fn(actual.verifySecret) };
});

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

let keyCounter = 0;
const freshKey = () => `counter-${++keyCounter}-${Math.random().toString(36).slice(2)}`;

async function setup(points = 1000) {
  const c = await t.newCommunity();
  const household = await addHousehold(t, c);
  const card = await issueCardFor(t, c, household.id, "2468");
  if (points > 0) await grantPoints(t.db, c.communityId, household.id, points);
  const rice = await addGoods(t, c, { name: "大米", points: 10, stock: 100 });
  const oil = await addGoods(t, c, { name: "食用油", points: 25, stock: 50 });
  return { c, household, card, rice, oil };
}

function redeem(c: TestCommunity, body: unknown, key = freshKey(), token = c.tokens.clerk, lang?: "en") {
  return t.call("POST", "/redemptions", { token, body, headers: { "idempotency-key": key, ...(lang ? { "accept-language": lang } : {}) } });
}

function resolve(token: string, body: unknown) {
  return t.call("POST", "/cards/resolve", { token, body });
}

/** Another clerk of the same shop, or of a new second shop. */
async function addClerk(c: TestCommunity, name: string, ownShop = true) {
  const at = t.clock.now().toISOString();
  let shopId = c.shopId;
  if (!ownShop) {
    shopId = newId();
    await t.db.batch([
      t.db.insert(shops).values({ id: shopId, communityId: c.communityId, name: "二号超市", createdAt: at }),
      openAccountStatement(t.db, { id: shopId, communityId: c.communityId, kind: "shop", at }),
    ]);
  }
  const id = newId();
  const username = `clerk-${id.slice(-12)}`;
  await t.db.insert(users).values({ id, communityId: c.communityId, username, passwordHash: await testPasswordHash(), name, role: "clerk", shopId, createdAt: at });
  return { id, shopId, token: await t.login(username) };
}

describe("a typed card number with the card's PIN", () => {
  it("resolves the card and redeems with it, checking the PIN even for a small basket", async () => {
    const { c, household, card, rice } = await setup(1000);
    const resolved = await resolve(c.tokens.clerk, { cardNo: card.cardNo, pin: card.pin });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ cardNo: card.cardNo, household: { id: household.id }, balance: 1000 });

    // 10 points is far below the threshold (50), yet the typed number needs its PIN.
    const basket = { cardNo: card.cardNo, items: [{ goodsId: rice.id, quantity: 1 }] };
    const missing = await redeem(c, basket);
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe("PIN_REQUIRED");
    const wrong = await redeem(c, { ...basket, pin: "1111" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("PIN_WRONG");
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 1000 });
    const paid = await redeem(c, { ...basket, pin: card.pin });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ householdId: household.id, total: 10, balanceAfter: 990 });
    const audit = await t.call("GET", "/audit?action=redemption.create", { token: c.tokens.admin });
    expect(audit.body.items[0].details).toMatchObject({ via: "cardNo", total: 10 });
    await t.ledgerOk(c.communityId);
  });

  it("counts wrong PINs at the counter (attempts left in the details) and locks the card there after five", async () => {
    const { c, card, rice } = await setup(1000);
    const basket = { cardNo: card.cardNo, items: [{ goodsId: rice.id, quantity: 1 }] };
    const left: number[] = [];
    // Resolve and redeem share the counter's one count for the card.
    for (let i = 0; i < 5; i++) {
      const res = i % 2 === 0 ? await resolve(c.tokens.clerk, { cardNo: card.cardNo, pin: "9999" }) : await redeem(c, { ...basket, pin: "9999" });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("PIN_WRONG");
      left.push(res.body.error.details.attemptsLeft);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    const locked = await redeem(c, { ...basket, pin: card.pin });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe("TOO_MANY_ATTEMPTS");
    expect((await resolve(c.tokens.clerk, { cardNo: card.cardNo, pin: card.pin })).status).toBe(429);
    // The counter's lock is its own: the resident's sign-in still works.
    expect((await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: card.pin } })).status).toBe(200);
    t.clock.advanceHours(0.26);
    expect((await redeem(c, { ...basket, pin: card.pin })).status).toBe(201);
    expect(await countRows(t.db, "redemptions", sql`community_id = ${c.communityId}`)).toBe(1);
  });

  it("starts the count afresh after a right PIN at resolve", async () => {
    const { c, card } = await setup(1000);
    for (let i = 0; i < 4; i++) await resolve(c.tokens.clerk, { cardNo: card.cardNo, pin: "9999" });
    expect((await resolve(c.tokens.clerk, { cardNo: card.cardNo, pin: card.pin })).status).toBe(200);
    const wrong = await resolve(c.tokens.clerk, { cardNo: card.cardNo, pin: "9999" });
    expect(wrong.body.error.details.attemptsLeft).toBe(4);
  });

  it("answers 404 CARD_INVALID for an unknown, revoked or foreign number, counted and timed like a wrong PIN", async () => {
    const { c, card, rice } = await setup(100);
    const other = await setup(100);
    const revoked = await issueCardFor(t, c, (await addHousehold(t, c)).id, "2468");
    await t.call("POST", `/cards/${revoked.cardNo}/revoke`, { token: c.tokens.admin });
    for (const cardNo of ["100000000001", revoked.cardNo, other.card.cardNo]) {
      const res = await resolve(c.tokens.clerk, { cardNo, pin: "2468" });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("CARD_INVALID");
      const paid = await redeem(c, { cardNo, pin: "2468", items: [{ goodsId: rice.id, quantity: 1 }] });
      expect(paid.body.error.code).toBe("CARD_INVALID");
    }
    // An unknown number is claimed like a card: the sixth try is refused before any check.
    for (let i = 0; i < 3; i++) await resolve(c.tokens.clerk, { cardNo: "100000000001", pin: "2468" });
    expect((await resolve(c.tokens.clerk, { cardNo: "100000000001", pin: "2468" })).status).toBe(429);

    // Same work, same time: one claim and one PBKDF2 comparison either way.
    const checks = vi.mocked(verifySecret);
    const time = async (body: unknown) => {
      const before = checks.mock.calls.length;
      const claims = await countRows(t.db, "sign_in_attempts");
      const started = performance.now();
      const res = await resolve(c.tokens.clerk, body);
      const ms = performance.now() - started;
      expect(checks.mock.calls.length - before).toBe(1);
      return { ms, status: res.status, claims: (await countRows(t.db, "sign_in_attempts")) - claims };
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const unknown: number[] = [];
    const wrongPin: number[] = [];
    for (let i = 0; i < 6; i++) {
      const u = await time({ cardNo: `20000000000${i}`, pin: "2468" });
      expect(u).toMatchObject({ status: 404, claims: 1 }); // a new number: a new counted subject
      unknown.push(u.ms);
      wrongPin.push((await time({ cardNo: card.cardNo, pin: "9999" })).ms);
      if (i % 2 === 1) await resolve(c.tokens.clerk, { cardNo: card.cardNo, pin: card.pin }); // stay below the lock
    }
    // Loose bounds (two shared cores): what they rule out is an answer that skipped the PBKDF2.
    expect(median(unknown)).toBeGreaterThan(median(wrongPin) * 0.25);
    expect(median(wrongPin)).toBeGreaterThan(median(unknown) * 0.25);
  });

  it("is the shop clerk's: other staff typing a number get 403", async () => {
    const { c, card } = await setup(100);
    for (const role of ["admin", "volunteer", "reviewer"] as const) {
      expect((await resolve(c.tokens[role], { cardNo: card.cardNo, pin: card.pin })).status).toBe(403);
    }
    // Scanning stays open to every staff role.
    expect((await resolve(c.tokens.volunteer, { qr: card.qr })).status).toBe(200);
  });

  it("answers 400 naming the field when the card is named twice, not at all, or badly", async () => {
    const { c, card, rice } = await setup(100);
    const items = [{ goodsId: rice.id, quantity: 1 }];
    const cases: [unknown, string][] = [
      [{ items }, "qr"],
      [{ qr: card.qr, cardNo: card.cardNo, pin: card.pin, items }, "cardNo"],
      [{ cardNo: "12345-678", pin: card.pin, items }, "cardNo"],
      [{ cardNo: "", pin: card.pin, items }, "cardNo"],
    ];
    for (const [body, field] of cases) {
      const res = await redeem(c, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.body.error.details.fields)).toContain(field);
      const { items: _items, ...card_ } = body as Record<string, unknown>;
      const resolved = await resolve(c.tokens.clerk, card_);
      expect(resolved.status).toBe(400);
      expect(Object.keys(resolved.body.error.details.fields)).toContain(field);
    }
    expect(await countRows(t.db, "redemptions", sql`community_id = ${c.communityId}`)).toBe(0);
  });

  it("keys the request by the card either way: a key reused for another card or another form is refused", async () => {
    const { c, household, card, rice } = await setup(1000);
    const second = await issueCardFor(t, c, (await addHousehold(t, c)).id, "1357");
    await grantPoints(t.db, c.communityId, (await t.db.all<{ household_id: string }>(sql`SELECT household_id FROM cards WHERE card_no = ${second.cardNo}`))[0].household_id, 100);
    const items = [{ goodsId: rice.id, quantity: 1 }];
    const key = freshKey();
    const first = await redeem(c, { cardNo: card.cardNo, pin: card.pin, items }, key);
    expect(first.status).toBe(201);
    const replay = await redeem(c, { cardNo: card.cardNo, pin: card.pin, items }, key);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    const otherCard = await redeem(c, { cardNo: second.cardNo, pin: second.pin, items }, key);
    expect(otherCard.status).toBe(409);
    expect(otherCard.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    const scanned = await redeem(c, { qr: card.qr, items }, key);
    expect(scanned.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 990 });
    await t.ledgerOk(c.communityId);
  });
});

describe("a one-time code that is spent", () => {
  async function withCode() {
    const s = await setup(100);
    const resident = (await t.call("POST", "/auth/card-login", { body: { cardNo: s.card.cardNo, pin: s.card.pin } })).body.token as string;
    const code = (await t.call("POST", "/cards/code", { token: resident })).body as { qr: string };
    return { ...s, resident, code };
  }

  it("says it was used (409 CODE_USED) in words a clerk can act on, in Chinese and English", async () => {
    const { c, household, rice, code } = await withCode();
    const basket = { qr: code.qr, items: [{ goodsId: rice.id, quantity: 1 }] };
    expect((await redeem(c, basket)).status).toBe(201);
    const again = await redeem(c, basket);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("CODE_USED");
    expect(again.body.error.message).toContain("已经用过");
    expect(again.body.error.message).toContain("刷新");
    expect(again.body.error.message).not.toContain("篡改");
    const en = await redeem(c, basket, freshKey(), c.tokens.clerk, "en");
    expect(en.body.error.message).toMatch(/already been used/);
    const scanned = await resolve(c.tokens.clerk, { qr: code.qr });
    expect(scanned.body.error.code).toBe("CODE_USED");
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 90 });
  });

  it("says it expired (409 CODE_EXPIRED) after 60 seconds, and when the phone signed out", async () => {
    const { c, rice, code, resident } = await withCode();
    t.clock.advanceHours(61 / 3600);
    const late = await redeem(c, { qr: code.qr, items: [{ goodsId: rice.id, quantity: 1 }] });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("CODE_EXPIRED");
    expect(late.body.error.message).toContain("过期");
    expect((await resolve(c.tokens.clerk, { qr: code.qr })).body.error.code).toBe("CODE_EXPIRED");
    const fresh = (await t.call("POST", "/cards/code", { token: resident })).body as { qr: string };
    await t.call("POST", "/auth/logout", { token: resident });
    expect((await resolve(c.tokens.clerk, { qr: fresh.qr })).body.error.code).toBe("CODE_EXPIRED");
  });

  it("keeps CARD_INVALID for a code never made and for a revoked card's code", async () => {
    const { c, card, code } = await withCode();
    const forged = alter(code.qr, code.qr.length - 1);
    expect((await resolve(c.tokens.clerk, { qr: forged })).body.error.code).toBe("CARD_INVALID");
    await t.call("POST", `/cards/${card.cardNo}/revoke`, { token: c.tokens.admin });
    const revoked = await resolve(c.tokens.clerk, { qr: code.qr });
    expect(revoked.status).toBe(404);
    expect(revoked.body.error.code).toBe("CARD_INVALID");
  });
});

describe("voiding from the receipt list", () => {
  it("needs a reason (400 naming it), is the admin's alone, is audited with the reason and shows in the list", async () => {
    const { c, household, card, rice } = await setup(100);
    const paid = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 2 }] });
    const path = `/redemptions/${paid.body.id}/void`;
    for (const body of [undefined, {}, { reason: "" }, { reason: "   " }]) {
      const res = await t.call("POST", path, { token: c.tokens.admin, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.fields).toHaveProperty("reason");
    }
    // The clerk cannot void, not even their own receipt.
    const byClerk = await t.call("POST", path, { token: c.tokens.clerk, body: { reason: "扫错了" } });
    expect(byClerk.status).toBe(403);
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 80 });

    const voided = await t.call("POST", path, { token: c.tokens.admin, body: { reason: " 扫错了卡 " } });
    expect(voided.status).toBe(200);
    expect(voided.body.void).toMatchObject({ reason: "扫错了卡", by: `user:${c.userIds.admin}`, byName: "管理员" });
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 100 });
    const audit = await t.call("GET", "/audit?action=redemption.void", { token: c.tokens.admin });
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ targetId: paid.body.id, details: { reason: "扫错了卡", total: 20, receiptNo: paid.body.receiptNo } });
    const list = await t.call("GET", "/redemptions?date=2026-11-02", { token: c.tokens.admin });
    expect(list.body.items[0]).toMatchObject({ id: paid.body.id, void: { reason: "扫错了卡" } });
    expect(list.body.totals).toMatchObject({ count: 1, voidedCount: 1, netPoints: 0 });
    await t.ledgerOk(c.communityId);
  });
});

describe("receipts", () => {
  it("carry the shop's and the clerk's names in the answer, the list and the single receipt", async () => {
    const { c, card, rice } = await setup(100);
    const paid = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] });
    const named = { shop: { id: c.shopId, name: "驿站超市" }, clerk: { id: c.userIds.clerk, name: "clerk" } };
    expect(paid.body).toMatchObject(named);
    expect((await t.call("GET", `/redemptions/${paid.body.id}`, { token: c.tokens.clerk })).body).toMatchObject(named);
    for (const token of [c.tokens.clerk, c.tokens.admin]) {
      expect((await t.call("GET", "/redemptions", { token })).body.items[0]).toMatchObject(named);
    }
  });
});

describe("the end-of-day sheet", () => {
  /** Receipts either side of midnight in China, by two clerks, one voided the next day. */
  async function dayOfTrade() {
    // Staff sessions end after 12 idle hours, so the day starts in the evening.
    t.clock.set(new Date("2026-11-02T12:00:00Z")); // 20:00 on 2 Nov in China
    const s = await setup(1000);
    const { c, card, rice, oil } = s;
    const second = await addClerk(c, "李店员");
    const a = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 2 }] });
    t.clock.set(new Date("2026-11-02T15:30:00Z")); // 23:30 on 2 Nov in China (UTC says the 2nd too)
    const b = await redeem(c, { qr: card.qr, items: [{ goodsId: oil.id, quantity: 1 }, { goodsId: rice.id, quantity: 1 }] }, freshKey(), second.token);
    t.clock.set(new Date("2026-11-02T16:30:00Z")); // 00:30 on 3 Nov in China, still the 2nd in UTC
    const cc = await redeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity: 1 }] });
    expect([a.status, b.status, cc.status]).toEqual([201, 201, 201]);
    t.clock.set(new Date("2026-11-02T16:40:00Z"));
    expect((await t.call("POST", `/redemptions/${a.body.id}/void`, { token: c.tokens.admin, body: { reason: "退货" } })).status).toBe(200);
    return { ...s, second, a: a.body, b: b.body, c3: cc.body };
  }

  it("answers the day's receipts, voids and totals by goods and by clerk, equal to the receipt list, by the China day", async () => {
    const { c, second, rice, oil, a, b, c3 } = await dayOfTrade();
    const sheet = await t.call("GET", "/redemptions/day-sheet?date=2026-11-02", { token: c.tokens.clerk });
    expect(sheet.status).toBe(200);
    const s = sheet.body;
    expect(s).toMatchObject({ date: "2026-11-02", from: "2026-11-01T16:00:00.000Z", to: "2026-11-02T16:00:00.000Z", shop: { id: c.shopId, name: "驿站超市" }, clerk: null, truncated: false });
    expect(s.community.name).toMatch(/^测试社区/);
    expect(s.receipts.map((r: any) => r.receiptNo)).toEqual([a.receiptNo, b.receiptNo]);
    expect(s.receipts[0]).toMatchObject({ total: 20, clerk: { id: c.userIds.clerk, name: "clerk" }, void: { reason: "退货", byName: "管理员" } });
    expect(s.receipts[1]).toMatchObject({ total: 35, clerk: { id: second.id, name: "李店员" }, void: null });
    expect(s.totals).toEqual({ count: 2, points: 55, voidedCount: 1, voidedPoints: 20, netPoints: 35 });
    // The same figures as the receipt list for that day.
    const list = await t.call("GET", "/redemptions?date=2026-11-02&limit=200", { token: c.tokens.clerk });
    expect(s.totals).toEqual(list.body.totals);
    expect(s.receipts.map((r: any) => r.id).sort()).toEqual(list.body.items.map((r: any) => r.id).sort());
    // Goods that left and stayed out: the voided receipt's rice came back.
    expect(s.byGoods).toEqual([
      { goodsId: oil.id, name: "食用油", quantity: 1, points: 25 },
      { goodsId: rice.id, name: "大米", quantity: 1, points: 10 },
    ]);
    const kept = list.body.items.filter((r: any) => !r.void).reduce((sum: number, r: any) => sum + r.total, 0);
    expect(s.byGoods.reduce((sum: number, g: any) => sum + g.points, 0)).toBe(kept);
    expect(s.byClerk).toEqual([
      { clerk: { id: c.userIds.clerk, name: "clerk" }, count: 1, points: 20, voidedCount: 1, voidedPoints: 20, netPoints: 0 },
      { clerk: { id: second.id, name: "李店员" }, count: 1, points: 35, voidedCount: 0, voidedPoints: 0, netPoints: 35 },
    ]);
    expect(s.earlierVoids).toEqual([]);

    // 00:30 in China belongs to the 3rd, with the void of the 2nd's receipt listed apart.
    const next = (await t.call("GET", "/redemptions/day-sheet?date=2026-11-03", { token: c.tokens.clerk })).body;
    expect(next.receipts.map((r: any) => r.id)).toEqual([c3.id]);
    expect(next.totals).toEqual({ count: 1, points: 10, voidedCount: 0, voidedPoints: 0, netPoints: 10 });
    expect(next.earlierVoids).toEqual([{ redemptionId: a.id, receiptNo: a.receiptNo, receiptAt: a.createdAt, total: 20, at: "2026-11-02T16:40:00.000Z", reason: "退货", byName: "管理员" }]);
  });

  it("narrows to one clerk, and lets a clerk read only their own shop's", async () => {
    const { c, second, b } = await dayOfTrade();
    const mine = await t.call("GET", `/redemptions/day-sheet?date=2026-11-02&clerkId=${second.id}`, { token: c.tokens.clerk });
    expect(mine.status).toBe(200);
    expect(mine.body.clerk).toEqual({ id: second.id, name: "李店员" });
    expect(mine.body.receipts.map((r: any) => r.id)).toEqual([b.id]);
    expect(mine.body.totals).toEqual({ count: 1, points: 35, voidedCount: 0, voidedPoints: 0, netPoints: 35 });

    const elsewhere = await addClerk(c, "王店员", false);
    expect((await t.call("GET", `/redemptions/day-sheet?date=2026-11-02&shopId=${c.shopId}`, { token: elsewhere.token })).status).toBe(403);
    expect((await t.call("GET", `/redemptions/day-sheet?date=2026-11-02&clerkId=${c.userIds.clerk}`, { token: elsewhere.token })).status).toBe(403);
    const ownEmpty = await t.call("GET", "/redemptions/day-sheet?date=2026-11-02", { token: elsewhere.token });
    expect(ownEmpty.body).toMatchObject({ shop: { id: elsewhere.shopId }, receipts: [], totals: { count: 0, points: 0 } });

    // The admin reads any shop of the community, or the whole community; nothing of another.
    const admin = await t.call("GET", `/redemptions/day-sheet?date=2026-11-02&shopId=${c.shopId}`, { token: c.tokens.admin });
    expect(admin.body.totals.count).toBe(2);
    expect((await t.call("GET", "/redemptions/day-sheet?date=2026-11-02", { token: c.tokens.admin })).body.shop).toBeNull();
    const other = await t.newCommunity();
    expect((await t.call("GET", `/redemptions/day-sheet?date=2026-11-02&shopId=${c.shopId}`, { token: other.tokens.admin })).status).toBe(404);
    expect((await t.call("GET", `/redemptions/day-sheet?date=2026-11-02&clerkId=${c.userIds.clerk}`, { token: other.tokens.admin })).status).toBe(404);
    for (const role of ["reviewer", "volunteer"] as const) {
      expect((await t.call("GET", "/redemptions/day-sheet?date=2026-11-02", { token: c.tokens[role] })).status).toBe(403);
    }
    for (const q of ["", "?date=2026-13-45", "?date=yesterday", "?date=2026-11-02&shopId="]) {
      const bad = await t.call("GET", `/redemptions/day-sheet${q}`, { token: c.tokens.clerk });
      expect(bad.status, q).toBe(400);
    }
  });
});
