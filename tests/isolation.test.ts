/**
 * Communities stay apart (issue 11), tested with two real communities side by side, each with
 * data of every kind: every endpoint of the access table × every role of community A, called
 * with the ids of community B, answers 404 (or the role's 403 before any id is looked at); ids
 * of B in a body or query are refused alike; a card of A is CARD_INVALID at B's shop; the public
 * board shows one community at a time; an officer gets 403 on every community endpoint, and a
 * township officer sees its own communities only.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCounty } from "../api/domain/regions";
import { communities } from "../db/schema";
import { accessRows, type AccessRow, type Ids } from "../scripts/lib/access-matrix";
import { addGoods, addHousehold, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, testPassword, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
interface Side {
  c: TestCommunity;
  ids: Ids;
  qr: string;
  cardNo: string;
  pin: string;
  residentToken: string;
  clerkId: string;
}
let a: Side;
let b: Side;
let county: { regionId: string; east: string; west: string; officer: string; eastOfficer: string };

async function must(res: Promise<{ status: number; body: any }>, status: number) {
  const r = await res;
  if (r.status !== status) throw new Error(`setup: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A community with something of every kind: households and cards, a rule, a notice, applications, a publicity batch with an objection, goods, a redemption. */
async function populate(code: string): Promise<Side> {
  const c = await t.newCommunity(code);
  await must(t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { minPublicityHours: 0 } }), 200);
  const own = await addHousehold(t, c);
  const other = await addHousehold(t, c);
  const spare = await addHousehold(t, c);
  const spare2 = await addHousehold(t, c);
  const ownCard = await issueCardFor(t, c, own.id, "2468");
  await issueCardFor(t, c, other.id, "2468");
  await issueCardFor(t, c, spare.id);
  const spareCard = await issueCardFor(t, c, spare2.id);
  await grantPoints(t.db, c.communityId, own.id, 100);
  const goods = await addGoods(t, c, { points: 5 });
  const rule = await must(t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "policy", title: "政策宣讲", kind: "award", minPoints: 1, maxPoints: 5 } }), 201);
  const notice = await must(t.call("POST", "/notices", { token: c.tokens.admin, body: { title: "通知", body: "内容" } }), 201);
  await must(t.call("POST", `/notices/${notice.id}/publish`, { token: c.tokens.admin }), 200);
  const published = await must(t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: own.id, ruleId: rule.id, description: "x" } }), 201);
  await must(t.call("POST", `/applications/${published.id}/certify`, { token: c.tokens.reviewer, body: { decision: "approve" } }), 200);
  const batch = await must(t.call("POST", "/publicity", { token: c.tokens.admin, body: { endsAt: new Date(t.clock.now().getTime() + 3_600_000).toISOString() } }), 201);
  const objection = await must(t.call("POST", `/publicity/${batch.id}/objections`, { token: c.tokens.volunteer, body: { applicationId: published.id, reason: "核实" } }), 201);
  const application = await must(t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: own.id, ruleId: rule.id, description: "y" } }), 201);
  const receipt = await must(t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": `setup-${code}` }, body: { qr: ownCard.qr, items: [{ goodsId: goods.id, quantity: 1 }] } }), 201);
  const residentToken = (await must(t.call("POST", "/auth/card-login", { body: { cardNo: ownCard.cardNo, pin: "2468" } }), 200)).token;
  return {
    c,
    qr: ownCard.qr,
    cardNo: ownCard.cardNo,
    pin: "2468",
    residentToken,
    clerkId: c.userIds.clerk,
    ids: {
      household: own.id,
      otherHousehold: other.id,
      cardNo: ownCard.cardNo,
      spareHousehold: spare.id,
      spareCardNo: spareCard.cardNo,
      application: application.id,
      rule: rule.id,
      notice: notice.id,
      publicity: batch.id,
      objection: objection.id,
      goods: goods.id,
      redemption: receipt.id,
      region: "",
      community: c.communityId,
    },
  };
}

beforeAll(async () => {
  t = await createTestApp();
  a = await populate("AAA");
  b = await populate("BBB");
  const made = await createCounty(t.db, t.clock, { name: "卢氏县", officer: { username: "officer-iso", password: testPassword, name: "县乡村振兴局" } });
  const officer = await t.login("officer-iso");
  const east = (await must(t.call("POST", "/regions", { token: officer, body: { name: "东明镇" } }), 201)).id;
  const west = (await must(t.call("POST", "/regions", { token: officer, body: { name: "范里镇" } }), 201)).id;
  await t.db.update(communities).set({ regionId: east }).where(eq(communities.id, a.c.communityId));
  await t.db.update(communities).set({ regionId: west }).where(eq(communities.id, b.c.communityId));
  await must(t.call("POST", "/users", { token: officer, body: { username: "east-iso", password: testPassword, name: "东明镇干部", role: "officer", regionId: east } }), 201);
  county = { regionId: made.regionId, east, west, officer, eastOfficer: await t.login("east-iso") };
  a.ids.region = east;
  b.ids.region = west;
}, 120_000);
afterAll(() => t.close());

type Role = "admin" | "reviewer" | "volunteer" | "clerk" | "resident";
const roles: Role[] = ["admin", "reviewer", "volunteer", "clerk", "resident"];
const tokenOf = (side: Side, role: Role) => (role === "resident" ? side.residentToken : side.c.tokens[role]);
const isCommunityRow = (row: AccessRow) => row.allow !== "public" && !row.allow.includes("officer");

describe("community A against the ids of community B", () => {
  const owned = accessRows.filter((row) => row.owned && isCommunityRow(row));

  it("covers every endpoint of the access table that names a record", () => {
    expect(owned.length).toBeGreaterThanOrEqual(20);
  });

  for (const row of owned) {
    it(`${row.method} ${row.path}`, async () => {
      const request = row.call(b.ids);
      for (const role of roles) {
        const res = await t.call(row.method, request.path, { token: tokenOf(a, role), body: request.body, headers: request.headers });
        const what = `${role} of A → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
        const allowed = row.allow !== "public" && row.allow.includes(role);
        // A role the endpoint is not for is refused: by its role (403) or, when the route looks
        // the record up first, as not found (404) — never with anything of B's.
        if (!allowed) expect([403, 404], what).toContain(res.status);
        // A resident is refused any household but its own alike, whichever community it is in.
        else if (role === "resident" && row.household) expect([403, 404], what).toContain(res.status);
        else expect(res.status, what).toBe(404);
      }
    });
  }

  it("refuses ids of B named in a body or a query, and leaves B's records as they were", async () => {
    const calls: Array<{ role: Role; method: string; path: string; body?: unknown; headers?: Record<string, string> }> = [
      { role: "volunteer", method: "POST", path: "/applications", body: { householdId: b.ids.household, ruleId: a.ids.rule, description: "跨社区" } },
      { role: "admin", method: "POST", path: "/applications", body: { householdId: a.ids.household, ruleId: b.ids.rule, description: "跨社区" } },
      { role: "reviewer", method: "POST", path: `/applications/${b.ids.application}/certify`, body: { decision: "approve" } },
      { role: "reviewer", method: "POST", path: `/objections/${b.ids.objection}/resolve`, body: { upheld: true, note: "跨社区" } },
      { role: "volunteer", method: "POST", path: `/publicity/${a.ids.publicity}/objections`, body: { applicationId: b.ids.application, reason: "跨社区" } },
      { role: "admin", method: "POST", path: "/topups", body: { publicityId: b.ids.publicity } },
      { role: "admin", method: "PATCH", path: `/users/${b.clerkId}`, body: { active: false } },
      { role: "admin", method: "POST", path: `/users/${b.clerkId}/password`, body: { password: "a-new-password-1" } },
      { role: "admin", method: "POST", path: `/users/${b.clerkId}/sessions/end` },
      { role: "admin", method: "POST", path: "/users", body: { username: "clerk-x", password: testPassword, name: "店员", role: "clerk", shopId: b.c.shopId } },
      { role: "admin", method: "POST", path: "/goods", body: { shopId: b.c.shopId, name: "大米", points: 5, stock: 1 } },
      { role: "clerk", method: "POST", path: "/redemptions", headers: { "idempotency-key": "cross-goods" }, body: { qr: a.qr, items: [{ goodsId: b.ids.goods, quantity: 1 }] } },
    ];
    for (const call of calls) {
      const res = await t.call(call.method, call.path, { token: tokenOf(a, call.role), body: call.body, headers: call.headers });
      expect(res.status, `${call.method} ${call.path} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`).toBe(404);
    }
    // B's records are untouched: its clerk still signs in, its application still waits.
    expect((await t.call("GET", `/applications/${b.ids.application}`, { token: b.c.tokens.admin })).body.status).toBe("submitted");
    expect((await t.call("GET", "/me", { token: b.c.tokens.clerk })).status).toBe(200);
  });

  it("lists only A's records, whatever B's ids the query names", async () => {
    const lists = await Promise.all([
      t.call("GET", `/applications?householdId=${b.ids.household}`, { token: a.c.tokens.admin }),
      t.call("GET", `/redemptions?householdId=${b.ids.household}`, { token: a.c.tokens.admin }),
      t.call("GET", `/objections?publicityId=${b.ids.publicity}`, { token: a.c.tokens.reviewer }),
      t.call("GET", `/goods?shopId=${b.c.shopId}`, { token: a.c.tokens.admin }),
    ]);
    for (const res of lists) {
      expect([200, 404]).toContain(res.status);
      if (res.status === 200) expect(JSON.stringify(res.body)).not.toMatch(new RegExp([b.ids.household, b.ids.application, b.ids.objection, b.ids.goods].join("|")));
    }
  });
});

describe("a card of one community at another community's shop", () => {
  it("is CARD_INVALID, by QR or by typed number and PIN, for a look-up and for a redemption", async () => {
    const clerkB = b.c.tokens.clerk;
    const attempts = [
      await t.call("POST", "/cards/resolve", { token: clerkB, body: { qr: a.qr } }),
      await t.call("POST", "/cards/resolve", { token: clerkB, body: { cardNo: a.cardNo, pin: a.pin } }),
      await t.call("POST", "/redemptions", { token: clerkB, headers: { "idempotency-key": "foreign-card-1" }, body: { qr: a.qr, items: [{ goodsId: b.ids.goods, quantity: 1 }] } }),
      await t.call("POST", "/redemptions", { token: clerkB, headers: { "idempotency-key": "foreign-card-2" }, body: { cardNo: a.cardNo, pin: a.pin, items: [{ goodsId: b.ids.goods, quantity: 1 }] } }),
    ];
    for (const res of attempts) {
      expect(res.status, JSON.stringify(res.body)).toBe(404);
      expect(res.body.error.code).toBe("CARD_INVALID");
    }
    // The card still works at home.
    expect((await t.call("POST", "/cards/resolve", { token: a.c.tokens.clerk, body: { qr: a.qr } })).status).toBe(200);
  });
});

describe("the public board", () => {
  it("shows only the community its code names", async () => {
    for (const [side, other, code] of [[a, b, "AAA"], [b, a, "BBB"]] as const) {
      const current = await t.call("GET", `/publicity/current?community=${code}`);
      expect(current.status).toBe(200);
      expect(current.body.batches.map((x: { id: string }) => x.id)).toEqual([side.ids.publicity]);
      expect(current.body.items.every((item: { batchId: string }) => item.batchId === side.ids.publicity)).toBe(true);
      const past = await t.call("GET", `/publicity?community=${code}`);
      expect(past.body.items.map((x: { id: string }) => x.id)).toEqual([side.ids.publicity]);
      expect(JSON.stringify([current.body, past.body])).not.toContain(other.ids.publicity);
    }
    expect((await t.call("GET", "/publicity/current?community=NOPE")).status).toBe(404);
  });
});

describe("officers", () => {
  it("get 403 on every community endpoint, with either community's ids", async () => {
    for (const row of accessRows.filter(isCommunityRow)) {
      for (const side of [a, b]) {
        const request = row.call(side.ids);
        const res = await t.call(row.method, request.path, { token: county.officer, body: request.body, headers: request.headers });
        expect(res.status, `${row.method} ${request.path} → ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`).toBe(403);
      }
    }
  });

  it("see the communities of their own region only: a township officer gets its township's and 403 for the county or a sibling township", async () => {
    const codes = async (token: string, regionId: string) => (await t.call("GET", `/regions/${regionId}/overview`, { token })).body.communities.map((c: { code: string }) => c.code);
    expect(await codes(county.officer, county.regionId)).toEqual(["AAA", "BBB"]);
    expect(await codes(county.eastOfficer, county.east)).toEqual(["AAA"]);
    for (const path of [`/regions/${county.regionId}/overview`, `/regions/${county.west}/overview`, `/regions/${county.regionId}/trend`, `/communities/${b.c.communityId}/summary`]) {
      expect((await t.call("GET", path, { token: county.eastOfficer })).status, path).toBe(403);
    }
    expect((await t.call("GET", `/communities/${a.c.communityId}/summary`, { token: county.eastOfficer })).status).toBe(200);
  });
});
