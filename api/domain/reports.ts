/**
 * Reports for the station and the county: the scheme's headline numbers for any period and the
 * household ranking (积分排行 / 红榜). Everything is aggregated in SQL — a province has millions
 * of ledger rows, and none of them is ever loaded into JS to be summed — and the headline
 * numbers come from totals the database keeps per community and day as points move (migration
 * 0008), so a county's overview reads a few rows per community and day, never the journal.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { transfers } from "../../db/schema";
import { num, rowsOf, type Row } from "../../db/sql";
import { pointFlows, type Statement } from "./ledger";
import { ledgerEntryKinds } from "../../shared/domain";
import { maskName } from "../../shared/names";
import { chinaDay, chinaDayRange } from "../../shared/time";

export interface CategoryTotal {
  category: string;
  /** Net points the category moved: awards in, minus what its penalties actually took. */
  points: number;
  /** Credited applications in the category. */
  applications: number;
  pointsAwarded: number;
  pointsDeducted: number;
}

/**
 * A community's headline figures for a period. Stocks are as at the period's end: households
 * registered, households taking part (a household takes part once it has had an award credited),
 * points outstanding (the sum of household balances). Flows are what happened within it: points
 * awarded, deducted (what penalties actually took) and redeemed (net of voids, a void counting
 * when it is made), applications and objections filed, and redemptions made and not voided.
 */
export interface Figures {
  households: number;
  participatingHouseholds: number;
  participationRate: number;
  pointsAwarded: number;
  pointsDeducted: number;
  pointsRedeemed: number;
  /** Points that expired unspent (transfers of kind `expiry`; api/domain/expiry.ts). */
  pointsExpired: number;
  pointsOutstanding: number;
  applications: number;
  objections: number;
  redemptions: number;
}

export interface Summary extends Figures {
  /** The period asked for (UTC instants, `to` exclusive); null: unbounded. */
  from: string | null;
  to: string | null;
  byCategory: CategoryTotal[];
}

/** `[from, to)` as UTC ISO instants; a null bound is open (all time before or after). */
export interface Period {
  from: string | null;
  to: string | null;
}

export const allTime: Period = { from: null, to: null };

/** What one community's figures add up to, before rates are worked out. */
interface Tally {
  households: number;
  participants: number;
  householdNet: number;
  applications: number;
  objections: number;
  redemptions: number;
  /** Points moved within the period, by transfer kind (read by `pointFlows`). */
  kinds: Map<string, number>;
  categories: Map<string, { awarded: number; deducted: number; credited: number }>;
}

function emptyTally(): Tally {
  return { households: 0, participants: 0, householdNet: 0, applications: 0, objections: 0, redemptions: 0, kinds: new Map(), categories: new Map() };
}

const dayMs = 24 * 3_600_000;
const firstDay = "0000-00-00";
const lastDay = "9999-99-99";

function startOf(day: string): string {
  return chinaDayRange(day).start;
}

function nextDay(day: string): string {
  return chinaDay(new Date(Date.parse(startOf(day)) + dayMs));
}

/**
 * How a period splits into whole China days, read from the kept totals, and the parts of a day at
 * either end (a bound inside a day), read from the tables themselves — at most two stretches, each
 * shorter than a day. Stocks run from the beginning to `to`; flows from `from` to `to`.
 */
function splitPeriod(period: Period) {
  const { from, to } = period;
  // Whole days of flows: [flowDay, stockDay); whole days of stocks: [−∞, stockDay).
  const stockDay = to === null ? lastDay : chinaDay(to);
  const flowDay = from === null ? firstDay : startOf(chinaDay(from)) === from ? chinaDay(from) : nextDay(chinaDay(from));
  const stretches: Array<{ from: string; to: string; flows: boolean; stocks: boolean }> = [];
  const stockEdge = to !== null && startOf(stockDay) < to ? { from: startOf(stockDay), to } : null;
  if (from !== null && to !== null && flowDay > stockDay) {
    // Both bounds inside one day: the flows are [from, to), the stocks that day's start to `to`.
    if (from < to) stretches.push({ from, to, flows: true, stocks: false });
    if (stockEdge) stretches.push({ ...stockEdge, flows: false, stocks: true });
  } else {
    if (from !== null && from < startOf(flowDay)) stretches.push({ from, to: startOf(flowDay), flows: true, stocks: false });
    if (stockEdge) stretches.push({ ...stockEdge, flows: true, stocks: true });
  }
  return { flowDay, stockDay, stretches };
}

/**
 * Transfer kinds to read at a period's edges: naming them lets SQLite use
 * `transfers_community_idx` (community, kind, time) instead of reading a community's whole journal.
 */
function transferKinds(): SQL {
  const kinds = [...new Set<string>([...transfers.kind.enumValues, ...ledgerEntryKinds])];
  return sql.join(kinds.map((k) => sql`${k}`), sql`, `);
}

/** The statements that read one stretch `[from, to)` (inside a day) from the tables. */
function stretchStatements(db: Db, scope: SQL, from: string, to: string): Statement[] {
  return [
    db.run(sql`SELECT t.community_id, t.kind, SUM(t.amount) AS amount,
        SUM(CASE WHEN ca.kind = 'household' THEN t.amount ELSE 0 END) - SUM(CASE WHEN da.kind = 'household' THEN t.amount ELSE 0 END) AS household_net
      FROM transfers t JOIN accounts ca ON ca.id = t.credit_account_id JOIN accounts da ON da.id = t.debit_account_id
      WHERE t.community_id IN (${scope}) AND t.kind IN (${transferKinds()}) AND t.created_at >= ${from} AND t.created_at < ${to}
      GROUP BY t.community_id, t.kind`),
    db.run(sql`SELECT community_id, COUNT(*) AS n FROM households WHERE community_id IN (${scope}) AND created_at >= ${from} AND created_at < ${to} GROUP BY community_id`),
    db.run(sql`SELECT c.community_id, COUNT(DISTINCT c.household_id) AS n FROM credits c
      WHERE c.community_id IN (${scope}) AND c.kind = 'award' AND c.created_at >= ${from} AND c.created_at < ${to}
        AND NOT EXISTS (SELECT 1 FROM credits p WHERE p.household_id = c.household_id AND p.kind = 'award' AND p.created_at < ${from})
      GROUP BY c.community_id`),
    db.run(sql`SELECT community_id, COUNT(*) AS n FROM applications WHERE community_id IN (${scope}) AND created_at >= ${from} AND created_at < ${to} GROUP BY community_id`),
    db.run(sql`SELECT community_id, COUNT(*) AS n FROM objections WHERE community_id IN (${scope}) AND created_at >= ${from} AND created_at < ${to} GROUP BY community_id`),
    db.run(sql`SELECT r.community_id, COUNT(*) AS n FROM redemptions r
      WHERE r.shop_id IN (SELECT id FROM shops WHERE community_id IN (${scope})) AND r.created_at >= ${from} AND r.created_at < ${to}
        AND NOT EXISTS (SELECT 1 FROM redemption_voids v WHERE v.redemption_id = r.id)
      GROUP BY r.community_id`),
    db.run(sql`SELECT community_id, category, SUM(CASE WHEN kind = 'award' THEN amount ELSE 0 END) AS awarded,
        SUM(CASE WHEN kind = 'penalty' THEN amount ELSE 0 END) AS deducted, COUNT(*) AS credited
      FROM credits WHERE community_id IN (${scope}) AND created_at >= ${from} AND created_at < ${to} GROUP BY community_id, category`),
  ];
}

function addCategory(tally: Tally, category: string, row: Row) {
  const current = tally.categories.get(category) ?? { awarded: 0, deducted: 0, credited: 0 };
  current.awarded += num(row.awarded);
  current.deducted += num(row.deducted);
  current.credited += num(row.credited);
  tally.categories.set(category, current);
}

/**
 * Every community's tally for a period, by community id, for the communities `scope` (an SQL
 * query of community ids) names. Whole China days come from the totals the database keeps as
 * points move (`community_days`, `community_day_flows`, `community_day_categories`); only a bound
 * inside a day reads that stretch of the day from the tables. One batch: one consistent snapshot.
 */
async function tallies(db: Db, scope: SQL, period: Period): Promise<Map<string, Tally>> {
  const { flowDay, stockDay, stretches } = splitPeriod(period);
  const statements: Statement[] = [
    db.run(sql`SELECT community_id, SUM(households) AS households, SUM(participants) AS participants,
        SUM(CASE WHEN day >= ${flowDay} THEN applications ELSE 0 END) AS applications,
        SUM(CASE WHEN day >= ${flowDay} THEN objections ELSE 0 END) AS objections,
        SUM(CASE WHEN day >= ${flowDay} THEN redemptions ELSE 0 END) AS redemptions
      FROM community_days WHERE community_id IN (${scope}) AND day < ${stockDay} GROUP BY community_id`),
    db.run(sql`SELECT community_id, kind, SUM(CASE WHEN day >= ${flowDay} THEN amount ELSE 0 END) AS amount, SUM(household_net) AS household_net
      FROM community_day_flows WHERE community_id IN (${scope}) AND day < ${stockDay} GROUP BY community_id, kind`),
    db.run(sql`SELECT community_id, category, SUM(awarded) AS awarded, SUM(deducted) AS deducted, SUM(credited) AS credited
      FROM community_day_categories WHERE community_id IN (${scope}) AND day >= ${flowDay} AND day < ${stockDay} GROUP BY community_id, category`),
    ...stretches.flatMap((s) => stretchStatements(db, scope, s.from, s.to)),
  ];
  const results = (await db.batch(statements as [Statement, ...Statement[]])).map((r) => rowsOf(r));
  const byCommunity = new Map<string, Tally>();
  const tallyOf = (row: Row) => {
    const id = String(row.community_id);
    let tally = byCommunity.get(id);
    if (!tally) byCommunity.set(id, (tally = emptyTally()));
    return tally;
  };
  const [days, flows, categories] = results;
  for (const r of days) Object.assign(tallyOf(r), { households: num(r.households), participants: num(r.participants), applications: num(r.applications), objections: num(r.objections), redemptions: num(r.redemptions) });
  for (const r of flows) {
    const tally = tallyOf(r);
    tally.householdNet += num(r.household_net);
    tally.kinds.set(String(r.kind), (tally.kinds.get(String(r.kind)) ?? 0) + num(r.amount));
  }
  for (const r of categories) addCategory(tallyOf(r), String(r.category), r);
  stretches.forEach((stretch, i) => {
    const [edgeFlows, households, participants, applications, objections, redemptions, edgeCategories] = results.slice(3 + i * 7, 3 + (i + 1) * 7);
    for (const r of edgeFlows) {
      const tally = tallyOf(r);
      if (stretch.stocks) tally.householdNet += num(r.household_net);
      if (stretch.flows) tally.kinds.set(String(r.kind), (tally.kinds.get(String(r.kind)) ?? 0) + num(r.amount));
    }
    if (stretch.stocks) {
      for (const r of households) tallyOf(r).households += num(r.n);
      for (const r of participants) tallyOf(r).participants += num(r.n);
    }
    if (stretch.flows) {
      for (const r of applications) tallyOf(r).applications += num(r.n);
      for (const r of objections) tallyOf(r).objections += num(r.n);
      for (const r of redemptions) tallyOf(r).redemptions += num(r.n);
      for (const r of edgeCategories) addCategory(tallyOf(r), String(r.category), r);
    }
  });
  return byCommunity;
}

/** Participating over registered households, as a fraction (0 when there are none). */
export function participationRate(participating: number, households: number): number {
  return households === 0 ? 0 : participating / households;
}

function figuresOf(tally: Tally): Figures {
  const { issued, deducted, redeemed } = pointFlows([...tally.kinds].map(([kind, total]) => ({ kind, total })));
  return {
    households: tally.households,
    participatingHouseholds: tally.participants,
    participationRate: participationRate(tally.participants, tally.households),
    pointsAwarded: issued,
    pointsDeducted: deducted,
    pointsRedeemed: redeemed,
    pointsExpired: tally.kinds.get("expiry") ?? 0,
    pointsOutstanding: tally.householdNet,
    applications: tally.applications,
    objections: tally.objections,
    redemptions: tally.redemptions,
  };
}

function categoriesOf(tally: Tally): CategoryTotal[] {
  return [...tally.categories]
    .filter(([, c]) => c.credited > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([category, c]) => ({ category, points: c.awarded - c.deducted, applications: c.credited, pointsAwarded: c.awarded, pointsDeducted: c.deducted }));
}

/**
 * Figures and the mix by category of every community that `scope` (an SQL query of community
 * ids) names, for a period; communities with nothing yet are absent (all zero).
 */
export async function figuresByCommunity(db: Db, scope: SQL, period: Period): Promise<Map<string, { figures: Figures; byCategory: CategoryTotal[] }>> {
  const answer = new Map<string, { figures: Figures; byCategory: CategoryTotal[] }>();
  for (const [id, tally] of await tallies(db, scope, period)) answer.set(id, { figures: figuresOf(tally), byCategory: categoriesOf(tally) });
  return answer;
}

export const zeroFigures: Figures = figuresOf(emptyTally());

/**
 * The community's headline numbers for a period (all time by default): see `Figures`. The county
 * overview answers exactly these for each of its communities (the same code, the same period).
 */
export async function summary(db: Db, communityId: string, period: Period = allTime): Promise<Summary> {
  const mine = (await figuresByCommunity(db, sql`SELECT ${communityId}`, period)).get(communityId);
  return { from: period.from, to: period.to, ...(mine?.figures ?? zeroFigures), byCategory: mine?.byCategory ?? [] };
}

export interface RankingQuery {
  /** Inclusive lower bound (UTC ISO instant). */
  from?: string | null;
  /** Exclusive upper bound (UTC ISO instant). */
  to?: string | null;
  building?: string | null;
  limit: number;
}

export interface RankingEntry {
  rank: number;
  householdId: string | null;
  householdNo: string | null;
  headName: string;
  building: string;
  score: number;
}

/**
 * Households by score, highest first (ties share a rank and are ordered by 户号). Without a
 * period the score is the materialised `accounts.score`; with one it is the sum of the
 * `score_delta` of the credits in it (index `credits_community_idx`).
 */
export async function ranking(db: Db, communityId: string, query: RankingQuery): Promise<RankingEntry[]> {
  const buildingFilter = query.building ? sql`AND h.building = ${query.building}` : sql``;
  let rows: Row[];
  if (!query.from && !query.to) {
    rows = await db.all<Row>(sql`SELECT h.id, h.household_no, h.head_name, h.building, a.score
      FROM accounts a JOIN households h ON h.id = a.id
      WHERE a.community_id = ${communityId} AND a.kind = 'household' ${buildingFilter}
      ORDER BY a.score DESC, h.household_no ASC LIMIT ${query.limit}`);
  } else {
    const period: SQL[] = [sql`c.community_id = ${communityId}`];
    if (query.from) period.push(sql`c.created_at >= ${query.from}`);
    if (query.to) period.push(sql`c.created_at < ${query.to}`);
    rows = await db.all<Row>(sql`SELECT h.id, h.household_no, h.head_name, h.building, s.score
      FROM (SELECT c.household_id, SUM(c.score_delta) AS score FROM credits c WHERE ${sql.join(period, sql` AND `)} GROUP BY c.household_id) s
      JOIN households h ON h.id = s.household_id
      WHERE 1 = 1 ${buildingFilter}
      ORDER BY s.score DESC, h.household_no ASC LIMIT ${query.limit}`);
  }
  let rank = 0;
  let previous: number | null = null;
  return rows.map((r, i) => {
    const score = num(r.score);
    if (score !== previous) rank = i + 1;
    previous = score;
    return { rank, householdId: String(r.id), householdNo: String(r.household_no), headName: String(r.head_name), building: String(r.building), score };
  });
}

/**
 * The ranking as a resident sees it (the community's 红榜): masked names and no ids or
 * household numbers, except on the resident's own row.
 */
export function rankingForResident(entries: RankingEntry[], householdId: string): RankingEntry[] {
  return entries.map((e) =>
    e.householdId === householdId ? e : { ...e, householdId: null, householdNo: null, headName: maskName(e.headName) },
  );
}
