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
import { DomainError, failedNotNull, violatedConstraint } from "./errors";
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

/** A top-up's answer: `alreadyCredited` when nothing was left and the batch's latest top-up is answered instead. */
export interface TopUpResult extends TopUpView {
  alreadyCredited: boolean;
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

/**
 * The statements that debit one penalty, gated on it still being eligible: the smaller of its
 * points and the balance at this point of the batch (awards go together, `awardStatements`).
 */
function penaltyStatements(db: Db, communityId: string, topUpId: string, item: Eligible, by: string, at: string): Statement[] {
  const transferId = newId();
  const scoreDelta = -item.points;
  return [
    ...transferStatements(db, {
      id: transferId,
      communityId,
      debitAccountId: item.household_id,
      creditAccountId: issuanceAccountId(communityId),
      amount: sql`CASE WHEN ${eligibleSql(item.id)} THEN MIN(${item.points}, (SELECT balance FROM accounts WHERE id = ${item.household_id})) ELSE 0 END`,
      kind: "penalty",
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

/** A version-4 UUID made by SQLite, for rows a set-based statement writes (the app's ids are UUIDs). */
const sqlUuid = sql.raw(`lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
  || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`);

/**
 * All the batch's standing awards credited at once, in register order (issue 16: a top-up of
 * 3,000 households took 30,000 statements one item at a time; these are eight). The same rules
 * as `penaltyStatements`, in sets: each award standing at this point of the batch (publicised, no
 * open objection, not credited) gets its transfer from the issuance account (cause
 * `application:<id>`, UNIQUE), two postings whose `balance_after` runs in transfer order per
 * account (window sums over the balance before), the balances, its `credits` row, the score, the
 * status and the event. Awards only move points in, so no balance guard can fail among them;
 * penalties, whose amount depends on the balance at their turn, follow one by one.
 */
function awardStatements(db: Db, communityId: string, publicityId: string, topUpId: string, by: string, at: string): Statement[] {
  const issuance = issuanceAccountId(communityId);
  const standingAwards = sql`SELECT a.id, a.household_id, a.points, a.register_no FROM publicity_items pi JOIN applications a ON a.id = pi.application_id
    WHERE pi.publicity_id = ${publicityId} AND a.kind = 'award' AND ${standing}`;
  /** This top-up's award transfers: an application still publicised whose cause has a transfer is one credited just now. */
  const ours = sql`SELECT t.rowid AS rid, t.id, t.credit_account_id, t.amount, t.kind, t.ref, t.created_at, t.community_id
    FROM publicity_items pi JOIN applications a ON a.id = pi.application_id AND a.kind = 'award' AND a.status = 'publicised'
    JOIN transfers t ON t.cause = 'application:' || a.id
    WHERE pi.publicity_id = ${publicityId} AND NOT EXISTS (SELECT 1 FROM credits c WHERE c.application_id = a.id)`;
  return [
    db.run(sql`INSERT INTO transfers (id, community_id, debit_account_id, credit_account_id, amount, kind, cause, ref, reverses_transfer_id, created_by, created_at)
      SELECT ${sqlUuid}, ${communityId}, ${issuance}, s.household_id, s.points, 'award', 'application:' || s.id, s.id, NULL, ${by}, ${at}
      FROM (${standingAwards}) s ORDER BY s.register_no, s.id`),
    // Postings before the balances move: balance_after = the balance before + the running sum.
    db.run(sql`INSERT INTO postings (community_id, transfer_id, account_id, amount, balance_after, kind, ref, created_at)
      SELECT o.community_id, o.id, ${issuance}, -o.amount,
        (SELECT balance FROM accounts WHERE id = ${issuance}) - SUM(o.amount) OVER (ORDER BY o.rid), o.kind, o.ref, o.created_at
      FROM (${ours}) o ORDER BY o.rid`),
    db.run(sql`INSERT INTO postings (community_id, transfer_id, account_id, amount, balance_after, kind, ref, created_at)
      SELECT o.community_id, o.id, o.credit_account_id, o.amount,
        acc.balance + SUM(o.amount) OVER (PARTITION BY o.credit_account_id ORDER BY o.rid), o.kind, o.ref, o.created_at
      FROM (${ours}) o JOIN accounts acc ON acc.id = o.credit_account_id ORDER BY o.rid`),
    // Each balance becomes its last posting's balance_after: the balance before plus this top-up's awards.
    db.run(sql`UPDATE accounts SET balance = (SELECT p.balance_after FROM postings p WHERE p.account_id = accounts.id ORDER BY p.seq DESC LIMIT 1)
      WHERE id IN (SELECT o.credit_account_id FROM (${ours}) o UNION ALL SELECT ${issuance} FROM (${ours}) o)`),
    db.run(sql`INSERT INTO credits (application_id, community_id, top_up_id, household_id, kind, category, points, amount, score_delta, created_at)
      SELECT a.id, a.community_id, ${topUpId}, a.household_id, a.kind, a.category, a.points, o.amount, a.points, ${at}
      FROM (${ours}) o JOIN applications a ON a.id = o.ref ORDER BY o.rid`),
    db.run(sql`UPDATE accounts SET score = score + (SELECT SUM(c.score_delta) FROM credits c WHERE c.top_up_id = ${topUpId} AND c.kind = 'award' AND c.household_id = accounts.id)
      WHERE id IN (SELECT household_id FROM credits WHERE top_up_id = ${topUpId} AND kind = 'award')`),
    db.run(sql`UPDATE applications SET status = 'credited'
      WHERE status = 'publicised' AND id IN (SELECT application_id FROM credits WHERE top_up_id = ${topUpId} AND kind = 'award')`),
    db.run(sql`INSERT INTO application_events (community_id, application_id, from_status, to_status, actor, note, at)
      SELECT community_id, application_id, 'publicised', 'credited', ${by}, ${`topup:${topUpId}`}, ${at}
      FROM credits WHERE top_up_id = ${topUpId} AND kind = 'award' ORDER BY rowid`),
  ];
}

/** The items of a batch still standing to be credited, in the order a top-up credits them. */
function eligibleItems(db: Db, publicityId: string): Promise<Eligible[]> {
  return db.all<Eligible>(sql`SELECT a.id, a.household_id, a.kind, a.points FROM publicity_items pi JOIN applications a ON a.id = pi.application_id
    WHERE pi.publicity_id = ${publicityId} AND ${standing}
    ORDER BY CASE a.kind WHEN 'award' THEN 0 ELSE 1 END, a.register_no`);
}

/** The latest top-up of a batch, answered when a repeat finds nothing left to credit. */
async function latestOf(db: Db, communityId: string, publicityId: string): Promise<TopUpResult | null> {
  const [view] = await topUpViews(db, sql`t.publicity_id = ${publicityId} AND t.community_id = ${communityId}`, 1);
  return view ? { ...view, alreadyCredited: true } : null;
}

/**
 * Tops up a publicity batch whose window has ended. Before `endsAt` → 409 PUBLICITY_OPEN.
 * Repeating it credits only what a dismissed objection has since released. A repeat with
 * nothing left writes nothing and answers the batch's latest top-up (`alreadyCredited`): a
 * top-up row is written only when it credits something or is the batch's first. That rule is
 * also a guard in SQL (the row's `credited` would be NULL otherwise, which rolls the batch
 * back), so two top-ups racing on the same items leave one row, not an empty second one.
 */
export async function topUp(db: Db, clock: Clock, actor: Actor | "system", meta: RequestMeta | null, communityId: string, publicityId: string): Promise<TopUpResult> {
  const batch = await db.query.publicityBatches.findFirst({ where: and(eq(publicityBatches.id, publicityId), eq(publicityBatches.communityId, communityId)) });
  if (!batch) throw new DomainError("NOT_FOUND", { publicityId });
  const now = clock.now();
  if (now.getTime() < Date.parse(batch.endsAt)) throw new DomainError("PUBLICITY_OPEN", { endsAt: batch.endsAt });
  const at = now.toISOString();
  const by = actor === "system" ? "system" : actorRef(actor);
  const eligible = await eligibleItems(db, publicityId);
  if (eligible.length === 0) {
    const earlier = await latestOf(db, communityId, publicityId);
    if (earlier) return earlier;
  }
  const id = newId();
  const statements: Statement[] = [
    db.insert(topUps).values({ id, communityId, publicityId, credited: 0, points: 0, heldBack: 0, createdBy: by, createdAt: at }),
    // Awards first, all at once; then each penalty at its turn (its amount depends on the balance).
    ...(eligible.some((item) => item.kind === "award") ? awardStatements(db, communityId, publicityId, id, by, at) : []),
    ...eligible.filter((item) => item.kind === "penalty").flatMap((item) => penaltyStatements(db, communityId, id, { ...item, points: Number(item.points) }, by, at)),
    // NULL (and so a rolled-back batch) when this top-up credited nothing and is not the batch's first.
    db.run(sql`UPDATE top_ups SET
        credited = CASE WHEN (SELECT COUNT(*) FROM credits WHERE top_up_id = ${id}) > 0
            OR NOT EXISTS (SELECT 1 FROM top_ups t WHERE t.publicity_id = ${publicityId} AND t.id <> ${id})
          THEN (SELECT COUNT(*) FROM credits WHERE top_up_id = ${id}) END,
        points = (SELECT COALESCE(SUM(amount), 0) FROM credits WHERE top_up_id = ${id} AND kind = 'award'),
        held_back = (SELECT COUNT(*) FROM publicity_items pi JOIN applications a ON a.id = pi.application_id
          WHERE pi.publicity_id = ${publicityId} AND a.status = 'publicised' AND ${objected})
      WHERE id = ${id}`),
    auditStatement(db, actor, meta, at, { action: "topup.run", targetType: "publicity", targetId: publicityId, details: { topUpId: id, items: eligible.length } }, communityId),
  ];
  try {
    await db.batch(statements as [Statement, ...Statement[]]);
  } catch (err) {
    // Another top-up of the same batch got there first: nothing of ours was written, and the
    // answer is that one (it committed before our batch failed).
    const constraint = violatedConstraint(err);
    if (constraint === "transfers.cause" || constraint === "credits.application_id" || failedNotNull(err) === "top_ups.credited") {
      const earlier = await latestOf(db, communityId, publicityId);
      if (earlier) return earlier;
      throw new DomainError("CONFLICT", { publicityId });
    }
    throw err;
  }
  return { ...(await getTopUp(db, communityId, id)), alreadyCredited: false };
}

export interface TopUpPreview {
  publicityId: string;
  endsAt: string;
  /** open: the window still runs (the preview shows what a top-up would do if it ended now). */
  status: "open" | "closed";
  /** Items a top-up would credit now (awards and penalties). */
  credited: number;
  /** Households those items belong to. */
  households: number;
  /** Points the awards would add. */
  points: number;
  /** Points the penalties would take (never more than the balance, awards counted first). */
  deducted: number;
  /** Items held back by an open objection, with what is objected to. */
  heldBack: Array<{ applicationId: string; registerNo: number | null; householdNo: string; headName: string; rule: string; kind: "award" | "penalty"; points: number; objection: string }>;
  /** The items a top-up would credit, for the admin to check before confirming. */
  items: Array<{ applicationId: string; registerNo: number | null; householdNo: string; headName: string; rule: string; kind: "award" | "penalty"; points: number }>;
  /** The batch's latest top-up, when there is one: when and by whom it was credited. */
  lastTopUp: TopUpView | null;
}

/**
 * What a top-up of the batch would do now, without writing anything: the same items in the same
 * order as `topUp`, and the penalties' deductions as its batch computes them (each household's
 * balance plus this top-up's awards, then each penalty the smaller of its points and what is
 * left). The top-up itself re-checks everything in SQL; the preview is for the admin's eyes.
 */
export async function previewTopUp(db: Db, communityId: string, publicityId: string, now: Date): Promise<TopUpPreview> {
  const batch = await db.query.publicityBatches.findFirst({ where: and(eq(publicityBatches.id, publicityId), eq(publicityBatches.communityId, communityId)) });
  if (!batch) throw new DomainError("NOT_FOUND", { publicityId });
  type Line = { id: string; household_id: string; kind: "award" | "penalty"; points: number; register_no: number | null; household_no: string; head_name: string; title: string; balance: number; objection: string | null };
  const lines = await db.all<Line>(sql`SELECT a.id, a.household_id, a.kind, a.points, a.register_no, h.household_no, h.head_name, r.title,
      COALESCE(acc.balance, 0) AS balance,
      (SELECT o.reason FROM objections o WHERE o.application_id = a.id AND o.status = 'open' ORDER BY o.created_at LIMIT 1) AS objection
    FROM publicity_items pi
    JOIN applications a ON a.id = pi.application_id
    JOIN households h ON h.id = a.household_id
    JOIN rules r ON r.id = a.rule_id
    LEFT JOIN accounts acc ON acc.id = a.household_id
    WHERE pi.publicity_id = ${publicityId} AND a.status = 'publicised' AND NOT EXISTS (SELECT 1 FROM credits c WHERE c.application_id = a.id)
    ORDER BY CASE a.kind WHEN 'award' THEN 0 ELSE 1 END, a.register_no`);
  const item = (l: Line) => ({ applicationId: String(l.id), registerNo: l.register_no === null ? null : Number(l.register_no), householdNo: String(l.household_no), headName: String(l.head_name), rule: String(l.title), kind: l.kind, points: Number(l.points) });
  const due = lines.filter((l) => l.objection === null);
  const balances = new Map<string, number>();
  let points = 0;
  let deducted = 0;
  for (const l of due) {
    const balance = balances.get(l.household_id) ?? Number(l.balance);
    const moved = l.kind === "award" ? Number(l.points) : Math.min(Number(l.points), balance);
    balances.set(l.household_id, l.kind === "award" ? balance + moved : balance - moved);
    if (l.kind === "award") points += moved;
    else deducted += moved;
  }
  const [lastTopUp] = await topUpViews(db, sql`t.publicity_id = ${publicityId} AND t.community_id = ${communityId}`, 1);
  return {
    publicityId,
    endsAt: batch.endsAt,
    status: Date.parse(batch.endsAt) > now.getTime() ? "open" : "closed",
    credited: due.length,
    households: new Set(due.map((l) => l.household_id)).size,
    points,
    deducted,
    heldBack: lines.filter((l) => l.objection !== null).map((l) => ({ ...item(l), objection: String(l.objection) })),
    items: due.map(item),
    lastTopUp: lastTopUp ?? null,
  };
}

/** Top-ups with what their penalties took, newest first (one query, however many; ties in time by insertion order). */
async function topUpViews(db: Db, where: SQL, limit: number): Promise<TopUpView[]> {
  const rows = await db.all<Record<string, string | number>>(sql`SELECT t.id, t.publicity_id, t.credited, t.points, t.held_back, t.created_at, t.created_by,
      (SELECT COALESCE(SUM(c.amount), 0) FROM credits c WHERE c.top_up_id = t.id AND c.kind = 'penalty') AS deducted
    FROM top_ups t WHERE ${where} ORDER BY t.created_at DESC, t.rowid DESC LIMIT ${limit}`);
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
