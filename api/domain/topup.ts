/**
 * Step 6, 充值 top-up: when a publicity window has ended, every item of the batch still standing
 * (publicised, no open objection, not yet credited) moves points in one atomic batch. Awards
 * move points from the community's issuance account to the household; penalties move them
 * back, the smaller of the penalty and the balance (computed in SQL at that point of the batch),
 * while the score takes the penalty in full. Within one top-up all awards come before all
 * penalties.
 *
 * Nothing is credited twice: each item's transfer has the cause `application:<id>` (UNIQUE) and
 * its `credits` row has the application as primary key. Every statement of an item is gated in
 * SQL on the item still being eligible, so a retried or concurrent top-up moves nothing more.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { publicityBatches, topUps } from "../../db/schema";
import { actorRef, type Actor, type RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { DomainError, violatedConstraint } from "./errors";
import { issuanceAccountId, transferStatements, type Statement } from "./ledger";

export interface TopUpView {
  id: string;
  publicityId: string;
  /** Items credited by this top-up (awards and penalties). */
  credited: number;
  /** Points awarded to households by this top-up. */
  points: number;
  /** Points penalties actually took from balances (never more than the balance). */
  deducted: number;
  /** Items of the batch held back because an objection on them is still open. */
  heldBack: number;
  createdAt: string;
  createdBy: string;
}

interface Eligible {
  id: string;
  household_id: string;
  kind: "award" | "penalty";
  points: number;
}

/** An objection on application `a` is open: the item is held back. */
const objected = sql`EXISTS (SELECT 1 FROM objections o WHERE o.application_id = a.id AND o.status = 'open')`;
/** Application `a` stands to be credited: publicised, no open objection, not yet credited. */
const standing = sql`a.status = 'publicised' AND NOT ${objected} AND NOT EXISTS (SELECT 1 FROM credits c WHERE c.application_id = a.id)`;

const eligibleSql = (applicationId: string) => sql`EXISTS (SELECT 1 FROM applications a WHERE a.id = ${applicationId} AND ${standing})`;

/** The statements that credit (or debit) one item, gated on it still being eligible. */
function creditStatements(db: Db, communityId: string, topUpId: string, item: Eligible, by: string, at: string): Statement[] {
  const transferId = newId();
  const issuance = issuanceAccountId(communityId);
  const award = item.kind === "award";
  const amount = award
    ? sql`CASE WHEN ${eligibleSql(item.id)} THEN ${item.points} ELSE 0 END`
    : sql`CASE WHEN ${eligibleSql(item.id)} THEN MIN(${item.points}, (SELECT balance FROM accounts WHERE id = ${item.household_id})) ELSE 0 END`;
  const scoreDelta = award ? item.points : -item.points;
  return [
    ...transferStatements(db, {
      id: transferId,
      communityId,
      debitAccountId: award ? issuance : item.household_id,
      creditAccountId: award ? item.household_id : issuance,
      amount,
      kind: item.kind,
      cause: `application:${item.id}`,
      ref: item.id,
      createdBy: by,
      at,
    }),
    // A penalty on an empty balance moves nothing but is still credited (its score counts).
    db.run(sql`INSERT INTO credits (application_id, community_id, top_up_id, household_id, kind, category, points, amount, score_delta, created_at)
      SELECT a.id, a.community_id, ${topUpId}, a.household_id, a.kind, a.category, a.points,
        COALESCE((SELECT amount FROM transfers WHERE id = ${transferId}), 0), ${scoreDelta}, ${at}
      FROM applications a WHERE a.id = ${item.id} AND ${eligibleSql(item.id)}`),
    db.run(sql`UPDATE accounts SET score = score + ${scoreDelta}
      WHERE id = ${item.household_id} AND EXISTS (SELECT 1 FROM credits WHERE application_id = ${item.id} AND top_up_id = ${topUpId})`),
    db.run(sql`UPDATE applications SET status = 'credited'
      WHERE id = ${item.id} AND status = 'publicised' AND EXISTS (SELECT 1 FROM credits WHERE application_id = ${item.id} AND top_up_id = ${topUpId})`),
    db.run(sql`INSERT INTO application_events (community_id, application_id, from_status, to_status, actor, note, at)
      SELECT community_id, application_id, 'publicised', 'credited', ${by}, ${`topup:${topUpId}`}, ${at}
      FROM credits WHERE application_id = ${item.id} AND top_up_id = ${topUpId}`),
  ];
}

/**
 * Tops up a publicity batch whose window has ended. Before `endsAt` → 409 PUBLICITY_OPEN.
 * Repeating it credits only what a dismissed objection has since released.
 */
export async function topUp(db: Db, clock: Clock, actor: Actor | "system", meta: RequestMeta | null, communityId: string, publicityId: string): Promise<TopUpView> {
  const batch = await db.query.publicityBatches.findFirst({ where: and(eq(publicityBatches.id, publicityId), eq(publicityBatches.communityId, communityId)) });
  if (!batch) throw new DomainError("NOT_FOUND", { publicityId });
  const now = clock.now();
  if (now.getTime() < Date.parse(batch.endsAt)) throw new DomainError("PUBLICITY_OPEN", { endsAt: batch.endsAt });
  const at = now.toISOString();
  const by = actor === "system" ? "system" : actorRef(actor);
  const eligible = await db.all<Eligible>(sql`SELECT a.id, a.household_id, a.kind, a.points FROM publicity_items pi JOIN applications a ON a.id = pi.application_id
    WHERE pi.publicity_id = ${publicityId} AND ${standing}
    ORDER BY CASE a.kind WHEN 'award' THEN 0 ELSE 1 END, a.register_no`);
  const id = newId();
  const statements: Statement[] = [
    db.insert(topUps).values({ id, communityId, publicityId, credited: 0, points: 0, heldBack: 0, createdBy: by, createdAt: at }),
    ...eligible.flatMap((item) => creditStatements(db, communityId, id, { ...item, points: Number(item.points) }, by, at)),
    db.run(sql`UPDATE top_ups SET
        credited = (SELECT COUNT(*) FROM credits WHERE top_up_id = ${id}),
        points = (SELECT COALESCE(SUM(amount), 0) FROM credits WHERE top_up_id = ${id} AND kind = 'award'),
        held_back = (SELECT COUNT(*) FROM publicity_items pi JOIN applications a ON a.id = pi.application_id
          WHERE pi.publicity_id = ${publicityId} AND a.status = 'publicised' AND ${objected})
      WHERE id = ${id}`),
    auditStatement(db, actor, meta, at, { action: "topup.run", targetType: "publicity", targetId: publicityId, details: { topUpId: id, items: eligible.length } }, communityId),
  ];
  try {
    await db.batch(statements as [Statement, ...Statement[]]);
  } catch (err) {
    // Another top-up of the same batch got there first: nothing of ours was written.
    const constraint = violatedConstraint(err);
    if (constraint === "transfers.cause" || constraint === "credits.application_id") throw new DomainError("CONFLICT", { publicityId });
    throw err;
  }
  return getTopUp(db, communityId, id);
}

/** Top-ups with what their penalties took, newest first (one query, however many). */
async function topUpViews(db: Db, where: SQL, limit: number): Promise<TopUpView[]> {
  const rows = await db.all<Record<string, string | number>>(sql`SELECT t.id, t.publicity_id, t.credited, t.points, t.held_back, t.created_at, t.created_by,
      (SELECT COALESCE(SUM(c.amount), 0) FROM credits c WHERE c.top_up_id = t.id AND c.kind = 'penalty') AS deducted
    FROM top_ups t WHERE ${where} ORDER BY t.created_at DESC, t.id DESC LIMIT ${limit}`);
  return rows.map((r) => ({
    id: String(r.id),
    publicityId: String(r.publicity_id),
    credited: Number(r.credited),
    points: Number(r.points),
    deducted: Number(r.deducted),
    heldBack: Number(r.held_back),
    createdAt: String(r.created_at),
    createdBy: String(r.created_by),
  }));
}

export async function getTopUp(db: Db, communityId: string, topUpId: string): Promise<TopUpView> {
  const [view] = await topUpViews(db, sql`t.id = ${topUpId} AND t.community_id = ${communityId}`, 1);
  if (!view) throw new DomainError("NOT_FOUND", { topUpId });
  return view;
}

export function listTopUps(db: Db, communityId: string, limit: number): Promise<TopUpView[]> {
  return topUpViews(db, sql`t.community_id = ${communityId}`, limit);
}

/** Batches whose window has ended and that still hold items to credit, for the scheduled job. */
export async function batchesDue(db: Db, clock: Clock, communityId: string): Promise<string[]> {
  const now = isoNow(clock);
  const rows = await db.all<{ id: string }>(sql`SELECT b.id FROM publicity_batches b
    WHERE b.community_id = ${communityId} AND b.ends_at <= ${now}
      AND EXISTS (SELECT 1 FROM publicity_items pi JOIN applications a ON a.id = pi.application_id
        WHERE pi.publicity_id = b.id AND ${standing})
    ORDER BY b.ends_at`);
  return rows.map((r) => r.id);
}
