/**
 * Cards as the office hands them out: bulk issue with random PINs answered once, the handover
 * register without PINs, 挂失 that stops a card everywhere at once, and 补卡 as its own step.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { auditLog, cards } from "../db/schema";
import { qrOfCard } from "../api/domain/cards";
import { isWeakPin, randomPin } from "../api/domain/card-batches";
import { limits } from "../shared/limits";
import { addGoods, addHousehold, grantPoints, issueCardFor, testConfig } from "./support/fixtures";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

type IssuedCard = { householdId: string; householdNo: string; headName: string; building: string; cardNo: string; pin: string };

async function issueBatch(c: TestCommunity, householdIds: string[]) {
  const res = await t.call("POST", "/card-batches", { token: c.tokens.admin, body: { householdIds } });
  if (res.status !== 201) throw new Error(`card batch: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; kind: string; cards: IssuedCard[] };
}

async function cardLogin(cardNo: string, pin: string) {
  return t.call("POST", "/auth/card-login", { body: { cardNo, pin } });
}

describe("random PINs", () => {
  it("are 6 digits, spread over the whole range, never a repeated digit or a straight run", () => {
    const pins = Array.from({ length: 2000 }, () => randomPin());
    for (const pin of pins) {
      expect(pin).toMatch(/^\d{6}$/);
      expect(isWeakPin(pin)).toBe(false);
    }
    expect(new Set(pins).size).toBeGreaterThan(1990);
    expect(pins.some((pin) => pin.startsWith("0"))).toBe(true);
    expect(pins.some((pin) => pin.startsWith("9"))).toBe(true);
    for (const weak of ["000000", "111111", "123456", "987654", "345678"]) expect(isWeakPin(weak)).toBe(true);
    for (const fine of ["135790", "112233", "908172"]) expect(isWeakPin(fine)).toBe(false);
  });
});

describe("POST /card-batches", () => {
  it("issues a card with a random 6-digit PIN to each household picked, answers the PINs once, and each card signs in with its PIN", async () => {
    const c = await t.newCommunity();
    const picked = [];
    for (const no of ["B-03", "B-01", "B-02"]) picked.push(await addHousehold(t, c, { householdNo: no, building: "12号楼" }));
    const res = await t.call("POST", "/card-batches", { token: c.tokens.admin, body: { householdIds: picked.map((h) => h.id) } });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const batch = res.body as { id: string; kind: string; createdBy: { name: string }; cards: IssuedCard[] };
    expect(batch.kind).toBe("issue");
    expect(batch.createdBy.name).toBe("管理员");
    // In 户号 order, for the slips and the register.
    expect(batch.cards.map((card) => card.householdNo)).toEqual(["B-01", "B-02", "B-03"]);
    expect(new Set(batch.cards.map((card) => card.cardNo)).size).toBe(3);
    for (const card of batch.cards) {
      expect(card.pin).toMatch(/^\d{6}$/);
      expect(card.building).toBe("12号楼");
      const login = await cardLogin(card.cardNo, card.pin);
      expect(login.status, card.householdNo).toBe(200);
      expect(login.body.household.householdNo).toBe(card.householdNo);
      const household = await t.call("GET", `/households/${card.householdId}`, { token: c.tokens.admin });
      expect(household.body.card).toEqual({ cardNo: card.cardNo, status: "active" });
    }
    // The PINs are kept only as hashes, and never answered again.
    const stored = await t.db.select().from(cards).where(eq(cards.batchId, batch.id));
    expect(stored).toHaveLength(3);
    for (const row of stored) {
      const pin = batch.cards.find((card) => card.cardNo === row.cardNo)!.pin;
      expect(row.pinHash).toMatch(/^pbkdf2-sha256\$100000\$/);
      expect(row.pinHash).not.toContain(pin);
    }
    const register = await t.call("GET", `/card-batches/${batch.id}`, { token: c.tokens.admin });
    expect(register.status).toBe(200);
    expect(register.body).toMatchObject({ id: batch.id, kind: "issue", cardCount: 3, createdByName: "管理员" });
    expect(register.body.cards.map((card: { householdNo: string; cardNoLast4: string; status: string }) => [card.householdNo, card.cardNoLast4, card.status])).toEqual(
      batch.cards.map((card) => [card.householdNo, card.cardNo.slice(-4), "active"]),
    );
    const registerText = JSON.stringify(register.body);
    for (const card of batch.cards) {
      expect(registerText).not.toContain(card.pin);
      expect(registerText).not.toContain(card.cardNo);
    }
    const list = await t.call("GET", "/card-batches", { token: c.tokens.admin });
    expect(list.body.items).toEqual([expect.objectContaining({ id: batch.id, kind: "issue", cardCount: 3 })]);
    expect(JSON.stringify(list.body)).not.toMatch(/"pin"/);
    // Audited in the same batch: one row per card, one for the lot; no PIN in any of them.
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.communityId, c.communityId));
    const issued = audit.filter((row) => row.action === "card.issue");
    expect(issued).toHaveLength(3);
    expect(issued.map((row) => row.details?.batchId)).toEqual([batch.id, batch.id, batch.id]);
    expect(audit.filter((row) => row.action === "card.batch_issue")).toEqual([expect.objectContaining({ targetId: batch.id, details: expect.objectContaining({ cardCount: 3, householdNos: ["B-01", "B-02", "B-03"] }) })]);
    for (const card of batch.cards) expect(JSON.stringify(audit.map((row) => row.details))).not.toContain(`"${card.pin}"`);
  });

  it("refuses an empty selection and one over the limit with 400, unknown and foreign ids with 404 naming them, a household with a card with 409 naming its 户号; nothing is written", async () => {
    const c = await t.newCommunity();
    const other = await t.newCommunity();
    const plain = await addHousehold(t, c, { householdNo: "N-01" });
    const carded = await addHousehold(t, c, { householdNo: "N-02" });
    await issueCardFor(t, c, carded.id);
    const foreign = await addHousehold(t, other, { householdNo: "F-01" });
    const post = (body: unknown, token = c.tokens.admin) => t.call("POST", "/card-batches", { token, body });

    for (const body of [{}, { householdIds: [] }, { householdIds: "x" }, { householdIds: [""] }, { householdIds: [plain.id], pin: "123456" }]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.fields).toBeTruthy();
    }
    const tooMany = await post({ householdIds: Array.from({ length: limits.cardBatchHouseholdsMax + 1 }, (_, i) => `h-${i}`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details.fields.householdIds).toBeTruthy();

    const unknown = await post({ householdIds: [plain.id, "no-such-household"] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.details.householdIds).toEqual(["no-such-household"]);
    const alien = await post({ householdIds: [plain.id, foreign.id] });
    expect(alien.status).toBe(404);
    expect(alien.body.error.details.householdIds).toEqual([foreign.id]);
    const clash = await post({ householdIds: [plain.id, carded.id] });
    expect(clash.status).toBe(409);
    expect(clash.body.error.details.householdNos).toEqual(["N-02"]);

    for (const role of ["reviewer", "volunteer", "clerk"] as const) expect((await post({ householdIds: [plain.id] }, c.tokens[role])).status).toBe(403);
    expect((await post({ householdIds: [plain.id] }, "")).status).toBe(401);

    expect(await t.db.$count(cards, eq(cards.householdId, plain.id))).toBe(0);
    expect(await t.db.$count(cards, eq(cards.householdId, foreign.id))).toBe(0);
    expect(await t.db.$count(auditLog, eq(auditLog.action, "card.batch_issue"))).toBe(0);
    // A household picked twice gets one card.
    const once = await issueBatch(c, [plain.id, plain.id]);
    expect(once.cards).toHaveLength(1);
  });

  it("gives a household picked by two batches at once exactly one card: the later batch fails whole", async () => {
    const c = await t.newCommunity();
    const shared = await addHousehold(t, c, { householdNo: "R-01" });
    const a = await addHousehold(t, c, { householdNo: "R-02" });
    const b = await addHousehold(t, c, { householdNo: "R-03" });
    const [first, second] = await Promise.all([
      t.call("POST", "/card-batches", { token: c.tokens.admin, body: { householdIds: [shared.id, a.id] } }),
      t.call("POST", "/card-batches", { token: c.tokens.admin, body: { householdIds: [shared.id, b.id] } }),
    ]);
    expect([first.status, second.status].sort()).toEqual([201, 409]);
    const refused = first.status === 409 ? first : second;
    expect(refused.body.error.details.householdNos).toContain("R-01");
    expect(await t.db.$count(cards, eq(cards.householdId, shared.id))).toBe(1);
    // The refused batch wrote nothing: its other household has no card.
    const loser = first.status === 409 ? a : b;
    expect(await t.db.$count(cards, eq(cards.householdId, loser.id))).toBe(0);
    expect(await t.db.$count(auditLog, eq(auditLog.action, "card.batch_issue"))).toBe(1);
  });

  it("reads batches only in their own community and only for the admin", async () => {
    const c = await t.newCommunity();
    const other = await t.newCommunity();
    const h = await addHousehold(t, c);
    const batch = await issueBatch(c, [h.id]);
    expect((await t.call("GET", `/card-batches/${batch.id}`, { token: other.tokens.admin })).status).toBe(404);
    expect((await t.call("GET", "/card-batches/no-such-batch", { token: c.tokens.admin })).status).toBe(404);
    expect((await t.call("GET", "/card-batches", { token: other.tokens.admin })).body.items).toEqual([]);
    expect((await t.call("GET", `/card-batches/${batch.id}`, { token: c.tokens.reviewer })).status).toBe(403);
    expect((await t.call("GET", "/card-batches?cursor=nope", { token: c.tokens.admin })).status).toBe(400);
    expect((await t.call("GET", "/card-batches?limit=0", { token: c.tokens.admin })).status).toBe(400);
  });

  it("pages through batches newest first", async () => {
    const c = await t.newCommunity();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const h = await addHousehold(t, c);
      ids.push((await issueBatch(c, [h.id])).id);
      t.clock.advanceHours(1);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await t.call("GET", `/card-batches?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token: c.tokens.admin });
      seen.push(...res.body.items.map((b) => b.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });
});

describe("挂失 and 补卡", () => {
  it("stops sign-in, scanning, redemption and one-time codes at once, ends the card's sessions, and records who reported it", async () => {
    const c = await t.newCommunity();
    const h = await addHousehold(t, c, { householdNo: "L-01" });
    const [card] = (await issueBatch(c, [h.id])).cards;
    await grantPoints(t.db, c.communityId, h.id, 100);
    const soap = await addGoods(t, c, { points: 5 });
    const { qr } = await qrOfCard(t.db, c.communityId, card.cardNo, testConfig);
    const resident = (await cardLogin(card.cardNo, card.pin)).body.token as string;
    const code = (await t.call("POST", "/cards/code", { token: resident })).body.qr as string;
    // Working before.
    expect((await t.call("POST", "/cards/resolve", { token: c.tokens.clerk, body: { qr } })).status).toBe(200);

    const lost = await t.call("POST", `/cards/${card.cardNo}/lost`, { token: c.tokens.admin, body: { reporter: "户主本人", note: "在菜市场丢的" } });
    expect(lost.status).toBe(200);
    expect(lost.body).toMatchObject({ cardNo: card.cardNo, status: "lost", householdId: h.id, alreadyLost: false });

    expect((await t.call("GET", "/me", { token: resident })).status).toBe(401);
    expect((await cardLogin(card.cardNo, card.pin)).status).toBe(401);
    const scan = await t.call("POST", "/cards/resolve", { token: c.tokens.clerk, body: { qr } });
    expect(scan.status).toBe(404);
    expect(scan.body.error.code).toBe("CARD_INVALID");
    const typed = await t.call("POST", "/cards/resolve", { token: c.tokens.clerk, body: { cardNo: card.cardNo, pin: card.pin } });
    expect(typed.body.error.code).toBe("CARD_INVALID");
    const basket = (identity: Record<string, string>, key: string) =>
      t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": key }, body: { ...identity, items: [{ goodsId: soap.id, quantity: 1 }], pin: card.pin } });
    for (const [identity, key] of [[{ qr }, "lost-qr"], [{ qr: code }, "lost-code"], [{ cardNo: card.cardNo }, "lost-typed"]] as const) {
      const res = await basket(identity, key);
      expect(res.status, key).toBe(404);
      expect(res.body.error.code, key).toBe("CARD_INVALID");
    }
    const balance = await t.call("GET", `/households/${h.id}`, { token: c.tokens.admin });
    expect(balance.body).toMatchObject({ balance: 100, card: { cardNo: card.cardNo, status: "lost" } });

    const audit = await t.db.query.auditLog.findFirst({ where: eq(auditLog.action, "card.report_lost") });
    expect(audit).toMatchObject({ actor: `user:${c.userIds.admin}`, actorRole: "admin", targetType: "card", details: { cardNo: card.cardNo, householdId: h.id, reporter: "户主本人", note: "在菜市场丢的" } });

    // Reported again: answered as it is, nothing more written.
    const again = await t.call("POST", `/cards/${card.cardNo}/lost`, { token: c.tokens.admin });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ alreadyLost: true, reportedAt: lost.body.reportedAt });
    expect(await t.db.$count(auditLog, eq(auditLog.action, "card.report_lost"))).toBe(1);
    await t.ledgerOk(c.communityId);
  });

  it("reissues a lost card as a separate step: a new number and PIN that work, while the lost card stays blocked for good", async () => {
    const c = await t.newCommunity();
    const h = await addHousehold(t, c, { householdNo: "L-02" });
    const [old] = (await issueBatch(c, [h.id])).cards;
    // Not lost yet: no reissue.
    const early = await t.call("POST", `/cards/${old.cardNo}/reissue`, { token: c.tokens.admin });
    expect(early.status).toBe(409);
    expect((await t.call("POST", `/cards/${old.cardNo}/lost`, { token: c.tokens.admin, body: {} })).status).toBe(200);
    // A lost card can never work again, even by a direct write (a trigger refuses it).
    const reactivated = await t.db.run(sql`UPDATE cards SET status = 'active' WHERE card_no = ${old.cardNo}`).then(() => null, (err: Error) => String(err.cause ?? err));
    expect(reactivated).toMatch(/a stopped card stays stopped/);

    const res = await t.call("POST", `/cards/${old.cardNo}/reissue`, { token: c.tokens.admin });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body.kind).toBe("reissue");
    const [fresh] = res.body.cards as IssuedCard[];
    expect(fresh.householdNo).toBe("L-02");
    expect(fresh.cardNo).not.toBe(old.cardNo);
    expect(fresh.pin).toMatch(/^\d{6}$/);
    expect((await cardLogin(fresh.cardNo, fresh.pin)).status).toBe(200);
    expect((await cardLogin(old.cardNo, old.pin)).status).toBe(401);
    expect((await t.call("GET", `/households/${h.id}`, { token: c.tokens.admin })).body.card).toEqual({ cardNo: fresh.cardNo, status: "active" });
    const batch = await t.call("GET", `/card-batches/${res.body.id}`, { token: c.tokens.admin });
    expect(batch.body).toMatchObject({ kind: "reissue", cardCount: 1, cards: [{ householdNo: "L-02", cardNoLast4: fresh.cardNo.slice(-4), status: "active" }] });
    const audit = await t.db.query.auditLog.findFirst({ where: eq(auditLog.action, "card.reissue") });
    expect(audit?.details).toMatchObject({ replacesCardNo: old.cardNo, householdNos: ["L-02"] });

    // Once is enough: the household has a card in use again.
    const twice = await t.call("POST", `/cards/${old.cardNo}/reissue`, { token: c.tokens.admin });
    expect(twice.status).toBe(409);
    expect(twice.body.error.details.householdNos).toEqual(["L-02"]);
    expect((await cardLogin(old.cardNo, old.pin)).status).toBe(401);
  });

  it("answers 404 for unknown and foreign cards, 409 for a revoked card, 400 for bad input, and is for the admin only", async () => {
    const c = await t.newCommunity();
    const other = await t.newCommunity();
    const h = await addHousehold(t, c);
    const card = await issueCardFor(t, c, h.id);
    const revokedHousehold = await addHousehold(t, c);
    const revoked = await issueCardFor(t, c, revokedHousehold.id);
    expect((await t.call("POST", `/cards/${revoked.cardNo}/revoke`, { token: c.tokens.admin })).status).toBe(200);

    for (const path of [`/cards/${card.cardNo}/lost`, `/cards/${card.cardNo}/reissue`]) {
      expect((await t.call("POST", path, { token: other.tokens.admin })).status, path).toBe(404);
      for (const role of ["reviewer", "volunteer", "clerk"] as const) expect((await t.call("POST", path, { token: c.tokens[role] })).status, `${role} ${path}`).toBe(403);
      expect((await t.call("POST", path)).status).toBe(401);
    }
    expect((await t.call("POST", "/cards/999999999999/lost", { token: c.tokens.admin })).status).toBe(404);
    expect((await t.call("POST", "/cards/999999999999/reissue", { token: c.tokens.admin })).status).toBe(404);
    const deadLost = await t.call("POST", `/cards/${revoked.cardNo}/lost`, { token: c.tokens.admin });
    expect(deadLost.status).toBe(409);
    expect((await t.call("POST", `/cards/${revoked.cardNo}/reissue`, { token: c.tokens.admin })).status).toBe(409);
    for (const body of [{ reporter: "长".repeat(limits.nameLengthMax + 1) }, { note: "x".repeat(limits.reasonLengthMax + 1) }, { pin: "1234" }]) {
      const res = await t.call("POST", `/cards/${card.cardNo}/lost`, { token: c.tokens.admin, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    // Nothing above touched the card.
    expect((await cardLogin(card.cardNo, card.pin)).status).toBe(200);
  });
});
