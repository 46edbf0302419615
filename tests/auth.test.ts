import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, testPassword, type TestApp } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

describe("staff sign-in", () => {
  it("answers a token and the user for the right password", async () => {
    const c = await t.newCommunity("AUTH");
    const res = await t.call("POST", "/auth/login", { body: { username: "admin-auth", password: testPassword } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: "admin-auth", role: "admin", communityId: c.communityId, shopId: null });
    expect(res.headers.get("set-cookie")).toMatch(/sf_session=.*HttpOnly/i);
    const me = await t.call("GET", "/me", { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe("admin-auth");
  });

  it("returns 401 BAD_CREDENTIALS in the error shape for a wrong password or unknown user", async () => {
    await t.newCommunity("AUTH");
    for (const body of [{ username: "admin-auth", password: "wrong-password!" }, { username: "nobody", password: testPassword }]) {
      const res = await t.call("POST", "/auth/login", { body });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("BAD_CREDENTIALS");
      expect(res.body.error.message).toMatch(/用户名或密码/);
    }
  });

  it("answers in English when asked", async () => {
    const res = await t.call("POST", "/auth/login", { body: { username: "x", password: "y" }, headers: { "accept-language": "en-US,en" } });
    expect(res.body.error.message).toBe("Wrong username or password.");
  });

  it("rejects malformed JSON and wrong types with 400 and names the fields", async () => {
    const bad = await t.call("POST", "/auth/login", { rawBody: "{not json", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("MALFORMED_JSON");
    const wrong = await t.call("POST", "/auth/login", { body: { username: 5 } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe("VALIDATION_FAILED");
    expect(Object.keys(wrong.body.error.details.fields)).toEqual(expect.arrayContaining(["username", "password"]));
  });

  it("signs out: the token stops working at once", async () => {
    const c = await t.newCommunity("AUTH");
    expect((await t.call("POST", "/auth/logout", { token: c.tokens.admin })).status).toBe(200);
    const me = await t.call("GET", "/me", { token: c.tokens.admin });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe("UNAUTHENTICATED");
  });

  it("expires an idle staff session", async () => {
    const c = await t.newCommunity("AUTH");
    t.clock.advanceHours(13);
    expect((await t.call("GET", "/me", { token: c.tokens.admin })).status).toBe(401);
  });
});

describe("staff accounts", () => {
  it("lets an admin create a reviewer who can then sign in", async () => {
    const c = await t.newCommunity("USR");
    const res = await t.call("POST", "/users", { token: c.tokens.admin, body: { username: "li-reviewer", password: "a-long-password", name: "李审核", role: "reviewer" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username: "li-reviewer", role: "reviewer", communityId: c.communityId });
    await expect(t.login("li-reviewer", "a-long-password")).resolves.toBeTruthy();
  });

  it("refuses short passwords, clerks without a shop, and duplicate usernames", async () => {
    const c = await t.newCommunity("USR");
    const short = await t.call("POST", "/users", { token: c.tokens.admin, body: { username: "u1", password: "short", name: "x", role: "reviewer" } });
    expect(short.status).toBe(400);
    expect(short.body.error.details.fields.password).toBeTruthy();
    const clerk = await t.call("POST", "/users", { token: c.tokens.admin, body: { username: "clerk2", password: "a-long-password", name: "x", role: "clerk" } });
    expect(clerk.status).toBe(400);
    const dup = await t.call("POST", "/users", { token: c.tokens.admin, body: { username: "reviewer-usr", password: "a-long-password", name: "x", role: "reviewer" } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("DUPLICATE");
  });

  it("allows only admins: other roles get 403, strangers 401", async () => {
    const c = await t.newCommunity("USR");
    const body = { username: "newbie", password: "a-long-password", name: "x", role: "volunteer" };
    for (const role of ["reviewer", "volunteer", "clerk"] as const) {
      expect((await t.call("POST", "/users", { token: c.tokens[role], body })).status).toBe(403);
    }
    expect((await t.call("POST", "/users", { body })).status).toBe(401);
  });

  it("does not let an admin attach a clerk to another community's shop", async () => {
    const a = await t.newCommunity("AAA");
    const b = await t.newCommunity("BBB");
    const res = await t.call("POST", "/users", { token: a.tokens.admin, body: { username: "sneaky", password: "a-long-password", name: "x", role: "clerk", shopId: b.shopId } });
    expect(res.status).toBe(404);
  });
});

describe("service", () => {
  it("answers health and serves a generated OpenAPI document", async () => {
    expect((await t.call("GET", "/health")).body).toEqual({ ok: true });
    const spec = await t.call("GET", "/openapi.json");
    expect(spec.status).toBe(200);
    expect(spec.body.paths["/auth/login"].post).toBeTruthy();
  });

  it("answers unknown paths with 404 in the error shape", async () => {
    const res = await t.call("GET", "/nope");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
  });
});

describe("cross-site requests", () => {
  it("refuses a cookie-authenticated form post from another site, but answers 401 to a request with no credentials", async () => {
    const c = await t.newCommunity("CSRF");
    const login = await t.call("POST", "/auth/login", { body: { username: "admin-csrf", password: testPassword } });
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    const forged = await t.call("POST", "/auth/logout", { rawBody: "x=1", headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" } });
    expect(forged.status).toBe(403);
    expect((await t.call("GET", "/me", { headers: { cookie } })).status).toBe(200);
    const anonymous = await t.call("POST", "/auth/logout", { rawBody: "x=1", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(anonymous.status).toBe(401);
    expect(c.communityId).toBeTruthy();
  });
});
