/**
 * What officers do above the communities is audited per region (issue 11): sign-ins, failed ones,
 * townships, officer accounts (created, disabled, password reset), communities created and
 * moved. A county officer reads its county's log and its townships'; a township officer only
 * its own; an officer outside is refused. And officers manage the officers below them.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCounty } from "../api/domain/regions";
import { createTestApp, testPassword, type TestApp } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

async function ok(res: { status: number; body: any }, status = 200) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

describe("the region's audit log and officers below", () => {
  it("records an officer's sign-ins, townships, accounts and communities, and shows each officer only its part", async () => {
    const { regionId: countyId } = await createCounty(t.db, t.clock, { name: "卢氏县", officer: { username: "officer", password: testPassword, name: "县乡村振兴局" } });
    expect((await t.call("POST", "/auth/login", { body: { username: "officer", password: "wrong-password-1" } })).status).toBe(401);
    const county = await t.login("officer");
    const town = await ok(await t.call("POST", "/regions", { token: county, body: { name: "城关镇" } }), 201);
    const other = await ok(await t.call("POST", "/regions", { token: county, body: { name: "东明镇" } }), 201);
    const created = await ok(await t.call("POST", "/users", { token: county, body: { username: "town-officer", password: testPassword, name: "城关镇干部", role: "officer", regionId: town.id } }), 201);
    const community = await ok(await t.call("POST", "/communities", { token: county, body: { name: "幸福苑社区", code: "XFY", regionId: town.id, admin: { username: "admin-xfy", password: testPassword, name: "管理员" } } }), 201);
    await ok(await t.call("PATCH", `/communities/${community.id}`, { token: county, body: { regionId: other.id } }));

    const log = await ok(await t.call("GET", `/regions/${countyId}/audit`, { token: county }));
    const actions = log.items.map((e: { action: string; regionName: string }) => `${e.action}@${e.regionName}`);
    expect(actions).toEqual([
      "community.move@卢氏县",
      "community.create@城关镇",
      "user.create@城关镇",
      "region.create@卢氏县",
      "region.create@卢氏县",
      "auth.login@卢氏县",
      "auth.login_failed@卢氏县",
    ]);
    expect(log.items.every((e: { actorName: string | null }) => e.actorName === "县乡村振兴局")).toBe(true);
    expect(log.items.find((e: { action: string }) => e.action === "user.create").targetId).toBe(created.id);

    // The township officer sees its township's rows only, and is refused the county's log.
    const townToken = await t.login("town-officer");
    const own = await ok(await t.call("GET", `/regions/${town.id}/audit`, { token: townToken }));
    expect(own.items.map((e: { action: string }) => e.action)).toEqual(["auth.login", "community.create", "user.create"]);
    expect((await t.call("GET", `/regions/${countyId}/audit`, { token: townToken })).status).toBe(403);
    // Paging: newest first, a cursor continues where the page ended.
    const first = await ok(await t.call("GET", `/regions/${countyId}/audit?limit=3`, { token: county }));
    const next = await ok(await t.call("GET", `/regions/${countyId}/audit?limit=3&cursor=${first.nextCursor}`, { token: county }));
    expect(next.items[0].seq).toBeLessThan(first.items[2].seq);
  });

  it("lets an officer disable an officer below it and reset its password; the account's sessions end at once", async () => {
    const { regionId: countyId } = await createCounty(t.db, t.clock, { name: "卢氏县", officer: { username: "officer", password: testPassword, name: "县乡村振兴局" } });
    const county = await t.login("officer");
    const town = await ok(await t.call("POST", "/regions", { token: county, body: { name: "城关镇" } }), 201);
    const townOfficer = await ok(await t.call("POST", "/users", { token: county, body: { username: "town-officer", password: testPassword, name: "城关镇干部", role: "officer", regionId: town.id } }), 201);
    const townToken = await t.login("town-officer");
    expect((await t.call("GET", "/regions", { token: townToken })).status).toBe(200);

    // A township officer cannot touch the county's officer, nor itself.
    const { user: me } = await ok(await t.call("GET", "/me", { token: county }));
    expect((await t.call("PATCH", `/officers/${me.id}`, { token: townToken, body: { active: false } })).status).toBe(404);
    expect((await t.call("PATCH", `/officers/${townOfficer.id}`, { token: townToken, body: { active: false } })).status).toBe(409);

    const disabled = await ok(await t.call("PATCH", `/officers/${townOfficer.id}`, { token: county, body: { active: false } }));
    expect(disabled.active).toBe(false);
    expect((await t.call("GET", "/regions", { token: townToken })).status).toBe(401);
    expect((await t.call("POST", "/auth/login", { body: { username: "town-officer", password: testPassword } })).status).toBe(401);

    await ok(await t.call("PATCH", `/officers/${townOfficer.id}`, { token: county, body: { active: true } }));
    await ok(await t.call("POST", `/officers/${townOfficer.id}/password`, { token: county, body: { password: "a-new-password-2026" } }));
    expect((await t.call("POST", "/auth/login", { body: { username: "town-officer", password: testPassword } })).status).toBe(401);
    await ok(await t.call("POST", "/auth/login", { body: { username: "town-officer", password: "a-new-password-2026" } }));
    expect((await t.call("POST", `/officers/${townOfficer.id}/password`, { token: county, body: { password: "short" } })).status).toBe(400);

    // Another county's officer learns nothing: 404 as for an unknown account.
    await createCounty(t.db, t.clock, { name: "栾川县", officer: { username: "officer-lc", password: testPassword, name: "栾川县乡村振兴局" } });
    const stranger = await t.login("officer-lc");
    expect((await t.call("PATCH", `/officers/${townOfficer.id}`, { token: stranger, body: { active: false } })).status).toBe(404);
    expect((await t.call("GET", `/regions/${countyId}/audit`, { token: stranger })).status).toBe(403);

    const log = await ok(await t.call("GET", `/regions/${countyId}/audit`, { token: county }));
    const mine = log.items.filter((e: { actor: string }) => e.actor === `user:${me.id}`).map((e: { action: string }) => e.action);
    expect(mine.slice(0, 3)).toEqual(["user.password_reset", "user.enable", "user.disable"]);
  });
});
