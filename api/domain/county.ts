/**
 * What a county or township officer sees: every community of a region side by side for a period,
 * its totals, the mix by carrier, a monthly trend, and the same table as a workbook. Aggregates
 * only — no name, phone, card number or household id of anyone ever reaches these answers — and
 * read from the totals the database keeps per community and day (reports.ts), so a county of 200
 * communities costs a few thousand small rows, not a scan of its millions of transfers.
 */
import { asc, sql } from "drizzle-orm";
import writeXlsxFile, { type Cell } from "write-excel-file/universal";
import type { Db } from "../../db/client";
import { communities } from "../../db/schema";
import { num, rowsOf } from "../../db/sql";
import { carrierNamesZh, type Category } from "../../shared/domain";
import { chinaDay, chinaDayRange, chinaMonth } from "../../shared/time";
import type { OfficerActor } from "./actor";
import type { Clock } from "./clock";
import { pointFlows } from "./ledger";
import { communitiesIn, regionOver, type Region } from "./regions";
import { figuresByCommunity, participationRate, zeroFigures, type CategoryTotal, type Figures, type Period } from "./reports";

export interface OverviewRow extends Figures {
  id: string;
  name: string;
  code: string;
  regionId: string | null;
}

export interface Overview {
  region: Pick<Region, "id" | "name" | "kind">;
  from: string | null;
  to: string | null;
  communities: OverviewRow[];
  totals: Figures & { communities: number; byCategory: CategoryTotal[] };
}

const countedFigures = ["households", "participatingHouseholds", "pointsAwarded", "pointsDeducted", "pointsRedeemed", "pointsExpired", "pointsOutstanding", "applications", "objections", "redemptions"] as const;

/** Every total is the sum of its rows; the rate is participating over registered households. */
function totalsOf(rows: Figures[]): Figures {
  const totals = { ...zeroFigures };
  for (const row of rows) for (const key of countedFigures) totals[key] += row[key];
  totals.participationRate = participationRate(totals.participatingHouseholds, totals.households);
  return totals;
}

function mergeCategories(lists: CategoryTotal[][]): CategoryTotal[] {
  const merged = new Map<string, CategoryTotal>();
  for (const item of lists.flat()) {
    const current = merged.get(item.category) ?? { category: item.category, points: 0, applications: 0, pointsAwarded: 0, pointsDeducted: 0 };
    current.points += item.points;
    current.applications += item.applications;
    current.pointsAwarded += item.pointsAwarded;
    current.pointsDeducted += item.pointsDeducted;
    merged.set(item.category, current);
  }
  return [...merged.values()].sort((a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : 0));
}

/**
 * The communities of a region the officer oversees (its own and its townships'), each with the
 * figures its own summary answers for the period, and their totals. Unknown region → 404,
 * outside the officer's → 403.
 */
export async function overview(db: Db, officer: OfficerActor, regionId: string, period: Period): Promise<Overview> {
  const region = await regionOver(db, officer, regionId);
  const [rows, figures] = await Promise.all([
    db
      .select({ id: communities.id, name: communities.name, code: communities.code, regionId: communities.regionId })
      .from(communities)
      .where(sql`${communities.id} IN (${communitiesIn(region.id)})`)
      .orderBy(asc(communities.code)),
    figuresByCommunity(db, communitiesIn(region.id), period),
  ]);
  const table = rows.map((c) => ({ ...c, ...(figures.get(c.id)?.figures ?? zeroFigures) }));
  return {
    region: { id: region.id, name: region.name, kind: region.kind },
    from: period.from,
    to: period.to,
    communities: table,
    totals: { communities: table.length, ...totalsOf(table), byCategory: mergeCategories([...figures.values()].map((f) => f.byCategory)) },
  };
}

export interface TrendMonth {
  /** `YYYY-MM`, China time. */
  month: string;
  pointsAwarded: number;
  pointsDeducted: number;
  pointsRedeemed: number;
  /** At the month's end (or now, for the current month). */
  pointsOutstanding: number;
  households: number;
  participatingHouseholds: number;
  participationRate: number;
}

/** `YYYY-MM` `count − 1` months before `month`, then every month up to it. */
function monthsEndingWith(month: string, count: number): string[] {
  const [y, m] = month.split("-").map(Number);
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - (count - 1 - i), 1));
    return d.toISOString().slice(0, 7);
  });
}

/**
 * The region's figures month by month, the last `months` months up to the current one (China
 * time): points awarded, deducted and redeemed in each, and what was outstanding and taking part
 * at its end. From the kept totals: one pass over the region's days.
 */
export async function trend(db: Db, clock: Clock, officer: OfficerActor, regionId: string, months: number): Promise<{ region: Pick<Region, "id" | "name" | "kind">; months: TrendMonth[] }> {
  const region = await regionOver(db, officer, regionId);
  const scope = communitiesIn(region.id);
  const [days, flows] = await db.batch([
    db.run(sql`SELECT substr(day, 1, 7) AS month, SUM(households) AS households, SUM(participants) AS participants
      FROM community_days WHERE community_id IN (${scope}) GROUP BY month ORDER BY month`),
    db.run(sql`SELECT substr(day, 1, 7) AS month, kind, SUM(amount) AS total, SUM(household_net) AS household_net
      FROM community_day_flows WHERE community_id IN (${scope}) GROUP BY month, kind ORDER BY month`),
  ]);
  const wanted = monthsEndingWith(chinaMonth(clock.now()), months);
  const stocks = new Map<string, { households: number; participants: number; net: number }>();
  const flowRows = new Map<string, Array<{ kind: string; total: number }>>();
  const bump = (month: string) => stocks.get(month) ?? stocks.set(month, { households: 0, participants: 0, net: 0 }).get(month)!;
  for (const r of rowsOf(days)) Object.assign(bump(String(r.month)), { households: num(r.households), participants: num(r.participants) });
  for (const r of rowsOf(flows)) {
    const month = String(r.month);
    bump(month).net += num(r.household_net);
    flowRows.set(month, [...(flowRows.get(month) ?? []), { kind: String(r.kind), total: num(r.total) }]);
  }
  // Stocks accumulate from the very first month, also the months before the window.
  let households = 0;
  let participants = 0;
  let outstanding = 0;
  const all = [...new Set([...stocks.keys(), ...wanted])].sort();
  const answer: TrendMonth[] = [];
  for (const month of all) {
    const s = stocks.get(month);
    households += s?.households ?? 0;
    participants += s?.participants ?? 0;
    outstanding += s?.net ?? 0;
    if (!wanted.includes(month)) continue;
    const { issued, deducted, redeemed } = pointFlows(flowRows.get(month) ?? []);
    answer.push({ month, pointsAwarded: issued, pointsDeducted: deducted, pointsRedeemed: redeemed, pointsOutstanding: outstanding, households, participatingHouseholds: participants, participationRate: participationRate(participants, households) });
  }
  return { region: { id: region.id, name: region.name, kind: region.kind }, months: answer };
}

/** The period as the workbook's title says it: China days, both inclusive. */
function periodText(period: Period): string {
  const from = period.from ? chinaDay(period.from) : null;
  const lastDay = period.to ? chinaDay(new Date(Date.parse(period.to) - 1)) : null;
  // A `to` on a day's start means "up to the end of the day before" (the days the officer chose).
  const to = period.to && chinaDayRange(chinaDay(period.to)).start === period.to ? lastDay : period.to ? chinaDay(period.to) : null;
  if (!from && !to) return "全部时间";
  return `${from ?? "开始"} 至 ${to ?? "今"}`;
}

const text = (value: string, bold = false): Cell => ({ value, type: String, ...(bold ? { fontWeight: "bold" as const } : {}) });
const whole = (value: number, bold = false): Cell => ({ value, type: Number, format: "#,##0", ...(bold ? { fontWeight: "bold" as const } : {}) });
const percent = (value: number, bold = false): Cell => ({ value, type: Number, format: "0.0%", ...(bold ? { fontWeight: "bold" as const } : {}) });

const headings = ["社区", "代码", "所属乡镇（街道）", "户数", "参与户数", "参与率", "发放积分", "扣减积分", "兑换积分", "结余积分", "申请件数", "异议件数", "兑换笔数"];

/**
 * The overview as a workbook: a title, one row per community and a totals row, then the mix by
 * carrier. Every text cell is written as text (a name beginning with `=`, `+`, `-` or `@` stays
 * words, never a formula); numbers are numbers.
 */
export async function overviewWorkbook(view: Overview, regionNames: Map<string, string>): Promise<ArrayBuffer> {
  const row = (f: Figures, bold: boolean): Cell[] => [
    whole(f.households, bold),
    whole(f.participatingHouseholds, bold),
    percent(f.participationRate, bold),
    whole(f.pointsAwarded, bold),
    whole(f.pointsDeducted, bold),
    whole(f.pointsRedeemed, bold),
    whole(f.pointsOutstanding, bold),
    whole(f.applications, bold),
    whole(f.objections, bold),
    whole(f.redemptions, bold),
  ];
  const data: Cell[][] = [
    [text(`${view.region.name} 积分超市汇总（${periodText(view)}）`, true)],
    headings.map((h) => text(h, true)),
    ...view.communities.map((c) => [text(c.name), text(c.code), text(c.regionId ? (regionNames.get(c.regionId) ?? "") : ""), ...row(c, false)]),
    [text("合计", true), text(`${view.totals.communities} 个社区`, true), text(""), ...row(view.totals, true)],
    [],
    ["载体", "申请件数", "发放积分", "扣减积分", "净积分"].map((h) => text(h, true)),
    ...view.totals.byCategory.map((c) => [
      text(carrierNamesZh[c.category as Category] ?? c.category),
      whole(c.applications),
      whole(c.pointsAwarded),
      whole(c.pointsDeducted),
      whole(c.points),
    ]),
  ];
  const blob = await writeXlsxFile(data, {
    sheet: "汇总",
    columns: [{ width: 22 }, { width: 10 }, { width: 18 }, ...headings.slice(3).map(() => ({ width: 11 }))],
  } as never).toBlob();
  return blob.arrayBuffer();
}
