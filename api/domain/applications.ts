/**
 * Steps 2–4 of the seven procedures: 申请 apply, 认定 certify and 登记 register.
 *
 * An application names a household (and the member who did the deed), a rule and, when it
 * answers one, a notice. A reviewer who did not submit it certifies it: approval fixes the points
 * within the rule's range and enters it in the register with the community's next register
 * number, in the same batch; rejection needs a reason. Every move is an `application_events` row
 * (who, when, from which status to which, why), and an application is decided only once: the
 * batch's guarded UPDATE matches only a `submitted` application, and the event row that follows
 * refuses to be written (NOT NULL) when it matched nothing, which rolls the whole batch back.
 *
 * One deed, one application (docs/decisions/005): for an activity notice, a household's member
 * (or the household, when no member is named) applies once per rule. The application's
 * `deed_key` is UNIQUE among live applications, so two identical submissions at once leave one;
 * a rejected or cancelled application leaves the index, so the deed can be applied for again.
 * Standing rules have no such key; the list marks likely duplicates instead
 * (`likelyDuplicateOf`) for the reviewer to look at.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { strOrNull } from "../../db/sql";
import { applications, households, members, notices } from "../../db/schema";
import type { ApplicationStatus, Category, RuleKind } from "../../shared/domain";
import { chinaDay } from "../../shared/time";
import { actorRef, type Actor, type RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { DomainError, failedNotNull, violatedConstraint } from "./errors";
import type { Statement } from "./ledger";
import { getRule } from "./rules";

export interface NewApplication {
  householdId: string;
  memberId?: string | null;
  ruleId: string;
  noticeId?: string | null;
  description: string;
  evidence?: string[];
}

export interface ApplicationEvent {
  at: string;
  from: ApplicationStatus | null;
  to: ApplicationStatus;
  by: string;
  note: string | null;
}

export interface ApplicationView {
  id: string;
  householdId: string;
  memberId: string | null;
  memberName: string | null;
  ruleId: string;
  noticeId: string | null;
  /** The notice's title, so the reviewer's queue names each activity without a second list. */
  noticeTitle: string | null;
  kind: RuleKind;
  category: Category;
  description: string;
  evidence: string[];
  status: ApplicationStatus;
  points: number | null;
  registerNo: number | null;
  reason: string | null;
  submittedBy: string;
  submittedByRole: string;
  decidedBy: string | null;
  createdAt: string;
  decidedAt: string | null;
  household: { id: string; householdNo: string; headName: string; building: string };
  rule: { id: string; title: string; category: Category; kind: RuleKind; minPoints: number; maxPoints: number };
  /**
   * Other live (not rejected or cancelled) applications that may be the same deed: the same
   * household and rule on the same China day when neither answers a notice, or the same notice
   * for the same member or with one of the two naming no member (the household and one of its
   * members).
   */
  likelyDuplicateOf: string[];
  history?: ApplicationEvent[];
}

/**
 * The statement that records one step of an application. With `guarded`, it writes the step only
 * when the statement just before it changed a row, and otherwise fails on NOT NULL: the batch it
 * is in rolls back whole, so a lost race leaves no trace.
 */
export function eventStatement(db: Db, e: { communityId: string; applicationId: string; from: ApplicationStatus | null; to: ApplicationStatus; actor: string; note?: string | null; at: string; guarded?: boolean }): Statement {
  const to = e.guarded ? sql`CASE WHEN changes() > 0 THEN ${e.to} END` : sql`${e.to}`;
  return db.run(sql`INSERT INTO application_events (community_id, application_id, from_status, to_status, actor, note, at)
    VALUES (${e.communityId}, ${e.applicationId}, ${e.from}, ${to}, ${e.actor}, ${e.note ?? null}, ${e.at})`);
}

/** True when a batch failed because a guarded step found its application already moved on. */
export function lostRace(err: unknown): boolean {
  return failedNotNull(err) === "application_events.to_status";
}

/**
 * Files an application. Residents apply for their own household and only for awards;
 * volunteers and admins apply for any household of the community, penalties included.
 */
export async function createApplication(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, input: NewApplication): Promise<ApplicationView> {
  if (actor.kind === "household" && actor.householdId !== input.householdId) throw new DomainError("FORBIDDEN", { householdId: input.householdId });
  const household = await db.query.households.findFirst({ where: and(eq(households.id, input.householdId), eq(households.communityId, actor.communityId)) });
  if (!household) throw new DomainError("NOT_FOUND", { householdId: input.householdId });
  const rule = await getRule(db, actor.communityId, input.ruleId);
  if (!rule.active) throw new DomainError("VALIDATION_FAILED", { fields: { ruleId: "this rule is retired" } });
  if (rule.kind === "penalty" && actor.kind === "household") throw new DomainError("PENALTY_NOT_ALLOWED");
  if (input.memberId) {
    const member = await db.query.members.findFirst({ where: and(eq(members.id, input.memberId), eq(members.householdId, household.id)) });
    if (!member) throw new DomainError("VALIDATION_FAILED", { fields: { memberId: "not a member of this household" } });
  }
  if (input.noticeId) {
    const notice = await db.query.notices.findFirst({ where: and(eq(notices.id, input.noticeId), eq(notices.communityId, actor.communityId)) });
    if (!notice || notice.status !== "published") throw new DomainError("NOT_FOUND", { noticeId: input.noticeId });
    if (notice.ruleIds.length > 0 && !notice.ruleIds.includes(rule.id)) throw new DomainError("RULE_NOT_IN_NOTICE", { ruleIds: notice.ruleIds });
  }
  const at = isoNow(clock);
  const id = newId();
  const by = actorRef(actor);
  const statements = [
    db.insert(applications).values({
      id,
      communityId: actor.communityId,
      householdId: household.id,
      memberId: input.memberId ?? null,
      ruleId: rule.id,
      noticeId: input.noticeId ?? null,
      kind: rule.kind,
      category: rule.category,
      description: input.description,
      evidence: input.evidence ?? [],
      status: "submitted",
      deedKey: input.noticeId ? deedKey({ noticeId: input.noticeId, ruleId: rule.id, memberId: input.memberId ?? null, householdId: household.id }) : null,
      submittedBy: by,
      submittedByRole: actor.role,
      createdAt: at,
    }),
    eventStatement(db, { communityId: actor.communityId, applicationId: id, from: null, to: "submitted", actor: by, at }),
    auditStatement(db, actor, meta, at, { action: "application.submit", targetType: "application", targetId: id, details: { householdId: household.id, ruleId: rule.id, kind: rule.kind } }),
  ] as const;
  try {
    await db.batch(statements);
  } catch (err) {
    if (violatedConstraint(err) !== "applications.deed_key") throw err;
    const first = await firstApplication(db, actor.communityId, { noticeId: input.noticeId!, ruleId: rule.id, memberId: input.memberId ?? null, householdId: household.id });
    throw new DomainError("DUPLICATE_APPLICATION", { applicationId: first, noticeId: input.noticeId, ruleId: rule.id, memberId: input.memberId ?? null, householdId: household.id });
  }
  return getApplication(db, actor, id);
}

interface DeedOf {
  noticeId: string;
  ruleId: string;
  memberId: string | null;
  householdId: string;
}

/** What makes two applications the same deed (migration 0005 builds the same text in SQL). */
function deedKey(d: DeedOf): string {
  return `${d.noticeId}:${d.ruleId}:${d.memberId ? `m:${d.memberId}` : `h:${d.householdId}`}`;
}

/** The live application holding a deed, or null (it may have been rejected since). */
async function firstApplication(db: Db, communityId: string, deed: DeedOf): Promise<string | null> {
  const rows = await db.all<{ id: string }>(sql`SELECT id FROM applications
    WHERE deed_key = ${deedKey(deed)} AND community_id = ${communityId} AND status NOT IN ('rejected', 'cancelled')`);
  return rows[0]?.id ?? null;
}

export interface Decision {
  decision: "approve" | "reject";
  points?: number;
  reason?: string | null;
}

/**
 * 认定 + 登记: a reviewer decides an application. Approval enters it in the register with the
 * next register number of the community (MAX + 1 inside the batch; UNIQUE per community).
 */
export async function certifyApplication(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, applicationId: string, input: Decision): Promise<ApplicationView> {
  const app = await db.query.applications.findFirst({ where: and(eq(applications.id, applicationId), eq(applications.communityId, actor.communityId)) });
  if (!app) throw new DomainError("NOT_FOUND", { applicationId });
  if (app.submittedBy === actorRef(actor)) throw new DomainError("SELF_CERTIFICATION");
  if (app.status !== "submitted") throw new DomainError("ALREADY_DECIDED", { status: app.status });
  const reason = input.reason?.trim() || null;
  const at = isoNow(clock);
  const by = actorRef(actor);
  const guard = and(eq(applications.id, applicationId), eq(applications.status, "submitted"));
  let statements: Statement[];
  if (input.decision === "reject") {
    if (!reason) throw new DomainError("REASON_REQUIRED");
    statements = [
      db.update(applications).set({ status: "rejected", reason, decidedBy: by, decidedAt: at }).where(guard),
      eventStatement(db, { communityId: app.communityId, applicationId, from: "submitted", to: "rejected", actor: by, note: reason, at, guarded: true }),
      auditStatement(db, actor, meta, at, { action: "application.reject", targetType: "application", targetId: applicationId, details: { reason } }),
    ];
  } else {
    const rule = await getRule(db, actor.communityId, app.ruleId);
    const points = input.points ?? rule.minPoints;
    if (points < rule.minPoints || points > rule.maxPoints) {
      throw new DomainError("POINTS_OUT_OF_RANGE", { points, minPoints: rule.minPoints, maxPoints: rule.maxPoints });
    }
    const entryId = newId();
    statements = [
      db.update(applications).set({ status: "registered", points, reason, decidedBy: by, decidedAt: at }).where(guard),
      eventStatement(db, { communityId: app.communityId, applicationId, from: "submitted", to: "registered", actor: by, note: reason, at, guarded: true }),
      registerStatement(db, { id: entryId, communityId: app.communityId, entryKind: app.kind, applicationId, points, correctsEntryId: null, note: reason, createdBy: by, at }),
      db.run(sql`UPDATE applications SET register_no = (SELECT register_no FROM register_entries WHERE id = ${entryId}) WHERE id = ${applicationId}`),
      auditStatement(db, actor, meta, at, { action: "application.approve", targetType: "application", targetId: applicationId, details: { points, registerEntryId: entryId } }),
    ];
  }
  try {
    await db.batch(statements as [Statement, ...Statement[]]);
  } catch (err) {
    if (lostRace(err) || violatedConstraint(err) === "register_entries.application_id, register_entries.entry_kind") throw new DomainError("ALREADY_DECIDED");
    throw err;
  }
  return getApplication(db, actor, applicationId);
}

/**
 * Appends one register entry, numbered MAX + 1 within the community inside the batch. A
 * cancellation names the entry it corrects; the old entry is never edited.
 */
export function registerStatement(db: Db, e: { id: string; communityId: string; entryKind: "award" | "penalty" | "cancellation"; applicationId: string; points: number | SQL; correctsEntryId: string | null | SQL; note: string | null; createdBy: string; at: string }): Statement {
  return db.run(sql`INSERT INTO register_entries (id, community_id, register_no, entry_kind, application_id, household_id, member_id, rule_id, category, points, corrects_entry_id, note, created_by, created_at)
    SELECT ${e.id}, a.community_id,
      COALESCE((SELECT MAX(register_no) FROM register_entries WHERE community_id = ${e.communityId}), 0) + 1,
      ${e.entryKind}, a.id, a.household_id, a.member_id, a.rule_id, a.category, ${e.points}, ${e.correctsEntryId}, ${e.note}, ${e.createdBy}, ${e.at}
    FROM applications a WHERE a.id = ${e.applicationId}`);
}

type Row = Record<string, unknown>;

/**
 * Candidates for `likelyDuplicateOf` (one correlated query on the household index): live
 * applications of the same household and rule either answering the same notice for the same
 * member or with one side naming no member (older duplicates from before migration 0005 show
 * here too), or, without a notice, filed within a day; `toView` keeps those of the same China
 * day (shared/time.ts), as the office counts days.
 */
const siblings = sql`(SELECT json_group_array(json_object('id', b.id, 'at', b.created_at, 'notice', b.notice_id IS NOT NULL))
    FROM applications b
    WHERE b.household_id = a.household_id AND b.rule_id = a.rule_id AND b.id <> a.id AND b.status NOT IN ('rejected', 'cancelled')
      AND ((a.notice_id IS NULL AND b.notice_id IS NULL AND ABS(julianday(b.created_at) - julianday(a.created_at)) < 1)
        OR (a.notice_id IS NOT NULL AND b.notice_id = a.notice_id AND (a.member_id IS NULL OR b.member_id IS NULL OR a.member_id = b.member_id))))`;

const selectViews = sql`SELECT a.*, h.household_no, h.head_name, h.building, m.name AS member_name,
    r.title AS rule_title, r.min_points AS rule_min, r.max_points AS rule_max, n.title AS notice_title, ${siblings} AS siblings
  FROM applications a
  JOIN households h ON h.id = a.household_id
  JOIN rules r ON r.id = a.rule_id
  LEFT JOIN members m ON m.id = a.member_id
  LEFT JOIN notices n ON n.id = a.notice_id`;

function toView(r: Row): ApplicationView {
  return {
    id: String(r.id),
    householdId: String(r.household_id),
    memberId: strOrNull(r.member_id),
    memberName: strOrNull(r.member_name),
    ruleId: String(r.rule_id),
    noticeId: strOrNull(r.notice_id),
    noticeTitle: strOrNull(r.notice_title),
    kind: r.kind as RuleKind,
    category: r.category as Category,
    description: String(r.description),
    evidence: JSON.parse(String(r.evidence ?? "[]")) as string[],
    status: r.status as ApplicationStatus,
    points: r.points === null ? null : Number(r.points),
    registerNo: r.register_no === null ? null : Number(r.register_no),
    reason: strOrNull(r.reason),
    submittedBy: String(r.submitted_by),
    submittedByRole: String(r.submitted_by_role),
    decidedBy: strOrNull(r.decided_by),
    createdAt: String(r.created_at),
    decidedAt: strOrNull(r.decided_at),
    household: { id: String(r.household_id), householdNo: String(r.household_no), headName: String(r.head_name), building: String(r.building) },
    rule: { id: String(r.rule_id), title: String(r.rule_title), category: r.category as Category, kind: r.kind as RuleKind, minPoints: Number(r.rule_min), maxPoints: Number(r.rule_max) },
    likelyDuplicateOf: likelyDuplicates(String(r.created_at), String(r.siblings ?? "[]")),
  };
}

function likelyDuplicates(createdAt: string, siblingsJson: string): string[] {
  const day = chinaDay(createdAt);
  const candidates = JSON.parse(siblingsJson) as Array<{ id: string; at: string; notice: number }>;
  return candidates.filter((b) => b.notice || chinaDay(b.at) === day).map((b) => b.id);
}

/** One application with its whole history; a resident sees only their own household's. */
export async function getApplication(db: Db, actor: Actor, applicationId: string): Promise<ApplicationView> {
  const rows = await db.all<Row>(sql`${selectViews} WHERE a.id = ${applicationId} AND a.community_id = ${actor.communityId}`);
  const row = rows[0];
  if (!row) throw new DomainError("NOT_FOUND", { applicationId });
  if (actor.kind === "household" && row.household_id !== actor.householdId) throw new DomainError("NOT_FOUND", { applicationId });
  const events = await db.all<Row>(sql`SELECT from_status, to_status, actor, note, at FROM application_events WHERE application_id = ${applicationId} ORDER BY id`);
  return {
    ...toView(row),
    history: events.map((e) => ({ at: String(e.at), from: (e.from_status ?? null) as ApplicationStatus | null, to: e.to_status as ApplicationStatus, by: String(e.actor), note: strOrNull(e.note) })),
  };
}

export interface ApplicationQuery {
  status?: ApplicationStatus;
  householdId?: string;
  noticeId?: string;
  /** Only what the signed-in staff member submitted (a volunteer's own log). */
  mine?: boolean;
  cursor?: { createdAt: string; id: string } | null;
  limit: number;
}

/** Applications newest first with keyset paging; a resident's list is always their own. */
export async function listApplications(db: Db, actor: Actor, query: ApplicationQuery) {
  if (actor.kind === "household" && query.householdId && query.householdId !== actor.householdId) throw new DomainError("FORBIDDEN");
  const conditions: SQL[] = [sql`a.community_id = ${actor.communityId}`];
  const householdId = actor.kind === "household" ? actor.householdId : query.householdId;
  if (householdId) conditions.push(sql`a.household_id = ${householdId}`);
  if (query.status) conditions.push(sql`a.status = ${query.status}`);
  if (query.noticeId) conditions.push(sql`a.notice_id = ${query.noticeId}`);
  if (query.mine) conditions.push(sql`a.submitted_by = ${actorRef(actor)}`);
  if (query.cursor) conditions.push(sql`(a.created_at < ${query.cursor.createdAt} OR (a.created_at = ${query.cursor.createdAt} AND a.id < ${query.cursor.id}))`);
  const rows = await db.all<Row>(sql`${selectViews} WHERE ${sql.join(conditions, sql` AND `)} ORDER BY a.created_at DESC, a.id DESC LIMIT ${query.limit + 1}`);
  const items = rows.slice(0, query.limit).map(toView);
  const last = items[items.length - 1];
  return { items, next: rows.length > query.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
