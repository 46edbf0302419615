/**
 * Imports are bounded before anything parses them: an XLSX "zip bomb" (about 100 KB that
 * unpacks to 100 MB), too many worksheets, too many rows or lines are refused with 400
 * IMPORT_TOO_LARGE within seconds, writing nothing; and on the real Node server a big, legitimate
 * import never stops `/api/health` from answering within a second.
 */
import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { strToU8, zipSync } from "fflate";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import writeXlsxFile from "write-excel-file/universal";
import { sheetRowCounter } from "../api/domain/import-limits";
import { households } from "../db/schema";
import { limits } from "../shared/limits";
import { createTestApp, type TestApp } from "./support/harness";
import { startNodeTarget, targetPassword, type NodeTarget } from "../scripts/lib/server-target";

const header = ["户号", "户主姓名", "楼栋", "单元", "房号", "联系电话", "家庭成员", "人口数", "户类型"];

/** A real .xlsx archive (maximally compressed) with the given worksheets' XML. */
function workbook(sheets: Array<Uint8Array | string>): Uint8Array<ArrayBuffer> {
  const files: Record<string, Uint8Array> = {
    "[Content_Types].xml": strToU8(
      `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
        sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join("") +
        `</Types>`,
    ),
    "_rels/.rels": strToU8(
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    "xl/workbook.xml": strToU8(
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` +
        sheets.map((_, i) => `<sheet name="Sheet${i + 1}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("") +
        `</sheets></workbook>`,
    ),
    "xl/_rels/workbook.xml.rels": strToU8(
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join("") +
        `</Relationships>`,
    ),
  };
  sheets.forEach((xml, i) => {
    files[`xl/worksheets/sheet${i + 1}.xml`] = typeof xml === "string" ? strToU8(xml) : xml;
  });
  return new Uint8Array(zipSync(files, { level: 9 }));
}

const sheetOpen = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`;
const sheetClose = `</sheetData></worksheet>`;
const headerRow = `<row r="1">${header.map((h, i) => `<c r="${String.fromCharCode(65 + i)}1" t="inlineStr"><is><t>${h}</t></is></c>`).join("")}</row>`;

const bombUnpackedBytes = 100 * 1024 * 1024;

/** About 100 KB that unpacks to 100 MB: one cell of a hundred million repeated letters. */
function zipBomb(): Uint8Array<ArrayBuffer> {
  const open = strToU8(`${sheetOpen}${headerRow}<row r="2"><c r="A2" t="inlineStr"><is><t>`);
  const close = strToU8(`</t></is></c></row>${sheetClose}`);
  const sheet = new Uint8Array(bombUnpackedBytes);
  sheet.fill(0x41);
  sheet.set(open);
  sheet.set(close, sheet.length - close.length);
  return workbook([sheet]);
}

/** A legitimate register of `count` households with four members each, as write-excel-file (like Excel) writes it. */
async function registerXlsx(count: number): Promise<Blob> {
  const rows = [header.map((value) => ({ value }))];
  for (let i = 0; i < count; i++) {
    rows.push(
      [`XXL-${String(i).padStart(5, "0")}`, "吴建国", `${(i % 83) + 1}号楼`, "1单元", String(101 + (i % 40)), `138${String(i).padStart(8, "0")}`, "吴建国、刘桂兰（配偶）、吴小明（长子）、吴小红（长女）", "4", "一般户"].map(
        (value) => ({ value }),
      ),
    );
  }
  return writeXlsxFile(rows as never).toBlob();
}

function form(content: BlobPart, fileName: string): FormData {
  const body = new FormData();
  body.append("file", new Blob([content]), fileName);
  return body;
}

describe("import limits, checked before parsing", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  async function expectRefused(content: BlobPart, fileName: string, limit: string) {
    const c = await t.newCommunity();
    const started = Date.now();
    const res = await t.call("POST", "/households/import", { token: c.tokens.admin, rawBody: form(content, fileName), headers: { "accept-language": "en" } });
    const elapsedMs = Date.now() - started;
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "IMPORT_TOO_LARGE", message: expect.stringContaining("split it"), details: { limit } });
    expect(await t.db.$count(households, eq(households.communityId, c.communityId))).toBe(0);
    return elapsedMs;
  }

  it("refuses an XLSX zip bomb (about 100 KB that unpacks to 100 MB) with 400 IMPORT_TOO_LARGE within seconds", async () => {
    const bomb = zipBomb();
    expect(bomb.length).toBeLessThan(200 * 1024);
    const elapsedMs = await expectRefused(bomb, "花名册.xlsx", "unpackedBytes");
    expect(elapsedMs).toBeLessThan(5_000);
  }, 60_000);

  it("answers in Chinese by default, naming the limit that was passed", async () => {
    const c = await t.newCommunity();
    const res = await t.call("POST", "/households/import", { token: c.tokens.admin, rawBody: form(zipBomb(), "花名册.xlsx") });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "IMPORT_TOO_LARGE", message: expect.stringContaining("分成几个"), details: { limit: "unpackedBytes", max: limits.importUnpackedBytesMax } });
  }, 60_000);

  it("refuses a workbook with more worksheets than importSheetsMax", async () => {
    const sheet = `${sheetOpen}${headerRow}${sheetClose}`;
    await expectRefused(workbook(Array.from({ length: limits.importSheetsMax + 1 }, () => sheet)), "many-sheets.xlsx", "sheets");
  });

  it("refuses a worksheet with more rows than importSheetRowsMax, even empty ones, without parsing it", async () => {
    const rows = Array.from({ length: limits.importSheetRowsMax + 1 }, (_, i) => `<row r="${i + 2}"/>`).join("");
    await expectRefused(workbook([`${sheetOpen}${headerRow}${rows}${sheetClose}`]), "many-rows.xlsx", "rows");
  });

  it("refuses a CSV file of more lines than importSheetRowsMax (5 MB of line breaks) quickly", async () => {
    const elapsedMs = await expectRefused(`${header.join(",")}\r\n${"\r\n".repeat(2 * 1024 * 1024)}`, "blank.csv", "rows");
    expect(elapsedMs).toBeLessThan(5_000);
    await expectRefused(`${header.join(",")}\r${"\r".repeat(limits.importSheetRowsMax)}`, "old-mac.csv", "rows");
  });

  it("still imports a workbook with page breaks and blank rows under the limits, counting only real rows", async () => {
    const c = await t.newCommunity();
    const rows = `<row r="2"><c r="A2" t="inlineStr"><is><t>XXL-1</t></is></c><c r="B2" t="inlineStr"><is><t>吴建国</t></is></c><c r="C2" t="inlineStr"><is><t>1号楼</t></is></c></row><row r="3"/>`;
    const sheet = `${sheetOpen}${headerRow}${rows}${sheetClose}<rowBreaks count="1"><brk id="2"/></rowBreaks>`;
    const res = await t.call("POST", "/households/import", { token: c.tokens.admin, rawBody: form(workbook([sheet]), "ok.xlsx") });
    expect(res.status).toBe(201);
    expect(res.body.imported).toBe(1);
  });

  it("refuses more than importRowsMax households or importMembersMax members in one file, naming the limit", async () => {
    const c = await t.newCommunity();
    const line = (i: number, members: string) => `XXL-${i},吴建国,1号楼,,,,${members},,`;
    const tooManyRows = [header.join(","), ...Array.from({ length: limits.importRowsMax + 1 }, (_, i) => line(i, ""))].join("\r\n");
    const rows = await t.call("POST", "/households/import", { token: c.tokens.admin, rawBody: form(tooManyRows, "rows.csv") });
    expect(rows.status).toBe(400);
    expect(rows.body.error.code).toBe("IMPORT_INVALID");
    expect(rows.body.error.details.rows[0].problem).toContain(String(limits.importRowsMax));

    const perHousehold = Math.ceil(limits.importMembersMax / limits.importRowsMax) + 1;
    const family = Array.from({ length: perHousehold - 1 }, (_, i) => `成员${i}`).join("、");
    const tooManyMembers = [header.join(","), ...Array.from({ length: limits.importRowsMax }, (_, i) => line(i, family))].join("\r\n");
    const members = await t.call("POST", "/households/import", { token: c.tokens.admin, rawBody: form(tooManyMembers, "members.csv"), headers: { "accept-language": "en" } });
    expect(members.status).toBe(400);
    expect(members.body.error.code).toBe("IMPORT_INVALID");
    expect(members.body.error.details.rows[0].problem).toContain(`${limits.importMembersMax} members`);
    expect(await t.db.$count(households, eq(households.communityId, c.communityId))).toBe(0);
  }, 60_000);
});

describe("counting a worksheet's rows while it streams", () => {
  it("counts every <row> start tag, however the sheet is cut into chunks, and nothing else", () => {
    const pieces = ["<row r=\"1\">", "<row>", "<row/>", "<row\n r=\"9\"/>", "<rowBreaks count=\"1\">", "<brk id=\"3\"/>", "</row>", "<c r=\"A1\"><v>1</v></c>", "<t>a<row</t>", "x"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 12 }), (parts, cuts) => {
        const bytes = strToU8(parts.join(""));
        const expected = parts.join("").match(/<row[\s>/]/g)?.length ?? 0;
        const at = [...new Set(cuts.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
        const counter = sheetRowCounter();
        let counted = 0;
        let from = 0;
        for (const to of [...at, bytes.length]) {
          counted = counter.push(bytes.subarray(from, to));
          from = to;
        }
        // Every tag is decided once the bytes after it have come; a closing "x" settles the last.
        counted = counter.push(strToU8("xxxxx"));
        expect(counted).toBe(expected);
      }),
      { seed: 9, numRuns: 300 },
    );
  });
});

/** The server's resident and peak memory (Linux), in MB. */
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** Asks `/api/health` again and again until `until` settles; answers the slowest answer's time. */
async function slowestHealthWhile(baseUrl: string, until: Promise<unknown>): Promise<{ slowestMs: number; answers: number }> {
  let done = false;
  void until.finally(() => (done = true));
  let slowestMs = 0;
  let answers = 0;
  while (!done) {
    const started = Date.now();
    const res = await fetch(`${baseUrl}/api/health`);
    expect(res.status).toBe(200);
    slowestMs = Math.max(slowestMs, Date.now() - started);
    answers++;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { slowestMs, answers };
}

describe("imports on the real Node server", () => {
  let target: NodeTarget;
  let token: string;
  beforeAll(async () => {
    target = await startNodeTarget();
    token = (await target.call("POST", "/auth/login", { body: { username: "admin", password: targetPassword } })).body.token;
  }, 60_000);
  afterAll(() => target?.stop());

  it("refuses the zip bomb within seconds with bounded memory, answering health all the while", async () => {
    const bomb = zipBomb();
    const before = memoryMb(target.pid!);
    const started = Date.now();
    const upload = target.call("POST", "/households/import", { token, rawBody: form(bomb, "花名册.xlsx") });
    const health = await slowestHealthWhile(target.baseUrl, upload);
    const res = await upload;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "IMPORT_TOO_LARGE", details: { limit: "unpackedBytes" } });
    expect(health.slowestMs).toBeLessThan(1_000);
    // Inflating it all took 1.55 GB; the bounded check needs a small fraction of the 100 MB.
    const after = memoryMb(target.pid!);
    expect(after.peak - before.rss).toBeLessThan(bombUnpackedBytes / (1024 * 1024));
  }, 60_000);

  it("answers /api/health within a second throughout the largest legitimate import, which succeeds", async () => {
    const register = await registerXlsx(limits.importRowsMax);
    const upload = target.call("POST", "/households/import", { token, rawBody: form(register, "花名册.xlsx") });
    const health = await slowestHealthWhile(target.baseUrl, upload);
    const res = await upload;
    expect(res.status).toBe(201);
    expect(res.body.imported).toBe(limits.importRowsMax);
    expect(health.answers).toBeGreaterThan(3);
    expect(health.slowestMs).toBeLessThan(1_000);
  }, 120_000);
});
