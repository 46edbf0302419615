/**
 * The points register (积分登记簿) as a book that leaves the system: every register entry of a
 * period in register-number order, with what became of it. Read in keyset pages of
 * `registerPageRows` by register number, each page one JSON text that SQLite writes, so the XLSX
 * streams out (xlsx-stream.ts) and a register of 100,000 entries never sits in memory whole.
 *
 * What each row says:
 * - `kind`: the entry's own kind (award 奖励, penalty 扣分, or cancellation 撤销: the entry an
 *   upheld objection adds, naming the one it corrects; the old entry is never edited).
 * - `points`: signed as the entry moves the household's points: an award +, a penalty −, a
 *   cancellation the opposite of the entry it cancels; so a page's total is what its entries net.
 * - `outcome`: `credited` (充值 done: the application has its `credits` row), `cancelled` (an
 *   objection upheld: the application is cancelled, both its entry and the cancellation say so),
 *   otherwise `held` (not credited yet: waiting to be publicised, on the board, or held back by
 *   an open objection).
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { num, type Row } from "../../db/sql";
import { carrierNamesZh, type Category, type Lang } from "../../shared/domain";
import { chinaOffsetHours } from "../../shared/time";
import { DomainError } from "./errors";
import type { Period } from "./reports";
import { streamXlsx, type StreamCell } from "./xlsx-stream";

export type RegisterOutcome = "credited" | "held" | "cancelled";
export type RegisterKind = "award" | "penalty" | "cancellation";

export interface RegisterRow {
  registerNo: number;
  /** When the entry was made (UTC ISO); `day` is its China day. */
  at: string;
  day: string;
  householdNo: string;
  headName: string;
  member: string | null;
  category: string;
  rule: string;
  kind: RegisterKind;
  /** Signed: + adds to the household's points, − takes from them. */
  points: number;
  certifier: string;
  /** The publicity batch the application went up in, as its China days (`2026-11-02 至 2026-11-05`); null before it is publicised. */
  publicity: string | null;
  outcome: RegisterOutcome;
}

/**
 * Entries per page read: one JSON text of about 200 bytes an entry. Large enough to keep the
 * round trips few and the compressor's writes large; small enough to keep memory flat and each
 * page well below D1's 2 MB limit on one value, even with the longest texts the limits allow
 * (about 1 KB an entry).
 */
export const registerPageRows = 1_000;
/** The most entries the printable view takes at once; a longer period is downloaded as XLSX. */
export const registerPrintRowsMax = 5_000;

function periodSql(period: Period) {
  return sql`${period.from === null ? sql`` : sql`AND r.created_at >= ${period.from}`} ${period.to === null ? sql`` : sql`AND r.created_at < ${period.to}`}`;
}

/**
 * The entries after register number `afterNo` within the period, at most `limit`, in register-number
 * order. SQLite writes the whole page as one JSON text of arrays, with every value as the book
 * shows it (the China day, the signed points, the outcome): the client library builds an object
 * per row and column, which for a book of 100,000 entries cost more than the query itself.
 */
export async function registerRows(db: Db, communityId: string, period: Period, afterNo: number, limit: number): Promise<RegisterRow[]> {
  const chinaDaySql = (column: SQL) => sql`date(${column}, ${`+${chinaOffsetHours} hours`})`;
  const [page] = await db.all<Row>(sql`SELECT '[' || COALESCE(group_concat(j, ','), '') || ']' AS page FROM (
    SELECT json_array(r.register_no, r.created_at, ${chinaDaySql(sql`r.created_at`)}, h.household_no, h.head_name, m.name, r.category, ru.title, r.entry_kind,
        -- A cancellation undoes the entry it corrects: the opposite of that application's direction.
        CASE WHEN r.entry_kind = 'award' OR (r.entry_kind = 'cancellation' AND a.kind <> 'award') THEN r.points ELSE -r.points END,
        COALESCE(u.name, r.created_by),
        CASE WHEN pb.starts_at <> '' AND pb.ends_at <> '' THEN ${chinaDaySql(sql`pb.starts_at`)} || ' 至 ' || ${chinaDaySql(sql`pb.ends_at`)} END,
        CASE WHEN a.status = 'cancelled' THEN 'cancelled' WHEN EXISTS (SELECT 1 FROM credits c WHERE c.application_id = r.application_id) THEN 'credited' ELSE 'held' END) AS j
    FROM register_entries r
      JOIN households h ON h.id = r.household_id
      JOIN applications a ON a.id = r.application_id
      LEFT JOIN members m ON m.id = r.member_id
      LEFT JOIN rules ru ON ru.id = r.rule_id
      LEFT JOIN users u ON u.id = substr(r.created_by, 6) AND r.created_by LIKE 'user:%'
      LEFT JOIN publicity_items pi ON pi.application_id = r.application_id
      LEFT JOIN publicity_batches pb ON pb.id = pi.publicity_id
    WHERE r.community_id = ${communityId} AND r.register_no > ${afterNo} ${periodSql(period)}
    ORDER BY r.register_no LIMIT ${limit})`);
  const raw = JSON.parse(String(page?.page ?? "[]")) as RawRow[];
  // group_concat takes its rows in the subquery's order in practice, but SQLite promises no order
  // (an ORDER BY inside the aggregate needs SQLite 3.44): put a page that ever comes otherwise in order.
  if (raw.some((r, i) => i > 0 && r[0] <= raw[i - 1][0])) raw.sort((x, y) => x[0] - y[0]);
  return raw.map(registerRowOf);
}

/** The columns of `registerRows`' JSON arrays, in order. */
type RawRow = [number, string, string, string, string, string | null, string, string | null, RegisterKind, number, string, string | null, RegisterOutcome];

function registerRowOf(r: RawRow): RegisterRow {
  const [registerNo, at, day, householdNo, headName, member, category, rule, kind, points, certifier, publicity, outcome] = r;
  return { registerNo, at, day, householdNo, headName, member, category, rule: rule ?? "", kind, points, certifier, publicity, outcome };
}

/** How many entries the period holds. */
export async function registerCount(db: Db, communityId: string, period: Period): Promise<number> {
  const [row] = await db.all<Row>(sql`SELECT COUNT(*) AS n FROM register_entries r WHERE r.community_id = ${communityId} ${periodSql(period)}`);
  return num(row?.n);
}

/**
 * The period's entries for the printable view; more than `registerPrintRowsMax` → 400 naming `to`
 * (print a shorter period, or download the XLSX, which has no such limit).
 */
export async function registerForPrint(db: Db, communityId: string, period: Period, lang: Lang): Promise<{ total: number; items: RegisterRow[] }> {
  const total = await registerCount(db, communityId, period);
  if (total > registerPrintRowsMax) {
    const message = lang === "en" ? `the period holds ${total} entries; print at most ${registerPrintRowsMax} at once, or download the XLSX` : `该时段共 ${total} 条登记，一次最多打印 ${registerPrintRowsMax} 条，请缩短时段或下载 Excel`;
    throw new DomainError("VALIDATION_FAILED", { fields: { to: message }, total, max: registerPrintRowsMax });
  }
  const items: RegisterRow[] = [];
  for (let afterNo = 0; items.length < total; ) {
    const page = await registerRows(db, communityId, period, afterNo, registerPageRows);
    if (page.length === 0) break;
    items.push(...page);
    afterNo = page[page.length - 1].registerNo;
  }
  // Entries registered between the count and the reading stay out, so `total` says what `items` holds.
  items.length = Math.min(items.length, total);
  return { total: items.length, items };
}

const labels = {
  zh: {
    sheet: "积分登记簿",
    header: ["登记号", "日期", "户号", "户主", "成员", "载体", "细则", "类别", "积分", "认定人", "公示批次", "结果"],
    kind: { award: "奖励", penalty: "扣分", cancellation: "撤销" },
    outcome: { credited: "已充值", held: "未充值", cancelled: "已撤销" },
  },
  en: {
    sheet: "Points register",
    header: ["No.", "Date", "Household no.", "Head", "Member", "Category", "Rule", "Kind", "Points", "Certifier", "Publicity batch", "Outcome"],
    kind: { award: "award", penalty: "penalty", cancellation: "cancellation" },
    outcome: { credited: "credited", held: "held", cancelled: "cancelled" },
  },
} as const;

/** The labels the register book uses, for the printable view and the tests. */
export function registerLabels(lang: Lang) {
  return labels[lang];
}

/** One row as the book's cells (text stays text, numbers are numbers). */
export function registerCells(row: RegisterRow, lang: Lang): StreamCell[] {
  const l = labels[lang];
  const category = lang === "zh" ? (carrierNamesZh[row.category as Category] ?? row.category) : row.category;
  return [row.registerNo, row.day, row.householdNo, row.headName, row.member, category, row.rule, l.kind[row.kind], row.points, row.certifier, row.publicity, l.outcome[row.outcome]];
}

/** The register of a period as a streamed XLSX, in register-number order. */
export function registerXlsx(db: Db, communityId: string, period: Period, lang: Lang): ReadableStream<Uint8Array> {
  let afterNo = 0;
  let finished = false;
  return streamXlsx({
    name: labels[lang].sheet,
    widths: [8, 11, 10, 10, 10, 14, 24, 6, 7, 10, 24, 8],
    header: [...labels[lang].header],
    next: async () => {
      if (finished) return [];
      const rows = await registerRows(db, communityId, period, afterNo, registerPageRows);
      if (rows.length < registerPageRows) finished = true;
      if (rows.length > 0) afterNo = rows[rows.length - 1].registerNo;
      return rows.map((r) => registerCells(r, lang));
    },
  });
}
