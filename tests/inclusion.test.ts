/**
 * Every resident can use it (issue 15), through the API: the household statement whose opening
 * plus its entries is its closing, family helpers (at most three, a code shown once and kept
 * hashed, a session that sees the household and is signed out the moment the helper ends) and
 * locked cards that say until when, listed for the admin and unlocked with an audit row.
 */
import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditLog, householdHelpers } from "../db/schema";
import { addGoods, addHousehold, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
let c: TestCommunity;
beforeEach(async () => {
  t = await createTestApp();
  c = await t.newCommunity();
});
afterEach(() => t.close());

async function residentToken(cardNo: string, pin = "1234") {
  const res = await t.call("POST", "/auth/card-login", { body: { cardNo, pin } });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

describe("GET /households/:id/statement", () => {
  async function householdWithHistory() {
    const h = await addHousehold(t, c, { headName: "张三华", building: "12号楼" });
    const card = await issueCardFor(t, c, h.id);
    // Before the period: 40 in. Within it: 25 in, a redemption of 10 (on the test clock's
    // 2 November), 5 in. After it: 7 in.
    await grantPoints(t.db, c.communityId, h.id, 40, "2026-10-20T02:00:00.000Z");
    await grantPoints(t.db, c.communityId, h.id, 25, "2026-11-01T02:00:00.000Z");
    const goods = await addGoods(t, c, { points: 10 });
    const receipt = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": "s-1" }, body: { qr: card.qr, items: [{ goodsId: goods.id, quantity: 1 }] } });
    expect(receipt.status).toBe(201);
    await grantPoints(t.db, c.communityId, h.id, 5, "2026-11-20T02:00:00.000Z");
    await grantPoints(t.db, c.communityId, h.id, 7, "2026-12-03T02:00:00.000Z");
    return { h, card, receiptNo: receipt.body.receiptNo as number };
  }

  it("answers the opening, every entry of the period oldest first, and a closing equal to opening + the amounts", async () => {
    const { h, receiptNo } = await householdWithHistory();
    const res = await t.call("GET", `/households/${h.id}/statement?from=2026-11-01&to=2026-11-30`, { token: c.tokens.admin });
    expect(res.status).toBe(200);
    expect(res.body.household).toEqual({ householdNo: h.householdNo, headName: "张三华", building: "12号楼", room: null });
    expect(res.body.from).toBe("2026-10-31T16:00:00.000Z");
    expect(res.body.to).toBe("2026-11-30T16:00:00.000Z");
    expect(res.body.opening).toBe(40);
    expect(res.body.entries.map((e: { amount: number }) => e.amount)).toEqual([25, -10, 5]);
    expect(res.body.entries.map((e: { balanceAfter: number }) => e.balanceAfter)).toEqual([65, 55, 60]);
    expect(res.body.entries[1]).toMatchObject({ kind: "redemption", text: expect.stringContaining(`小票 No.${receiptNo}`) });
    const sum = res.body.entries.reduce((total: number, e: { amount: number }) => total + e.amount, 0);
    expect(res.body.opening + sum).toBe(res.body.closing);
    expect(res.body.closing).toBe(60);
  });

  it("holds for every period, empty ones included, and from the very beginning", async () => {
    const { h } = await householdWithHistory();
    for (const [from, to] of [["2026-10-01", "2026-10-31"], ["2026-11-06", "2026-11-10"], ["2026-12-01", "2026-12-31"], [undefined, undefined]]) {
      const query = new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
      const res = await t.call("GET", `/households/${h.id}/statement?${query}`, { token: c.tokens.admin });
      expect(res.status).toBe(200);
      const sum = res.body.entries.reduce((total: number, e: { amount: number }) => total + e.amount, 0);
      expect(res.body.opening + sum).toBe(res.body.closing);
    }
    const empty = await t.call("GET", `/households/${h.id}/statement?from=2026-11-06&to=2026-11-10`, { token: c.tokens.admin });
    expect(empty.body).toMatchObject({ opening: 55, closing: 55, entries: [] });
    const all = await t.call("GET", `/households/${h.id}/statement`, { token: c.tokens.admin });
    expect(all.body).toMatchObject({ from: null, opening: 0 });
  });

  it("words the entries in English with Accept-Language: en", async () => {
    const { h } = await householdWithHistory();
    const res = await t.call("GET", `/households/${h.id}/statement?from=2026-11-01&to=2026-11-30`, { token: c.tokens.admin, headers: { "accept-language": "en" } });
    expect(res.body.entries[1].text).toMatch(/^Redeemed, receipt No\./);
  });

  it("is for staff of the community (the clerk at the counter too) and the household itself, no one else", async () => {
    const { h, card } = await householdWithHistory();
    const other = await addHousehold(t, c);
    const otherCard = await issueCardFor(t, c, other.id);
    for (const token of [c.tokens.admin, c.tokens.reviewer, c.tokens.volunteer, c.tokens.clerk, await residentToken(card.cardNo)]) {
      expect((await t.call("GET", `/households/${h.id}/statement`, { token })).status).toBe(200);
    }
    expect((await t.call("GET", `/households/${h.id}/statement`, { token: await residentToken(otherCard.cardNo) })).status).toBe(403);
    const foreign = await t.newCommunity();
    expect((await t.call("GET", `/households/${h.id}/statement`, { token: foreign.tokens.admin })).status).toBe(404);
    expect((await t.call("GET", `/households/${h.id}/statement`, {})).status).toBe(401);
  });

  it("refuses a period that ends before it starts, and a malformed day, naming the field", async () => {
    const { h } = await householdWithHistory();
    const backwards = await t.call("GET", `/households/${h.id}/statement?from=2026-11-30&to=2026-11-01`, { token: c.tokens.admin });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details.fields).toHaveProperty("to");
    const bad = await t.call("GET", `/households/${h.id}/statement?from=yesterday`, { token: c.tokens.admin });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toHaveProperty("from");
  });
});

describe("family helpers (亲情代理)", () => {
  async function household() {
    const h = await addHousehold(t, c);
    const card = await issueCardFor(t, c, h.id);
    await grantPoints(t.db, c.communityId, h.id, 120);
    return { h, card };
  }

  async function addHelper(householdId: string, name = "张小明", relation = "儿子") {
    return t.call("POST", `/households/${householdId}/helpers`, { token: c.tokens.admin, body: { name, relation } });
  }

  it("gives a code once, keeps only its hash, and signs the helper in as the household", async () => {
    const { h } = await household();
    const added = await addHelper(h.id);
    expect(added.status).toBe(201);
    expect(added.body.code).toMatch(/^[A-HJKMNP-Z2-9]{4}(-[A-HJKMNP-Z2-9]{4}){3}$/);
    const row = await t.db.query.householdHelpers.findFirst({ where: eq(householdHelpers.id, added.body.id) });
    expect(row?.codeHash).not.toContain(added.body.code.replace(/-/g, ""));
    expect(row?.codeHash).toMatch(/^[0-9a-f]{64}$/);

    // Typed in lower case with spaces: still the code.
    const login = await t.call("POST", "/auth/helper-login", { body: { code: ` ${added.body.code.toLowerCase().replace(/-/g, " ")} ` } });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ token: expect.any(String), household: { id: h.id, householdNo: h.householdNo }, helper: { id: added.body.id, name: "张小明" } });
    const token = login.body.token as string;
    const me = await t.call("GET", "/me", { token });
    expect(me.body).toMatchObject({ kind: "household", role: "resident", household: { id: h.id }, helper: { id: added.body.id, name: "张小明" } });
    expect((await t.call("GET", `/households/${h.id}`, { token })).body.balance).toBe(120);
    expect((await t.call("GET", `/households/${h.id}/ledger`, { token })).status).toBe(200);
    // The one-time payment code: a helper's phone can show it.
    expect((await t.call("POST", "/cards/code", { token })).status).toBe(201);
  });

  it("never changes a PIN: every call that sets one answers 403", async () => {
    const { h, card } = await household();
    const code = (await addHelper(h.id)).body.code;
    const token = (await t.call("POST", "/auth/helper-login", { body: { code } })).body.token as string;
    const reissue = await t.call("POST", `/households/${h.id}/card`, { token, body: { pin: "9999" } });
    expect(reissue.status).toBe(403);
    expect((await t.call("POST", "/card-batches", { token, body: { householdIds: [h.id] } })).status).toBe(403);
    // The old PIN still signs in.
    await residentToken(card.cardNo);
  });

  it("allows three active helpers; a fourth is 409 HELPERS_FULL until one is ended", async () => {
    const { h } = await household();
    const ids: string[] = [];
    for (const name of ["甲", "乙", "丙"]) {
      const res = await addHelper(h.id, name);
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const fourth = await addHelper(h.id, "丁");
    expect(fourth.status).toBe(409);
    expect(fourth.body.error).toMatchObject({ code: "HELPERS_FULL", details: { max: 3 } });
    expect((await t.db.query.householdHelpers.findMany({ where: eq(householdHelpers.householdId, h.id) })).length).toBe(3);
    // Nothing of the refused one reached the audit log.
    const adds = await t.db.query.auditLog.findMany({ where: and(eq(auditLog.action, "helper.add"), eq(auditLog.targetId, h.id)) });
    expect(adds.length).toBe(3);
    expect((await t.call("DELETE", `/households/${h.id}/helpers/${ids[1]}`, { token: c.tokens.admin })).status).toBe(200);
    expect((await addHelper(h.id, "丁")).status).toBe(201);
    // Another household has its own three.
    const other = await household();
    expect((await addHelper(other.h.id)).status).toBe(201);
  });

  it("ending a helper signs its phone out at once and ends the code it showed; the code no longer signs in", async () => {
    const { h, card } = await household();
    const added = (await addHelper(h.id)).body;
    const token = (await t.call("POST", "/auth/helper-login", { body: { code: added.code } })).body.token as string;
    const shown = await t.call("POST", "/cards/code", { token });
    expect(shown.status).toBe(201);
    const ended = await t.call("DELETE", `/households/${h.id}/helpers/${added.id}`, { token: c.tokens.admin });
    expect(ended.status).toBe(200);
    expect((await t.call("GET", "/me", { token })).status).toBe(401);
    expect((await t.call("GET", `/households/${h.id}`, { token })).status).toBe(401);
    const goods = await addGoods(t, c, { points: 1 });
    const paid = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": "helper-code" }, body: { qr: shown.body.qr, items: [{ goodsId: goods.id, quantity: 1 }] } });
    expect(paid.status).toBe(409);
    expect(paid.body.error.code).toBe("CODE_EXPIRED");
    const again = await t.call("POST", "/auth/helper-login", { body: { code: added.code } });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe("HELPER_CODE_WRONG");
    // The household itself goes on.
    expect((await t.call("GET", `/households/${h.id}`, { token: await residentToken(card.cardNo) })).status).toBe(200);
    const audit = await t.db.query.auditLog.findMany({ where: eq(auditLog.action, "helper.end") });
    expect(audit.map((a) => a.targetId)).toEqual([h.id]);
  });

  it("writes every helper sign-in to the audit log, and the household reads them with its helpers", async () => {
    const { h, card } = await household();
    const added = (await addHelper(h.id, "李芳", "女儿")).body;
    await t.call("POST", "/auth/helper-login", { body: { code: added.code } });
    t.clock.advanceHours(1);
    await t.call("POST", "/auth/helper-login", { body: { code: added.code } });
    const rows = await t.db.query.auditLog.findMany({ where: eq(auditLog.action, "auth.helper_login") });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ actor: `helper:${added.id}`, actorRole: "helper", targetType: "household", targetId: h.id });
    const own = await t.call("GET", `/households/${h.id}/helpers`, { token: await residentToken(card.cardNo) });
    expect(own.status).toBe(200);
    expect(own.body.items).toEqual([{ id: added.id, name: "李芳", relation: "女儿", createdAt: expect.any(String), lastSignInAt: "2026-11-02T03:00:00.000Z" }]);
    expect(own.body.signIns.map((s: { at: string }) => s.at)).toEqual(["2026-11-02T03:00:00.000Z", "2026-11-02T02:00:00.000Z"]);
    expect(own.body.max).toBe(3);
    // Another household sees none of it; a clerk neither.
    const other = await household();
    expect((await t.call("GET", `/households/${h.id}/helpers`, { token: await residentToken(other.card.cardNo) })).status).toBe(403);
    expect((await t.call("GET", `/households/${h.id}/helpers`, { token: c.tokens.clerk })).status).toBe(403);
  });

  it("answers a wrong or malformed code alike, and refuses bad input naming the field", async () => {
    const wrong = await t.call("POST", "/auth/helper-login", { body: { code: "AAAA-BBBB-CCCC-DDDD" } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("HELPER_CODE_WRONG");
    expect((await t.call("POST", "/auth/helper-login", { body: { code: "x" } })).status).toBe(401);
    const empty = await t.call("POST", "/auth/helper-login", { body: { code: "" } });
    expect(empty.status).toBe(400);
    const { h } = await household();
    const noName = await t.call("POST", `/households/${h.id}/helpers`, { token: c.tokens.admin, body: { name: " ", relation: "儿子" } });
    expect(noName.status).toBe(400);
    expect(noName.body.error.details.fields).toHaveProperty("name");
    expect((await t.call("POST", `/households/${h.id}/helpers`, { token: c.tokens.volunteer, body: { name: "甲", relation: "儿子" } })).status).toBe(403);
    expect((await t.call("DELETE", `/households/${h.id}/helpers/nope`, { token: c.tokens.admin })).status).toBe(404);
  });
});

describe("locked cards", () => {
  it("says until when after the fifth wrong PIN, lists the card for the admin, and signs in again after the audited unlock", async () => {
    const h = await addHousehold(t, c);
    const card = await issueCardFor(t, c, h.id);
    for (let i = 1; i <= 4; i++) {
      const res = await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "0000" } });
      expect(res.status).toBe(401);
      expect(res.body.error.details).toEqual({ attemptsLeft: 5 - i });
    }
    const fifth = await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "0000" } });
    expect(fifth.status).toBe(401);
    expect(fifth.body.error.details).toEqual({ attemptsLeft: 0, lockedUntil: "2026-11-02T02:15:00.000Z" });
    const locked = await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "1234" } });
    expect(locked.status).toBe(429);
    expect(locked.body.error.details.lockedUntil).toBe("2026-11-02T02:15:00.000Z");

    const list = await t.call("GET", "/cards/locked", { token: c.tokens.admin });
    expect(list.body.items).toEqual([{ cardNo: card.cardNo, householdNo: h.householdNo, lockedUntil: "2026-11-02T02:15:00.000Z" }]);
    expect((await t.call("POST", `/cards/${card.cardNo}/unlock`, { token: c.tokens.admin })).body).toEqual({ cardNo: card.cardNo, unlocked: true });
    const audit = await t.db.query.auditLog.findMany({ where: eq(auditLog.action, "card.unlock") });
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({ cardNo: card.cardNo, lockedUntil: "2026-11-02T02:15:00.000Z" });
    expect((await t.call("GET", "/cards/locked", { token: c.tokens.admin })).body.items).toEqual([]);
    await residentToken(card.cardNo);
  });
});
