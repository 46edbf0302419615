/**
 * Points expiry (off by default; `communities.expiry_months`, 6–60). At the scheduled run, points
 * credited more than `expiryMonths` months ago and still unspent expire, each household's as one
 * ledger transfer of kind `expiry`, household → the community's issuance account (the points go
 * back where they were issued from, as a penalty's do).
 *
 * FIFO — spending takes the oldest points first — comes down to one subtraction (decision record
 * docs/decisions/009-points-expiry-fifo.md): what a household still holds is its newest credits,
 * so the part of its balance that is NOT covered by the credits (awards, adjustments in) made on
 * or after the cutoff is old and expires:
 *
 *     expiring now = max(0, balance − credits since the cutoff)
 *
 * A void gives the redemption's points back as if it never happened (they are the same old
 * points, not new ones); a penalty, a redemption and an earlier expiry are spending. The amount is
 * an SQL expression evaluated inside the batch, so a redemption racing the run cannot be expired
 * too; a rerun finds nothing left (the balance already went down). The cause names the run
 * (`expiry:<household>:<instant>`): a void the same day can give back old points that a later
 * run of that day must be able to expire.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { num } from "../../db/sql";
import { chinaDay, chinaDayRange } from "../../shared/time";
import { auditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { issuanceAccountId, transferStatements, type Statement } from "./ledger";

export const expiryMonthsMin = 6;
export const expiryMonthsMax = 60;
/** How far ahead `GET /households/:id` tells what expires. */
export const expiringHorizonDays = 60;

/** The transfer kinds that credit new points to a household (the lots FIFO spends from). */
const creditKinds = sql`'award', 'adjustment'`;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A China day (YYYY-MM-DD) moved by whole calendar months; the 31st becomes the month's last day. */
export function addMonthsToDay(day: string, months: number): string {
  const [y, m, d] = day.split("-").map(Number);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const date = Math.min(d, daysIn(year, month));
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(date).padStart(2, "0")}`;
}

export function addDaysToDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Credits made before this instant are old enough to expire on `today` (the start of that China day). */
export function expiryCutoff(today: string, months: number): string {
  return chinaDayRange(addMonthsToDay(today, -months)).start;
}

/** The first China day on which points credited on `creditDay` have expired. */
export function expiresOn(creditDay: string, months: number): string {
  let day = addMonthsToDay(creditDay, months);
  while (addMonthsToDay(day, -months) <= creditDay) day = addDaysToDay(day, 1);
  return day;
}

function dueExpr(householdId: SQL | string, cutoff: string): SQL {
  const id = typeof householdId === "string" ? sql`${householdId}` : householdId;
  return sql`(SELECT balance FROM accounts WHERE id = ${id}) - COALESCE((SELECT SUM(p.amount) FROM postings p
    WHERE p.account_id = ${id} AND p.amount > 0 AND p.kind IN (${creditKinds}) AND p.created_at >= ${cutoff}), 0)`;
}

/** Households per batch: each is five statements; D1 takes up to a few hundred per batch. */
const chunk = 40;

/**
 * Expires what is due in one community (its `expiryMonths` given); answers the households
 * touched and the points expired.
 */
export async function expireCommunity(db: Db, clock: Clock, communityId: string, months: number): Promise<{ households: number; points: number }> {
  const at = isoNow(clock);
  const today = chinaDay(at);
  const cutoff = expiryCutoff(today, months);
  const due = await db.all<{ id: string; due: number }>(sql`SELECT a.id, ${dueExpr(sql`a.id`, cutoff)} AS due
    FROM accounts a WHERE a.community_id = ${communityId} AND a.kind = 'household' AND a.balance > 0`);
  const households = due.filter((r) => num(r.due) > 0).map((r) => String(r.id));
  let points = 0;
  for (let i = 0; i < households.length; i += chunk) {
    const statements: Statement[] = [];
    for (const householdId of households.slice(i, i + chunk)) {
      statements.push(
        ...transferStatements(db, {
          id: newId(),
          communityId,
          debitAccountId: householdId,
          creditAccountId: issuanceAccountId(communityId),
          amount: dueExpr(householdId, cutoff),
          kind: "expiry",
          cause: `expiry:${householdId}:${at}`,
          ref: householdId,
          createdBy: "system",
          at,
        }),
      );
    }
    statements.push(auditStatement(db, "system", null, at, { action: "points.expire", targetType: "community", targetId: communityId, details: { cutoff, households: households.slice(i, i + chunk).length } }, communityId));
    await db.batch(statements as [Statement, ...Statement[]]);
  }
  if (households.length > 0) {
    const [row] = await db.all<{ total: number }>(sql`SELECT COALESCE(SUM(amount), 0) AS total FROM transfers
      WHERE community_id = ${communityId} AND kind = 'expiry' AND created_at = ${at}`);
    points = num(row?.total);
  }
  return { households: households.length, points };
}

export interface Expiring {
  points: number;
  /** The China day on which they expire (at the first scheduled run of that day). */
  on: string;
}

/**
 * What of a household's balance expires within the next 60 days if nothing more is spent:
 * its balance is its newest credits (FIFO), so walking the credits newest first, the balance
 * covers them until it runs out; each covered credit expires `months` after its day.
 */
export async function expiringFor(db: Db, clock: Clock, householdId: string, months: number | null): Promise<Expiring[]> {
  if (months === null) return [];
  const today = chinaDay(clock.now());
  const horizon = addDaysToDay(today, expiringHorizonDays);
  const [account] = await db.all<{ balance: number }>(sql`SELECT balance FROM accounts WHERE id = ${householdId}`);
  let remaining = num(account?.balance);
  if (remaining <= 0) return [];
  const credits = await db.all<{ amount: number; created_at: string }>(sql`SELECT amount, created_at FROM postings
    WHERE account_id = ${householdId} AND amount > 0 AND kind IN (${creditKinds}) ORDER BY seq DESC`);
  const byDay = new Map<string, number>();
  for (const credit of credits) {
    if (remaining <= 0) break;
    const kept = Math.min(num(credit.amount), remaining);
    remaining -= kept;
    const due = expiresOn(chinaDay(String(credit.created_at)), months);
    const on = due < today ? today : due;
    if (on <= horizon) byDay.set(on, (byDay.get(on) ?? 0) + kept);
  }
  return [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([on, points]) => ({ points, on }));
}
