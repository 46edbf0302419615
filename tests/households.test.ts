import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { accounts, auditLog, households, members } from "../db/schema";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

let counter = 0;
function householdBody(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    householdNo: `XXL-${1000 + counter}`,
    headName: "吴俊杰",
    building: "42号楼",
    unit: "1单元",
    room: "401",
    phone: "150-1661-3186",
    members: [{ name: "吴俊杰" }, { name: "胡金凤", relation: "配偶" }],
    ...overrides,
  };
}

async function newHousehold(c: TestCommunity, overrides: Record<string, unknown> = {}) {
  const res = await t.call("POST", "/households", { token: c.tokens.admin, body: householdBody(overrides) });
  if (res.status !== 201) throw new Error(`create household: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; householdNo: string; members: Array<{ id: string; name: string }> };
}

/** Issues a card and signs the household in with it: the resident's token. */
async function residentToken(c: TestCommunity, householdId: string) {
  const card = await t.call("POST", `/households/${householdId}/card`, { token: c.tokens.admin, body: { pin: "2580" } });
  expect(card.status).toBe(201);
  const login = await t.call("POST", "/auth/card-login", { body: { cardNo: card.body.cardNo, pin: "2580" } });
  expect(login.status).toBe(200);
  return login.body.token as string;
}

describe("POST /households", () => {
  it("creates a household with members and an empty ledger account", async () => {
    const c = await t.newCommunity();
    const res = await t.call("POST", "/households", { token: c.tokens.admin, body: householdBody({ householdNo: "XXL-421401" }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ householdNo: "XXL-421401", headName: "吴俊杰", building: "42号楼", unit: "1单元", room: "401", phone: "15016613186", balance: 0, score: 0, card: null });
    expect(res.body.members).toEqual([
      { id: expect.any(String), name: "吴俊杰", relation: null },
      { id: expect.any(String), name: "胡金凤", relation: "配偶" },
    ]);
    const account = await t.db.query.accounts.findFirst({ where: eq(accounts.id, res.body.id) });
    expect(account).toMatchObject({ kind: "household", balance: 0, communityId: c.communityId });
    const audit = await t.db.query.auditLog.findMany({ where: eq(auditLog.targetId, res.body.id) });
    expect(audit.map((a) => a.action)).toContain("household.create");
    await t.ledgerOk(c.communityId);
  });

  it("answers 409 DUPLICATE for a 户号 the community already has, but another community may use it", async () => {
    const a = await t.newCommunity();
    const b = await t.newCommunity();
    await newHousehold(a, { householdNo: "XXL-1" });
    const dup = await t.call("POST", "/households", { token: a.tokens.admin, body: householdBody({ householdNo: "XXL-1" }) });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("DUPLICATE");
    expect((await t.call("POST", "/households", { token: b.tokens.admin, body: householdBody({ householdNo: "XXL-1" }) })).status).toBe(201);
    await t.ledgerOk(a.communityId);
  });

  it("allows only the admin: other staff and residents get 403, strangers 401", async () => {
    const c = await t.newCommunity();
    const own = await newHousehold(c);
    const resident = await residentToken(c, own.id);
    for (const token of [c.tokens.reviewer, c.tokens.volunteer, c.tokens.clerk, resident]) {
      const res = await t.call("POST", "/households", { token, body: householdBody() });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("FORBIDDEN");
    }
    expect((await t.call("POST", "/households", { body: householdBody() })).status).toBe(401);
  });

  it("rejects bad input with 400 naming the fields", async () => {
    const c = await t.newCommunity();
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ householdNo: 5, headName: null }, ["householdNo", "headName"]],
      [{ householdNo: "", building: "   " }, ["householdNo", "building"]],
      [{ householdNo: "x".repeat(33) }, ["householdNo"]],
      [{ headName: "张".repeat(41) }, ["headName"]],
      [{ phone: "call me" }, ["phone"]],
      [{ phone: "123" }, ["phone"]],
      [{ phone: "13800001111/13900002222" }, ["phone"]],
      [{ members: "张三" }, ["members"]],
      [{ members: [{ name: "" }] }, ["members.0.name"]],
      [{ members: Array.from({ length: 21 }, (_, i) => ({ name: `成员${i}` })) }, ["members"]],
      [{ members: [{ name: "张三", relation: "关".repeat(21) }] }, ["members.0.relation"]],
      [{ room: "9".repeat(10_000) }, ["room"]],
    ];
    for (const [overrides, fields] of cases) {
      const res = await t.call("POST", "/households", { token: c.tokens.admin, body: householdBody(overrides) });
      expect(res.status, JSON.stringify(overrides).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(Object.keys(res.body.error.details.fields)).toEqual(expect.arrayContaining(fields));
    }
    const missing = await t.call("POST", "/households", { token: c.tokens.admin, body: {} });
    expect(Object.keys(missing.body.error.details.fields)).toEqual(expect.arrayContaining(["householdNo", "headName", "building", "members"]));
    const malformed = await t.call("POST", "/households", { token: c.tokens.admin, rawBody: "{", headers: { "content-type": "application/json" } });
    expect(malformed.status).toBe(400);
    expect(await t.db.$count(households)).toBe(0);
  });

  it("stores phone numbers as digits only and accepts a household without a phone", async () => {
    const c = await t.newCommunity();
    const plus = await newHousehold(c, { phone: "+86 139 0000 1111" });
    expect(plus).toMatchObject({ phone: "13900001111" });
    const none = await newHousehold(c, { phone: null, unit: null, room: null });
    expect(none).toMatchObject({ phone: null, unit: null, room: null });
  });
});

describe("GET /households", () => {
  it("lists households for the office and volunteers (not the shop's clerk), filters by building and searches", async () => {
    const c = await t.newCommunity();
    await newHousehold(c, { householdNo: "A-001", headName: "吴俊杰", building: "1号楼", phone: "15016613186", members: [{ name: "胡金凤", relation: "配偶" }] });
    await newHousehold(c, { householdNo: "A-002", headName: "董秀英", building: "1号楼", phone: "13948219935", members: [{ name: "郭小军" }] });
    await newHousehold(c, { householdNo: "B-001", headName: "文海燕", building: "2号楼", phone: null, members: [] });
    for (const role of ["admin", "reviewer", "volunteer"] as const) {
      const res = await t.call("GET", "/households", { token: c.tokens[role] });
      expect(res.status).toBe(200);
      expect(res.body.items.map((h: { householdNo: string }) => h.householdNo)).toEqual(["A-001", "A-002", "B-001"]);
      expect(res.body.nextCursor).toBeNull();
    }
    // The clerk works from a scanned card, not the register (issue 9).
    expect((await t.call("GET", "/households", { token: c.tokens.clerk })).status).toBe(403);
    const search = async (query: string) =>
      (await t.call("GET", `/households?${query}`, { token: c.tokens.volunteer })).body.items.map((h: { householdNo: string }) => h.householdNo);
    expect(await search(`building=${encodeURIComponent("1号楼")}`)).toEqual(["A-001", "A-002"]);
    expect(await search(`q=${encodeURIComponent("董秀")}`)).toEqual(["A-002"]);
    expect(await search(`q=${encodeURIComponent("胡金凤")}`)).toEqual(["A-001"]); // a member's name
    // phone, written with a dash: the office finds it; a volunteer, who sees no phone numbers, does not
    expect((await t.call("GET", `/households?q=${encodeURIComponent("139-4821")}`, { token: c.tokens.admin })).body.items.map((h: { householdNo: string }) => h.householdNo)).toEqual(["A-002"]);
    expect(await search(`q=${encodeURIComponent("139-4821")}`)).toEqual([]);
    expect(await search("q=B-0")).toEqual(["B-001"]);
    expect(await search(`q=${encodeURIComponent("%")}`)).toEqual([]); // LIKE wildcards are literal
    expect(await search(`q=${encodeURIComponent("吴")}&building=${encodeURIComponent("2号楼")}`)).toEqual([]);
    const item = (await t.call("GET", "/households?q=A-001", { token: c.tokens.admin })).body.items[0];
    expect(item).toMatchObject({ householdNo: "A-001", headName: "吴俊杰", building: "1号楼", memberCount: 1, balance: 0, score: 0, card: null });
  });

  it("pages with a keyset cursor without repeating or skipping", async () => {
    const c = await t.newCommunity();
    for (let i = 0; i < 7; i++) await newHousehold(c, { householdNo: `P-${String(7 - i).padStart(2, "0")}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : "?limit=3";
      const res = await t.call("GET", `/households${query}`, { token: c.tokens.admin });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((h: { householdNo: string }) => h.householdNo));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(["P-01", "P-02", "P-03", "P-04", "P-05", "P-06", "P-07"]);
  });

  it("rejects a bad limit or cursor with 400 and refuses residents and strangers", async () => {
    const c = await t.newCommunity();
    const own = await newHousehold(c);
    for (const query of ["limit=0", "limit=abc", "limit=100000", "cursor=not-a-cursor", `q=${"x".repeat(51)}`]) {
      const res = await t.call("GET", `/households?${query}`, { token: c.tokens.admin });
      expect(res.status, query).toBe(400);
      expect(res.body.error.details.fields).toBeTruthy();
    }
    expect((await t.call("GET", "/households", { token: await residentToken(c, own.id) })).status).toBe(403);
    expect((await t.call("GET", "/households")).status).toBe(401);
  });

  it("never shows another community's households", async () => {
    const a = await t.newCommunity();
    const b = await t.newCommunity();
    await newHousehold(a, { householdNo: "ONLY-A" });
    const res = await t.call("GET", "/households", { token: b.tokens.admin });
    expect(res.body.items).toEqual([]);
  });
});

describe("GET /households/:id", () => {
  it("shows the household to staff of its community and to the household itself", async () => {
    const c = await t.newCommunity();
    const own = await newHousehold(c);
    const resident = await residentToken(c, own.id);
    for (const token of [c.tokens.admin, c.tokens.reviewer, c.tokens.volunteer, c.tokens.clerk, resident]) {
      const res = await t.call("GET", `/households/${own.id}`, { token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: own.id, householdNo: own.householdNo, headName: "吴俊杰", building: "42号楼", room: "401", balance: 0, score: 0 });
      expect(res.body.members).toHaveLength(2);
      // The volunteer and the clerk see that a card exists, not its number (issue 9).
      const full = token === c.tokens.volunteer || token === c.tokens.clerk ? /^…\d{4}$/ : /^\d{12}$/;
      expect(res.body.card).toEqual({ cardNo: expect.stringMatching(full), status: "active" });
    }
    await t.ledgerOk(c.communityId);
  });

  it("answers 403 to another household, 404 for unknown ids and other communities, 401 to strangers", async () => {
    const a = await t.newCommunity();
    const b = await t.newCommunity();
    const mine = await newHousehold(a);
    const neighbour = await newHousehold(a);
    const resident = await residentToken(a, mine.id);
    expect((await t.call("GET", `/households/${neighbour.id}`, { token: resident })).status).toBe(403);
    const unknown = await t.call("GET", "/households/no-such-id", { token: a.tokens.admin });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("NOT_FOUND");
    for (const role of ["admin", "reviewer", "volunteer", "clerk"] as const) {
      expect((await t.call("GET", `/households/${mine.id}`, { token: b.tokens[role] })).status).toBe(404);
    }
    expect((await t.call("GET", `/households/${mine.id}`)).status).toBe(401);
  });
});

describe("PATCH /households/:id", () => {
  it("edits details and adds members, with the change in the audit log", async () => {
    const c = await t.newCommunity();
    const own = await newHousehold(c);
    const res = await t.call("PATCH", `/households/${own.id}`, {
      token: c.tokens.admin,
      body: { headName: "胡金凤", room: "402", phone: "(0398) 123-4567", unit: null, addMembers: [{ name: "吴丽娟", relation: "长女" }] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: own.id, headName: "胡金凤", building: "42号楼", room: "402", unit: null, phone: "03981234567" });
    expect(res.body.members.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(["吴俊杰", "胡金凤", "吴丽娟"]));
    const audit = await t.db.query.auditLog.findFirst({ where: eq(auditLog.action, "household.update") });
    expect(audit?.details).toMatchObject({ before: { headName: "吴俊杰", room: "401" }, after: { headName: "胡金凤", room: "402" } });
    expect((audit?.details as { addedMembers: unknown[] }).addedMembers).toHaveLength(1);
    await t.ledgerOk(c.communityId);
  });

  it("rejects empty, unknown and bad changes with 400 and keeps the household as it was", async () => {
    const c = await t.newCommunity();
    const own = await newHousehold(c);
    const cases: Array<[unknown, string]> = [
      [{}, "(body)"],
      [{ householdNo: "NEW-1" }, "(body)"],
      [{ headName: "" }, "headName"],
      [{ phone: "abc" }, "phone"],
      [{ addMembers: [] }, "addMembers"],
      [{ building: 42 }, "building"],
    ];
    for (const [body, field] of cases) {
      const res = await t.call("PATCH", `/households/${own.id}`, { token: c.tokens.admin, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.body.error.details.fields), JSON.stringify(body)).toContain(field);
    }
    const tooMany = await t.call("PATCH", `/households/${own.id}`, { token: c.tokens.admin, body: { addMembers: Array.from({ length: 19 }, (_, i) => ({ name: `成员${i}` })) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details.fields.addMembers).toBeTruthy();
    expect(await t.db.$count(members, eq(members.householdId, own.id))).toBe(2);
    expect((await t.call("GET", `/households/${own.id}`, { token: c.tokens.admin })).body.headName).toBe("吴俊杰");
  });

  it("allows only its community's admin", async () => {
    const a = await t.newCommunity();
    const b = await t.newCommunity();
    const own = await newHousehold(a);
    const resident = await residentToken(a, own.id);
    for (const token of [a.tokens.reviewer, a.tokens.volunteer, a.tokens.clerk, resident]) {
      expect((await t.call("PATCH", `/households/${own.id}`, { token, body: { room: "1" } })).status).toBe(403);
    }
    expect((await t.call("PATCH", `/households/${own.id}`, { token: b.tokens.admin, body: { room: "1" } })).status).toBe(404);
    expect((await t.call("PATCH", "/households/nope", { token: a.tokens.admin, body: { room: "1" } })).status).toBe(404);
    expect((await t.call("PATCH", `/households/${own.id}`, { body: { room: "1" } })).status).toBe(401);
  });
});

describe("OpenAPI", () => {
  it("documents the household, card and import routes", async () => {
    const spec = await t.call("GET", "/openapi.json");
    expect(spec.status).toBe(200);
    for (const [path, method] of [
      ["/households", "post"],
      ["/households", "get"],
      ["/households/{id}", "get"],
      ["/households/{id}", "patch"],
      ["/households/{id}/card", "post"],
      ["/households/import", "post"],
      ["/households/import/template", "get"],
      ["/cards/{cardNo}/qr.svg", "get"],
      ["/cards/{cardNo}/revoke", "post"],
      ["/cards/resolve", "post"],
    ]) {
      expect(spec.body.paths[path]?.[method], `${method} ${path}`).toBeTruthy();
    }
    expect(Object.keys(spec.body.paths["/households/import"].post.requestBody.content)).toContain("multipart/form-data");
  });
});

describe("GET /households at scale: totals, filters and facets", () => {
  /** 230 households in 3 buildings, imported as an office would; 3 of building 12 get a card, one of them then reported lost. */
  async function community() {
    const c = await t.newCommunity();
    const lines = ["户号,户主姓名,楼栋,家庭成员,户类型"];
    for (let i = 0; i < 230; i++) lines.push(`S-${String(i).padStart(4, "0")},户主${i},${["12号楼", "2号楼", "3号楼"][i % 3]},户主${i}、成员${i}（配偶）,${i % 5 === 0 ? "低保户" : "一般户"}`);
    const imported = await t.call("POST", "/households/import", { token: c.tokens.admin, rawBody: `${lines.join("\n")}\n`, headers: { "content-type": "text/csv" } });
    expect(imported.status).toBe(201);
    const ids = imported.body.households.filter((h: { building: string }) => h.building === "12号楼").slice(0, 3).map((h: { id: string }) => h.id);
    const batch = await t.call("POST", "/card-batches", { token: c.tokens.admin, body: { householdIds: ids } });
    expect(batch.status).toBe(201);
    expect((await t.call("POST", `/cards/${batch.body.cards[0].cardNo}/lost`, { token: c.tokens.admin })).status).toBe(200);
    return { c, ids };
  }

  it("pages past 200 with the total of all pages, and never stops silently", async () => {
    const { c } = await community();
    const first = await t.call("GET", "/households?limit=200", { token: c.tokens.admin });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(200);
    expect(first.body.total).toBe(230);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.call("GET", `/households?limit=200&cursor=${first.body.nextCursor}`, { token: c.tokens.admin });
    expect(second.body.items).toHaveLength(30);
    expect(second.body.total).toBe(230);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items].map((h: { householdNo: string }) => h.householdNo);
    expect(new Set(all).size).toBe(230);
    expect(all).toEqual([...all].sort());
    // The default page is smaller, but the total still says how many there are.
    const small = await t.call("GET", "/households", { token: c.tokens.volunteer });
    expect(small.body.items).toHaveLength(limitsDefault);
    expect(small.body.total).toBe(230);
  });

  it("filters by building, household type and card state, with totals, and combines them with the search", async () => {
    const { c } = await community();
    const get = async (query: string) => (await t.call("GET", `/households?limit=200&${query}`, { token: c.tokens.admin })).body;
    expect((await get(`building=${encodeURIComponent("12号楼")}`)).total).toBe(77);
    expect((await get(`householdType=${encodeURIComponent("低保户")}`)).total).toBe(46);
    const active = await get("card=active");
    expect(active.total).toBe(2);
    expect(active.items.every((h: { card: { status: string } }) => h.card.status === "active")).toBe(true);
    const lost = await get("card=lost");
    expect(lost.total).toBe(1);
    expect(lost.items[0].card).toMatchObject({ status: "lost" });
    const none = await get(`card=none&building=${encodeURIComponent("12号楼")}`);
    expect(none.total).toBe(75); // the lost one has no card in use: it is among them
    expect(none.items.filter((h: { card: unknown }) => h.card !== null)).toEqual([expect.objectContaining({ card: expect.objectContaining({ status: "lost" }) })]);
    expect((await get(`card=none&q=${encodeURIComponent("成员3")}`)).total).toBe(10); // 成员3 and 成员30…39, less 成员3 whose card is in use
    expect((await get(`building=${encodeURIComponent("99号楼")}`))).toMatchObject({ items: [], total: 0, nextCursor: null });
    // A volunteer sees the same counts, with only the last digits of card numbers.
    const volunteer = (await t.call("GET", "/households?card=active", { token: c.tokens.volunteer })).body;
    expect(volunteer.total).toBe(2);
    expect(volunteer.items[0].card.cardNo).toMatch(/^…\d{4}$/);
  });

  it("counts buildings (in natural order), household types and card states for the filters", async () => {
    const { c } = await community();
    const facets = await t.call("GET", "/households/facets", { token: c.tokens.reviewer });
    expect(facets.status).toBe(200);
    expect(facets.body).toEqual({
      total: 230,
      cards: { active: 2, none: 228, lost: 1 },
      buildings: [
        { name: "2号楼", households: 77 },
        { name: "3号楼", households: 76 },
        { name: "12号楼", households: 77 },
      ],
      householdTypes: [
        { name: "低保户", households: 46 }, // in pinyin order: dī before yī
        { name: "一般户", households: 184 },
      ],
    });
    expect((await t.call("GET", "/households/facets", { token: c.tokens.clerk })).status).toBe(403);
    const other = await t.newCommunity();
    expect((await t.call("GET", "/households/facets", { token: other.tokens.admin })).body).toMatchObject({ total: 0, buildings: [] });
  });

  it("rejects bad filter values with 400 naming the field", async () => {
    const c = await t.newCommunity();
    for (const query of ["card=maybe", "card=", `householdType=${"类".repeat(21)}`, `building=${"楼".repeat(21)}`]) {
      const res = await t.call("GET", `/households?${query}`, { token: c.tokens.admin });
      expect(res.status, query).toBe(400);
      expect(res.body.error.details.fields).toBeTruthy();
    }
  });
});

const limitsDefault = 50;
