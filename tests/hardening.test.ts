/**
 * The holes an outside probe found around the ledger (issue 9): racing lockouts, enumeration by
 * lock answers, spoofed client addresses, a one-time code that outlived its sign-out, staff
 * accounts without a lifecycle, and the shop's clerk reading the household register.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { limits } from "../shared/limits";
import { addGoods, addHousehold, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, testPassword, type TestApp } from "./support/harness";
import { startNodeTarget, type NodeTarget } from "../scripts/lib/server-target";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const codesOf = (answers: Array<{ status: number; body: any }>) => answers.map((a) => a.body?.error?.code ?? String(a.status));

describe("attempts are counted before the secret is checked", () => {
  it("checks at most five PINs when a hundred sign-ins race, the right PIN among them", async () => {
    const c = await t.newCommunity("RACE");
    const h = await addHousehold(t, c);
    const card = await issueCardFor(t, c, h.id, "2468");
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: i === 40 ? "2468" : "1111" } })),
    );
    const codes = codesOf(answers);
    const checked = codes.filter((code) => code === "PIN_WRONG" || code === "200");
    expect(checked.length).toBeLessThanOrEqual(limits.pinAttemptsMax);
    expect(codes.filter((code) => code === "TOO_MANY_ATTEMPTS")).toHaveLength(100 - checked.length);
    // The right PIN came too late to be checked: the card stays locked, even for it.
    expect((await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "2468" } })).status).toBe(429);
  });

  it("checks at most ten passwords when sixty staff sign-ins race", async () => {
    await t.newCommunity("RACE");
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => t.call("POST", "/auth/login", { body: { username: "admin-race", password: i === 30 ? testPassword : "wrong-password-x" } })),
    );
    const codes = codesOf(answers);
    expect(codes.filter((code) => code === "BAD_CREDENTIALS" || code === "200").length).toBeLessThanOrEqual(limits.loginAttemptsMax);
    expect(codes.filter((code) => code === "TOO_MANY_ATTEMPTS").length).toBeGreaterThanOrEqual(60 - limits.loginAttemptsMax);
  });

  it("answers unknown usernames and card numbers exactly like known ones, lock included", async () => {
    const c = await t.newCommunity("ENUM");
    const h = await addHousehold(t, c);
    const card = await issueCardFor(t, c, h.id, "2468");
    const sequence = async (path: string, body: (i: number) => unknown, n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        const res = await t.call("POST", path, { body: body(i) });
        out.push(`${res.status} ${res.body.error.code} ${res.body.error.message}`);
      }
      return out;
    };
    const n = limits.loginAttemptsMax + 2;
    const known = await sequence("/auth/login", () => ({ username: "admin-enum", password: "wrong-password-x" }), n);
    const unknown = await sequence("/auth/login", () => ({ username: "nobody-here", password: "wrong-password-x" }), n);
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toMatch(/^429 TOO_MANY_ATTEMPTS/);
    const m = limits.pinAttemptsMax + 2;
    const knownCard = await sequence("/auth/card-login", () => ({ cardNo: card.cardNo, pin: "1111" }), m);
    const unknownCard = await sequence("/auth/card-login", () => ({ cardNo: "999999999999", pin: "1111" }), m);
    expect(unknownCard).toEqual(knownCard);
  });

  it("lets the right PIN in after the lock ends, and a success starts the count afresh", async () => {
    const c = await t.newCommunity("CYCLE");
    const h = await addHousehold(t, c);
    const card = await issueCardFor(t, c, h.id, "2468");
    for (let i = 0; i < limits.pinAttemptsMax; i++) await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "1111" } });
    expect((await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "2468" } })).status).toBe(429);
    t.clock.advanceHours(limits.pinLockoutMinutes / 60 + 0.01);
    expect((await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "2468" } })).status).toBe(200);
    for (let i = 0; i < limits.pinAttemptsMax - 1; i++) await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "1111" } });
    expect((await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "2468" } })).status).toBe(200);
  });
});

describe("failed sign-ins and locks in the audit log", () => {
  it("records each counted failure and the lock once, and nothing more for a flood against the lock", async () => {
    const c = await t.newCommunity("AUD");
    const h = await addHousehold(t, c);
    const card = await issueCardFor(t, c, h.id, "2468");
    for (let i = 0; i < 100; i++) await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "1111" } });
    for (let i = 0; i < 30; i++) await t.call("POST", "/auth/login", { body: { username: "clerk-aud", password: "wrong-password-x" } });
    const log = (await t.call("GET", "/audit?limit=200", { token: c.tokens.admin })).body.items as Array<{ action: string }>;
    const count = (action: string) => log.filter((e) => e.action === action).length;
    expect(count("auth.card_login_failed")).toBe(limits.pinAttemptsMax);
    expect(count("auth.login_failed")).toBe(limits.loginAttemptsMax);
    expect(count("auth.locked")).toBe(2);
  });

  it("lists a card locked by wrong PINs for the admin, until when, and unlocks it (audited)", async () => {
    const c = await t.newCommunity("LCK");
    const h = await addHousehold(t, c, { householdNo: "LCK-0001" });
    const card = await issueCardFor(t, c, h.id, "2468");
    expect((await t.call("GET", "/cards/locked", { token: c.tokens.admin })).body.items).toEqual([]);
    for (let i = 0; i < limits.pinAttemptsMax; i++) await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "1111" } });
    const locked = await t.call("GET", "/cards/locked", { token: c.tokens.admin });
    expect(locked.body.items).toEqual([{ cardNo: card.cardNo, householdNo: "LCK-0001", lockedUntil: expect.any(String) }]);
    expect(Date.parse(locked.body.items[0].lockedUntil) - t.clock.now().getTime()).toBe(limits.pinLockoutMinutes * 60_000);
    const foreign = await t.newCommunity("LCK2");
    expect((await t.call("GET", "/cards/locked", { token: foreign.tokens.admin })).body.items).toEqual([]);
    expect((await t.call("POST", `/cards/${card.cardNo}/unlock`, { token: foreign.tokens.admin })).status).toBe(404);
    const unlocked = await t.call("POST", `/cards/${card.cardNo}/unlock`, { token: c.tokens.admin });
    expect(unlocked.body).toEqual({ cardNo: card.cardNo, unlocked: true });
    expect((await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "2468" } })).status).toBe(200);
    const log = (await t.call("GET", "/audit?action=card.unlock", { token: c.tokens.admin })).body.items;
    expect(log).toHaveLength(1);
  });
});

describe("a one-time code", () => {
  it("stops paying the moment the phone that made it signs out", async () => {
    const c = await t.newCommunity("OTC");
    const h = await addHousehold(t, c);
    const card = await issueCardFor(t, c, h.id, "2468");
    await grantPoints(t.db, c.communityId, h.id, 50);
    const soap = await addGoods(t, c, { points: 5 });
    const resident = (await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "2468" } })).body.token;
    const code = (await t.call("POST", "/cards/code", { token: resident })).body;
    expect((await t.call("POST", "/auth/logout", { token: resident })).status).toBe(200);
    const paid = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": "after-logout" }, body: { qr: code.qr, items: [{ goodsId: soap.id, quantity: 1 }] } });
    expect(paid.body.error.code).toBe("CODE_EXPIRED");
    expect((await t.call("GET", `/households/${h.id}`, { token: c.tokens.admin })).body.balance).toBe(50);
  });
});

describe("staff accounts have a lifecycle", () => {
  it("disables an account: its token dies at once and it cannot sign in until re-enabled", async () => {
    const c = await t.newCommunity("LIFE");
    const disabled = await t.call("PATCH", `/users/${c.userIds.clerk}`, { token: c.tokens.admin, body: { active: false } });
    expect(disabled.status).toBe(200);
    expect(disabled.body.active).toBe(false);
    expect((await t.call("GET", "/me", { token: c.tokens.clerk })).status).toBe(401);
    expect((await t.call("POST", "/auth/login", { body: { username: "clerk-life", password: testPassword } })).status).toBe(401);
    expect((await t.call("PATCH", `/users/${c.userIds.clerk}`, { token: c.tokens.admin, body: { active: true } })).body.active).toBe(true);
    expect((await t.call("POST", "/auth/login", { body: { username: "clerk-life", password: testPassword } })).status).toBe(200);
    // An admin cannot disable itself (the community would lose its last admin).
    expect((await t.call("PATCH", `/users/${c.userIds.admin}`, { token: c.tokens.admin, body: { active: false } })).status).toBe(409);
  });

  it("resets a password: the old one and the old sessions stop working, the new one signs in", async () => {
    const c = await t.newCommunity("PWD");
    const reset = await t.call("POST", `/users/${c.userIds.reviewer}/password`, { token: c.tokens.admin, body: { password: "a-brand-new-secret" } });
    expect(reset.status).toBe(200);
    expect((await t.call("GET", "/me", { token: c.tokens.reviewer })).status).toBe(401);
    expect((await t.call("POST", "/auth/login", { body: { username: "reviewer-pwd", password: testPassword } })).status).toBe(401);
    expect((await t.call("POST", "/auth/login", { body: { username: "reviewer-pwd", password: "a-brand-new-secret" } })).status).toBe(200);
    expect((await t.call("POST", `/users/${c.userIds.reviewer}/password`, { token: c.tokens.admin, body: { password: "short" } })).status).toBe(400);
  });

  it("ends every session of an account, and another community's admin cannot touch it", async () => {
    const c = await t.newCommunity("END");
    const second = await t.login("volunteer-end");
    const foreign = await t.newCommunity("END2");
    expect((await t.call("POST", `/users/${c.userIds.volunteer}/sessions/end`, { token: foreign.tokens.admin })).status).toBe(404);
    expect((await t.call("PATCH", `/users/${c.userIds.volunteer}`, { token: foreign.tokens.admin, body: { active: false } })).status).toBe(404);
    const ended = await t.call("POST", `/users/${c.userIds.volunteer}/sessions/end`, { token: c.tokens.admin });
    expect(ended.body.ended).toBe(2);
    for (const token of [c.tokens.volunteer, second]) expect((await t.call("GET", "/me", { token })).status).toBe(401);
    const log = (await t.call("GET", "/audit?action=user.*", { token: c.tokens.admin })).body.items.map((e: { action: string }) => e.action);
    expect(log).toContain("user.sessions_end");
  });
});

describe("the household register is the office's", () => {
  it("refuses the shop's clerk, and shows volunteers names and buildings without phone or card numbers", async () => {
    const c = await t.newCommunity("REG");
    const h = await addHousehold(t, c, { phone: "13900001111" });
    const card = await issueCardFor(t, c, h.id);
    expect((await t.call("GET", "/households", { token: c.tokens.clerk })).status).toBe(403);
    const seen = (await t.call("GET", "/households", { token: c.tokens.volunteer })).body.items[0];
    expect(seen).toMatchObject({ headName: expect.any(String), building: expect.any(String), phone: null });
    expect(JSON.stringify(seen)).not.toContain(card.cardNo);
    expect(JSON.stringify(seen)).not.toContain("13900001111");
    const detail = (await t.call("GET", `/households/${h.id}`, { token: c.tokens.volunteer })).body;
    expect(JSON.stringify(detail)).not.toContain(card.cardNo);
    expect(detail.phone).toBeNull();
    // A volunteer cannot find a household by its phone number either.
    expect((await t.call("GET", "/households?q=1390000", { token: c.tokens.volunteer })).body.items).toEqual([]);
    const office = (await t.call("GET", "/households", { token: c.tokens.reviewer })).body.items[0];
    expect(office.phone).toBe("13900001111");
    expect(office.card.cardNo).toBe(card.cardNo);
  });
});

describe("on Node, the client's address is the socket's unless a proxy is trusted", () => {
  let server: NodeTarget | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it("ignores a forged CF-Connecting-IP: thirty failures 'from' 10.7.7.7 throttle the real address", async () => {
    server = await startNodeTarget({ TRUST_PROXY: "0" });
    for (let i = 0; i < limits.addressFailuresMax; i++) {
      await server.call("POST", "/auth/login", { headers: { "cf-connecting-ip": `10.7.7.${i}`, "x-forwarded-for": `10.8.8.${i}` }, body: { username: `nobody-${i}`, password: "wrong-password-x" } });
    }
    const blocked = await server.call("POST", "/auth/login", { headers: { "cf-connecting-ip": "10.9.9.9" }, body: { username: "admin", password: server.adminPassword } });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.details.scope).toBe("address");
  });

  it("with TRUST_PROXY=1 counts the forwarded address, and the audit log records it", async () => {
    server = await startNodeTarget({ TRUST_PROXY: "1" });
    for (let i = 0; i < limits.addressFailuresMax; i++) {
      await server.call("POST", "/auth/login", { headers: { "x-forwarded-for": "203.0.113.9" }, body: { username: `nobody-${i}`, password: "wrong-password-x" } });
    }
    expect((await server.call("POST", "/auth/login", { headers: { "x-forwarded-for": "203.0.113.9" }, body: { username: "admin", password: server.adminPassword } })).status).toBe(429);
    const ok = await server.call("POST", "/auth/login", { headers: { "x-forwarded-for": "198.51.100.4", "cf-connecting-ip": "10.7.7.7" }, body: { username: "admin", password: server.adminPassword } });
    expect(ok.status).toBe(200);
    const log = await server.call("GET", "/audit?action=auth.login", { token: ok.body.token });
    expect(log.body.items[0].ip).toBe("198.51.100.4");
  });
});

describe("a production-style start", () => {
  it("refuses to start behind https with the published default password or development key, naming the variable", async () => {
    await expect(startNodeTarget({ PUBLIC_URL: "https://points.example.org", SEED_PASSWORD: "shuangfu-demo-2026", CARD_SIGNING_KEY: "a-long-random-production-secret-0001" }, { healthTimeoutMs: 8000 })).rejects.toThrow(/SEED_PASSWORD/);
    await expect(startNodeTarget({ PUBLIC_URL: "https://points.example.org", SEED_PASSWORD: "my-own-seed-password" }, { healthTimeoutMs: 8000 })).rejects.toThrow(/CARD_SIGNING_KEY/);
  });
});
