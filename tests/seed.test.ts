/**
 * The demo community that `npm start` seeds: built through the real API, it must look like a
 * community in the middle of its work — every procedure in some state — and its ledger must hold.
 */
import { createClient } from "@libsql/client";
import { migrate } from "drizzle-orm/libsql/migrator";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../api/domain/clock";
import { checkLedger } from "../api/domain/ledger";
import { dbFromLibsql, type Db } from "../db/client";
import { migrationsFolder } from "../db/migrate-node";
import { seedIfEmpty } from "../seed/seed";

let db: Db;
let close: () => void;
const options = { demo: true, password: "demo-password-123", households: 60, publicUrl: "http://localhost:8787", cardSigningKey: "test-card-signing-key-0123456789" };

beforeAll(async () => {
  const client = createClient({ url: ":memory:" });
  close = () => client.close();
  db = dbFromLibsql(client);
  await migrate(db, { migrationsFolder });
  expect(await seedIfEmpty(db, systemClock, options)).toBe(true);
}, 180_000);
afterAll(() => close());

const count = async (query: ReturnType<typeof sql>) => Number((await db.all<{ n: number }>(query))[0].n);

describe("the demo community", () => {
  it("is 兴贤里社区 with staff for every role, the seven-carrier catalogue, a shop with goods and households with cards", async () => {
    const [community] = await db.all<{ id: string; name: string }>(sql`SELECT id, name FROM communities`);
    expect(community.name).toBe("兴贤里社区");
    const roles = await db.all<{ username: string; role: string }>(sql`SELECT username, role FROM users ORDER BY username`);
    expect(roles.map((r) => r.username)).toEqual(["admin", "clerk", "reviewer", "reviewer2", "volunteer"]);
    const categories = await db.all<{ category: string }>(sql`SELECT DISTINCT category FROM rules`);
    expect(categories.map((c) => c.category).sort()).toEqual(["bravery", "civility", "enterprise", "environment", "neighbour", "penalty", "policy", "volunteer"]);
    expect(await count(sql`SELECT COUNT(*) AS n FROM goods WHERE stock > 0`)).toBeGreaterThanOrEqual(10);
    expect(await count(sql`SELECT COUNT(*) AS n FROM households`)).toBe(60);
    expect(await count(sql`SELECT COUNT(*) AS n FROM cards WHERE status = 'active'`)).toBe(60);
    expect(await count(sql`SELECT COUNT(*) AS n FROM members`)).toBeGreaterThan(150);
  });

  it("has history in every state: notices, a queue, rejections, a completed top-up, a running publicity with an objection, redemptions", async () => {
    const states = await db.all<{ status: string; n: number }>(sql`SELECT status, COUNT(*) AS n FROM applications GROUP BY status`);
    const by = Object.fromEntries(states.map((s) => [s.status, Number(s.n)]));
    expect(by.submitted).toBeGreaterThan(0);
    expect(by.rejected).toBeGreaterThan(0);
    expect(by.publicised).toBeGreaterThan(0);
    expect(by.credited).toBeGreaterThan(20);
    expect(await count(sql`SELECT COUNT(*) AS n FROM notices WHERE status = 'published'`)).toBeGreaterThanOrEqual(2);
    expect(await count(sql`SELECT COUNT(*) AS n FROM top_ups WHERE credited > 0`)).toBeGreaterThanOrEqual(1);
    expect(await count(sql`SELECT COUNT(*) AS n FROM publicity_batches WHERE ends_at > ${new Date().toISOString()}`)).toBe(1);
    expect(await count(sql`SELECT COUNT(*) AS n FROM objections WHERE status = 'open'`)).toBe(1);
    expect(await count(sql`SELECT COUNT(*) AS n FROM redemptions`)).toBeGreaterThanOrEqual(10);
    expect(await count(sql`SELECT COUNT(*) AS n FROM credits WHERE kind = 'penalty'`)).toBe(1);
  });

  it("keeps its ledger whole", async () => {
    const [community] = await db.all<{ id: string }>(sql`SELECT id FROM communities`);
    const check = await checkLedger(db, community.id);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.issued).toBeGreaterThan(200);
    expect(check.redeemed).toBeGreaterThan(50);
  });

  it("is not seeded twice", async () => {
    expect(await seedIfEmpty(db, systemClock, options)).toBe(false);
  });
});
