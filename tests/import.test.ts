import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import iconv from "iconv-lite";
import { readSheet } from "read-excel-file/universal";
import writeXlsxFile from "write-excel-file/universal";
import { accounts, auditLog, households, members } from "../db/schema";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const header = "户号,户主姓名,楼栋,单元,房号,联系电话,家庭成员,人口数,户类型";
const goodRows = [
  "XXL-421401,吴俊杰,42号楼,1单元,401,150-1661-3186,吴俊杰、胡金凤（配偶）、吴丽娟（长子）,3,脱贫户",
  'XXL-743401,董秀英 ,74号楼,3单元,401,139-4821-9935,"董秀英,郭小军（配偶）,董淑珍(长子)",3,一般户',
  "XXL-833604,沈浩然 ,83号楼,3单元,604,17291703423,沈浩然，万金凤（配偶），沈建华（长子），沈长林（长女）,4,监测户",
  "XXL-111102,范春花,11号楼,1单元,102,,,1,低保户",
];

function csv(lines: string[]) {
  return `${lines.join("\r\n")}\r\n`;
}

/** Sends a file the way the web app does: multipart/form-data with the field `file`. */
async function upload(token: string | undefined, content: BlobPart, fileName = "花名册.csv", headers: Record<string, string> = {}) {
  const form = new FormData();
  form.append("file", new Blob([content]), fileName);
  return t.call("POST", "/households/import", { token, rawBody: form, headers });
}

async function householdByNo(c: TestCommunity, householdNo: string) {
  const list = await t.call("GET", `/households?q=${encodeURIComponent(householdNo)}`, { token: c.tokens.admin });
  const item = list.body.items.find((h: { householdNo: string }) => h.householdNo === householdNo);
  return (await t.call("GET", `/households/${item.id}`, { token: c.tokens.admin })).body;
}

async function expectNothingWritten(c: TestCommunity) {
  expect(await t.db.$count(households, eq(households.communityId, c.communityId))).toBe(0);
  expect(await t.db.$count(members, eq(members.communityId, c.communityId))).toBe(0);
  expect(await t.db.$count(accounts, eq(accounts.kind, "household"))).toBe(0);
}

describe("POST /households/import: encodings and formats", () => {
  it("imports a UTF-8 file with a byte-order mark, cleaning names, phones and member lists", async () => {
    const c = await t.newCommunity();
    const res = await upload(c.tokens.admin, `\ufeff${csv([header, ...goodRows])}`);
    expect(res.status).toBe(201);
    expect(res.body.imported).toBe(4);
    expect(res.body.households.map((h: { householdNo: string }) => h.householdNo)).toEqual(["XXL-421401", "XXL-743401", "XXL-833604", "XXL-111102"]);
    const dong = await householdByNo(c, "XXL-743401");
    expect(dong).toMatchObject({ headName: "董秀英", building: "74号楼", unit: "3单元", room: "401", phone: "13948219935", householdType: "一般户", balance: 0 });
    expect(dong.members.map((m: { name: string; relation: string | null }) => [m.name, m.relation])).toEqual([
      ["董秀英", "户主"],
      ["郭小军", "配偶"],
      ["董淑珍", "长子"],
    ]);
    const shen = await householdByNo(c, "XXL-833604");
    expect(shen.members).toHaveLength(4);
    // No members listed: the head is still a member.
    const fan = await householdByNo(c, "XXL-111102");
    expect(fan).toMatchObject({ phone: null, members: [{ name: "范春花", relation: "户主" }] });
    const audit = await t.db.query.auditLog.findFirst({ where: eq(auditLog.action, "household.import") });
    expect(audit?.details).toMatchObject({ format: "csv", imported: 4, members: 11, fileName: "花名册.csv" });
    await t.ledgerOk(c.communityId);
  });

  it("imports a GBK file, as Excel on a Chinese Windows PC saves CSV", async () => {
    const c = await t.newCommunity();
    const res = await upload(c.tokens.admin, new Uint8Array(iconv.encode(csv([header, ...goodRows]), "gbk")));
    expect(res.status).toBe(201);
    expect(res.body.imported).toBe(4);
    const wu = await householdByNo(c, "XXL-421401");
    expect(wu).toMatchObject({ headName: "吴俊杰", building: "42号楼", householdType: "脱贫户" });
    expect(wu.members.map((m: { name: string }) => m.name)).toEqual(["吴俊杰", "胡金凤", "吴丽娟"]);
    await t.ledgerOk(c.communityId);
  });

  it("imports UTF-8 without a mark, English headings, LF line ends and a title row above the header", async () => {
    const c = await t.newCommunity();
    const file = ["兴贤里社区住户花名册,,,,,,", "householdNo,headName,building,unit,room,phone,members", "E-1,Zhang San,1,,,13800001111,Zhang San; Li Si(spouse)", "", "E-2,王五,2,,,,"].join("\n");
    const res = await upload(c.tokens.admin, file);
    expect(res.status).toBe(201);
    expect(res.body.imported).toBe(2);
    expect((await householdByNo(c, "E-1")).members.map((m: { name: string; relation: string | null }) => [m.name, m.relation])).toEqual([
      ["Zhang San", "户主"],
      ["Li Si", "spouse"],
    ]);
  });

  it("imports Excel's tab-separated UTF-16 'Unicode text'", async () => {
    const c = await t.newCommunity();
    const text = `\ufeff${["户号\t户主姓名\t楼栋", "U-1\t张三\t3号楼"].join("\r\n")}`;
    const res = await upload(c.tokens.admin, new Uint8Array(iconv.encode(text, "utf-16le")), "huaming.txt");
    expect(res.status).toBe(201);
    expect(res.body.households[0]).toMatchObject({ householdNo: "U-1", headName: "张三", building: "3号楼", memberCount: 1 });
  });

  it("imports an XLSX workbook, numbers and all", async () => {
    const c = await t.newCommunity();
    const blob = await writeXlsxFile([
      header.split(","),
      ["X-1", "吴俊杰", "42号楼", "1单元", 401, 15016613186, "吴俊杰、胡金凤（配偶）", 2, "脱贫户"],
      [null, null, null, null, null, null, null, null, null],
      ["X-2", " 董秀英 ", "74号楼", null, "401", "139-4821-9935", "董秀英,郭小军(配偶)", 2, null],
    ]).toBlob();
    const res = await upload(c.tokens.admin, blob, "花名册.xlsx");
    expect(res.status).toBe(201);
    expect(res.body.imported).toBe(2);
    expect(await householdByNo(c, "X-1")).toMatchObject({ room: "401", phone: "15016613186", members: [{ name: "吴俊杰" }, { name: "胡金凤", relation: "配偶" }] });
    expect(await householdByNo(c, "X-2")).toMatchObject({ headName: "董秀英", unit: null, phone: "13948219935" });
    await t.ledgerOk(c.communityId);
  });

  it("also takes the file as the raw request body", async () => {
    const c = await t.newCommunity();
    const res = await t.call("POST", "/households/import", { token: c.tokens.admin, rawBody: csv([header, goodRows[0]]), headers: { "content-type": "text/csv" } });
    expect(res.status).toBe(201);
    expect(res.body.imported).toBe(1);
  });
});

describe("POST /households/import: all or nothing", () => {
  it("lists every bad row with its line number and writes nothing", async () => {
    const c = await t.newCommunity();
    const file = csv([
      header,
      goodRows[0], // line 2
      ",无户号,1号楼,,,,,,", // line 3: no 户号
      goodRows[1], // line 4
      "XXL-9,张三,2号楼,,,12a45,,,", // line 5: bad phone
      goodRows[2], // line 6
      `XXL-421401,${"长".repeat(41)},3号楼,,,,,,`, // line 7: 户号 repeats line 2, head name too long
      goodRows[3], // line 8
    ]);
    const res = await upload(c.tokens.admin, file);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMPORT_INVALID");
    const rows = res.body.error.details.rows as Array<{ line: number; field: string; column?: string; problem: string }>;
    expect([...new Set(rows.map((r) => r.line))]).toEqual([3, 5, 7]);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 3, field: "householdNo", column: "户号" }),
        expect.objectContaining({ line: 5, field: "phone", column: "联系电话" }),
        expect.objectContaining({ line: 7, field: "headName" }),
        expect.objectContaining({ line: 7, field: "householdNo", problem: expect.stringContaining("2") }),
      ]),
    );
    for (const row of rows) expect(row.problem.length).toBeGreaterThan(3);
    await expectNothingWritten(c);
    await t.ledgerOk(c.communityId);
  });

  it("refuses 户号 that the community already has, naming their lines", async () => {
    const c = await t.newCommunity();
    const first = await upload(c.tokens.admin, csv([header, goodRows[0], goodRows[1]]));
    expect(first.status).toBe(201);
    const again = await upload(c.tokens.admin, csv([header, goodRows[2], goodRows[1], goodRows[0]]));
    expect(again.status).toBe(400);
    expect(again.body.error.details.rows.map((r: { line: number }) => r.line)).toEqual([3, 4]);
    expect(await t.db.$count(households, eq(households.communityId, c.communityId))).toBe(2);
    // Another community may have the same numbers.
    const b = await t.newCommunity();
    expect((await upload(b.tokens.admin, csv([header, goodRows[0]]))).status).toBe(201);
    await t.ledgerOk(c.communityId);
  });

  it("reports missing columns, bad member lists, too many members and over-long values", async () => {
    const c = await t.newCommunity();
    const noBuilding = await upload(c.tokens.admin, csv(["户号,户主姓名", "A-1,张三"]));
    expect(noBuilding.status).toBe(400);
    expect(noBuilding.body.error.details.rows).toEqual([expect.objectContaining({ line: 1, field: "building" })]);

    const tooMany = Array.from({ length: 21 }, (_, i) => `成员${i}`).join("、");
    const file = csv([
      header,
      "M-1,张三,1号楼,,,,张三、李四（配偶,,", // unbalanced bracket
      `M-2,张三,1号楼,,,,${tooMany},,`,
      `M-3,张三,${"楼".repeat(21)},${"单".repeat(21)},${"房".repeat(21)},,,,${"类".repeat(21)}`,
      `M-4,张三,1号楼,,,1.38E+10,,,`, // Excel turned the phone number into a float
      `${"户".repeat(33)},张三,1号楼,,,,,,`,
    ]);
    const res = await upload(c.tokens.admin, file);
    expect(res.status).toBe(400);
    const problems = res.body.error.details.rows.map((r: { line: number; field: string }) => `${r.line}:${r.field}`);
    expect(problems).toEqual(expect.arrayContaining(["2:members", "3:members", "4:building", "4:unit", "4:room", "4:householdType", "5:phone", "6:householdNo"]));
    await expectNothingWritten(c);
  });

  it("answers in English when asked", async () => {
    const c = await t.newCommunity();
    const res = await upload(c.tokens.admin, csv([header, ",张三,1号楼"]), "x.csv", { "accept-language": "en" });
    expect(res.body.error.message).toMatch(/nothing was imported/);
    expect(res.body.error.details.rows[0].problem).toMatch(/Required/);
  });
});

describe("POST /households/import: files that are not spreadsheets", () => {
  it("answers 400 IMPORT_INVALID with a clear problem, never 500", async () => {
    const c = await t.newCommunity();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
    const brokenZip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const randomBytes = crypto.getRandomValues(new Uint8Array(4096));
    const cases: Array<[BlobPart, RegExp]> = [
      [png, /CSV|XLSX/],
      [xls, /\.xls/],
      [brokenZip, /xlsx/],
      [randomBytes, /./],
      ["", /空/],
      ["just some words\nand more words\n", /表头/],
      [csv([header]), /没有数据/],
    ];
    for (const [content, problem] of cases) {
      const res = await upload(c.tokens.admin, content);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("IMPORT_INVALID");
      expect(res.body.error.details.rows[0].problem).toMatch(problem);
    }
    // An .xlsx whose first sheet has no header row.
    const blob = await writeXlsxFile([["hello"], ["world"]]).toBlob();
    expect((await upload(c.tokens.admin, blob, "x.xlsx")).body.error.code).toBe("IMPORT_INVALID");
    await expectNothingWritten(c);
  });

  it("asks for the file when the form has none, and refuses JSON", async () => {
    const c = await t.newCommunity();
    const form = new FormData();
    form.append("other", "x");
    const missing = await t.call("POST", "/households/import", { token: c.tokens.admin, rawBody: form });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.fields.file).toBeTruthy();
    const json = await t.call("POST", "/households/import", { token: c.tokens.admin, body: { file: "x" } });
    expect(json.status).toBe(415);
  });

  it("refuses files over the size limit with 413", async () => {
    const c = await t.newCommunity();
    const res = await t.call("POST", "/households/import", {
      token: c.tokens.admin,
      rawBody: "x".repeat(5 * 1024 * 1024 + 1),
      headers: { "content-type": "text/csv" },
    });
    expect(res.status).toBe(413);
    await expectNothingWritten(c);
  });
});

describe("POST /households/import: who may import", () => {
  it("allows only the admin", async () => {
    const c = await t.newCommunity();
    const created = await t.call("POST", "/households", { token: c.tokens.admin, body: { householdNo: "R-1", headName: "张三", building: "1", members: [] } });
    const card = await t.call("POST", `/households/${created.body.id}/card`, { token: c.tokens.admin, body: { pin: "2580" } });
    const resident = (await t.call("POST", "/auth/card-login", { body: { cardNo: card.body.cardNo, pin: "2580" } })).body.token;
    const file = csv([header, goodRows[0]]);
    for (const token of [c.tokens.reviewer, c.tokens.volunteer, c.tokens.clerk, resident]) {
      expect((await upload(token, file)).status).toBe(403);
    }
    // A same-origin form post without a session (a bearer-less browser upload) is 401.
    expect((await upload(undefined, file, "x.csv", { origin: "http://localhost" })).status).toBe(401);
    expect(await t.db.$count(households, eq(households.communityId, c.communityId))).toBe(1);
  });
});

describe("POST /households/import: a whole community", () => {
  it("imports 3,000 households with about 12,000 members in one go", async () => {
    const c = await t.newCommunity();
    const surnames = "吴董文戴沈钟何白武程范袁";
    const lines = [header];
    for (let i = 0; i < 3000; i++) {
      const surname = surnames[i % surnames.length];
      const building = `${(i % 83) + 1}号楼`;
      const memberList = [`${surname}建国`, `刘桂兰（配偶）`, `${surname}小明（长子）`, `${surname}小红（长女）`].join("、");
      lines.push(`XXL-${String(i).padStart(5, "0")},${surname}建国,${building},${(i % 3) + 1}单元,${100 + (i % 40)},1380000${String(i).padStart(4, "0")},${memberList},4,一般户`);
    }
    const res = await upload(c.tokens.admin, `\ufeff${csv(lines)}`);
    expect(res.status).toBe(201);
    expect(res.body.imported).toBe(3000);
    expect(res.body.households).toHaveLength(3000);
    expect(await t.db.$count(households, eq(households.communityId, c.communityId))).toBe(3000);
    expect(await t.db.$count(members, eq(members.communityId, c.communityId))).toBe(12_000);
    expect(await t.db.$count(accounts, eq(accounts.kind, "household"))).toBe(3000);
    const page = await t.call("GET", `/households?building=${encodeURIComponent("7号楼")}&limit=200`, { token: c.tokens.volunteer });
    expect(page.body.items.length).toBeGreaterThan(30);
    await t.ledgerOk(c.communityId);
  });
});

describe("GET /households/import/template", () => {
  it("gives the admin a CSV template with a byte-order mark that the importer reads back", async () => {
    const c = await t.newCommunity();
    const res = await t.call("GET", "/households/import/template", { token: c.tokens.admin });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/attachment/);
    const bytes = new Uint8Array(await (await fetchTemplate(c.tokens.admin, "csv")).arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.body).toBe(`${header}\r\n`);
    const filled = new Blob([bytes, `${goodRows[0]}\r\n`]);
    expect((await upload(c.tokens.admin, filled)).status).toBe(201);
  });

  it("gives an XLSX template on ?format=xlsx", async () => {
    const c = await t.newCommunity();
    const res = await t.call("GET", "/households/import/template?format=xlsx", { token: c.tokens.admin });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const bytes = await (await fetchTemplate(c.tokens.admin, "xlsx")).arrayBuffer();
    expect(await readSheet(bytes)).toEqual([header.split(",")]);
    expect((await t.call("GET", "/households/import/template?format=pdf", { token: c.tokens.admin })).status).toBe(400);
  });

  it("is for the admin only", async () => {
    const c = await t.newCommunity();
    for (const role of ["reviewer", "volunteer", "clerk"] as const) {
      expect((await t.call("GET", "/households/import/template", { token: c.tokens[role] })).status).toBe(403);
    }
    expect((await t.call("GET", "/households/import/template")).status).toBe(401);
  });
});

/** The template as raw bytes (the harness decodes bodies as text, which drops the BOM). */
async function fetchTemplate(token: string, format: "csv" | "xlsx") {
  const { createApp } = await import("../api/app");
  const app = createApp({
    db: () => t.db,
    clock: t.clock,
    config: () => ({ publicUrl: "http://localhost:8787", cardSigningKey: "test-card-signing-key-0123456789", secureCookies: false }),
  });
  return app.request(`/api/households/import/template?format=${format}`, { headers: { authorization: `Bearer ${token}` } });
}

describe("POST /households/import?onExisting=", () => {
  const seed = [
    header,
    "U-001,吴俊杰,42号楼,1单元,401,150-1661-3186,吴俊杰、胡金凤（配偶）、吴丽娟（长女）、吴小宝（孙子）,4,脱贫户",
    "U-002,董秀英,74号楼,3单元,401,139-4821-9935,董秀英、郭小军（配偶）,2,一般户",
  ];

  it("refuses existing 户号 by default, naming each 户号, its head and code EXISTS, and writes nothing", async () => {
    const c = await t.newCommunity();
    expect((await upload(c.tokens.admin, csv(seed))).status).toBe(201);
    const res = await upload(c.tokens.admin, csv([header, "U-003,沈浩然,83号楼,,,,,,", "U-002,董秀英,74号楼,,,,,,"]));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMPORT_INVALID");
    expect(res.body.error.details.rows).toEqual([
      expect.objectContaining({ line: 3, field: "householdNo", householdNo: "U-002", headName: "董秀英", code: "EXISTS", problem: expect.stringContaining("董秀英") }),
    ]);
    const explicit = await upload(c.tokens.admin, csv([header, "U-002,董秀英,74号楼,,,,,,"]), "x.csv");
    expect(explicit.status).toBe(400);
    expect(await t.db.$count(households, eq(households.communityId, c.communityId))).toBe(2);
  });

  it("names the 户号 and the person in every row problem, and the member a member problem is about", async () => {
    const c = await t.newCommunity();
    const res = await upload(c.tokens.admin, csv([header, "E-001,张三,1号楼,,,12a45,张三、李四（配偶,,", "E-002,,1号楼,,,,,,", "E-001,王五,2号楼,,,,,,"]));
    expect(res.status).toBe(400);
    const rows = res.body.error.details.rows;
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 2, field: "phone", householdNo: "E-001", headName: "张三" }),
        expect.objectContaining({ line: 2, field: "members", householdNo: "E-001", headName: "张三", member: "李四（配偶" }),
        expect.objectContaining({ line: 3, field: "headName", householdNo: "E-002" }),
        expect.objectContaining({ line: 4, field: "householdNo", householdNo: "E-001", headName: "王五" }),
      ]),
    );
  });

  it("skip: leaves existing 户号 exactly as they are and creates the rest, answering the counts", async () => {
    const c = await t.newCommunity();
    expect((await upload(c.tokens.admin, csv(seed))).status).toBe(201);
    const before = await householdByNo(c, "U-002");
    const res = await t.call("POST", "/households/import?onExisting=skip", { token: c.tokens.admin, rawBody: csv([header, "U-002,董秀英改,1号楼,,,,董秀英改,,", "U-003,沈浩然,83号楼,,,,沈浩然、万金凤（配偶）,,"]), headers: { "content-type": "text/csv" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ created: 1, skipped: 1, updated: 0, unchanged: 0, imported: 1, skippedNos: ["U-002"], updatedNos: [] });
    expect(res.body.households.map((h: { householdNo: string }) => h.householdNo)).toEqual(["U-003"]);
    expect(await householdByNo(c, "U-002")).toEqual(before);
    expect((await householdByNo(c, "U-003")).members).toHaveLength(2);
    // Everything skipped: nothing created, 200.
    const again = await t.call("POST", "/households/import?onExisting=skip", { token: c.tokens.admin, rawBody: csv(seed), headers: { "content-type": "text/csv" } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: 0, skipped: 2, updated: 0 });
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, "household.import"));
    expect(audit.at(-1)?.details).toMatchObject({ onExisting: "skip", created: 0, skipped: 2 });
    await t.ledgerOk(c.communityId);
  });

  it("update: replaces fields and members, matched by name so members keep their ids and award history; members an application names are kept", async () => {
    const c = await t.newCommunity();
    expect((await upload(c.tokens.admin, csv(seed))).status).toBe(201);
    const wu = await householdByNo(c, "U-001");
    const id = (name: string) => wu.members.find((m: { name: string }) => m.name === name).id as string;
    // 吴丽娟 earned points: her application is certified, registered, publicised and credited.
    const rule = (await t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "neighbour", title: "照顾老人", kind: "award", minPoints: 1, maxPoints: 10 } })).body;
    const application = (await t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: wu.id, memberId: id("吴丽娟"), ruleId: rule.id, description: "照顾独居老人" } })).body;
    expect((await t.call("POST", `/applications/${application.id}/certify`, { token: c.tokens.reviewer, body: { decision: "approve", points: 5 } })).status).toBe(200);
    const dong = await householdByNo(c, "U-002");

    const file = csv([
      header,
      // Moved to 43号楼, new phone; 胡金凤's relation corrected; 吴丽娟 and 吴小宝 gone from the list; a newborn added.
      "U-001,吴俊杰,43号楼,2单元,502,13800001111,吴俊杰、胡金凤（妻子）、吴新生（孙女）,3,一般户",
      seed[2], // U-002 exactly as it is
      "U-004,文海燕,2号楼,,,,,1,",
    ]);
    const res = await t.call("POST", "/households/import?onExisting=update", { token: c.tokens.admin, rawBody: file, headers: { "content-type": "text/csv" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ created: 1, skipped: 0, updated: 1, unchanged: 1, updatedNos: ["U-001"], keptMembers: [{ householdNo: "U-001", name: "吴丽娟" }] });

    const after = await householdByNo(c, "U-001");
    expect(after).toMatchObject({ id: wu.id, building: "43号楼", unit: "2单元", room: "502", phone: "13800001111", householdType: "一般户" });
    const byName = Object.fromEntries(after.members.map((m: { name: string; id: string; relation: string | null }) => [m.name, m]));
    expect(Object.keys(byName).sort()).toEqual(["吴丽娟", "吴俊杰", "吴新生", "胡金凤"].sort());
    expect(byName["吴俊杰"].id).toBe(id("吴俊杰"));
    expect(byName["胡金凤"]).toEqual({ id: id("胡金凤"), name: "胡金凤", relation: "妻子" });
    expect(byName["吴丽娟"].id).toBe(id("吴丽娟")); // named by an application: kept, history whole
    expect(byName["吴新生"].relation).toBe("孙女");
    expect(await t.db.$count(members, eq(members.id, id("吴小宝")))).toBe(0); // named by nothing: removed
    const history = (await t.call("GET", `/applications/${application.id}`, { token: c.tokens.admin })).body;
    expect(history).toMatchObject({ memberId: id("吴丽娟"), memberName: "吴丽娟", status: "registered" });
    expect(await householdByNo(c, "U-002")).toEqual(dong);

    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, "household.update"));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ targetId: wu.id, details: { source: "import", householdNo: "U-001", before: { building: "42号楼" }, after: { building: "43号楼" } } });
    expect(audit[0].details?.removedMembers).toEqual([{ id: id("吴小宝"), name: "吴小宝" }]);

    // The same file again changes nothing more.
    const again = await t.call("POST", "/households/import?onExisting=update", { token: c.tokens.admin, rawBody: csv([header, file.split("\r\n")[1]]), headers: { "content-type": "text/csv" } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    await t.ledgerOk(c.communityId);
  });

  it("still refuses a file with bad rows whatever onExisting says, and refuses an unknown onExisting with 400", async () => {
    const c = await t.newCommunity();
    expect((await upload(c.tokens.admin, csv(seed))).status).toBe(201);
    for (const mode of ["skip", "update"]) {
      const res = await t.call("POST", `/households/import?onExisting=${mode}`, { token: c.tokens.admin, rawBody: csv([header, "U-001,,1号楼,,,,,,", "U-009,张三,1号楼,,,,,,"]), headers: { "content-type": "text/csv" } });
      expect(res.status, mode).toBe(400);
      expect(res.body.error.details.rows).toEqual([expect.objectContaining({ line: 2, field: "headName", householdNo: "U-001" })]);
    }
    const bad = await t.call("POST", "/households/import?onExisting=replace", { token: c.tokens.admin, rawBody: csv(seed), headers: { "content-type": "text/csv" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.onExisting).toBeTruthy();
    expect(await t.db.$count(households, eq(households.communityId, c.communityId))).toBe(2);
    expect((await householdByNo(c, "U-001")).headName).toBe("吴俊杰");
  });
});

describe("POST /households/import?onExisting=update: guards and scale", () => {
  it("fails whole with 409 when a household to update is edited between the import's read and its write", async () => {
    const c = await t.newCommunity();
    expect((await upload(c.tokens.admin, csv([header, "G-001,张三,1号楼,,,,张三,,"]))).status).toBe(201);
    const { importHouseholds } = await import("../api/domain/import");
    const { adminActor } = await import("./support/fixtures");
    // A db whose batch is preceded by someone else's edit of G-001.
    const racing = Object.create(t.db) as typeof t.db;
    racing.batch = (async (statements: Parameters<typeof t.db.batch>[0]) => {
      await t.db.update(households).set({ room: "999", updatedAt: new Date(Date.now() + 1000).toISOString() }).where(eq(households.householdNo, "G-001"));
      return t.db.batch(statements);
    }) as unknown as typeof t.db.batch;
    const file = new TextEncoder().encode(csv([header, "G-001,张三,2号楼,,,,张三、李四,,", "G-002,王五,1号楼,,,,,,"]));
    await expect(importHouseholds(racing, t.clock, adminActor(c), null, { bytes: file }, "zh", undefined, "update")).rejects.toMatchObject({ code: "CONFLICT" });
    const g1 = await householdByNo(c, "G-001");
    expect(g1).toMatchObject({ building: "1号楼", room: "999", members: [{ name: "张三" }] });
    expect(await t.db.$count(households, eq(households.communityId, c.communityId))).toBe(1);
  });

  it("updates 3,000 households in one go", async () => {
    const c = await t.newCommunity();
    const rows = (building: (i: number) => string) => {
      const lines = [header];
      for (let i = 0; i < 3000; i++) lines.push(`S-${String(i).padStart(5, "0")},户主${i},${building(i)},,,,户主${i}、配偶${i}（配偶）、孩子${i}（长子）,3,`);
      return csv(lines);
    };
    expect((await upload(c.tokens.admin, rows(() => "1号楼"))).status).toBe(201);
    const started = Date.now();
    const res = await t.call("POST", "/households/import?onExisting=update", { token: c.tokens.admin, rawBody: rows((i) => `${(i % 83) + 1}号楼`), headers: { "content-type": "text/csv" } });
    const seconds = (Date.now() - started) / 1000;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 0, updated: 2963, unchanged: 37 }); // i % 83 === 0 stays in 1号楼
    // About 0.8 s here; the write holds an embedded database's event loop, so it must stay short
    // (the planner once walked every household for every row: 8 s).
    expect(seconds).toBeLessThan(5);
    const page = await t.call("GET", `/households?building=${encodeURIComponent("7号楼")}&limit=200`, { token: c.tokens.admin });
    expect(page.body.total).toBe(37);
    expect(await t.db.$count(members, eq(members.communityId, c.communityId))).toBe(9000);
  });
});
