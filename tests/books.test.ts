/**
 * Books that leave the system (issue 12 items 2 and 3): the register book (积分登记簿) and the
 * monthly report, each XLSX read back with read-excel-file and compared with what the API
 * answers; names that look like formulas stay text; bad input; who may ask; communities apart.
 */
import { sql } from "drizzle-orm";
import { strFromU8, unzipSync } from "fflate";
import { readSheet } from "read-excel-file/universal";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../api/app";
import { registerPrintRowsMax } from "../api/domain/register-book";
import { streamXlsx } from "../api/domain/xlsx-stream";
import { addGoods, addHousehold, issueCardFor, testConfig } from "./support/fixtures";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async function ok<T = any>(res: Promise<{ status: number; body: any }>, status = 200): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body as T;
}

/** The raw bytes of a download (the harness's `call` reads bodies as text). */
async function download(path: string, token: string, lang?: "en") {
  const app = createApp({ db: () => t.db, clock: t.clock, config: () => ({ ...testConfig, secureCookies: false, publicityFloorHours: 0, addressFrom: "cloudflare" as const }) });
  const res = await app.request(`/api${path}`, { headers: { authorization: `Bearer ${token}`, ...(lang ? { "accept-language": "en" } : {}) } });
  expect(res.status, await res.clone().text().catch(() => "")).toBe(200);
  expect(res.headers.get("content-type")).toBe(xlsxType);
  const bytes = new Uint8Array(await res.arrayBuffer());
  // No cell of any sheet is a formula.
  const files = unzipSync(bytes);
  const sheets = Object.keys(files).filter((name) => name.startsWith("xl/worksheets/"));
  expect(sheets.length).toBeGreaterThan(0);
  for (const name of sheets) expect(strFromU8(files[name])).not.toMatch(/<f[ >]/);
  return bytes;
}

const formulaName = '=HYPERLINK("x")';

/**
 * A community's month of work, through the real procedures (China time, 2 November 2026):
 *   reg 1  household A (named like a formula), member "+1": award 10            → credited
 *   reg 2  household B (building 10): award 8                                   → credited
 *   reg 3  household B: penalty 3                                               → credited
 *   reg 4  household C: award 6, objection upheld                               → cancelled
 *   reg 5  the cancellation of reg 4                                            → cancelled
 *   reg 6  household A: award 5, registered after the batch went up             → held
 * then A redeems 5 points of goods named "+1" twice and the second is voided.
 */
async function month(code: string) {
  const c = await t.newCommunity(code);
  await ok(t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { minPublicityHours: 0 } }));
  const clean = await ok(t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "environment", title: "打扫楼道", kind: "award", minPoints: 1, maxPoints: 20 } }), 201);
  const litter = await ok(t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "penalty", title: "乱扔垃圾", kind: "penalty", minPoints: 1, maxPoints: 10 } }), 201);
  const a = await addHousehold(t, c, { householdNo: `${code}-A`, headName: formulaName, building: "+1", members: [{ name: formulaName, relation: "户主" }, { name: "+1", relation: "子" }] });
  const b = await addHousehold(t, c, { householdNo: `${code}-B`, headName: "李四", building: "10" });
  const h3 = await addHousehold(t, c, { householdNo: `${code}-C`, headName: "王五", building: "2" });
  const apply = async (householdId: string, ruleId: string, points: number, memberId?: string) => {
    const app = await ok(t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId, ruleId, description: "大扫除", ...(memberId ? { memberId } : {}) } }), 201);
    await ok(t.call("POST", `/applications/${app.id}/certify`, { token: c.tokens.reviewer, body: { decision: "approve", points } }));
    return app.id as string;
  };
  await apply(a.id, clean.id, 10, a.members[1].id);
  await apply(b.id, clean.id, 8);
  await apply(b.id, litter.id, 3);
  const objected = await apply(h3.id, clean.id, 6);
  const batch = await ok(t.call("POST", "/publicity", { token: c.tokens.admin, body: { endsAt: new Date(t.clock.now().getTime() + 3_600_000).toISOString() } }), 201);
  const objection = await ok(t.call("POST", `/publicity/${batch.id}/objections`, { token: c.tokens.volunteer, body: { applicationId: objected, reason: "没参加" } }), 201);
  await ok(t.call("POST", `/objections/${objection.id}/resolve`, { token: c.tokens.reviewer2, body: { upheld: true, note: "经核实未参加" } }));
  await apply(a.id, clean.id, 5);
  t.clock.advanceHours(1);
  await ok(t.call("POST", "/topups", { token: c.tokens.admin, body: { publicityId: batch.id } }), 201);
  const card = await issueCardFor(t, c, a.id);
  const goods = await addGoods(t, c, { name: "+1", points: 5, stock: 10 });
  const redeem = (key: string) => ok(t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": key }, body: { qr: card.qr, items: [{ goodsId: goods.id, quantity: 1 }] } }), 201);
  await redeem(`${code}-1`);
  const voided = await redeem(`${code}-2`);
  await ok(t.call("POST", `/redemptions/${voided.id}/void`, { token: c.tokens.admin, body: { reason: "退货" } }));
  return { c, households: { a, b, c: h3 }, batch };
}

describe("the streamed workbook", () => {
  it("writes text as text (markup escaped, characters XML cannot hold dropped, emoji kept) and numbers as numbers, batch after batch", async () => {
    const batches = [[["A&B <c> \"d\"", 1, null, "=1+1"]], [["tab\there\u0001\u0008x", -2, "家👍", "@SUM(A1)"]], []];
    const stream = streamXlsx({ name: "测试[1]", widths: [10, 10, 10, 10], header: ["一", "二", "三", "四"], next: async () => batches.shift() ?? [] });
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    const rows = await readSheet(bytes.buffer);
    expect(rows).toEqual([
      ["一", "二", "三", "四"],
      ['A&B <c> "d"', 1, null, "=1+1"],
      ["tab\therex", -2, "家👍", "@SUM(A1)"],
    ]);
    expect(strFromU8(unzipSync(bytes)["xl/worksheets/sheet1.xml"])).not.toMatch(/<f[ >]/);
  });

  it("keeps text's leading and trailing whitespace, and zips many pages with the right sizes and CRC-32", async () => {
    const pages = 40;
    const page = (p: number) => Array.from({ length: 250 }, (_, i) => [p * 250 + i, ` 王${i} `, `行\t${p}`, "\n尾"] as (string | number)[]);
    let p = 0;
    const stream = streamXlsx({ name: "pages", widths: [8, 8, 8, 8], header: ["no", "a", "b", "c"], next: async () => (p < pages ? page(p++) : []) });
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    const rows = await readSheet(bytes.buffer, { trim: false });
    expect(rows).toHaveLength(pages * 250 + 1);
    expect(rows[1]).toEqual([0, " 王0 ", "行\t0", "\n尾"]);
    expect(rows[pages * 250]).toEqual([pages * 250 - 1, " 王249 ", `行\t${pages - 1}`, "\n尾"]);
    // xml:space="preserve" exactly on the cells whose text starts or ends with whitespace.
    const sheet = strFromU8(unzipSync(bytes)["xl/worksheets/sheet1.xml"]);
    expect(sheet.split('<t xml:space="preserve">').length - 1).toBe(pages * 250 * 2);
    expect(sheet).toContain(`<c r="C2" t="inlineStr"><is><t>行\t0</t></is></c>`);
    // The sheet's entry: its size and CRC-32 in the central directory are the data's (what Excel checks).
    const { size, crc } = centralEntry(bytes, "xl/worksheets/sheet1.xml");
    const xml = new TextEncoder().encode(sheet);
    expect(size).toBe(xml.length);
    expect(crc).toBe(crc32(xml));
  });
});

/** The uncompressed size and CRC-32 the zip's central directory gives an entry. */
function centralEntry(zip: Uint8Array, name: string) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let at = 0; at + 46 <= zip.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(at + 28, true);
    if (strFromU8(zip.subarray(at + 46, at + 46 + nameLength)) === name) return { crc: view.getUint32(at + 16, true), size: view.getUint32(at + 24, true) };
  }
  throw new Error(`no central directory entry ${name}`);
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe("the register book", () => {
  it("lists every entry in register-number order with its outcome, as the applications say, and the XLSX reads back the same", async () => {
    const { c } = await month("BKA");
    const book = await ok(t.call("GET", "/register?from=2026-11-01&to=2026-11-30", { token: c.tokens.reviewer }));
    expect(book.total).toBe(6);
    expect(book.items.map((r: any) => [r.registerNo, r.householdNo, r.member, r.kind, r.points, r.outcome])).toEqual([
      [1, "BKA-A", "+1", "award", 10, "credited"],
      [2, "BKA-B", null, "award", 8, "credited"],
      [3, "BKA-B", null, "penalty", -3, "credited"],
      [4, "BKA-C", null, "award", 6, "cancelled"],
      [5, "BKA-C", null, "cancellation", -6, "cancelled"],
      [6, "BKA-A", null, "award", 5, "held"],
    ]);
    expect(book.items[0]).toMatchObject({ headName: formulaName, category: "environment", rule: "打扫楼道", certifier: "reviewer", day: "2026-11-02" });
    expect(book.items[0].publicity).toBe("2026-11-02 至 2026-11-02");
    expect(book.items[4].certifier).toBe("reviewer2");
    expect(book.items[5].publicity).toBeNull();

    // Every register number the applications carry is in the book, with the same household, points and fate.
    const apps = (await ok(t.call("GET", "/applications?limit=100", { token: c.tokens.admin }))).items;
    const fate = (status: string) => (status === "credited" ? "credited" : status === "cancelled" ? "cancelled" : "held");
    for (const app of apps) {
      const row = book.items.find((r: any) => r.registerNo === app.registerNo);
      expect(row, `register no ${app.registerNo}`).toBeDefined();
      expect([row.householdNo, Math.abs(row.points), row.kind, row.outcome]).toEqual([app.household.householdNo, app.points, app.kind, fate(app.status)]);
    }
    expect(apps).toHaveLength(5);

    const rows = await readSheet((await download("/register.xlsx?from=2026-11-01&to=2026-11-30", c.tokens.reviewer)).buffer);
    expect(rows[0]).toEqual(["登记号", "日期", "户号", "户主", "成员", "载体", "细则", "类别", "积分", "认定人", "公示批次", "结果"]);
    expect(rows.slice(1).map((r) => [r[0], r[2], r[4] ?? null, r[7], r[8], r[11]])).toEqual(
      book.items.map((r: any) => [r.registerNo, r.householdNo, r.member, { award: "奖励", penalty: "扣分", cancellation: "撤销" }[r.kind as string], r.points, { credited: "已充值", held: "未充值", cancelled: "已撤销" }[r.outcome as string]]),
    );
    // The formula-like name and the member "+1" are text, character for character.
    expect(rows[1][3]).toBe(formulaName);
    expect(rows[1][4]).toBe("+1");
    expect(rows[1][5]).toBe("环境爱护者");

    const en = await readSheet((await download("/register.xlsx", c.tokens.admin, "en")).buffer);
    expect(en[0][0]).toBe("No.");
    expect(en.slice(1).map((r) => r[11])).toEqual(["credited", "credited", "credited", "cancelled", "cancelled", "held"]);
  });

  it("keeps to the period asked for, and refuses a period that ends before it starts, naming `to`", async () => {
    const { c } = await month("BKB");
    expect((await ok(t.call("GET", "/register?from=2026-11-03", { token: c.tokens.admin }))).items).toEqual([]);
    expect((await ok(t.call("GET", "/register?to=2026-11-02", { token: c.tokens.admin }))).total).toBe(6);
    const empty = await readSheet((await download("/register.xlsx?from=2026-12-01&to=2026-12-31", c.tokens.admin)).buffer);
    expect(empty).toHaveLength(1);
    for (const path of ["/register.xlsx?from=2026-11-05&to=2026-11-01", "/register?from=2026-11-05&to=2026-11-01"]) {
      const res = await t.call("GET", path, { token: c.tokens.admin });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(Object.keys(res.body.error.details.fields)).toEqual(["to"]);
    }
    const bad = await t.call("GET", "/register.xlsx?from=yesterday", { token: c.tokens.admin });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details.fields)).toContain("from");
  });

  it("is for reviewers and admins; a clerk or volunteer is refused, an anonymous caller asked to sign in", async () => {
    const { c } = await month("BKC");
    for (const path of ["/register.xlsx", "/register"]) {
      for (const role of ["admin", "reviewer"] as const) expect((await t.call("GET", path, { token: c.tokens[role] })).status).toBe(200);
      for (const role of ["clerk", "volunteer"] as const) expect((await t.call("GET", path, { token: c.tokens[role] })).status).toBe(403);
      expect((await t.call("GET", path)).status).toBe(401);
    }
  });

  it("prints at most 5,000 entries: a longer period is refused with a 400 naming `to`, and downloads whole as XLSX", async () => {
    const { c, households } = await month("BKG");
    // Entries 7–5,000 on the same China day as the month's six, entry 5,001 the day after: written
    // with SQL (the procedures would take minutes), each with its application, as certifying writes them.
    const extra = async (from: number, to: number, at: string) =>
      t.db.run(sql`WITH RECURSIVE n(no) AS (SELECT ${from} UNION ALL SELECT no + 1 FROM n WHERE no < ${to}),
          rule AS (SELECT id FROM rules WHERE community_id = ${c.communityId} AND kind = 'award' LIMIT 1)
        INSERT INTO applications (id, community_id, household_id, member_id, rule_id, notice_id, kind, category, description, evidence, status, points, register_no, reason, submitted_by, submitted_by_role, decided_by, created_at, decided_at, deed_key)
        SELECT 'bulk-app-' || no, ${c.communityId}, ${households.b.id}, NULL, rule.id, NULL, 'award', 'environment', '大扫除', '[]', 'registered', 1 + no % 20, no, NULL,
          ${`user:${c.userIds.volunteer}`}, 'volunteer', ${`user:${c.userIds.reviewer}`}, ${at}, ${at}, NULL FROM n, rule`);
    const entries = async (from: number, to: number, at: string) =>
      t.db.run(sql`WITH RECURSIVE n(no) AS (SELECT ${from} UNION ALL SELECT no + 1 FROM n WHERE no < ${to})
        INSERT INTO register_entries (id, community_id, register_no, entry_kind, application_id, household_id, member_id, rule_id, category, points, corrects_entry_id, note, created_by, created_at)
        SELECT 'bulk-reg-' || no, ${c.communityId}, no, 'award', a.id, a.household_id, NULL, a.rule_id, 'environment', a.points, NULL, NULL, ${`user:${c.userIds.reviewer}`}, ${at}
        FROM n JOIN applications a ON a.id = 'bulk-app-' || n.no`);
    for (const [from, to, at] of [[7, registerPrintRowsMax, "2026-11-02T05:00:00.000Z"], [registerPrintRowsMax + 1, registerPrintRowsMax + 1, "2026-11-03T05:00:00.000Z"]] as const) {
      await extra(from, to, at);
      await entries(from, to, at);
    }

    // Exactly the limit prints, in register-number order.
    const day = await ok(t.call("GET", "/register?to=2026-11-02", { token: c.tokens.reviewer }));
    expect(day.total).toBe(registerPrintRowsMax);
    expect(day.items.map((r: any) => r.registerNo)).toEqual(Array.from({ length: registerPrintRowsMax }, (_, i) => i + 1));
    expect(day.items[registerPrintRowsMax - 1]).toMatchObject({ householdNo: "BKG-B", kind: "award", points: 1 + (registerPrintRowsMax % 20), certifier: "reviewer", outcome: "held", day: "2026-11-02", publicity: null });

    // One more is refused, in the project's error shape, whoever asks and however the period is named.
    for (const path of ["/register", "/register?from=2026-11-01&to=2026-11-30", "/register?from=2026-11-02T00:00:00.000Z"]) {
      const res = await t.call("GET", path, { token: c.tokens.admin });
      expect(res.status, path).toBe(400);
      expect(res.body.error).toMatchObject({ code: "VALIDATION_FAILED", message: expect.any(String), details: { total: registerPrintRowsMax + 1, max: registerPrintRowsMax } });
      expect(Object.keys(res.body.error.details.fields)).toEqual(["to"]);
      expect(res.body.error.details.fields.to).toContain(String(registerPrintRowsMax + 1));
    }
    const en = await t.call("GET", "/register", { token: c.tokens.reviewer, headers: { "accept-language": "en" } });
    expect(en.status).toBe(400);
    expect(en.body.error.details.fields.to).toBe(`the period holds ${registerPrintRowsMax + 1} entries; print at most ${registerPrintRowsMax} at once, or download the XLSX`);

    // The XLSX has no such limit: every entry, in order, read across the pages it is read in.
    const rows = await readSheet((await download("/register.xlsx", c.tokens.reviewer)).buffer);
    expect(rows).toHaveLength(registerPrintRowsMax + 2);
    expect(rows.slice(1).map((r) => r[0])).toEqual(Array.from({ length: registerPrintRowsMax + 1 }, (_, i) => i + 1));
    expect(rows[1][3]).toBe(formulaName);
    expect(rows[registerPrintRowsMax + 1]).toEqual([registerPrintRowsMax + 1, "2026-11-03", "BKG-B", "李四", null, "环境爱护者", "打扫楼道", "奖励", 1 + ((registerPrintRowsMax + 1) % 20), "reviewer", null, "未充值"]);
  });

  it("keeps two communities apart", async () => {
    const one = await month("BKD");
    const two = await month("BKE");
    const book = await ok(t.call("GET", "/register", { token: two.c.tokens.admin }));
    expect(new Set(book.items.map((r: any) => r.householdNo.slice(0, 3)))).toEqual(new Set(["BKE"]));
    expect(book.items.map((r: any) => r.registerNo)).toEqual([1, 2, 3, 4, 5, 6]);
    const rows = await readSheet((await download("/register.xlsx", one.c.tokens.reviewer)).buffer);
    expect(new Set(rows.slice(1).map((r) => String(r[2]).slice(0, 3)))).toEqual(new Set(["BKD"]));
    const report = await ok(t.call("GET", "/reports/monthly?month=2026-11", { token: one.c.tokens.admin }));
    expect(report.summary.households).toBe(3);
    expect(report.redemptionsByShop).toHaveLength(1);
  });
});

describe("the monthly report", () => {
  it("answers what the summary answers for the month, and its breakdowns add up to it", async () => {
    const { c } = await month("MRA");
    const summary = await ok(t.call("GET", "/reports/summary?from=2026-11-01&to=2026-11-30", { token: c.tokens.admin }));
    const report = await ok(t.call("GET", "/reports/monthly?month=2026-11", { token: c.tokens.admin }));
    expect(report.summary).toEqual(summary);
    expect(summary).toMatchObject({ households: 3, pointsAwarded: 18, pointsDeducted: 3, pointsRedeemed: 5, redemptions: 1 });
    const total = (rows: any[], key: string) => rows.reduce((s, r) => s + r[key], 0);
    expect(report.byBuilding.map((b: any) => b.building)).toEqual(["+1", "2", "10"]);
    expect(total(report.byBuilding, "households")).toBe(summary.households);
    expect(total(report.byBuilding, "pointsAwarded")).toBe(summary.pointsAwarded);
    expect(total(report.byBuilding, "pointsDeducted")).toBe(summary.pointsDeducted);
    expect(total(report.byBuilding, "pointsRedeemed")).toBe(summary.pointsRedeemed);
    expect(report.topUps).toHaveLength(1);
    expect(report.topUps[0]).toMatchObject({ items: 3, pointsAwarded: summary.pointsAwarded, pointsDeducted: summary.pointsDeducted, heldBack: 0, publicity: "2026-11-02 至 2026-11-02" });
    expect(report.redemptionsByShop).toEqual([expect.objectContaining({ shop: "驿站超市", redemptions: 2, pointsRedeemed: 10, pointsVoided: 5, pointsNet: summary.pointsRedeemed })]);
    expect(report.redemptionsByGoods).toEqual([expect.objectContaining({ goods: "+1", quantity: 1, points: 5 })]);

    const bytes = await download("/reports/monthly.xlsx?month=2026-11", c.tokens.admin);
    const sheet = (name: string) => readSheet(bytes.buffer, name);
    const head = await sheet("汇总");
    expect(String(head[0][0])).toContain("2026-11");
    const figure = (label: string) => head.find((r) => r[0] === label)?.[1];
    expect([figure("户数"), figure("参与户数"), figure("发放积分"), figure("扣减积分"), figure("兑换积分"), figure("月末结余积分"), figure("申请件数"), figure("异议件数"), figure("兑换笔数"), figure("参与率")]).toEqual([
      summary.households, summary.participatingHouseholds, summary.pointsAwarded, summary.pointsDeducted, summary.pointsRedeemed, summary.pointsOutstanding, summary.applications, summary.objections, summary.redemptions, summary.participationRate,
    ]);
    const categories = await sheet("按载体");
    expect(categories.slice(1, -1).map((r) => [r[0], r[1], r[2], r[3], r[4]])).toEqual(
      summary.byCategory.map((x: any) => [{ environment: "环境爱护者", penalty: "惩戒扣分" }[x.category as string], x.applications, x.pointsAwarded, x.pointsDeducted, x.points]),
    );
    const buildings = await sheet("按楼栋");
    expect(buildings[1][0]).toBe("+1");
    expect(buildings.at(-1)).toEqual(["合计", summary.households, summary.pointsAwarded, summary.pointsDeducted, summary.pointsRedeemed]);
    const topUps = await sheet("充值");
    expect(topUps.at(-1)?.slice(2, 5)).toEqual([3, summary.pointsAwarded, summary.pointsDeducted]);
    const shops = await sheet("兑换（超市）");
    expect(shops.at(-1)).toEqual(["合计", 2, 10, 5, summary.pointsRedeemed]);
    const goods = await sheet("兑换（商品）");
    expect(goods[1]).toEqual(["驿站超市", "+1", 1, 5]);
    const settlements = await sheet("结算");
    expect(settlements.length).toBeGreaterThan(0);
  });

  it("lists the month's settlement statements with the points confirmed and the amount paid", async () => {
    const { c } = await month("MRS");
    const empty = await ok(t.call("GET", "/reports/monthly?month=2026-11", { token: c.tokens.admin }));
    expect(empty.settlements).toEqual({ items: [], pointsConfirmed: 0, amountPaidFen: 0 });
    t.clock.advanceHours(1);
    const draft = await ok(t.call("POST", "/settlements", { token: c.tokens.admin, body: { shopId: c.shopId, to: t.clock.now().toISOString() } }), 201);
    await ok(t.call("POST", `/settlements/${draft.id}/confirm`, { token: c.tokens.admin }));
    await ok(t.call("POST", `/settlements/${draft.id}/pay`, { token: c.tokens.admin, body: { reference: "BANK-1" } }));
    const report = await ok(t.call("GET", "/reports/monthly?month=2026-11", { token: c.tokens.admin }));
    const net = report.redemptionsByShop[0].pointsNet;
    expect(report.settlements.items).toEqual([expect.objectContaining({ shop: "驿站超市", status: "paid", points: net, amountFen: net * 100 })]);
    expect(report.settlements).toMatchObject({ pointsConfirmed: net, amountPaidFen: net * 100 });
    const sheet = await readSheet((await download("/reports/monthly.xlsx?month=2026-11", c.tokens.admin)).buffer, "结算");
    expect(sheet[0][0]).toBe("超市");
    expect(sheet[1].slice(0, 1).concat(sheet[1].slice(3, 7))).toEqual(["驿站超市", "已付款", 1, net, net]);
    expect(sheet.at(-1)?.[6]).toBe(net);
  });

  it("counts only the month asked for: December is empty, October had nothing", async () => {
    const { c } = await month("MRB");
    const december = await ok(t.call("GET", "/reports/monthly?month=2026-12", { token: c.tokens.admin }));
    expect(december.summary).toEqual(await ok(t.call("GET", "/reports/summary?from=2026-12-01&to=2026-12-31", { token: c.tokens.admin })));
    expect(december.summary).toMatchObject({ pointsAwarded: 0, pointsRedeemed: 0, households: 3 });
    expect(december.topUps).toEqual([]);
    expect(december.byBuilding.map((b: any) => b.pointsAwarded)).toEqual([0, 0, 0]);
    const october = await ok(t.call("GET", "/reports/monthly?month=2026-10", { token: c.tokens.admin }));
    expect(october.summary.households).toBe(0);
    expect(october.byBuilding).toEqual([]);
  });

  it("refuses a malformed month, naming the field; is for the admin only", async () => {
    const { c } = await month("MRC");
    for (const query of ["", "?month=2026-13", "?month=2026-1", "?month=november", "?month=2026-11-01"]) {
      for (const path of ["/reports/monthly.xlsx", "/reports/monthly"]) {
        const res = await t.call("GET", `${path}${query}`, { token: c.tokens.admin });
        expect(res.status, `${path}${query}`).toBe(400);
        expect(res.body.error.code).toBe("VALIDATION_FAILED");
        expect(Object.keys(res.body.error.details.fields)).toEqual(["month"]);
      }
    }
    for (const role of ["reviewer", "clerk", "volunteer"] as const) expect((await t.call("GET", "/reports/monthly.xlsx?month=2026-11", { token: c.tokens[role] })).status).toBe(403);
    const en = await readSheet((await download("/reports/monthly.xlsx?month=2026-11", c.tokens.admin, "en")).buffer, "Summary");
    expect(en[1]).toEqual(["Households", 3]);
  });
});
