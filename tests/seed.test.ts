/**
 * The demo community that `npm start` seeds: built through the real API, it must look like a
 * community in the middle of its work — every procedure in some state — and its ledger must hold.
 */
import { createClient } from "@libsql/client";
import { migrate } from "drizzle-orm/libsql/migrator";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../api/domain/clock";
import { overview } from "../api/domain/county";
import { publicCommunityId } from "../api/domain/publicity";
import { checkLedger } from "../api/domain/ledger";
import { allTime, summary } from "../api/domain/reports";
import { dbFromLibsql, type Db } from "../db/client";
import { migrationsFolder } from "../db/migrate-node";
import { seedIfEmpty } from "../seed/seed";

let db: Db;
let close: () => void;
/** 兴贤里社区: the checks below are about it; the county around it has its own. */
let xxl: string;
const options = { demo: true, password: "demo-password-123", households: 60, publicUrl: "http://localhost:8787", cardSigningKey: "test-card-signing-key-0123456789" };

beforeAll(async () => {
  const client = createClient({ url: ":memory:" });
  close = () => client.close();
  db = dbFromLibsql(client);
  await migrate(db, { migrationsFolder });
  expect(await seedIfEmpty(db, systemClock, options)).toBe(true);
  xxl = (await db.all<{ id: string }>(sql`SELECT id FROM communities WHERE code = 'XXL'`))[0].id;
}, 240_000);
afterAll(() => close());

const count = async (query: ReturnType<typeof sql>) => Number((await db.all<{ n: number }>(query))[0].n);

describe("the demo community", () => {
  it("is 兴贤里社区 with staff for every role, the seven-carrier catalogue, a shop with goods and households with cards", async () => {
    const [community] = await db.all<{ id: string; name: string }>(sql`SELECT id, name FROM communities WHERE id = ${xxl}`);
    expect(community.name).toBe("兴贤里社区");
    const roles = await db.all<{ username: string; role: string }>(sql`SELECT username, role FROM users WHERE community_id = ${xxl} ORDER BY username`);
    expect(roles.map((r) => r.username)).toEqual(["admin", "clerk", "reviewer", "reviewer2", "volunteer"]);
    const categories = await db.all<{ category: string }>(sql`SELECT DISTINCT category FROM rules WHERE community_id = ${xxl}`);
    expect(categories.map((c) => c.category).sort()).toEqual(["bravery", "civility", "enterprise", "environment", "neighbour", "penalty", "policy", "volunteer"]);
    expect(await count(sql`SELECT COUNT(*) AS n FROM goods WHERE stock > 0 AND community_id = ${xxl}`)).toBeGreaterThanOrEqual(10);
    expect(await count(sql`SELECT COUNT(*) AS n FROM households WHERE community_id = ${xxl}`)).toBe(60);
    expect(await count(sql`SELECT COUNT(*) AS n FROM cards WHERE status = 'active' AND community_id = ${xxl}`)).toBe(60);
    expect(await count(sql`SELECT COUNT(*) AS n FROM members WHERE community_id = ${xxl}`)).toBeGreaterThan(150);
  });

  it("has history in every state: notices, a queue, rejections, a completed top-up, a running publicity with an objection, redemptions", async () => {
    const states = await db.all<{ status: string; n: number }>(sql`SELECT status, COUNT(*) AS n FROM applications WHERE community_id = ${xxl} GROUP BY status`);
    const by = Object.fromEntries(states.map((s) => [s.status, Number(s.n)]));
    expect(by.submitted).toBeGreaterThan(0);
    expect(by.rejected).toBeGreaterThan(0);
    expect(by.publicised).toBeGreaterThan(0);
    expect(by.credited).toBeGreaterThan(20);
    expect(await count(sql`SELECT COUNT(*) AS n FROM notices WHERE status = 'published' AND community_id = ${xxl}`)).toBeGreaterThanOrEqual(2);
    expect(await count(sql`SELECT COUNT(*) AS n FROM top_ups WHERE credited > 0 AND community_id = ${xxl}`)).toBeGreaterThanOrEqual(1);
    expect(await count(sql`SELECT COUNT(*) AS n FROM publicity_batches WHERE ends_at > ${new Date().toISOString()} AND community_id = ${xxl}`)).toBe(1);
    expect(await count(sql`SELECT COUNT(*) AS n FROM objections WHERE status = 'open' AND community_id = ${xxl}`)).toBe(1);
    expect(await count(sql`SELECT COUNT(*) AS n FROM redemptions WHERE community_id = ${xxl}`)).toBeGreaterThanOrEqual(10);
    expect(await count(sql`SELECT COUNT(*) AS n FROM credits WHERE kind = 'penalty' AND community_id = ${xxl}`)).toBe(1);
  });

  it("keeps its ledger whole", async () => {
    const check = await checkLedger(db, xxl);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.issued).toBeGreaterThan(200);
    expect(check.redeemed).toBeGreaterThan(50);
  });

  it("lies in 卢氏县 (城关镇) beside a second, smaller community with its own admin2, shop, clerk2, households and cards; the officer oversees both", async () => {
    const everyone = await db.all<{ username: string }>(sql`SELECT username FROM users ORDER BY username`);
    expect(everyone.map((u) => u.username)).toEqual(["admin", "admin2", "clerk", "clerk2", "officer", "reviewer", "reviewer2", "reviewer3", "volunteer"]);
    const regions = await db.all<{ name: string; kind: string; parent: string | null }>(sql`SELECT r.name, r.kind, p.name AS parent FROM regions r LEFT JOIN regions p ON p.id = r.parent_id ORDER BY r.kind, r.name`);
    expect(regions).toEqual([
      { name: "卢氏县", kind: "county", parent: null },
      { name: "东明镇", kind: "township", parent: "卢氏县" },
      { name: "城关镇", kind: "township", parent: "卢氏县" },
    ]);
    const places = await db.all<{ code: string; name: string; region: string }>(sql`SELECT c.code, c.name, r.name AS region FROM communities c JOIN regions r ON r.id = c.region_id ORDER BY c.code`);
    expect(places).toEqual([
      { code: "XFY", name: "幸福苑社区", region: "东明镇" },
      { code: "XXL", name: "兴贤里社区", region: "城关镇" },
    ]);
    const second = (await db.all<{ id: string }>(sql`SELECT id FROM communities WHERE code = 'XFY'`))[0].id;
    const staff = await db.all<{ username: string; role: string; shop_id: string | null }>(sql`SELECT username, role, shop_id FROM users WHERE community_id = ${second} ORDER BY username`);
    expect(staff.map((u) => [u.username, u.role])).toEqual([["admin2", "admin"], ["clerk2", "clerk"], ["reviewer3", "reviewer"]]);
    expect(staff[1].shop_id).toBe((await db.all<{ id: string }>(sql`SELECT id FROM shops WHERE community_id = ${second}`))[0].id);
    expect(await count(sql`SELECT COUNT(*) AS n FROM households WHERE community_id = ${second}`)).toBe(20);
    expect(await count(sql`SELECT COUNT(*) AS n FROM cards WHERE status = 'active' AND community_id = ${second}`)).toBe(20);
    expect(await count(sql`SELECT COUNT(DISTINCT category) AS n FROM rules WHERE community_id = ${second}`)).toBe(8);
    expect(await count(sql`SELECT COUNT(*) AS n FROM credits WHERE community_id = ${second}`)).toBeGreaterThanOrEqual(10);
    expect(await count(sql`SELECT COUNT(*) AS n FROM redemptions WHERE community_id = ${second}`)).toBeGreaterThanOrEqual(5);
    const check = await checkLedger(db, second);
    expect(check.problems).toEqual([]);
    const officer = await db.all<{ region: string; community_id: string | null }>(sql`SELECT r.name AS region, u.community_id FROM users u JOIN regions r ON r.id = u.region_id WHERE u.username = 'officer'`);
    expect(officer).toEqual([{ region: "卢氏县", community_id: null }]);
    // The county's overview: both communities, each row what its own summary answers.
    const [me] = await db.all<{ id: string; region_id: string }>(sql`SELECT id, region_id FROM users WHERE username = 'officer'`);
    const view = await overview(db, { kind: "officer", id: me.id, regionId: me.region_id, role: "officer", name: "officer", sessionId: "test" }, me.region_id, allTime);
    expect(view.communities.map((c) => c.code)).toEqual(["XFY", "XXL"]);
    const figures = ["households", "participatingHouseholds", "participationRate", "pointsAwarded", "pointsDeducted", "pointsRedeemed", "pointsOutstanding", "applications", "objections", "redemptions"] as const;
    for (const row of view.communities) {
      const own = await summary(db, row.id);
      for (const key of figures) expect(row[key], `${row.code} ${key}`).toBe(own[key]);
      expect(row.pointsAwarded).toBeGreaterThan(0);
    }
    expect(view.totals.households).toBe(80);
    // The public board without ?community= still shows 兴贤里社区, the deployment's first.
    expect(await publicCommunityId(db)).toBe(xxl);
  });

  it("is not seeded twice", async () => {
    expect(await seedIfEmpty(db, systemClock, options)).toBe(false);
  });
});
