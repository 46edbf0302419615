/**
 * Importing households from the office's own spreadsheet (花名册): CSV in UTF-8 (with or without
 * a byte-order mark) or GBK (what Excel on a Chinese Windows PC writes), or XLSX.
 *
 * All or nothing: every row is checked first and every problem is reported with the line the
 * office sees in its file (the header is line 1); only a clean file is written, in one
 * `db.batch`. Rows are inserted with a few multi-row statements that read their values from one
 * JSON parameter (`json_each`), which keeps 3,000 households to a few dozen statements and under
 * D1's limit of 100 bound parameters per statement.
 *
 * Web APIs only (TextDecoder, Blob), plus pure-JS papaparse, iconv-lite and read-excel-file,
 * so it runs on Workers as well as on Node.
 */
import { sql } from "drizzle-orm";
import iconv from "iconv-lite";
import Papa from "papaparse";
import { readSheet } from "read-excel-file/universal";
import writeXlsxFile from "write-excel-file/universal";
import type { Db } from "../../db/client";
import { limits } from "../../shared/limits";
import { actorRef, type Actor, type RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { DomainError, failedNotNull, violatedConstraint } from "./errors";
import { householdStatements, normalizePhone, type NewHousehold } from "./households";
import { checkCsvLines, checkXlsxArchive, yieldToEventLoop } from "./import-limits";
import type { Statement } from "./ledger";

type Lang = "zh" | "en";
export type ImportField = "householdNo" | "headName" | "building" | "unit" | "room" | "phone" | "members" | "householdType" | "file";

export interface ImportProblem {
  /** The line (CSV) or row (XLSX) as the office sees it; the header is line 1, 0 means the whole file. */
  line: number;
  field: ImportField;
  /** The column's heading as written in the file, when there is one. */
  column?: string;
  problem: string;
  /** The row's 户号 and head, as written (when the row has them): offices find a household by these, not by line. */
  householdNo?: string;
  headName?: string;
  /** The member a members problem is about. */
  member?: string;
  /** `EXISTS`: the community already has this 户号 (import again with onExisting=skip or update). */
  code?: "EXISTS";
}

/** What an import does with a 户号 the community already has. */
export type OnExisting = "refuse" | "skip" | "update";

/** The column headings an office uses (Chinese first), and the English ones we also accept. */
const columnAliases: Record<Exclude<ImportField, "file">, string[]> = {
  householdNo: ["户号", "户编号", "户籍号", "householdno", "household_no"],
  headName: ["户主姓名", "户主", "户主名", "headname", "head_name", "head"],
  building: ["楼栋", "楼号", "楼栋号", "栋", "building"],
  unit: ["单元", "单元号", "unit"],
  room: ["房号", "房间号", "门牌号", "室", "room"],
  phone: ["联系电话", "电话", "手机", "手机号", "手机号码", "phone", "mobile"],
  members: ["家庭成员", "成员", "家庭成员及关系", "members"],
  householdType: ["户类型", "户别", "类型", "householdtype", "household_type", "type"],
};

/** The template's headings, in the order offices keep them (人口数 is read but not stored). */
export const templateColumns = ["户号", "户主姓名", "楼栋", "单元", "房号", "联系电话", "家庭成员", "人口数", "户类型"];

const messages = {
  notSpreadsheet: { zh: "文件不是 CSV 或 XLSX 表格，请在 Excel 中“另存为” CSV 或 .xlsx 后再导入。", en: "The file is not a CSV or XLSX spreadsheet; save it as CSV or .xlsx and try again." },
  oldXls: { zh: "这是旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 或 CSV 后再导入。", en: "This is an old .xls file; save it as .xlsx or CSV and try again." },
  badXlsx: { zh: "无法读取这个 .xlsx 文件，文件可能已损坏。", en: "This .xlsx file cannot be read; it may be damaged." },
  empty: { zh: "文件是空的。", en: "The file is empty." },
  noHeader: { zh: "找不到表头：第一行应包含“户号”“户主姓名”“楼栋”等列名。", en: "No header row found: it should name the columns 户号 / householdNo, 户主姓名 / headName, 楼栋 / building." },
  missingColumn: { zh: "缺少必需的列", en: "A required column is missing" },
  noRows: { zh: "文件里没有数据行。", en: "The file has no data rows." },
  tooManyRows: { zh: `一次最多导入 ${limits.importRowsMax} 户，请分成几个文件。`, en: `At most ${limits.importRowsMax} households per import; split the file.` },
  tooManyMembersInFile: { zh: `一次最多导入 ${limits.importMembersMax} 位家庭成员，请分成几个文件。`, en: `At most ${limits.importMembersMax} members per import; split the file.` },
  required: { zh: "必填项为空", en: "Required, but empty" },
  tooLong: { zh: (max: number) => `太长，最多 ${max} 个字`, en: (max: number) => `Too long: at most ${max} characters` },
  duplicateInFile: { zh: (line: number) => `户号与第 ${line} 行重复`, en: (line: number) => `Same 户号 as line ${line}` },
  exists: { zh: (head: string) => `本社区已有这个户号（户主 ${head}）`, en: (head: string) => `This 户号 already exists in the community (head: ${head})` },
  badPhone: { zh: "电话号码格式不对（应为 7 到 15 位数字，一格只填一个号码）", en: "Not a phone number (7 to 15 digits, one number per cell)" },
  tooManyMembers: { zh: `家庭成员太多，最多 ${limits.membersMax} 人`, en: `Too many members: at most ${limits.membersMax}` },
  badMember: { zh: (text: string) => `家庭成员“${text}”写法不对，应为“姓名（关系）”`, en: (text: string) => `Member "${text}" is not written as 姓名（关系）` },
  memberTooLong: { zh: (text: string) => `家庭成员“${text}”的姓名或关系太长`, en: (text: string) => `Member "${text}": name or relation too long` },
} as const;

function fail(problems: ImportProblem[]): never {
  throw new DomainError("IMPORT_INVALID", { rows: problems.slice(0, limits.importProblemsMax), problemCount: problems.length });
}

function fileProblem(lang: Lang, text: { zh: string; en: string }): never {
  fail([{ line: 0, field: "file", problem: text[lang] }]);
}

// ---------------------------------------------------------------------------------------------
// Reading the file into rows of text

export type SheetFormat = "csv" | "xlsx";

/** A row of cells and the line the office sees it on. */
interface SheetRow {
  line: number;
  cells: string[];
}

/** Tells the format by the file's first bytes, never by its name or declared type. */
export function sniffFormat(bytes: Uint8Array): SheetFormat | "xls" | "binary" {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return "xlsx";
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) return "xls";
  const head = bytes.subarray(0, 4096);
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  if (!utf16 && head.includes(0)) return "binary";
  return "csv";
}

/**
 * Decodes a text file: UTF-16 when it says so with a byte-order mark; UTF-8 (the mark, if any,
 * dropped) when the bytes are valid UTF-8; otherwise GBK, which is what Excel writes on a
 * Chinese Windows PC and which every GB2312 file also is.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes as Buffer, "gbk");
  }
}

function csvRows(text: string): SheetRow[] {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  // Excel's "Unicode text" is tab-separated; everything else an office saves uses commas.
  const delimiter = firstLine.includes("\t") && !firstLine.includes(",") ? "\t" : ",";
  const parsed = Papa.parse<string[]>(text, { delimiter, skipEmptyLines: false });
  // One record per line, as Excel numbers them; a quoted cell with a line break is still one row.
  return parsed.data.map((cells, index) => ({ line: index + 1, cells: cells.map((cell) => String(cell ?? "")) }));
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === "number") return Number.isInteger(value) ? value.toFixed(0) : String(value);
  return String(value);
}

async function xlsxRows(bytes: Uint8Array, lang: Lang): Promise<SheetRow[]> {
  // Bounded first: read-excel-file inflates the whole archive into memory before it parses.
  await checkXlsxArchive(bytes, () => fileProblem(lang, messages.badXlsx));
  let data: unknown[][];
  try {
    const copy = bytes.slice().buffer as ArrayBuffer;
    data = (await readSheet(copy, { trim: false })) as unknown[][];
  } catch {
    fileProblem(lang, messages.badXlsx);
  }
  return data.map((cells, index) => ({ line: index + 1, cells: cells.map(cellText) }));
}

/** Reads the file's rows, whichever of the accepted formats it is in. */
export async function readRows(bytes: Uint8Array, lang: Lang): Promise<{ format: SheetFormat; rows: SheetRow[] }> {
  if (bytes.length === 0) fileProblem(lang, messages.empty);
  const kind = sniffFormat(bytes);
  if (kind === "xls") fileProblem(lang, messages.oldXls);
  if (kind === "binary") fileProblem(lang, messages.notSpreadsheet);
  if (kind === "xlsx") return { format: "xlsx", rows: await xlsxRows(bytes, lang) };
  const text = decodeText(bytes);
  checkCsvLines(text);
  return { format: "csv", rows: csvRows(text) };
}

// ---------------------------------------------------------------------------------------------
// Checking rows

/** Trims ordinary and full-width spaces and drops invisible characters Excel leaves behind. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200d\ufeff]/g, "").replace(/\s+/g, " ").trim();
}

function headingKey(text: string): string {
  return clean(text).replace(/[\s*＊:：]/g, "").toLowerCase();
}

type ColumnMap = Partial<Record<Exclude<ImportField, "file">, { index: number; heading: string }>>;

function mapColumns(cells: string[]): ColumnMap {
  const map: ColumnMap = {};
  cells.forEach((cell, index) => {
    const key = headingKey(cell);
    for (const [field, aliases] of Object.entries(columnAliases) as Array<[keyof ColumnMap, string[]]>) {
      if (!map[field] && aliases.includes(key)) map[field] = { index, heading: clean(cell) };
    }
  });
  return map;
}

const requiredColumns = ["householdNo", "headName", "building"] as const;

/**
 * Finds the header row: the first of the first five rows that names 户号 (offices often put a
 * title such as "兴贤里社区住户花名册" above it).
 */
function findHeader(rows: SheetRow[], lang: Lang): { headerIndex: number; columns: ColumnMap } {
  for (let i = 0; i < Math.min(rows.length, 5); i++) {
    const columns = mapColumns(rows[i].cells);
    if (columns.householdNo) {
      const missing = requiredColumns.filter((field) => !columns[field]);
      if (missing.length > 0) {
        fail(missing.map((field) => ({ line: rows[i].line, field, column: columnAliases[field][0], problem: messages.missingColumn[lang] })));
      }
      return { headerIndex: i, columns };
    }
  }
  fileProblem(lang, messages.noHeader);
}

/**
 * Splits a members cell: `张三、李四（配偶）`, `张三，李四(长子)`, `"张三,李四（配偶）"`, `张三;李四`.
 * Relations go in full-width or ASCII brackets after the name.
 */
export function parseMembers(cell: string): Array<{ name: string; relation: string | null } | { bad: string }> {
  return cell
    .split(/[、，,;；\n]/)
    .map((part) => clean(part))
    .filter((part) => part !== "")
    .map((part) => {
      const match = /^([^()（）]+?)\s*(?:[（(]\s*([^()（）]*?)\s*[)）])?$/.exec(part);
      if (!match) return { bad: part };
      return { name: match[1], relation: match[2] ? match[2] : null };
    });
}

interface CheckedRow {
  line: number;
  household: NewHousehold;
}

function checkRow(row: SheetRow, columns: ColumnMap, lang: Lang, problems: ImportProblem[]): CheckedRow | null {
  const before = problems.length;
  const cell = (field: keyof ColumnMap) => {
    const column = columns[field];
    return column ? clean(row.cells[column.index] ?? "") : "";
  };
  // Every problem names the row's 户号 and head as written, so the office finds the household.
  const who = { householdNo: cell("householdNo"), headName: cell("headName") };
  const report = (field: keyof ColumnMap, problem: string, member?: string) =>
    problems.push({
      line: row.line,
      field,
      ...(columns[field] ? { column: columns[field].heading } : {}),
      problem,
      ...(who.householdNo ? { householdNo: who.householdNo.slice(0, limits.householdNoLengthMax) } : {}),
      ...(who.headName ? { headName: who.headName.slice(0, limits.nameLengthMax) } : {}),
      ...(member ? { member: member.slice(0, limits.nameLengthMax) } : {}),
    });
  const text = (field: keyof ColumnMap, max: number, required: boolean): string | null => {
    const value = cell(field);
    if (value === "") {
      if (required) report(field, messages.required[lang]);
      return null;
    }
    if (value.length > max) report(field, messages.tooLong[lang](max));
    return value;
  };
  const householdNo = text("householdNo", limits.householdNoLengthMax, true);
  const headName = text("headName", limits.nameLengthMax, true);
  const building = text("building", limits.buildingLengthMax, true);
  const unit = text("unit", limits.unitLengthMax, false);
  const room = text("room", limits.roomLengthMax, false);
  const householdType = text("householdType", limits.householdTypeLengthMax, false);
  const phone = normalizePhone(cell("phone"));
  if (phone === "invalid") report("phone", messages.badPhone[lang]);

  const members: NewHousehold["members"] = [];
  for (const parsed of parseMembers(cell("members"))) {
    if ("bad" in parsed) report("members", messages.badMember[lang](parsed.bad), parsed.bad);
    else if (parsed.name.length > limits.nameLengthMax || (parsed.relation?.length ?? 0) > limits.relationLengthMax) report("members", messages.memberTooLong[lang](parsed.name), parsed.name);
    else members.push(parsed);
  }
  // The head is usually listed first; when the office left them out, they are still a member.
  const head = headName ? members.find((m) => m.name === headName) : undefined;
  if (head) head.relation ??= "户主";
  else if (headName) members.unshift({ name: headName, relation: "户主" });
  if (members.length > limits.membersMax) report("members", messages.tooManyMembers[lang]);

  if (problems.length > before || !householdNo || !headName || !building) return null;
  return { line: row.line, household: { householdNo, headName, building, unit, room, phone: phone as string | null, householdType, members } };
}

export interface ParsedHouseholdFile {
  format: SheetFormat;
  households: CheckedRow[];
  householdNoColumn: string;
}

/** Reads and checks a file: `parseHouseholdFile` in line, or the same in a worker thread on Node. */
export type HouseholdFileParser = (bytes: Uint8Array, lang: Lang) => Promise<ParsedHouseholdFile>;

/** Rows checked between two yields to the event loop. */
const rowsPerSlice = 2000;

/**
 * Reads and checks a whole file. Answers the households to create, or throws IMPORT_INVALID
 * listing every problem of every row (duplicates within the file included), or IMPORT_TOO_LARGE
 * before parsing a file that unpacks to too much.
 */
export async function parseHouseholdFile(bytes: Uint8Array, lang: Lang): Promise<ParsedHouseholdFile> {
  const { format, rows } = await readRows(bytes, lang);
  const { headerIndex, columns } = findHeader(rows, lang);
  const dataRows = rows.slice(headerIndex + 1).filter((row) => row.cells.some((c) => clean(c) !== ""));
  if (dataRows.length === 0) fileProblem(lang, messages.noRows);
  if (dataRows.length > limits.importRowsMax) fileProblem(lang, messages.tooManyRows);

  const problems: ImportProblem[] = [];
  const checked: CheckedRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const [index, row] of dataRows.entries()) {
    if (index > 0 && index % rowsPerSlice === 0) await yieldToEventLoop();
    const result = checkRow(row, columns, lang, problems);
    const householdNo = clean(row.cells[columns.householdNo!.index] ?? "");
    if (householdNo) {
      const first = firstLineOf.get(householdNo);
      if (first !== undefined) {
        const headName = columns.headName ? clean(row.cells[columns.headName.index] ?? "").slice(0, limits.nameLengthMax) : "";
        problems.push({ line: row.line, field: "householdNo", column: columns.householdNo!.heading, problem: messages.duplicateInFile[lang](first), householdNo: householdNo.slice(0, limits.householdNoLengthMax), ...(headName ? { headName } : {}) });
        continue;
      }
      firstLineOf.set(householdNo, row.line);
    }
    if (result) checked.push(result);
  }
  if (problems.length > 0) fail(problems.sort((a, b) => a.line - b.line));
  if (checked.reduce((n, row) => n + row.household.members.length, 0) > limits.importMembersMax) fileProblem(lang, messages.tooManyMembersInFile);
  return { format, households: checked, householdNoColumn: columns.householdNo!.heading };
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Rows per multi-row INSERT: one JSON parameter of ~100–200 KB, well under D1's 2 MB. */
const chunkRows = 1000;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A household the community already has, as the import reads it before deciding. */
interface ExistingHousehold {
  id: string;
  householdNo: string;
  headName: string;
  building: string;
  unit: string | null;
  room: string | null;
  phone: string | null;
  householdType: string | null;
  updatedAt: string;
}

/** The households of the list (by 户号) that the community already has. */
async function existingHouseholds(db: Db, communityId: string, householdNos: string[]): Promise<Map<string, ExistingHousehold>> {
  const found = new Map<string, ExistingHousehold>();
  for (const chunk of chunks(householdNos, 5000)) {
    // CROSS JOIN keeps the file's list as the outer loop, each 户号 found by the UNIQUE index;
    // left to itself the planner walks the community's households and scans the list for each.
    const rows = await db.all<Record<string, string | null>>(sql`SELECT h.id, h.household_no, h.head_name, h.building, h.unit, h.room, h.phone, h.household_type, h.updated_at
      FROM json_each(${JSON.stringify(chunk)}) j CROSS JOIN households h ON h.community_id = ${communityId} AND h.household_no = j.value`);
    for (const r of rows) {
      found.set(String(r.household_no), {
        id: String(r.id),
        householdNo: String(r.household_no),
        headName: String(r.head_name),
        building: String(r.building),
        unit: r.unit ?? null,
        room: r.room ?? null,
        phone: r.phone ?? null,
        householdType: r.household_type ?? null,
        updatedAt: String(r.updated_at),
      });
    }
  }
  return found;
}

interface ExistingMember {
  id: string;
  householdId: string;
  name: string;
  relation: string | null;
  /** An application (and so maybe the register) names this member: it is never removed. */
  named: boolean;
}

async function membersOf(db: Db, householdIds: string[]): Promise<Map<string, ExistingMember[]>> {
  const byHousehold = new Map<string, ExistingMember[]>();
  for (const chunk of chunks(householdIds, 5000)) {
    const rows = await db.all<{ id: string; household_id: string; name: string; relation: string | null; named: number }>(sql`
      SELECT m.id, m.household_id, m.name, m.relation,
        (EXISTS (SELECT 1 FROM applications a WHERE a.member_id = m.id) OR EXISTS (SELECT 1 FROM register_entries r WHERE r.member_id = m.id)) AS named
      FROM members m JOIN json_each(${JSON.stringify(chunk)}) j ON m.household_id = j.value
      ORDER BY m.created_at, m.id`);
    for (const r of rows) {
      const list = byHousehold.get(String(r.household_id)) ?? [];
      list.push({ id: String(r.id), householdId: String(r.household_id), name: String(r.name), relation: r.relation ?? null, named: Boolean(Number(r.named)) });
      byHousehold.set(String(r.household_id), list);
    }
  }
  return byHousehold;
}

const householdFields = ["headName", "building", "unit", "room", "phone", "householdType"] as const;

/** How an update import changes one existing household. */
interface HouseholdUpdate {
  existing: ExistingHousehold;
  incoming: NewHousehold;
  before: Record<string, string | null>;
  after: Record<string, string | null>;
  /** Members of the file matched by name to a member the household has: their ids (and history) stay. */
  relations: Array<{ id: string; name: string; relation: string | null }>;
  added: Array<{ id: string; name: string; relation: string | null }>;
  removed: Array<{ id: string; name: string }>;
  /** Members no longer in the file but named by an application: kept, so their history stays whole. */
  kept: Array<{ id: string; name: string }>;
}

/**
 * Plans the update of one existing household from its row: the fields as the file has them, and
 * the members replaced by the file's list, matched by name (one to one, in order) so a member who
 * stays keeps their id and award history; a member who is gone is removed unless an application
 * names them (then kept).
 */
function planUpdate(existing: ExistingHousehold, incoming: NewHousehold, members: ExistingMember[]): HouseholdUpdate {
  const before: Record<string, string | null> = {};
  const after: Record<string, string | null> = {};
  for (const field of householdFields) {
    const value = incoming[field] ?? null;
    if (value !== existing[field]) {
      before[field] = existing[field];
      after[field] = value;
    }
  }
  const unmatched = [...members];
  const relations: HouseholdUpdate["relations"] = [];
  const added: HouseholdUpdate["added"] = [];
  for (const member of incoming.members) {
    const index = unmatched.findIndex((m) => m.name === member.name);
    if (index < 0) {
      added.push({ id: newId(), name: member.name, relation: member.relation ?? null });
      continue;
    }
    const [match] = unmatched.splice(index, 1);
    if ((member.relation ?? null) !== match.relation) relations.push({ id: match.id, name: match.name, relation: member.relation ?? null });
  }
  const removed = unmatched.filter((m) => !m.named).map(({ id, name }) => ({ id, name }));
  const kept = unmatched.filter((m) => m.named).map(({ id, name }) => ({ id, name }));
  return { existing, incoming, before, after, relations, added, removed, kept };
}

function changes(update: HouseholdUpdate): boolean {
  return Object.keys(update.after).length + update.relations.length + update.added.length + update.removed.length > 0;
}

/**
 * The statements of an update import, in this order: one audit row per household changed, each
 * written only while the household is as we read it (its `updated_at`, read inside the batch;
 * a household edited meanwhile leaves it NULL and fails the batch on NOT NULL); then the fields,
 * the relations of matched members, the new members, and the removal of members no application
 * names (checked again in the statement itself).
 */
function updateStatements(db: Db, actor: Actor, meta: RequestMeta | null, at: string, updates: HouseholdUpdate[]): Statement[] {
  const field = (n: number) => sql.raw(`json_extract(j.value, '$[${n}]')`);
  const statements: Statement[] = [];
  for (const chunk of chunks(updates, chunkRows)) {
    const audits = JSON.stringify(
      chunk.map((u) => [
        u.existing.id,
        u.existing.updatedAt,
        JSON.stringify({
          source: "import",
          householdNo: u.existing.householdNo,
          before: u.before,
          after: u.after,
          addedMembers: u.added,
          removedMembers: u.removed,
          keptMembers: u.kept,
          relationsChanged: u.relations,
        }),
      ]),
    );
    statements.push(
      db.run(sql`INSERT INTO audit_log (community_id, actor, actor_role, action, target_type, target_id, details, ip, user_agent, created_at)
        SELECT ${actor.communityId}, ${actorRef(actor)}, ${actor.role}, 'household.update', 'household', ${field(0)}, ${field(2)},
          ${meta?.ip ?? null}, ${meta?.userAgent ?? null},
          (SELECT ${at} FROM households h WHERE h.id = ${field(0)} AND h.community_id = ${actor.communityId} AND h.updated_at = ${field(1)})
        FROM json_each(${audits}) j`),
    );
    const rows = JSON.stringify(chunk.map((u) => [u.existing.id, ...householdFields.map((f) => u.incoming[f] ?? null)]));
    statements.push(
      // `+community_id`: found by id (the primary key) for each row of the list, not by scanning the community.
      db.run(sql`UPDATE households SET head_name = ${field(1)}, building = ${field(2)}, unit = ${field(3)}, room = ${field(4)}, phone = ${field(5)},
          household_type = ${field(6)}, updated_at = ${at}
        FROM json_each(${rows}) j WHERE households.id = ${field(0)} AND +households.community_id = ${actor.communityId}`),
    );
  }
  const relations = updates.flatMap((u) => u.relations.map((m) => [m.id, m.relation]));
  for (const chunk of chunks(relations, chunkRows)) {
    statements.push(db.run(sql`UPDATE members SET relation = ${field(1)} FROM json_each(${JSON.stringify(chunk)}) j WHERE members.id = ${field(0)}`));
  }
  const added = updates.flatMap((u) => u.added.map((m) => [m.id, u.existing.id, m.name, m.relation]));
  for (const chunk of chunks(added, chunkRows)) {
    statements.push(
      db.run(sql`INSERT INTO members (id, community_id, household_id, name, relation, created_at)
        SELECT ${field(0)}, ${actor.communityId}, ${field(1)}, ${field(2)}, ${field(3)}, ${at} FROM json_each(${JSON.stringify(chunk)}) j`),
    );
  }
  const removed = updates.flatMap((u) => u.removed.map((m) => m.id));
  for (const chunk of chunks(removed, chunkRows)) {
    statements.push(
      db.run(sql`DELETE FROM members WHERE id IN (SELECT value FROM json_each(${JSON.stringify(chunk)})) AND +community_id = ${actor.communityId}
        AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.member_id = members.id)
        AND NOT EXISTS (SELECT 1 FROM register_entries r WHERE r.member_id = members.id)`),
    );
  }
  return statements;
}

export interface ImportSource {
  bytes: Uint8Array;
  fileName?: string | null;
}

/**
 * Imports a household file for the actor's community, all or nothing. A 户号 the community
 * already has is, by `onExisting`:
 * - `refuse` (the default): a problem of its row, naming the household's head, like any other;
 * - `skip`: left exactly as it is;
 * - `update`: its fields and members replaced by the row (see `planUpdate`).
 * `parse` reads and checks the file (Node runs it in a worker thread).
 */
export async function importHouseholds(
  db: Db,
  clock: Clock,
  actor: Actor,
  meta: RequestMeta | null,
  source: ImportSource,
  lang: Lang,
  parse: HouseholdFileParser = parseHouseholdFile,
  onExisting: OnExisting = "refuse",
) {
  const { format, households, householdNoColumn } = await parse(source.bytes, lang);
  const existing = await existingHouseholds(db, actor.communityId, households.map((h) => h.household.householdNo));
  if (existing.size > 0 && onExisting === "refuse") {
    fail(
      households.flatMap((h) => {
        const found = existing.get(h.household.householdNo);
        if (!found) return [];
        return [{ line: h.line, field: "householdNo" as const, column: householdNoColumn, problem: messages.exists[lang](found.headName), householdNo: h.household.householdNo, headName: h.household.headName, code: "EXISTS" as const }];
      }),
    );
  }
  const fresh = households.filter((h) => !existing.has(h.household.householdNo));
  const matched = households.filter((h) => existing.has(h.household.householdNo));
  let updates: HouseholdUpdate[] = [];
  if (onExisting === "update" && matched.length > 0) {
    const members = await membersOf(db, [...existing.values()].map((h) => h.id));
    updates = matched.map((h) => {
      const found = existing.get(h.household.householdNo)!;
      return planUpdate(found, h.household, members.get(found.id) ?? []);
    });
  }
  const changed = updates.filter(changes);
  const skippedNos = onExisting === "skip" ? matched.map((h) => h.household.householdNo) : [];
  await yieldToEventLoop();
  const at = isoNow(clock);
  const bulk = householdStatements(db, actor.communityId, at, fresh.map((h) => h.household));
  const counts = { created: bulk.households.length, skipped: skippedNos.length, updated: changed.length, unchanged: updates.length - changed.length };
  const keptMembers = changed.flatMap((u) => u.kept.map((m) => ({ householdNo: u.existing.householdNo, name: m.name })));
  const audit = auditStatement(db, actor, meta, at, {
    action: "household.import",
    targetType: "household",
    details: {
      format,
      fileName: source.fileName ?? null,
      bytes: source.bytes.length,
      imported: bulk.households.length,
      members: bulk.households.reduce((n, h) => n + h.members.length, 0),
      onExisting,
      ...counts,
    },
  });
  // The batch runs in one synchronous call on an embedded file; let waiting requests in first.
  await yieldToEventLoop();
  try {
    await db.batch([audit, ...bulk.statements, ...updateStatements(db, actor, meta, at, changed)]);
  } catch (err) {
    // Another import or form created one of these 户号 between our check and our write.
    if (violatedConstraint(err)?.startsWith("households.")) throw new DomainError("DUPLICATE", { reason: "a 户号 in the file was created meanwhile; import again" });
    // A household to update was edited between our read and our write (its audit row's guard).
    if (failedNotNull(err) === "audit_log.created_at") throw new DomainError("CONFLICT", { reason: "a household in the file was changed meanwhile; import again" });
    throw err;
  }
  return {
    ...counts,
    imported: bulk.households.length,
    households: bulk.households.map(({ id, householdNo, headName, building, members }) => ({ id, householdNo, headName, building, memberCount: members.length })),
    skippedNos,
    updatedNos: changed.map((u) => u.existing.householdNo),
    keptMembers,
  };
}

// ---------------------------------------------------------------------------------------------
// Template

/** The empty template as CSV with a byte-order mark, so that Excel opens it as UTF-8. */
export function templateCsv(): string {
  return `\ufeff${templateColumns.join(",")}\r\n`;
}

/** The empty template as an .xlsx workbook. */
export async function templateXlsx(): Promise<ArrayBuffer> {
  const blob = await writeXlsxFile([templateColumns.map((value) => ({ value, fontWeight: "bold" as const }))], {
    columns: templateColumns.map((heading) => ({ width: heading === "家庭成员" ? 48 : 14 })),
  } as never).toBlob();
  return blob.arrayBuffer();
}
