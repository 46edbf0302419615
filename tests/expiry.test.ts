/**
 * Points expiry (issue 12 item 5): off by default; with `expiryMonths` set, the scheduled run
 * expires points credited more than that many months ago and still unspent, FIFO (spending takes
 * the oldest first), as `expiry` ledger entries; spent points never expire; a rerun expires
 * nothing twice; households see what expires in the next 60 days; the summary counts it.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newId } from "../api/domain/clock";
import { addMonthsToDay, expiresOn } from "../api/domain/expiry";
import { runScheduledJobs } from "../api/domain/jobs";
import { accountOf, addGoods, addHousehold, countRows, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

// The test clock starts at 2026-11-02T02:00Z (10:00 in China).
const longAgo = "2025-06-10T02:00:00.000Z";
const lastYear = "2025-11-20T02:00:00.000Z"; // expires 2026-11-21 with 12 months: within 60 days
const recent = "2026-09-01T02:00:00.000Z";

async function setup(code = "EXP") {
  const c = await t.newCommunity(code);
  const household = await addHousehold(t, c);
  const card = await issueCardFor(t, c, household.id, "2468");
  const rice = await addGoods(t, c, { name: "大米", points: 10, stock: 1000 });
  return { c, household, card, rice };
}

async function spend(s: Awaited<ReturnType<typeof setup>>, quantity: number) {
  const res = await t.call("POST", "/redemptions", { token: s.c.tokens.clerk, body: { qr: s.card.qr, pin: "2468", items: [{ goodsId: s.rice.id, quantity }] }, headers: { "idempotency-key": newId() } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
}

function setExpiry(c: TestCommunity, expiryMonths: number | null) {
  return t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { expiryMonths } });
}

async function expiredOf(communityId: string) {
  const [row] = await t.db.all<{ total: number }>(sql`SELECT COALESCE(SUM(amount), 0) AS total FROM transfers WHERE community_id = ${communityId} AND kind = 'expiry'`);
  return Number(row.total);
}

describe("the setting", () => {
  it("is off by default, takes 6 to 60 months or null, and refuses the rest", async () => {
    const { c } = await setup();
    expect((await t.call("GET", "/community/settings", { token: c.tokens.admin })).body.expiryMonths).toBeNull();
    for (const bad of [5, 61, 0, 12.5, "12"]) {
      const res = await setExpiry(c, bad as number);
      expect(res.status, String(bad)).toBe(400);
    }
    expect((await setExpiry(c, 6)).body.expiryMonths).toBe(6);
    expect((await setExpiry(c, 60)).body.expiryMonths).toBe(60);
    expect((await setExpiry(c, null)).body.expiryMonths).toBeNull();
    expect((await t.call("PATCH", "/community/settings", { token: c.tokens.clerk, body: { expiryMonths: 12 } })).status).toBe(403);
  });

  it("expires nothing while off, however old the points", async () => {
    const s = await setup();
    await grantPoints(t.db, s.c.communityId, s.household.id, 100, longAgo);
    expect(await runScheduledJobs(t.db, t.clock)).toMatchObject({ pointsExpired: 0 });
    expect(await accountOf(t.db, s.household.id)).toMatchObject({ balance: 100 });
    expect((await t.call("GET", `/households/${s.household.id}`, { token: s.c.tokens.admin })).body.expiring).toEqual([]);
  });
});

describe("the scheduled run", () => {
  it("expires the old unspent points first-in first-out, once, and never the spent ones", async () => {
    const s = await setup();
    const { c, household } = s;
    await grantPoints(t.db, c.communityId, household.id, 100, longAgo);
    await grantPoints(t.db, c.communityId, household.id, 50, recent);
    await spend(s, 3); // 30 spent: taken from the oldest 100, so 70 of them are left
    expect((await setExpiry(c, 12)).status).toBe(200);

    expect(await runScheduledJobs(t.db, t.clock)).toMatchObject({ pointsExpired: 70 });
    expect(await accountOf(t.db, household.id)).toMatchObject({ balance: 50 });
    expect(await expiredOf(c.communityId)).toBe(70);
    await t.ledgerOk(c.communityId);
    // A rerun, now or later the same day, expires nothing more.
    expect(await runScheduledJobs(t.db, t.clock)).toMatchObject({ pointsExpired: 0 });
    t.clock.advanceHours(6);
    expect(await runScheduledJobs(t.db, t.clock)).toMatchObject({ pointsExpired: 0 });
    expect(await countRows(t.db, "transfers", sql`community_id = ${c.communityId} AND kind = 'expiry'`)).toBe(1);

    const summary = await t.call("GET", "/reports/summary", { token: c.tokens.admin });
    expect(summary.body).toMatchObject({ pointsExpired: 70, pointsOutstanding: 50 });

    // The household's statement says why its points went.
    const ledger = await t.call("GET", `/households/${household.id}/ledger`, { token: c.tokens.admin });
    expect(ledger.status).toBe(200);
    expect(JSON.stringify(ledger.body)).toContain("expiry");
  });

  it("spent points never expire: a household that spent more than its old credits loses nothing", async () => {
    const s = await setup();
    await grantPoints(t.db, s.c.communityId, s.household.id, 100, longAgo);
    await grantPoints(t.db, s.c.communityId, s.household.id, 50, recent);
    await spend(s, 12); // 120: all 100 old points and 20 of the recent ones
    await setExpiry(s.c, 12);
    expect(await runScheduledJobs(t.db, t.clock)).toMatchObject({ pointsExpired: 0 });
    expect(await accountOf(t.db, s.household.id)).toMatchObject({ balance: 30 });
  });

  it("a void undoes the spending: the points it gives back are the same old points", async () => {
    const s = await setup();
    await grantPoints(t.db, s.c.communityId, s.household.id, 100, longAgo);
    const spent = await spend(s, 10);
    expect((await t.call("POST", `/redemptions/${spent.id}/void`, { token: s.c.tokens.admin, body: { reason: "退货" } })).status).toBe(200);
    await setExpiry(s.c, 12);
    expect(await runScheduledJobs(t.db, t.clock)).toMatchObject({ pointsExpired: 100 });
    expect(await accountOf(t.db, s.household.id)).toMatchObject({ balance: 0 });
    await t.ledgerOk(s.c.communityId);
  });

  it("keeps communities apart: only the one that set it expires", async () => {
    const a = await setup("EXA");
    const b = await setup("EXB");
    await grantPoints(t.db, a.c.communityId, a.household.id, 40, longAgo);
    await grantPoints(t.db, b.c.communityId, b.household.id, 40, longAgo);
    await setExpiry(a.c, 6);
    expect(await runScheduledJobs(t.db, t.clock)).toMatchObject({ pointsExpired: 40 });
    expect(await accountOf(t.db, a.household.id)).toMatchObject({ balance: 0 });
    expect(await accountOf(t.db, b.household.id)).toMatchObject({ balance: 40 });
  });
});

describe("what expires soon", () => {
  it("answers the points that expire within 60 days, by day, newest credits kept longest", async () => {
    const s = await setup();
    await grantPoints(t.db, s.c.communityId, s.household.id, 30, lastYear);
    await grantPoints(t.db, s.c.communityId, s.household.id, 50, recent);
    await setExpiry(s.c, 12);
    const admin = await t.call("GET", `/households/${s.household.id}`, { token: s.c.tokens.admin });
    expect(admin.body.expiring).toEqual([{ points: 30, on: "2026-11-21" }]);
    await spend(s, 2); // 20 of the oldest 30 spent
    const after = await t.call("GET", `/households/${s.household.id}`, { token: s.c.tokens.admin });
    expect(after.body.expiring).toEqual([{ points: 10, on: "2026-11-21" }]);
    // On that day the run takes exactly those 10.
    t.clock.set(new Date("2026-11-20T16:30:00.000Z")); // 00:30 on 2026-11-21 in China
    expect(await runScheduledJobs(t.db, t.clock)).toMatchObject({ pointsExpired: 10 });
    expect(await accountOf(t.db, s.household.id)).toMatchObject({ balance: 50 });
  });

  it("counts calendar months, the 31st becoming the month's last day", () => {
    expect(addMonthsToDay("2026-08-31", -6)).toBe("2026-02-28");
    expect(addMonthsToDay("2024-02-29", 12)).toBe("2025-02-28");
    expect(expiresOn("2025-11-20", 12)).toBe("2026-11-21");
    expect(expiresOn("2026-02-28", 6)).toBe("2026-09-01"); // Aug 29–31 less six months is Feb 28 itself
    expect(expiresOn("2025-08-31", 6)).toBe("2026-03-01");
  });
});
