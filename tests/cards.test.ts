import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { auditLog, cards } from "../db/schema";
import { alter } from "./support/fixtures";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

let counter = 0;
async function newHousehold(c: TestCommunity, headName = "吴俊杰") {
  counter += 1;
  const res = await t.call("POST", "/households", {
    token: c.tokens.admin,
    body: { householdNo: `C-${counter}`, headName, building: "12号楼", members: [{ name: headName }] },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; householdNo: string };
}

async function issue(c: TestCommunity, householdId: string, pin = "2580") {
  const res = await t.call("POST", `/households/${householdId}/card`, { token: c.tokens.admin, body: { pin } });
  expect(res.status).toBe(201);
  return res.body as { cardNo: string; qr: string; status: "active" };
}

async function cardLogin(cardNo: string, pin: string) {
  return t.call("POST", "/auth/card-login", { body: { cardNo, pin } });
}

const resolve = (token: string | undefined, qr: unknown) => t.call("POST", "/cards/resolve", { token, body: { qr } });

/** Changes one character of `text` at `index` to another character of the same alphabet. */
describe("POST /households/:id/card", () => {
  it("issues an active card whose QR is a signed URL, and records it in the audit log", async () => {
    const c = await t.newCommunity();
    const h = await newHousehold(c);
    const card = await issue(c, h.id);
    expect(card.status).toBe("active");
    expect(card.cardNo).toMatch(/^\d{12}$/);
    expect(card.qr).toMatch(new RegExp(`^http://localhost:8787/c/${card.cardNo}\\.1\\.[A-Za-z0-9_-]{22}$`));
    const shown = await t.call("GET", `/households/${h.id}`, { token: c.tokens.admin });
    expect(shown.body.card).toEqual({ cardNo: card.cardNo, status: "active" });
    const audit = await t.db.query.auditLog.findFirst({ where: eq(auditLog.action, "card.issue") });
    expect(audit?.details).toMatchObject({ householdId: h.id, cardNo: card.cardNo });
    await t.ledgerOk(c.communityId);
  });

  it("revokes the previous card when a new one is issued", async () => {
    const c = await t.newCommunity();
    const h = await newHousehold(c);
    const first = await issue(c, h.id);
    const second = await issue(c, h.id);
    expect(second.cardNo).not.toBe(first.cardNo);
    const rows = await t.db.query.cards.findMany({ where: eq(cards.householdId, h.id) });
    expect(rows.map((r) => [r.cardNo, r.status]).sort()).toEqual([[first.cardNo, "revoked"], [second.cardNo, "active"]].sort());
    expect((await resolve(c.tokens.clerk, first.qr)).body.error.code).toBe("CARD_INVALID");
    expect((await resolve(c.tokens.clerk, second.qr)).status).toBe(200);
  });

  it("rejects PINs that are not 4–6 digits and other bad bodies with 400 naming the field", async () => {
    const c = await t.newCommunity();
    const h = await newHousehold(c);
    for (const pin of ["12a4", "1234567", "123", "", " 1234", "１２３４", 1234, null, "9".repeat(10_000)]) {
      const res = await t.call("POST", `/households/${h.id}/card`, { token: c.tokens.admin, body: { pin } });
      expect(res.status, String(pin).slice(0, 10)).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(res.body.error.details.fields.pin).toBeTruthy();
    }
    expect((await t.call("POST", `/households/${h.id}/card`, { token: c.tokens.admin, body: {} })).body.error.details.fields.pin).toBeTruthy();
    expect(await t.db.$count(cards)).toBe(0);
    for (const pin of ["1234", "123456"]) expect((await t.call("POST", `/households/${h.id}/card`, { token: c.tokens.admin, body: { pin } })).status).toBe(201);
  });

  it("allows only the admin of the household's community", async () => {
    const a = await t.newCommunity();
    const b = await t.newCommunity();
    const h = await newHousehold(a);
    const card = await issue(a, h.id);
    const resident = (await cardLogin(card.cardNo, "2580")).body.token;
    for (const token of [a.tokens.reviewer, a.tokens.volunteer, a.tokens.clerk, resident]) {
      expect((await t.call("POST", `/households/${h.id}/card`, { token, body: { pin: "1111" } })).status).toBe(403);
    }
    expect((await t.call("POST", `/households/${h.id}/card`, { token: b.tokens.admin, body: { pin: "1111" } })).status).toBe(404);
    expect((await t.call("POST", "/households/unknown/card", { token: a.tokens.admin, body: { pin: "1111" } })).status).toBe(404);
    expect((await t.call("POST", `/households/${h.id}/card`, { body: { pin: "1111" } })).status).toBe(401);
  });
});

describe("POST /cards/resolve", () => {
  it("resolves a card for every staff role with household and balance", async () => {
    const c = await t.newCommunity();
    const h = await newHousehold(c, "董秀英");
    const card = await issue(c, h.id);
    for (const role of ["admin", "reviewer", "volunteer", "clerk"] as const) {
      const res = await resolve(c.tokens[role], card.qr);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ cardNo: card.cardNo, household: { id: h.id, householdNo: h.householdNo, headName: "董秀英", building: "12号楼" }, balance: 0 });
    }
    // A scanner may give the bare payload without the URL, or add whitespace.
    const payload = card.qr.slice(card.qr.indexOf("/c/") + 3);
    expect((await resolve(c.tokens.clerk, payload)).status).toBe(200);
    expect((await resolve(c.tokens.clerk, ` ${card.qr}\n`)).status).toBe(200);
    await t.ledgerOk(c.communityId);
  });

  it("answers 404 CARD_INVALID to forged, altered, bare, outdated, revoked and foreign cards", async () => {
    const a = await t.newCommunity();
    const b = await t.newCommunity();
    const h = await newHousehold(a);
    const other = await newHousehold(a);
    const card = await issue(a, h.id);
    const otherCard = await issue(a, other.id);
    const [, version, sig] = card.qr.slice(card.qr.indexOf("/c/") + 3).split(".");
    const bad = [
      alter(card.qr, card.qr.length - 1), // altered signature
      alter(card.qr, card.qr.length - 5),
      card.qr.replace(card.cardNo, otherCard.cardNo), // another card's number with this card's signature
      card.qr.replace(card.cardNo, alter(card.cardNo, 11)), // altered card number, same signature
      card.qr.replace(`.${version}.`, ".2."), // another version
      card.cardNo, // the bare card number
      `http://localhost:8787/c/${card.cardNo}`,
      `${card.cardNo}.${version}.${"A".repeat(22)}`,
      `${card.cardNo}.${version}.${sig}x`,
      "",
      "hello",
    ];
    for (const qr of bad.filter((q) => q !== "")) {
      const res = await resolve(a.tokens.clerk, qr);
      expect(res.status, qr).toBe(404);
      expect(res.body.error.code).toBe("CARD_INVALID");
    }
    // Staff of another community cannot resolve this community's card.
    expect((await resolve(b.tokens.clerk, card.qr)).body.error.code).toBe("CARD_INVALID");
    // A reissued household's old card no longer resolves.
    await issue(a, h.id);
    expect((await resolve(a.tokens.clerk, card.qr)).body.error.code).toBe("CARD_INVALID");
    // A revoked card no longer resolves.
    expect((await t.call("POST", `/cards/${otherCard.cardNo}/revoke`, { token: a.tokens.admin })).status).toBe(200);
    expect((await resolve(a.tokens.clerk, otherCard.qr)).body.error.code).toBe("CARD_INVALID");
  });

  it("rejects bad bodies with 400, residents with 403 and strangers with 401", async () => {
    const c = await t.newCommunity();
    const h = await newHousehold(c);
    const card = await issue(c, h.id);
    const resident = (await cardLogin(card.cardNo, "2580")).body.token;
    for (const qr of [undefined, 5, "", "x".repeat(501)]) {
      const res = await resolve(c.tokens.clerk, qr);
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.qr).toBeTruthy();
    }
    expect((await resolve(resident, card.qr)).status).toBe(403);
    expect((await resolve(undefined, card.qr)).status).toBe(401);
  });
});

describe("GET /cards/:cardNo/qr.svg", () => {
  it("draws the card's QR for the admin and for the household itself", async () => {
    const c = await t.newCommunity();
    const h = await newHousehold(c);
    const card = await issue(c, h.id);
    const resident = (await cardLogin(card.cardNo, "2580")).body.token;
    for (const token of [c.tokens.admin, resident]) {
      const res = await t.call("GET", `/cards/${card.cardNo}/qr.svg`, { token });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(String(res.body)).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    }
  });

  it("refuses other staff, other households, other communities and revoked cards", async () => {
    const a = await t.newCommunity();
    const b = await t.newCommunity();
    const h = await newHousehold(a);
    const neighbour = await newHousehold(a);
    const card = await issue(a, h.id);
    const neighbourCard = await issue(a, neighbour.id);
    const neighbourToken = (await cardLogin(neighbourCard.cardNo, "2580")).body.token;
    for (const token of [a.tokens.reviewer, a.tokens.volunteer, a.tokens.clerk, neighbourToken]) {
      expect((await t.call("GET", `/cards/${card.cardNo}/qr.svg`, { token })).status).toBe(403);
    }
    expect((await t.call("GET", `/cards/${card.cardNo}/qr.svg`, { token: b.tokens.admin })).status).toBe(404);
    expect((await t.call("GET", "/cards/000000000000/qr.svg", { token: a.tokens.admin })).status).toBe(404);
    expect((await t.call("GET", `/cards/${card.cardNo}/qr.svg`)).status).toBe(401);
    await t.call("POST", `/cards/${card.cardNo}/revoke`, { token: a.tokens.admin });
    expect((await t.call("GET", `/cards/${card.cardNo}/qr.svg`, { token: a.tokens.admin })).body.error.code).toBe("CARD_INVALID");
  });
});

describe("POST /cards/:cardNo/revoke", () => {
  it("stops the card everywhere at once: resident session, sign-in and scanning", async () => {
    const c = await t.newCommunity();
    const h = await newHousehold(c);
    const card = await issue(c, h.id);
    const resident = (await cardLogin(card.cardNo, "2580")).body.token;
    expect((await t.call("GET", "/me", { token: resident })).status).toBe(200);
    const res = await t.call("POST", `/cards/${card.cardNo}/revoke`, { token: c.tokens.admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cardNo: card.cardNo, status: "revoked" });
    const me = await t.call("GET", "/me", { token: resident });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe("UNAUTHENTICATED");
    expect((await cardLogin(card.cardNo, "2580")).status).toBe(401);
    expect((await resolve(c.tokens.clerk, card.qr)).status).toBe(404);
    expect((await t.call("GET", `/households/${h.id}`, { token: c.tokens.admin })).body.card).toBeNull();
    // Revoking again changes nothing and still answers 200.
    expect((await t.call("POST", `/cards/${card.cardNo}/revoke`, { token: c.tokens.admin })).status).toBe(200);
    expect(await t.db.$count(auditLog, eq(auditLog.action, "card.revoke"))).toBe(1);
    await t.ledgerOk(c.communityId);
  });

  it("ends the old card's resident session when a new card is issued", async () => {
    const c = await t.newCommunity();
    const h = await newHousehold(c);
    const card = await issue(c, h.id);
    const resident = (await cardLogin(card.cardNo, "2580")).body.token;
    await issue(c, h.id, "1357");
    expect((await t.call("GET", "/me", { token: resident })).status).toBe(401);
  });

  it("allows only the admin of the card's community", async () => {
    const a = await t.newCommunity();
    const b = await t.newCommunity();
    const h = await newHousehold(a);
    const card = await issue(a, h.id);
    const resident = (await cardLogin(card.cardNo, "2580")).body.token;
    for (const token of [a.tokens.reviewer, a.tokens.volunteer, a.tokens.clerk, resident]) {
      expect((await t.call("POST", `/cards/${card.cardNo}/revoke`, { token })).status).toBe(403);
    }
    expect((await t.call("POST", `/cards/${card.cardNo}/revoke`, { token: b.tokens.admin })).status).toBe(404);
    expect((await t.call("POST", "/cards/123456789012/revoke", { token: a.tokens.admin })).status).toBe(404);
    expect((await t.call("POST", `/cards/${card.cardNo}/revoke`, { body: {} })).status).toBe(401);
    expect((await resolve(a.tokens.clerk, card.qr)).status).toBe(200);
  });
});

describe("POST /auth/card-login", () => {
  it("signs the household in with the right PIN", async () => {
    const c = await t.newCommunity();
    const h = await newHousehold(c);
    const card = await issue(c, h.id);
    const res = await cardLogin(card.cardNo, "2580");
    expect(res.status).toBe(200);
    expect(res.body.household).toEqual({ id: h.id, householdNo: h.householdNo });
    const me = await t.call("GET", "/me", { token: res.body.token });
    expect(me.body).toMatchObject({ kind: "household", role: "resident", household: { id: h.id } });
  });

  it("locks the card's sign-in after 5 wrong PINs, even for the right PIN, for 15 minutes", async () => {
    const c = await t.newCommunity();
    const h = await newHousehold(c);
    const card = await issue(c, h.id);
    for (let i = 0; i < 5; i++) {
      const wrong = await cardLogin(card.cardNo, "0000");
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe("PIN_WRONG");
    }
    const locked = await cardLogin(card.cardNo, "2580");
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe("TOO_MANY_ATTEMPTS");
    t.clock.advanceHours(0.1);
    expect((await cardLogin(card.cardNo, "2580")).status).toBe(429);
    t.clock.advanceHours(0.16);
    expect((await cardLogin(card.cardNo, "2580")).status).toBe(200);
  });

  it("answers 401 for an unknown card and the same for a revoked one", async () => {
    const c = await t.newCommunity();
    const h = await newHousehold(c);
    const card = await issue(c, h.id);
    expect((await cardLogin("999999999999", "2580")).body.error.code).toBe("PIN_WRONG");
    await t.call("POST", `/cards/${card.cardNo}/revoke`, { token: c.tokens.admin });
    expect((await cardLogin(card.cardNo, "2580")).body.error.code).toBe("PIN_WRONG");
  });
});
