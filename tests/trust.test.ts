/**
 * Trust promises that are not one endpoint's: history that the database itself refuses to edit,
 * sign-in throttling across accounts, session limits, and the resident's one-time code that
 * stands in for the printed card.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addGoods, addHousehold, countRows, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, testPassword, type TestApp } from "./support/harness";
import { limits } from "../shared/limits";

let t: TestApp;

/** The driver's message behind drizzle's "Failed query" wrapper. */
async function failure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (err) {
    return `${String(err)} ${String((err as { cause?: unknown }).cause ?? "")}`;
  }
  return "it succeeded";
}
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

describe("append-only history, in the database itself", () => {
  it("refuses UPDATE and DELETE on transfers, postings, the register, credits and the audit log", async () => {
    const c = await t.newCommunity();
    const h = await addHousehold(t, c);
    await grantPoints(t.db, c.communityId, h.id, 10);
    await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { minPublicityHours: 0 } });
    const rule = (await t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "policy", title: "政策学习", kind: "award", minPoints: 1, maxPoints: 5 } })).body;
    const app = (await t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: h.id, ruleId: rule.id, description: "x" } })).body;
    await t.call("POST", `/applications/${app.id}/certify`, { token: c.tokens.reviewer, body: { decision: "approve" } });
    const attempts = [
      sql`UPDATE transfers SET amount = amount + 1`,
      sql`DELETE FROM transfers`,
      sql`UPDATE postings SET amount = 0`,
      sql`DELETE FROM postings`,
      sql`UPDATE register_entries SET points = 99`,
      sql`DELETE FROM register_entries`,
      sql`UPDATE audit_log SET actor = 'someone'`,
      sql`DELETE FROM audit_log`,
      sql`DELETE FROM application_events`,
    ];
    for (const attempt of attempts) expect(await failure(t.db.run(attempt))).toMatch(/append-only/);
    expect(await countRows(t.db, "register_entries")).toBe(1);
    await t.ledgerOk(c.communityId);
  });

  it("lets a transfer be reversed only once, even written by hand", async () => {
    const c = await t.newCommunity();
    const h = await addHousehold(t, c);
    const id = await grantPoints(t.db, c.communityId, h.id, 10);
    const reversal = (n: number) =>
      t.db.run(sql`INSERT INTO transfers (id, community_id, debit_account_id, credit_account_id, amount, kind, cause, reverses_transfer_id, created_by, created_at)
        VALUES (${`rev-${n}`}, ${c.communityId}, ${h.id}, ${`issuance:${c.communityId}`}, 10, 'reversal', ${`manual:${n}`}, ${id}, 'test', '2026-11-02T00:00:00Z')`);
    await reversal(1);
    expect(await failure(reversal(2))).toMatch(/UNIQUE constraint failed: transfers.reverses_transfer_id/);
  });
});

describe("sign-in throttling", () => {
  it(`refuses an address after ${limits.addressFailuresMax} failures across accounts and cards, even with the right password`, async () => {
    const c = await t.newCommunity("THR");
    const from = { "cf-connecting-ip": "203.0.113.7" };
    for (let i = 0; i < limits.addressFailuresMax; i++) {
      const res = await t.call("POST", "/auth/login", { headers: from, body: { username: `nobody-${i}`, password: "wrong-password-x" } });
      expect(res.status).toBe(401);
    }
    const blocked = await t.call("POST", "/auth/login", { headers: from, body: { username: "admin-thr", password: testPassword } });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe("TOO_MANY_ATTEMPTS");
    const card = await t.call("POST", "/auth/card-login", { headers: from, body: { cardNo: "123456789012", pin: "1234" } });
    expect(card.status).toBe(429);
    // Another address is not affected, and the window passes.
    expect((await t.call("POST", "/auth/login", { headers: { "cf-connecting-ip": "198.51.100.1" }, body: { username: "admin-thr", password: testPassword } })).status).toBe(200);
    t.clock.advanceHours(limits.addressWindowMinutes / 60);
    expect((await t.call("POST", "/auth/login", { headers: from, body: { username: "admin-thr", password: testPassword } })).status).toBe(200);
    void c;
  });

  it("ends a staff session at its absolute limit even when it is used all the time", async () => {
    const c = await t.newCommunity();
    const steps = Math.ceil(limits.staffSessionAbsoluteHours / 6);
    for (let i = 0; i < steps; i++) {
      t.clock.advanceHours(6);
      const res = await t.call("GET", "/me", { token: c.tokens.admin });
      if (res.status === 401) {
        expect(i * 6 + 6).toBeGreaterThanOrEqual(limits.staffSessionAbsoluteHours);
        return;
      }
    }
    throw new Error("the session outlived its absolute limit");
  });
});

describe("the resident's one-time code", () => {
  async function setup() {
    const c = await t.newCommunity();
    const h = await addHousehold(t, c);
    const card = await issueCardFor(t, c, h.id, "2468");
    await grantPoints(t.db, c.communityId, h.id, 100);
    const soap = await addGoods(t, c, { name: "香皂", points: 5, stock: 50 });
    const resident = (await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "2468" } })).body.token as string;
    return { c, h, card, soap, resident };
  }
  const basket = (qr: string, goodsId: string) => ({ qr, items: [{ goodsId, quantity: 1 }] });

  it("pays once within 60 seconds and is refused after, without touching the balance", async () => {
    const { c, h, soap, resident } = await setup();
    const code = await t.call("POST", "/cards/code", { token: resident });
    expect(code.status).toBe(201);
    expect(code.body.qr).toMatch(/^http:\/\/localhost:8787\/d\/[A-Za-z0-9_-]{22,}$/);
    expect(code.body.seconds).toBe(60);
    expect(code.body.svg).toMatch(/^<svg/);
    const preview = await t.call("POST", "/cards/resolve", { token: c.tokens.clerk, body: { qr: code.body.qr } });
    expect(preview.body).toMatchObject({ household: { id: h.id }, balance: 100 });
    const paid = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": "code-1" }, body: basket(code.body.qr, soap.id) });
    expect(paid.status).toBe(201);
    const replay = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": "code-1" }, body: basket(code.body.qr, soap.id) });
    expect(replay.body.id).toBe(paid.body.id);
    const again = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": "code-2" }, body: basket(code.body.qr, soap.id) });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("CODE_USED");
    expect((await t.call("POST", "/cards/resolve", { token: c.tokens.clerk, body: { qr: code.body.qr } })).body.error.code).toBe("CODE_USED");
    const fresh = (await t.call("POST", "/cards/code", { token: resident })).body;
    t.clock.advanceHours(61 / 3600);
    const expired = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": "code-3" }, body: basket(fresh.qr, soap.id) });
    expect(expired.body.error.code).toBe("CODE_EXPIRED");
    expect((await t.call("GET", `/households/${h.id}`, { token: c.tokens.admin })).body.balance).toBe(95);
    await t.ledgerOk(c.communityId);
  });

  it("pays once when two clerks scan the same code at the same moment", async () => {
    const { c, h, soap, resident } = await setup();
    const code = (await t.call("POST", "/cards/code", { token: resident })).body;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": `race-${i}` }, body: basket(code.qr, soap.id) })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 201).every((r) => r.body.error.code === "CODE_USED")).toBe(true);
    expect((await t.call("GET", `/households/${h.id}`, { token: c.tokens.admin })).body.balance).toBe(95);
    await t.ledgerOk(c.communityId);
  });

  it("is refused once the card is revoked, and only residents ask for one", async () => {
    const { c, card, soap, resident } = await setup();
    for (const role of ["admin", "clerk"] as const) expect((await t.call("POST", "/cards/code", { token: c.tokens[role] })).status).toBe(403);
    expect((await t.call("POST", "/cards/code")).status).toBe(401);
    const code = (await t.call("POST", "/cards/code", { token: resident })).body;
    await t.call("POST", `/cards/${card.cardNo}/revoke`, { token: c.tokens.admin });
    const res = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": "revoked" }, body: basket(code.qr, soap.id) });
    expect(res.body.error.code).toBe("CARD_INVALID");
    for (const forged of [code.qr.replace(/.$/, (ch: string) => (ch === "A" ? "B" : "A")), "http://localhost:8787/d/short", "/d/" + "x".repeat(600)]) {
      expect((await t.call("POST", "/cards/resolve", { token: c.tokens.clerk, body: { qr: forged } })).status).toBeGreaterThanOrEqual(400);
    }
  });
});

describe("cookies and headers", () => {
  it("sets an HttpOnly, SameSite=Strict session cookie and security headers on every answer, errors too", async () => {
    const c = await t.newCommunity("HDR");
    const login = await t.call("POST", "/auth/login", { body: { username: "admin-hdr", password: testPassword } });
    expect(login.headers.get("set-cookie")).toMatch(/HttpOnly/i);
    expect(login.headers.get("set-cookie")).toMatch(/SameSite=Strict/i);
    for (const res of [login, await t.call("GET", "/health"), await t.call("GET", "/nope"), await t.call("POST", "/rules", { token: c.tokens.clerk, body: {} })]) {
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    }
  });
});
