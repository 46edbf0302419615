/**
 * Reports for the station and the county: the scheme's headline numbers and the household
 * ranking (积分排行 / 红榜). Everything is aggregated in SQL over indexed columns — a province
 * has millions of ledger rows, and none of them is ever loaded into JS to be summed.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { num, rowsOf, type Row } from "../../db/sql";
import { pointFlows } from "./ledger";
import { maskName } from "../../shared/names";

export interface CategoryTotal {
  category: string;
  /** Net points the category moved: awards in, minus what its penalties actually took. */
  points: number;
  /** Credited applications in the category. */
  applications: number;
  pointsAwarded: number;
  pointsDeducted: number;
}

export interface Summary {
  households: number;
  participatingHouseholds: number;
  participationRate: number;
  pointsAwarded: number;
  pointsDeducted: number;
  pointsRedeemed: number;
  pointsOutstanding: number;
  byCategory: CategoryTotal[];
}


/**
 * The community's headline numbers. A household takes part once it has had an award credited;
 * `pointsDeducted` is what penalties actually took (never more than the balance held);
 * `pointsRedeemed` is net of voids; `pointsOutstanding` is the sum of household balances.
 */
export async function summary(db: Db, communityId: string): Promise<Summary> {
  const [households, participating, flows, outstanding, categories] = await db.batch([
    db.run(sql`SELECT COUNT(*) AS n FROM households WHERE community_id = ${communityId}`),
    db.run(sql`SELECT COUNT(DISTINCT household_id) AS n FROM credits WHERE community_id = ${communityId} AND kind = 'award'`),
    db.run(sql`SELECT kind, COALESCE(SUM(amount), 0) AS total FROM transfers WHERE community_id = ${communityId} GROUP BY kind`),
    db.run(sql`SELECT COALESCE(SUM(balance), 0) AS total FROM accounts WHERE community_id = ${communityId} AND kind = 'household'`),
    db.run(sql`SELECT category,
        COALESCE(SUM(CASE WHEN kind = 'award' THEN amount END), 0) AS awarded,
        COALESCE(SUM(CASE WHEN kind = 'penalty' THEN amount END), 0) AS deducted,
        COUNT(*) AS applications
      FROM credits WHERE community_id = ${communityId} GROUP BY category ORDER BY category`),
  ]);
  const { issued, deducted, redeemed } = pointFlows(rowsOf(flows));
  const householdCount = num(rowsOf(households)[0]?.n);
  const participatingCount = num(rowsOf(participating)[0]?.n);
  return {
    households: householdCount,
    participatingHouseholds: participatingCount,
    participationRate: householdCount === 0 ? 0 : participatingCount / householdCount,
    pointsAwarded: issued,
    pointsDeducted: deducted,
    pointsRedeemed: redeemed,
    pointsOutstanding: num(rowsOf(outstanding)[0]?.total),
    byCategory: rowsOf(categories).map((r) => ({
      category: String(r.category),
      points: num(r.awarded) - num(r.deducted),
      applications: num(r.applications),
      pointsAwarded: num(r.awarded),
      pointsDeducted: num(r.deducted),
    })),
  };
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
