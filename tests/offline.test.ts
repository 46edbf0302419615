/**
 * The offline counter's API (issue 14): the pack, the caps, the window, a queue sent twice, the
 * shortfall when the balance was spent elsewhere meanwhile, a card revoked after the pack, the
 * admin's resolutions.
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { accountOf, addGoods, addHousehold, alter, creditApplication, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

let keyCounter = 0;
const freshKey = () => `off-${++keyCounter}-${Math.random().toString(36).slice(2)}`;

/** A community with the offline counter on (window 24 h, 40 per redemption, 100 per device), two households and goods. */
async function setup(caps = { offlinePerRedemptionMax: 40, offlinePerDeviceMax: 100 }) {
  const c = await t.newCommunity("OFF");
  const settings = await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { offlineWindowHours: 24, ...caps } });
  expect(settings.status).toBe(200);
  const a = await addHousehold(t, c, { headName: "王小明" });
  const b = await addHousehold(t, c, { headName: "李四" });
  const cardA = await issueCardFor(t, c, a.id);
  const cardB = await issueCardFor(t, c, b.id);
  await grantPoints(t.db, c.communityId, a.id, 60);
  await grantPoints(t.db, c.communityId, b.id, 30);
  const rice = await addGoods(t, c, { name: "大米", points: 10, stock: 50 });
  const soap = await addGoods(t, c, { name: "肥皂", points: 5, stock: 2 });
  return { c, a, b, cardA, cardB, rice, soap };
}

async function pack(c: TestCommunity, deviceId = "till-1", token = c.tokens.clerk) {
  return t.call("GET", `/shops/${c.shopId}/offline-pack?deviceId=${deviceId}`, { token });
}

function offlineRedeem(c: TestCommunity, body: { qr: string; items: Array<{ goodsId: string; quantity: number }>; offline: Record<string, unknown> }, key = freshKey()) {
  return t.call("POST", "/redemptions", { token: c.tokens.clerk, body, headers: { "idempotency-key": key } });
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("settings for the offline counter", () => {
  it("keeps the per-redemption cap at or under the PIN threshold and the window at most 72 hours", async () => {
    const c = await t.newCommunity("SET");
    const initial = await t.call("GET", "/community/settings", { token: c.tokens.admin });
    expect(initial.body).toMatchObject({ offlineWindowHours: 24, offlinePerDeviceMax: 0 });
    const over = await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { offlinePerRedemptionMax: 51 } });
    expect(over.status).toBe(400);
    expect(over.body.error.details.fields).toHaveProperty("offlinePerRedemptionMax");
    const long = await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { offlineWindowHours: 73 } });
    expect(long.status).toBe(400);
    const ok = await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { offlineWindowHours: 72, offlinePerRedemptionMax: 50, offlinePerDeviceMax: 300 } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ offlineWindowHours: 72, offlinePerRedemptionMax: 50, offlinePerDeviceMax: 300 });
    const clerk = await t.call("PATCH", "/community/settings", { token: c.tokens.clerk, body: { offlinePerDeviceMax: 0 } });
    expect(clerk.status).toBe(403);
  });

  it("refuses a pack while the offline counter is off (offlinePerDeviceMax 0)", async () => {
    const c = await t.newCommunity("DIS");
    const res = await pack(c);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("OFFLINE_DISABLED");
  });
});

describe("the offline pack", () => {
  it("holds every active card by the SHA-256 of its QR text, masked names, balances, goods and the caps", async () => {
    const { c, cardA, cardB, rice } = await setup();
    const res = await pack(c);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ deviceId: "till-1", caps: { perRedemption: 40, perDevice: 100 } });
    expect(Date.parse(res.body.validUntil) - Date.parse(res.body.issuedAt)).toBe(24 * 3_600_000);
    const byNo = new Map(res.body.cards.map((card: { cardNo: string }) => [card.cardNo, card]));
    expect(byNo.get(cardA.cardNo)).toMatchObject({ qrSha256: sha256(cardA.qr), headNameMasked: "王*明", balance: 60 });
    expect(byNo.get(cardB.cardNo)).toMatchObject({ qrSha256: sha256(cardB.qr), headNameMasked: "李*", balance: 30 });
    expect(JSON.stringify(res.body)).not.toContain(cardA.qr);
    expect(res.body.goods).toContainEqual(expect.objectContaining({ id: rice.id, name: "大米", points: 10, stock: 50 }));
  });

  it("leaves out a revoked card, and is only for the shop's own clerk", async () => {
    const { c, cardB } = await setup();
    expect((await t.call("POST", `/cards/${cardB.cardNo}/revoke`, { token: c.tokens.admin })).status).toBe(200);
    const res = await pack(c);
    expect(res.body.cards.map((card: { cardNo: string }) => card.cardNo)).not.toContain(cardB.cardNo);
    expect((await pack(c, "till-1", c.tokens.admin)).status).toBe(403);
    expect((await t.call("GET", `/shops/${c.shopId}/offline-pack?deviceId=x`, { token: c.tokens.clerk })).status).toBe(400);
    const other = await t.newCommunity("OTH");
    // Another community's shop is not there at all for this clerk.
    expect((await t.call("GET", `/shops/${c.shopId}/offline-pack?deviceId=till-9`, { token: other.tokens.clerk })).status).toBe(404);
  });
});

describe("redemptions made offline", () => {
  it("are accepted within the window and caps, answer offline: true with the provisional number, and the ledger says offline", async () => {
    const { c, a, cardA, rice } = await setup();
    const p = (await pack(c)).body;
    t.clock.advanceHours(2);
    const res = await offlineRedeem(c, { qr: cardA.qr, items: [{ goodsId: rice.id, quantity: 2 }], offline: { packId: p.packId, deviceId: "till-1", at: t.clock.now().toISOString(), seq: 1 } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ offline: true, provisionalNo: "till-1-1", total: 20, balanceAfter: 40, shortfall: 0, cardFlag: null, householdId: a.id });
    const ledger = await t.call("GET", `/households/${a.id}/ledger`, { token: c.tokens.admin });
    expect(ledger.body.items[0]).toMatchObject({ kind: "redemption", amount: -20, offline: true });
    expect(ledger.body.items[0].description).toContain("离线兑换");
    await t.ledgerOk(c.communityId);
  });

  it("refuses a basket over the per-redemption cap, and the device cap summed over the pack", async () => {
    const { c, cardA, cardB, rice } = await setup();
    const p = (await pack(c)).body;
    const at = t.clock.now().toISOString();
    const over = await offlineRedeem(c, { qr: cardA.qr, items: [{ goodsId: rice.id, quantity: 5 }], offline: { packId: p.packId, deviceId: "till-1", at, seq: 1 } });
    expect(over.status).toBe(409);
    expect(over.body.error).toMatchObject({ code: "OFFLINE_CAP", details: { cap: "perRedemption" } });
    // 40 + 30 + 20 = 90 of the device's 100; the next 20 would pass it.
    for (const [seq, card, quantity] of [[2, cardA, 4], [3, cardB, 3], [4, cardA, 2]] as const) {
      const ok = await offlineRedeem(c, { qr: card.qr, items: [{ goodsId: rice.id, quantity }], offline: { packId: p.packId, deviceId: "till-1", at, seq } });
      expect(ok.status).toBe(201);
    }
    const capped = await offlineRedeem(c, { qr: cardB.qr, items: [{ goodsId: rice.id, quantity: 2 }], offline: { packId: p.packId, deviceId: "till-1", at, seq: 5 } });
    expect(capped.status).toBe(409);
    expect(capped.body.error).toMatchObject({ code: "OFFLINE_CAP", details: { cap: "perDevice", spent: 90 } });
    // Another device has its own pack and its own cap.
    const p2 = (await pack(c, "till-2")).body;
    const other = await offlineRedeem(c, { qr: cardB.qr, items: [{ goodsId: rice.id, quantity: 1 }], offline: { packId: p2.packId, deviceId: "till-2", at: t.clock.now().toISOString(), seq: 1 } });
    expect(other.status).toBe(201);
  });

  it("refuses a redemption made after the pack's window, before its issue, or after the device's next pack", async () => {
    const { c, cardA, rice } = await setup();
    await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { offlineWindowHours: 2 } });
    const p = (await pack(c)).body;
    const late = new Date(Date.parse(p.validUntil) + 60_000).toISOString();
    t.clock.advanceHours(3);
    const expired = await offlineRedeem(c, { qr: cardA.qr, items: [{ goodsId: rice.id, quantity: 1 }], offline: { packId: p.packId, deviceId: "till-1", at: late, seq: 1 } });
    expect(expired.status).toBe(409);
    expect(expired.body.error.code).toBe("OFFLINE_PACK_EXPIRED");
    const early = await offlineRedeem(c, { qr: cardA.qr, items: [{ goodsId: rice.id, quantity: 1 }], offline: { packId: p.packId, deviceId: "till-1", at: new Date(Date.parse(p.issuedAt) - 60_000).toISOString(), seq: 2 } });
    expect(early.body.error.code).toBe("OFFLINE_PACK_EXPIRED");
    const p2 = (await pack(c)).body;
    t.clock.advanceHours(1);
    const superseded = await offlineRedeem(c, { qr: cardA.qr, items: [{ goodsId: rice.id, quantity: 1 }], offline: { packId: p.packId, deviceId: "till-1", at: t.clock.now().toISOString(), seq: 3 } });
    expect(superseded.body.error.code).toBe("OFFLINE_PACK_EXPIRED");
    const wrongDevice = await offlineRedeem(c, { qr: cardA.qr, items: [{ goodsId: rice.id, quantity: 1 }], offline: { packId: p2.packId, deviceId: "till-7", at: t.clock.now().toISOString(), seq: 1 } });
    expect(wrongDevice.status).toBe(404);
    expect(await accountOf(t.db, (await t.db.all<{ id: string }>(sql`SELECT household_id AS id FROM cards WHERE card_no = ${cardA.cardNo}`))[0].id)).toMatchObject({ balance: 60 });
  });

  it("sent twice (same keys, or new keys for the same seq) debits nothing more", async () => {
    const { c, a, b, cardA, cardB, rice } = await setup();
    const p = (await pack(c)).body;
    const at = t.clock.now().toISOString();
    const queue = [
      { key: freshKey(), body: { qr: cardA.qr, items: [{ goodsId: rice.id, quantity: 2 }], offline: { packId: p.packId, deviceId: "till-1", at, seq: 1 } } },
      { key: freshKey(), body: { qr: cardB.qr, items: [{ goodsId: rice.id, quantity: 1 }], offline: { packId: p.packId, deviceId: "till-1", at, seq: 2 } } },
      { key: freshKey(), body: { qr: cardA.qr, items: [{ goodsId: rice.id, quantity: 1 }], offline: { packId: p.packId, deviceId: "till-1", at, seq: 3 } } },
    ];
    const first = [];
    for (const item of queue) first.push(await offlineRedeem(c, item.body, item.key));
    const again = await Promise.all(queue.map((item) => offlineRedeem(c, item.body, item.key)));
    const newKeys = [];
    for (const item of queue) newKeys.push(await offlineRedeem(c, item.body));
    for (let i = 0; i < queue.length; i++) {
      expect(first[i].status).toBe(201);
      expect(again[i].body).toEqual(first[i].body);
      expect(newKeys[i].body).toEqual(first[i].body);
    }
    expect(await accountOf(t.db, a.id)).toMatchObject({ balance: 30 });
    expect(await accountOf(t.db, b.id)).toMatchObject({ balance: 20 });
    const [{ n }] = await t.db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM redemptions WHERE community_id = ${c.communityId}`);
    expect(Number(n)).toBe(3);
    const [{ spent }] = await t.db.all<{ spent: number }>(sql`SELECT spent FROM offline_packs WHERE id = ${p.packId}`);
    expect(Number(spent)).toBe(40);
    // The same seq with another basket is not the same redemption.
    const clash = await offlineRedeem(c, { ...queue[0].body, items: [{ goodsId: rice.id, quantity: 3 }] });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    await t.ledgerOk(c.communityId);
  });

  it("debits down to zero when the balance was spent elsewhere meanwhile and lists exactly the rest as a shortfall", async () => {
    const { c, b, cardB, rice, soap } = await setup();
    const p = (await pack(c)).body;
    const at = t.clock.now().toISOString();
    // Online, the household spends 20 of its 30 at the other counter.
    const online = await t.call("POST", "/redemptions", { token: c.tokens.clerk, body: { qr: cardB.qr, items: [{ goodsId: rice.id, quantity: 2 }] }, headers: { "idempotency-key": freshKey() } });
    expect(online.status).toBe(201);
    // Offline, the pack still said 30: a basket of 25 (and 3 soaps, 2 on the shelf).
    const res = await offlineRedeem(c, { qr: cardB.qr, items: [{ goodsId: rice.id, quantity: 1 }, { goodsId: soap.id, quantity: 3 }], offline: { packId: p.packId, deviceId: "till-1", at, seq: 1 } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ total: 25, balanceAfter: 0, shortfall: 15, stockDiscrepancies: [{ goodsId: soap.id, short: 1 }] });
    expect(await accountOf(t.db, b.id)).toMatchObject({ balance: 0 });
    const [{ stock }] = await t.db.all<{ stock: number }>(sql`SELECT stock FROM goods WHERE id = ${soap.id}`);
    expect(Number(stock)).toBe(0);
    const list = await t.call("GET", "/redemptions/shortfalls", { token: c.tokens.admin });
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(expect.objectContaining({ kind: "points", amount: 15, remaining: 15, status: "open", provisionalNo: "till-1-1", household: expect.objectContaining({ id: b.id }) }));
    expect(list.body.items).toContainEqual(expect.objectContaining({ kind: "stock", amount: 1, goods: { id: soap.id, name: "肥皂" } }));
    expect((await t.call("GET", "/redemptions/shortfalls", { token: c.tokens.clerk })).status).toBe(403);
    await t.ledgerOk(c.communityId);
  });

  it("accepts a card revoked after the pack within the caps and flags it; a card revoked before is refused", async () => {
    const { c, a, cardA, cardB, rice } = await setup();
    const p = (await pack(c)).body;
    t.clock.advanceHours(1);
    expect((await t.call("POST", `/cards/${cardA.cardNo}/revoke`, { token: c.tokens.admin })).status).toBe(200);
    const res = await offlineRedeem(c, { qr: cardA.qr, items: [{ goodsId: rice.id, quantity: 1 }], offline: { packId: p.packId, deviceId: "till-1", at: new Date(Date.parse(p.issuedAt) + 30 * 60_000).toISOString(), seq: 1 } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ cardFlag: "revoked", balanceAfter: 50 });
    const list = await t.call("GET", "/redemptions/shortfalls", { token: c.tokens.admin });
    expect(list.body.items).toContainEqual(expect.objectContaining({ kind: "card", cardFlag: "revoked", household: expect.objectContaining({ id: a.id }) }));
    // Revoked before the next pack: not in it, refused.
    const p2 = (await pack(c)).body;
    const refused = await offlineRedeem(c, { qr: cardA.qr, items: [{ goodsId: rice.id, quantity: 1 }], offline: { packId: p2.packId, deviceId: "till-1", at: t.clock.now().toISOString(), seq: 1 } });
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe("CARD_INVALID");
    const forged = await offlineRedeem(c, { qr: alter(cardB.qr, cardB.qr.length - 2), items: [{ goodsId: rice.id, quantity: 1 }], offline: { packId: p2.packId, deviceId: "till-1", at: t.clock.now().toISOString(), seq: 2 } });
    expect(forged.status, JSON.stringify(forged.body)).toBe(404);
    expect(forged.body.error.code).toBe("CARD_INVALID");
  });
});

describe("resolving shortfalls", () => {
  async function withShortfall() {
    const s = await setup();
    const p = (await pack(s.c)).body;
    await t.call("POST", "/redemptions", { token: s.c.tokens.clerk, body: { qr: s.cardB.qr, items: [{ goodsId: s.rice.id, quantity: 3 }] }, headers: { "idempotency-key": freshKey() } });
    const res = await offlineRedeem(s.c, { qr: s.cardB.qr, items: [{ goodsId: s.rice.id, quantity: 2 }], offline: { packId: p.packId, deviceId: "till-1", at: t.clock.now().toISOString(), seq: 1 } });
    expect(res.body.shortfall).toBe(20);
    const list = await t.call("GET", "/redemptions/shortfalls", { token: s.c.tokens.admin });
    const item = list.body.items.find((i: { kind: string }) => i.kind === "points");
    return { ...s, item };
  }

  it("write-off: the community pays the shop what the household could not; once only", async () => {
    const { c, b, item } = await withShortfall();
    const shopBefore = await accountOf(t.db, c.shopId);
    const res = await t.call("POST", `/redemptions/shortfalls/${item.id}/resolve`, { token: c.tokens.admin, body: { action: "write-off", note: "老人记错余额，社区承担" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "written-off", remaining: 0, resolution: { action: "write-off", note: "老人记错余额，社区承担" } });
    expect((await accountOf(t.db, c.shopId)).balance).toBe(shopBefore.balance + 20);
    expect(await accountOf(t.db, b.id)).toMatchObject({ balance: 0 });
    const twice = await t.call("POST", `/redemptions/shortfalls/${item.id}/resolve`, { token: c.tokens.admin, body: { action: "recover", note: "again" } });
    expect(twice.status).toBe(409);
    const open = await t.call("GET", "/redemptions/shortfalls", { token: c.tokens.admin });
    expect(open.body.items.map((i: { id: string }) => i.id)).not.toContain(item.id);
    await t.ledgerOk(c.communityId);
  });

  it("recover: the household's next awards pay the shortfall first, never below zero", async () => {
    const { c, b, item } = await withShortfall();
    const res = await t.call("POST", `/redemptions/shortfalls/${item.id}/resolve`, { token: c.tokens.admin, body: { action: "recover", note: "下次充值补扣" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "recovering", remaining: 20 });
    const shopBefore = await accountOf(t.db, c.shopId);
    await creditApplication(t, c, b.id, { points: 12 });
    expect(await accountOf(t.db, b.id)).toMatchObject({ balance: 0 });
    await creditApplication(t, c, b.id, { points: 15 });
    expect(await accountOf(t.db, b.id)).toMatchObject({ balance: 7 });
    expect((await accountOf(t.db, c.shopId)).balance).toBe(shopBefore.balance + 20);
    const all = await t.call("GET", "/redemptions/shortfalls?status=all", { token: c.tokens.admin });
    expect(all.body.items.find((i: { id: string }) => i.id === item.id)).toMatchObject({ status: "recovered", remaining: 0 });
    const ledger = await t.call("GET", `/households/${b.id}/ledger`, { token: c.tokens.admin });
    expect(ledger.body.items.filter((e: { description: string }) => e.description.includes("补扣"))).toHaveLength(2);
    // Recovered: off the open list.
    const open = (await t.call("GET", "/redemptions/shortfalls", { token: c.tokens.admin })).body.items;
    expect(open.map((i: { id: string }) => i.id)).not.toContain(item.id);
    await t.ledgerOk(c.communityId);
  });

  it("takes what the balance holds now when the household already has points", async () => {
    const { c, b, item } = await withShortfall();
    await grantPoints(t.db, c.communityId, b.id, 8);
    const res = await t.call("POST", `/redemptions/shortfalls/${item.id}/resolve`, { token: c.tokens.admin, body: { action: "recover", note: "先扣余额" } });
    expect(res.body).toMatchObject({ status: "recovering", remaining: 12 });
    expect(await accountOf(t.db, b.id)).toMatchObject({ balance: 0 });
    const bad = await t.call("POST", `/redemptions/shortfalls/${item.id}/resolve`, { token: c.tokens.admin, body: { action: "forgive", note: "x" } });
    expect(bad.status).toBe(400);
    await t.ledgerOk(c.communityId);
  });
});

describe("the till: barcodes and pinyin initials", () => {
  it("sets a product barcode with a valid check digit, unique in the shop, and lists initials for the search", async () => {
    const { c, rice, soap } = await setup();
    const bad = await t.call("PATCH", `/goods/${rice.id}/barcode`, { token: c.tokens.admin, body: { barcode: "6901234567890" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toHaveProperty("barcode");
    const ok = await t.call("PATCH", `/goods/${rice.id}/barcode`, { token: c.tokens.admin, body: { barcode: "6901234567892" } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ barcode: "6901234567892", initials: "dm" });
    const taken = await t.call("PATCH", `/goods/${soap.id}/barcode`, { token: c.tokens.admin, body: { barcode: "6901234567892" } });
    expect(taken.status).toBe(409);
    expect((await t.call("PATCH", `/goods/${soap.id}/barcode`, { token: c.tokens.clerk, body: { barcode: "4006381333931" } })).status).toBe(403);
    const list = await t.call("GET", `/goods?shopId=${c.shopId}`, { token: c.tokens.clerk });
    expect(list.body.items).toContainEqual(expect.objectContaining({ id: rice.id, barcode: "6901234567892", initials: "dm" }));
    expect(list.body.items).toContainEqual(expect.objectContaining({ id: soap.id, barcode: null, initials: "fz" }));
    const p = (await pack(c)).body;
    expect(p.goods).toContainEqual(expect.objectContaining({ id: rice.id, barcode: "6901234567892", initials: "dm" }));
    const cleared = await t.call("PATCH", `/goods/${rice.id}/barcode`, { token: c.tokens.admin, body: { barcode: null } });
    expect(cleared.body.barcode).toBeNull();
  });
});

describe("voiding an offline redemption", () => {
  it("reverses what was debited, and refuses (409, not 500) one that debited nothing", async () => {
    const { c, b, cardB, rice } = await setup();
    const p = (await pack(c)).body;
    const at = t.clock.now().toISOString();
    const paid = await offlineRedeem(c, { qr: cardB.qr, items: [{ goodsId: rice.id, quantity: 2 }], offline: { packId: p.packId, deviceId: "till-1", at, seq: 1 } });
    // The pack still said 30; 10 are left, so 20 of this basket are short.
    const short = await offlineRedeem(c, { qr: cardB.qr, items: [{ goodsId: rice.id, quantity: 3 }], offline: { packId: p.packId, deviceId: "till-1", at, seq: 2 } });
    expect(short.body).toMatchObject({ shortfall: 20, balanceAfter: 0 });
    const nothing = await offlineRedeem(c, { qr: cardB.qr, items: [{ goodsId: rice.id, quantity: 1 }], offline: { packId: p.packId, deviceId: "till-1", at, seq: 3 } });
    expect(nothing.body).toMatchObject({ shortfall: 10, balanceAfter: 0 });
    const refused = await t.call("POST", `/redemptions/${nothing.body.id}/void`, { token: c.tokens.admin, body: { reason: "退货" } });
    expect(refused.status).toBe(409);
    const voided = await t.call("POST", `/redemptions/${paid.body.id}/void`, { token: c.tokens.admin, body: { reason: "退货" } });
    expect(voided.status).toBe(200);
    expect(await accountOf(t.db, b.id)).toMatchObject({ balance: 20 });
    await t.ledgerOk(c.communityId);
  });
});
