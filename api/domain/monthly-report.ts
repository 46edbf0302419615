/**
 * The monthly report to the township (月报): a China-time month's summary, its mix by carrier,
 * the figures by building, the top-ups, the redemptions by shop and by goods, and the shops'
 * settlements. The summary and the mix are `summary()` for the month itself, so the report and
 * `GET /api/reports/summary?from=&to=` for that month answer the same numbers; the other sheets
 * break the same flows down and add up to them (by building and by shop from the journal's own
 * transfers, the top-ups from the credits they wrote). Everything is aggregated in SQL over the
 * month's rows only (the journal's `transfers_community_idx` is community, kind, time).
 */
import { sql } from "drizzle-orm";
import writeXlsxFile, { type Cell } from "write-excel-file/universal";
import type { Db } from "../../db/client";
import { num, rowsOf, strOrNull, type Row } from "../../db/sql";
import { carrierNamesZh, type Category, type Lang } from "../../shared/domain";
import { chinaDay, chinaDayRange } from "../../shared/time";
import type { Statement } from "./ledger";
import { summary, type Period, type Summary } from "./reports";
import { settlementsOfMonth, type MonthSettlements } from "./monthly-settlements";

/** `YYYY-MM`, months 01–12. */
export const monthPattern = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The month `YYYY-MM` in China as `[from, to)` UTC instants. */
export function monthPeriod(month: string): { from: string; to: string } {
  const [y, m] = month.split("-").map(Number);
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
  return { from: chinaDayRange(`${month}-01`).start, to: chinaDayRange(next).start };
}

export interface BuildingFigures {
  building: string;
  /** Registered by the month's end. */
  households: number;
  pointsAwarded: number;
  pointsDeducted: number;
  /** Redeemed net of voids made in the month. */
  pointsRedeemed: number;
}

export interface TopUpLine {
  /** Null for credits written without a top-up record (none in normal use). */
  topUpId: string | null;
  at: string | null;
  /** The publicity batch, as its China days. */
  publicity: string | null;
  items: number;
  pointsAwarded: number;
  pointsDeducted: number;
  heldBack: number;
}

export interface ShopLine {
  shopId: string;
  shop: string;
  /** Redemptions made in the month (voided or not). */
  redemptions: number;
  pointsRedeemed: number;
  /** Points given back by voids made in the month. */
  pointsVoided: number;
  /** Redeemed minus voided: what the summary's `pointsRedeemed` adds up. */
  pointsNet: number;
}

export interface GoodsLine {
  shop: string;
  goodsId: string;
  goods: string;
  /** Handed over in the month, less what voids made in the month took back. */
  quantity: number;
  points: number;
}

export interface MonthlyReport {
  month: string;
  community: { name: string; code: string };
  summary: Summary;
  byBuilding: BuildingFigures[];
  topUps: TopUpLine[];
  redemptionsByShop: ShopLine[];
  redemptionsByGoods: GoodsLine[];
  settlements: MonthSettlements;
}

function statements(db: Db, communityId: string, p: { from: string; to: string }): Statement[] {
  const { from, to } = p;
  const inMonth = sql`t.community_id = ${communityId} AND t.created_at >= ${from} AND t.created_at < ${to}`;
  return [
    db.run(sql`SELECT name, code FROM communities WHERE id = ${communityId}`),
    db.run(sql`SELECT building, COUNT(*) AS n FROM households WHERE community_id = ${communityId} AND created_at < ${to} GROUP BY building`),
    // The month's flows per building, from the journal: awards in, penalties out, redemptions out, voids back.
    db.run(sql`SELECT h.building, t.kind, SUM(t.amount) AS amount FROM transfers t
      JOIN households h ON h.id = CASE WHEN t.kind IN ('award', 'reversal') THEN t.credit_account_id ELSE t.debit_account_id END
      WHERE ${inMonth} AND t.kind IN ('award', 'penalty', 'redemption', 'reversal')
      GROUP BY h.building, t.kind`),
    db.run(sql`SELECT c.top_up_id, tu.created_at, tu.held_back, pb.starts_at, pb.ends_at, COUNT(*) AS items,
        SUM(CASE WHEN c.kind = 'award' THEN c.amount ELSE 0 END) AS awarded, SUM(CASE WHEN c.kind = 'penalty' THEN c.amount ELSE 0 END) AS deducted
      FROM credits c LEFT JOIN top_ups tu ON tu.id = c.top_up_id LEFT JOIN publicity_batches pb ON pb.id = tu.publicity_id
      WHERE c.community_id = ${communityId} AND c.created_at >= ${from} AND c.created_at < ${to}
      GROUP BY c.top_up_id ORDER BY MIN(c.created_at), c.top_up_id`),
    // By shop, from the journal: redemptions credit the shop's account, voids debit it.
    db.run(sql`SELECT s.id, s.name, SUM(CASE WHEN t.kind = 'redemption' THEN t.amount ELSE 0 END) AS redeemed,
        SUM(CASE WHEN t.kind = 'reversal' THEN t.amount ELSE 0 END) AS voided, SUM(CASE WHEN t.kind = 'redemption' THEN 1 ELSE 0 END) AS n
      FROM transfers t JOIN shops s ON s.id = CASE WHEN t.kind = 'redemption' THEN t.credit_account_id ELSE t.debit_account_id END
      WHERE ${inMonth} AND t.kind IN ('redemption', 'reversal')
      GROUP BY s.id ORDER BY s.name, s.id`),
    // By goods: lines of the month's redemptions, less lines of the redemptions voided in the month.
    db.run(sql`SELECT s.name AS shop, l.goods_id, l.name, SUM(l.quantity * x.sign) AS quantity, SUM(l.subtotal * x.sign) AS points
      FROM (SELECT r.id, r.shop_id, 1 AS sign FROM redemptions r
              WHERE r.shop_id IN (SELECT id FROM shops WHERE community_id = ${communityId}) AND r.created_at >= ${from} AND r.created_at < ${to}
            UNION ALL
            SELECT r.id, r.shop_id, -1 FROM redemption_voids v JOIN redemptions r ON r.id = v.redemption_id
              WHERE v.community_id = ${communityId} AND v.created_at >= ${from} AND v.created_at < ${to}) x
        JOIN redemption_lines l ON l.redemption_id = x.id JOIN shops s ON s.id = x.shop_id
      GROUP BY s.name, l.goods_id, l.name HAVING SUM(l.quantity * x.sign) <> 0 OR SUM(l.subtotal * x.sign) <> 0
      ORDER BY s.name, points DESC, l.name`),
  ];
}

function byBuildingOf(households: Row[], flows: Row[]): BuildingFigures[] {
  const map = new Map<string, BuildingFigures>();
  const of = (building: string) => {
    let b = map.get(building);
    if (!b) map.set(building, (b = { building, households: 0, pointsAwarded: 0, pointsDeducted: 0, pointsRedeemed: 0 }));
    return b;
  };
  for (const r of households) of(String(r.building)).households = num(r.n);
  for (const r of flows) {
    const b = of(String(r.building));
    const amount = num(r.amount);
    if (r.kind === "award") b.pointsAwarded += amount;
    else if (r.kind === "penalty") b.pointsDeducted += amount;
    else if (r.kind === "redemption") b.pointsRedeemed += amount;
    else b.pointsRedeemed -= amount;
  }
  // Buildings as the office numbers them: 2 before 10.
  return [...map.values()].sort((a, b) => a.building.localeCompare(b.building, "zh-CN", { numeric: true }));
}

const batchDays = (start: unknown, end: unknown) => (start ? `${chinaDay(String(start))} 至 ${chinaDay(String(end))}` : null);

/** The report of a China-time month `YYYY-MM` (checked by the caller against `monthPattern`). */
export async function monthlyReport(db: Db, communityId: string, month: string): Promise<MonthlyReport> {
  const period = monthPeriod(month);
  const [figures, results, settlements] = await Promise.all([
    summary(db, communityId, period satisfies Period),
    db.batch(statements(db, communityId, period) as [Statement, ...Statement[]]),
    settlementsOfMonth(db, communityId, period),
  ]);
  const [community, households, buildingFlows, topUps, shops, goods] = results.map((r) => rowsOf(r));
  return {
    month,
    community: { name: String(community[0]?.name ?? ""), code: String(community[0]?.code ?? "") },
    summary: figures,
    byBuilding: byBuildingOf(households, buildingFlows),
    topUps: topUps.map((r) => ({
      topUpId: r.created_at ? String(r.top_up_id) : null,
      at: strOrNull(r.created_at),
      publicity: batchDays(r.starts_at, r.ends_at),
      items: num(r.items),
      pointsAwarded: num(r.awarded),
      pointsDeducted: num(r.deducted),
      heldBack: num(r.held_back),
    })),
    redemptionsByShop: shops.map((r) => ({ shopId: String(r.id), shop: String(r.name), redemptions: num(r.n), pointsRedeemed: num(r.redeemed), pointsVoided: num(r.voided), pointsNet: num(r.redeemed) - num(r.voided) })),
    redemptionsByGoods: goods.map((r) => ({ shop: String(r.shop), goodsId: String(r.goods_id), goods: String(r.name), quantity: num(r.quantity), points: num(r.points) })),
    settlements,
  };
}

// ---- The workbook ----------------------------------------------------------------------------

const text = (value: string | null, bold = false): Cell => ({ value: value ?? "", type: String, ...(bold ? { fontWeight: "bold" as const } : {}) });
const whole = (value: number, bold = false): Cell => ({ value, type: Number, format: "#,##0", ...(bold ? { fontWeight: "bold" as const } : {}) });
const percent = (value: number): Cell => ({ value, type: Number, format: "0.0%" });
const head = (titles: readonly string[]) => titles.map((t) => text(t, true));
const sum = <T>(rows: T[], pick: (r: T) => number) => rows.reduce((s, r) => s + pick(r), 0);

const words = {
  zh: {
    sheets: ["汇总", "按载体", "按楼栋", "充值", "兑换（超市）", "兑换（商品）", "结算"],
    title: (r: MonthlyReport) => `${r.community.name} 积分超市月报（${r.month}）`,
    total: "合计",
    summary: [["户数", "households"], ["参与户数", "participatingHouseholds"], ["发放积分", "pointsAwarded"], ["扣减积分", "pointsDeducted"], ["兑换积分", "pointsRedeemed"], ["月末结余积分", "pointsOutstanding"], ["申请件数", "applications"], ["异议件数", "objections"], ["兑换笔数", "redemptions"]] as const,
    participation: "参与率",
    category: ["载体", "入账件数", "发放积分", "扣减积分", "净积分"],
    building: ["楼栋", "户数", "发放积分", "扣减积分", "兑换积分"],
    topUp: ["充值时间", "公示批次", "入账件数", "发放积分", "扣减积分", "暂缓件数"],
    shop: ["超市", "兑换笔数", "兑换积分", "撤销积分", "净兑换积分"],
    goods: ["超市", "商品", "数量", "积分"],
    settlement: ["超市", "起", "止", "状态", "兑换笔数", "积分", "金额（元）", "确认日期", "付款日期"],
    status: { draft: "草稿", confirmed: "已确认", paid: "已付款" },
    noSettlement: "本月没有结算单。",
    confirmedInMonth: "本月确认结算积分",
    paidInMonth: "本月付款金额（元）",
  },
  en: {
    sheets: ["Summary", "By category", "By building", "Top-ups", "Redemptions by shop", "Redemptions by goods", "Settlements"],
    title: (r: MonthlyReport) => `${r.community.name} monthly report (${r.month})`,
    total: "Total",
    summary: [["Households", "households"], ["Participating households", "participatingHouseholds"], ["Points awarded", "pointsAwarded"], ["Points deducted", "pointsDeducted"], ["Points redeemed", "pointsRedeemed"], ["Points outstanding at month end", "pointsOutstanding"], ["Applications", "applications"], ["Objections", "objections"], ["Redemptions", "redemptions"]] as const,
    participation: "Participation rate",
    category: ["Category", "Items credited", "Points awarded", "Points deducted", "Net points"],
    building: ["Building", "Households", "Points awarded", "Points deducted", "Points redeemed"],
    topUp: ["Topped up at", "Publicity batch", "Items credited", "Points awarded", "Points deducted", "Held back"],
    shop: ["Shop", "Redemptions", "Points redeemed", "Points voided", "Net points redeemed"],
    goods: ["Shop", "Goods", "Quantity", "Points"],
    settlement: ["Shop", "From", "To", "Status", "Redemptions", "Points", "Amount (yuan)", "Confirmed", "Paid"],
    status: { draft: "draft", confirmed: "confirmed", paid: "paid" },
    noSettlement: "No settlement statement this month.",
    confirmedInMonth: "Points settled (confirmed) this month",
    paidInMonth: "Paid this month (yuan)",
  },
} as const;

/** The sheet names of the monthly workbook, in order. */
export function monthlySheetNames(lang: Lang): readonly string[] {
  return words[lang].sheets;
}

/** The report as a workbook of seven sheets; text cells are text (never formulas), numbers numbers. */
export async function monthlyWorkbook(report: MonthlyReport, lang: Lang): Promise<ArrayBuffer> {
  const w = words[lang];
  const s = report.summary;
  const timeText = (at: string | null) => (at ? new Date(Date.parse(at) + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ") : "");
  const sheets: Cell[][][] = [
    [
      [text(w.title(report), true)],
      ...w.summary.map(([label, key]) => [text(label), whole(s[key])]),
      [text(w.participation), percent(s.participationRate)],
    ],
    [
      head(w.category),
      ...s.byCategory.map((c) => [text(lang === "zh" ? (carrierNamesZh[c.category as Category] ?? c.category) : c.category), whole(c.applications), whole(c.pointsAwarded), whole(c.pointsDeducted), whole(c.points)]),
      [text(w.total, true), whole(sum(s.byCategory, (c) => c.applications), true), whole(sum(s.byCategory, (c) => c.pointsAwarded), true), whole(sum(s.byCategory, (c) => c.pointsDeducted), true), whole(sum(s.byCategory, (c) => c.points), true)],
    ],
    [
      head(w.building),
      ...report.byBuilding.map((b) => [text(b.building), whole(b.households), whole(b.pointsAwarded), whole(b.pointsDeducted), whole(b.pointsRedeemed)]),
      [text(w.total, true), whole(sum(report.byBuilding, (b) => b.households), true), whole(sum(report.byBuilding, (b) => b.pointsAwarded), true), whole(sum(report.byBuilding, (b) => b.pointsDeducted), true), whole(sum(report.byBuilding, (b) => b.pointsRedeemed), true)],
    ],
    [
      head(w.topUp),
      ...report.topUps.map((t) => [text(timeText(t.at)), text(t.publicity), whole(t.items), whole(t.pointsAwarded), whole(t.pointsDeducted), whole(t.heldBack)]),
      [text(w.total, true), text(""), whole(sum(report.topUps, (t) => t.items), true), whole(sum(report.topUps, (t) => t.pointsAwarded), true), whole(sum(report.topUps, (t) => t.pointsDeducted), true), whole(sum(report.topUps, (t) => t.heldBack), true)],
    ],
    [
      head(w.shop),
      ...report.redemptionsByShop.map((r) => [text(r.shop), whole(r.redemptions), whole(r.pointsRedeemed), whole(r.pointsVoided), whole(r.pointsNet)]),
      [text(w.total, true), whole(sum(report.redemptionsByShop, (r) => r.redemptions), true), whole(sum(report.redemptionsByShop, (r) => r.pointsRedeemed), true), whole(sum(report.redemptionsByShop, (r) => r.pointsVoided), true), whole(sum(report.redemptionsByShop, (r) => r.pointsNet), true)],
    ],
    [head(w.goods), ...report.redemptionsByGoods.map((g) => [text(g.shop), text(g.goods), whole(g.quantity), whole(g.points)])],
    settlementCells(report.settlements, lang),
  ];
  const blob = await writeXlsxFile(
    sheets.map((data, i) => ({ data, sheet: w.sheets[i], columns: [{ width: 24 }, { width: 22 }, { width: 14 }, { width: 14 }, { width: 14 }, { width: 14 }] })) as never,
  ).toBlob();
  return blob.arrayBuffer();
}

function settlementCells(settlements: MonthSettlements, lang: Lang): Cell[][] {
  const w = words[lang];
  const day = (at: string | null) => (at ? chinaDay(at) : "");
  const yuan = (fen: number, bold = false): Cell => ({ value: fen / 100, type: Number, format: "#,##0.00", ...(bold ? { fontWeight: "bold" as const } : {}) });
  if (settlements.items.length === 0) return [head(w.settlement), [text(w.noSettlement)]];
  return [
    head(w.settlement),
    ...settlements.items.map((s) => [text(s.shop), text(day(s.from)), text(day(s.to)), text(w.status[s.status]), whole(s.redemptions), whole(s.points), yuan(s.amountFen), text(day(s.confirmedAt)), text(day(s.paidAt))]),
    [],
    [text(w.confirmedInMonth, true), text(""), text(""), text(""), text(""), whole(settlements.pointsConfirmed, true)],
    [text(w.paidInMonth, true), text(""), text(""), text(""), text(""), text(""), yuan(settlements.amountPaidFen, true)],
  ];
}
