/**
 * 结算 settlement with the partner shops (issue 12 item 1): drafting a statement, its lines net of
 * voids, confirming (one batch shop → settled account), paying, the ledger check's settled and
 * unsettled, bad input, two communities kept apart, the clerk's own shop only, and the workbook
 * read back.
 */
import { sql } from "drizzle-orm";
import { strFromU8, unzipSync } from "fflate";
import { readSheet } from "read-excel-file/universal";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../api/app";
import { newId } from "../api/domain/clock";
import { openAccountStatement } from "../api/domain/ledger";
import { shops, users } from "../db/schema";
import { accountOf, addGoods, addHousehold, countRows, grantPoints, issueCardFor, testConfig } from "./support/fixtures";
import { createTestApp, testPasswordHash, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const formulaName = '=HYPERLINK("x")';

async function setup(code = "SET") {
  const c = await t.newCommunity(code);
  const household = await addHousehold(t, c);
  const card = await issueCardFor(t, c, household.id, "2468");
  await grantPoints(t.db, c.communityId, household.id, 1000, t.clock.now().toISOString());
  const rice = await addGoods(t, c, { name: "大米", points: 10, stock: 100 });
  const odd = await addGoods(t, c, { name: formulaName, points: 25, stock: 100 });
  return { c, household, card, rice, odd };
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function redeem(s: Setup, items: Array<{ goodsId: string; quantity: number }>, token = s.c.tokens.clerk) {
  const res = await t.call("POST", "/redemptions", { token, body: { qr: s.card.qr, pin: "2468", items }, headers: { "idempotency-key": newId() } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  t.clock.advanceHours(1);
  return res.body as { id: string; total: number };
}

async function voidIt(s: Setup, redemptionId: string) {
  const res = await t.call("POST", `/redemptions/${redemptionId}/void`, { token: s.c.tokens.admin, body: { reason: "退货" } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  t.clock.advanceHours(1);
}

function draft(c: TestCommunity, body: unknown, token = c.tokens.admin) {
  return t.call("POST", "/settlements", { token, body });
}

async function check(c: TestCommunity) {
  const res = await t.call("GET", "/ledger/check", { token: c.tokens.admin });
  expect(res.status).toBe(200);
  expect(res.body.ok, JSON.stringify(res.body.problems)).toBe(true);
  expect(res.body.redeemed).toBe(res.body.settled + res.body.unsettled);
  return res.body as { redeemed: number; settled: number; unsettled: number };
}

function now() {
  return t.clock.now().toISOString();
}

describe("settling a shop", () => {
  it("drafts every unsettled redemption net of voids, confirms in one move to the settled account, records the payment", async () => {
    const s = await setup();
    const { c } = s;
    const patched = await t.call("PATCH", `/shops/${c.shopId}`, { token: c.tokens.admin, body: { pointValueFen: 80 } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ id: c.shopId, name: "驿站超市", pointValueFen: 80 });

    const first = await redeem(s, [{ goodsId: s.rice.id, quantity: 3 }]); // 30
    const second = await redeem(s, [{ goodsId: s.odd.id, quantity: 2 }, { goodsId: s.rice.id, quantity: 1 }]); // 60
    const voided = await redeem(s, [{ goodsId: s.rice.id, quantity: 5 }]); // 50, voided before the draft
    await voidIt(s, voided.id);
    expect((await t.call("GET", "/settlements/shops", { token: c.tokens.admin })).body.items).toEqual([
      { shopId: c.shopId, name: "驿站超市", pointValueFen: 80, unsettled: 90, lastTo: null, draftId: null },
    ]);
    const to = now();
    t.clock.advanceHours(1);
    const late = await redeem(s, [{ goodsId: s.rice.id, quantity: 1 }]); // after `to`: not in this statement

    const res = await draft(c, { shopId: c.shopId, to });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ shopId: c.shopId, from: null, to, status: "draft", redemptions: 2, points: 90, pointValueFen: 80, amountFen: 7200 });
    const byGoods = Object.fromEntries(res.body.lines.map((l: any) => [l.goodsId, l]));
    expect(byGoods).toEqual({
      [s.rice.id]: { goodsId: s.rice.id, name: "大米", quantity: 4, points: 40, kind: "redemption" },
      [s.odd.id]: { goodsId: s.odd.id, name: formulaName, quantity: 2, points: 50, kind: "redemption" },
    });
    // A draft moves nothing.
    expect(await accountOf(t.db, c.shopId)).toMatchObject({ balance: 100 });
    expect(await check(c)).toMatchObject({ redeemed: 100, settled: 0, unsettled: 100 });

    const pending = await draft(c, { shopId: c.shopId, to: now() });
    expect(pending.status).toBe(409);
    expect(pending.body.error.code).toBe("SETTLEMENT_PENDING");
    const payDraft = await t.call("POST", `/settlements/${res.body.id}/pay`, { token: c.tokens.admin, body: { reference: "BANK-1" } });
    expect(payDraft.status).toBe(409);
    expect(payDraft.body.error.code).toBe("SETTLEMENT_NOT_CONFIRMED");

    const confirmed = await t.call("POST", `/settlements/${res.body.id}/confirm`, { token: c.tokens.admin });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body).toMatchObject({ status: "confirmed", points: 90, amountFen: 7200 });
    expect(await accountOf(t.db, c.shopId)).toMatchObject({ balance: 10 });
    expect(await check(c)).toMatchObject({ redeemed: 100, settled: 90, unsettled: 10 });
    // Confirming again moves nothing more.
    const again = await t.call("POST", `/settlements/${res.body.id}/confirm`, { token: c.tokens.admin });
    expect(again.status).toBe(200);
    expect(await countRows(t.db, "transfers", sql`community_id = ${c.communityId} AND kind = 'settlement'`)).toBe(1);
    expect(await accountOf(t.db, c.shopId)).toMatchObject({ balance: 10 });

    const paid = await t.call("POST", `/settlements/${res.body.id}/pay`, { token: c.tokens.admin, body: { reference: "BANK-1" } });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: "paid", reference: "BANK-1" });
    expect((await t.call("POST", `/settlements/${res.body.id}/pay`, { token: c.tokens.admin, body: { reference: "BANK-1" } })).status).toBe(200);
    expect((await t.call("POST", `/settlements/${res.body.id}/pay`, { token: c.tokens.admin, body: { reference: "BANK-2" } })).status).toBe(409);

    // A void of a settled redemption lands as a negative line in the next statement. The shop's
    // account gives the points back, so it must hold that much unsettled: first more sales.
    const refused = await t.call("POST", `/redemptions/${second.id}/void`, { token: c.tokens.admin, body: { reason: "退货" } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("INSUFFICIENT_POINTS");
    const more = await redeem(s, [{ goodsId: s.rice.id, quantity: 7 }]); // 70
    await voidIt(s, second.id);
    expect(await accountOf(t.db, c.shopId)).toMatchObject({ balance: 10 + 70 - 60 });
    const next = await draft(c, { shopId: c.shopId, to: now() });
    expect(next.status, JSON.stringify(next.body)).toBe(201);
    expect(next.body).toMatchObject({ from: to, redemptions: 2, points: 10 + 70 - 60, amountFen: 20 * 80 });
    expect(next.body.lines).toEqual(
      expect.arrayContaining([
        { goodsId: s.rice.id, name: "大米", quantity: 8, points: 80, kind: "redemption" },
        { goodsId: s.rice.id, name: "大米", quantity: -1, points: -10, kind: "void" },
        { goodsId: s.odd.id, name: formulaName, quantity: -2, points: -50, kind: "void" },
      ]),
    );
    expect(next.body.lines).toHaveLength(3);
    expect((await t.call("POST", `/settlements/${next.body.id}/confirm`, { token: c.tokens.admin })).status).toBe(200);
    expect(await accountOf(t.db, c.shopId)).toMatchObject({ balance: 0 });
    expect(await check(c)).toMatchObject({ redeemed: 30 + 10 + 70, settled: 110, unsettled: 0 });
    // Every redemption and every void lies in exactly one statement.
    const entries = await t.db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM settlement_entries GROUP BY redemption_id, entry HAVING COUNT(*) > 1`);
    expect(entries).toEqual([]);
    expect(late.id).toBeTruthy();
    expect(more.id).toBeTruthy();

    const list = await t.call("GET", `/settlements?shopId=${c.shopId}`, { token: c.tokens.admin });
    expect(list.body.items.map((i: any) => [i.id, i.status])).toEqual([
      [next.body.id, "confirmed"],
      [res.body.id, "paid"],
    ]);
    expect((await t.call("GET", "/settlements?status=paid", { token: c.tokens.admin })).body.items).toHaveLength(1);
  });

  it("a void made after drafting leaves the draft stale: confirming says so, discarding frees its redemptions", async () => {
    const s = await setup();
    const { c } = s;
    const only = await redeem(s, [{ goodsId: s.rice.id, quantity: 2 }]);
    const res = await draft(c, { shopId: c.shopId, to: now() });
    expect(res.status).toBe(201);
    await voidIt(s, only.id);
    const stale = await t.call("POST", `/settlements/${res.body.id}/confirm`, { token: c.tokens.admin });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("SETTLEMENT_STALE");
    expect((await t.call("GET", `/settlements/${res.body.id}`, { token: c.tokens.admin })).body.status).toBe("draft");
    await check(c);
    expect((await t.call("DELETE", `/settlements/${res.body.id}`, { token: c.tokens.admin })).status).toBe(204);
    expect((await t.call("GET", `/settlements/${res.body.id}`, { token: c.tokens.admin })).status).toBe(404);
    const redo = await draft(c, { shopId: c.shopId, to: now() });
    expect(redo.status, JSON.stringify(redo.body)).toBe(201);
    expect(redo.body).toMatchObject({ redemptions: 0, points: 0, lines: [] });
    expect((await t.call("POST", `/settlements/${redo.body.id}/confirm`, { token: c.tokens.admin })).status).toBe(200);
    expect((await t.call("DELETE", `/settlements/${redo.body.id}`, { token: c.tokens.admin })).body.error.code).toBe("SETTLEMENT_NOT_DRAFT");
    await check(c);
  });
});

describe("bad input", () => {
  it("refuses a future or earlier `to`, another community's shop, nothing to settle, a bad point value", async () => {
    const s = await setup("BAD");
    const other = await t.newCommunity("OTH");
    const { c } = s;
    const empty = await draft(c, { shopId: c.shopId, to: now() });
    expect(empty.status).toBe(409);
    expect(empty.body.error.code).toBe("NOTHING_TO_SETTLE");
    expect(await countRows(t.db, "settlements")).toBe(0);

    await redeem(s, [{ goodsId: s.rice.id, quantity: 1 }]);
    const future = await draft(c, { shopId: c.shopId, to: new Date(t.clock.now().getTime() + 60_000).toISOString() });
    expect(future.status).toBe(400);
    expect(future.body.error.details.fields.to).toBeTruthy();
    expect((await draft(c, { shopId: c.shopId, to: "yesterday" })).status).toBe(400);
    expect((await draft(c, { shopId: other.shopId, to: now() })).status).toBe(404);
    expect((await draft(c, { shopId: "nope", to: now() })).status).toBe(404);

    const first = await draft(c, { shopId: c.shopId, to: now() });
    expect(first.status).toBe(201);
    await t.call("POST", `/settlements/${first.body.id}/confirm`, { token: c.tokens.admin });
    const before = new Date(Date.parse(first.body.to) - 1000).toISOString();
    const earlier = await draft(c, { shopId: c.shopId, to: before });
    expect(earlier.status).toBe(400);
    expect(earlier.body.error.details.fields.to).toBeTruthy();
    expect((await draft(c, { shopId: c.shopId, to: now() })).body.error.code).toBe("NOTHING_TO_SETTLE");

    for (const pointValueFen of [0, -5, 1.5, "100"]) {
      expect((await t.call("PATCH", `/shops/${c.shopId}`, { token: c.tokens.admin, body: { pointValueFen } })).status).toBe(400);
    }
    expect((await t.call("PATCH", `/shops/${other.shopId}`, { token: c.tokens.admin, body: { pointValueFen: 50 } })).status).toBe(404);
    expect((await t.call("PATCH", `/shops/${c.shopId}`, { token: c.tokens.clerk, body: { pointValueFen: 50 } })).status).toBe(403);
    expect((await t.call("POST", `/settlements/${first.body.id}/pay`, { token: c.tokens.admin, body: { reference: " " } })).status).toBe(400);
  });
});

describe("who sees what", () => {
  it("keeps two communities apart and shows a clerk only its own shop's statements", async () => {
    const a = await setup("AAA");
    const b = await t.newCommunity("BBB");
    await redeem(a, [{ goodsId: a.rice.id, quantity: 2 }]);
    const mine = await draft(a.c, { shopId: a.c.shopId, to: now() });
    expect(mine.status).toBe(201);

    expect((await t.call("GET", `/settlements/${mine.body.id}`, { token: b.tokens.admin })).status).toBe(404);
    expect((await t.call("POST", `/settlements/${mine.body.id}/confirm`, { token: b.tokens.admin })).status).toBe(404);
    expect((await t.call("GET", "/settlements", { token: b.tokens.admin })).body.items).toEqual([]);
    expect((await t.call("GET", "/settlements", { token: b.tokens.clerk })).body.items).toEqual([]);

    // A second shop of community A, with its own clerk.
    const shopId = newId();
    const at = now();
    await t.db.insert(shops).values({ id: shopId, communityId: a.c.communityId, name: "第二超市", createdAt: at });
    await t.db.batch([openAccountStatement(t.db, { id: shopId, communityId: a.c.communityId, kind: "shop", at })]);
    await t.db.insert(users).values({ id: newId(), communityId: a.c.communityId, username: "clerk-two", passwordHash: await testPasswordHash(), name: "二号店员", role: "clerk", shopId, createdAt: at });
    const clerkTwo = await t.login("clerk-two");

    expect((await t.call("GET", "/settlements", { token: a.c.tokens.clerk })).body.items.map((i: any) => i.id)).toEqual([mine.body.id]);
    expect((await t.call("GET", `/settlements/${mine.body.id}`, { token: a.c.tokens.clerk })).status).toBe(200);
    expect((await t.call("GET", "/settlements", { token: clerkTwo })).body.items).toEqual([]);
    expect((await t.call("GET", `/settlements?shopId=${a.c.shopId}`, { token: clerkTwo })).body.items).toEqual([]);
    expect((await t.call("GET", `/settlements/${mine.body.id}`, { token: clerkTwo })).status).toBe(403);
    expect((await t.call("GET", `/settlements/${mine.body.id}.xlsx`, { token: clerkTwo })).status).toBe(403);
    for (const token of [a.c.tokens.clerk, a.c.tokens.reviewer, a.c.tokens.volunteer]) {
      expect((await t.call("POST", `/settlements/${mine.body.id}/confirm`, { token })).status).toBe(403);
      expect((await draft(a.c, { shopId: a.c.shopId, to: now() }, token)).status).toBe(403);
    }
    expect((await t.call("GET", "/settlements", { token: a.c.tokens.reviewer })).status).toBe(403);
  });
});

describe("the statement workbook", () => {
  it("reads back with the API's figures; goods named like a formula stay text", async () => {
    const s = await setup("XLS");
    const { c } = s;
    await redeem(s, [{ goodsId: s.odd.id, quantity: 3 }, { goodsId: s.rice.id, quantity: 2 }]);
    const res = await draft(c, { shopId: c.shopId, to: now() });
    await t.call("POST", `/settlements/${res.body.id}/confirm`, { token: c.tokens.admin });
    const view = (await t.call("GET", `/settlements/${res.body.id}`, { token: c.tokens.clerk })).body;

    const app = createApp({ db: () => t.db, clock: t.clock, config: () => ({ ...testConfig, secureCookies: false, publicityFloorHours: 0 }) });
    const xlsx = await app.request(`/api/settlements/${res.body.id}.xlsx`, { headers: { authorization: `Bearer ${c.tokens.clerk}` } });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const bytes = new Uint8Array(await xlsx.arrayBuffer());
    expect(strFromU8(unzipSync(bytes)["xl/worksheets/sheet1.xml"])).not.toMatch(/<f[ >]/);
    const rows = await readSheet(bytes.buffer);
    expect(String(rows[0][0])).toContain("结算单");
    expect(rows[1].slice(0, 2)).toEqual(["商户", "驿站超市"]);
    const header = rows.findIndex((r) => r[0] === "商品");
    const body = rows.slice(header + 1, header + 1 + view.lines.length);
    expect(body.map((r) => [r[0], r[2], r[3]])).toEqual(view.lines.map((l: any) => [l.name, l.quantity, l.points]));
    expect(body.map((r) => r[0])).toContain(formulaName);
    const total = rows[header + 1 + view.lines.length];
    expect(total[0]).toBe("合计");
    expect(total[3]).toBe(view.points);
    expect(rows.find((r) => r[0] === "结算金额（元）")?.[1]).toBe(view.amountFen / 100);
    expect(rows.some((r) => r.includes("商户签字："))).toBe(true);
  });
});
