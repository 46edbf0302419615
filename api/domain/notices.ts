/**
 * Step 1, 通知 notify: the station announces an activity or a standing call for deeds. A notice
 * is a draft until published; residents only ever see published notices.
 */
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { notices, rules } from "../../db/schema";
import type { Actor, RequestMeta } from "./actor";
import { actorRef } from "./actor";
import { auditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { DomainError } from "./errors";

export interface NewNotice {
  title: string;
  body: string;
  ruleIds?: string[];
  startsAt?: string | null;
  endsAt?: string | null;
}

export interface NoticeView {
  id: string;
  title: string;
  body: string;
  ruleIds: string[];
  startsAt: string | null;
  endsAt: string | null;
  status: "draft" | "published";
  createdAt: string;
  publishedAt: string | null;
}

function toNoticeView(n: typeof notices.$inferSelect): NoticeView {
  return { id: n.id, title: n.title, body: n.body, ruleIds: n.ruleIds, startsAt: n.startsAt, endsAt: n.endsAt, status: n.status, createdAt: n.createdAt, publishedAt: n.publishedAt };
}

/** Drafts a notice; every rule it names must be one of the community's. */
export async function createNotice(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, input: NewNotice): Promise<NoticeView> {
  const ruleIds = [...new Set(input.ruleIds ?? [])];
  if (ruleIds.length > 0) {
    const found = await db.select({ id: rules.id }).from(rules).where(and(eq(rules.communityId, actor.communityId), inArray(rules.id, ruleIds)));
    const known = new Set(found.map((r) => r.id));
    const unknown = ruleIds.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new DomainError("VALIDATION_FAILED", { fields: { ruleIds: "unknown rule" }, unknownRuleIds: unknown });
  }
  if (input.startsAt && input.endsAt && Date.parse(input.endsAt) <= Date.parse(input.startsAt)) {
    throw new DomainError("VALIDATION_FAILED", { fields: { endsAt: "must be after startsAt" } });
  }
  const at = isoNow(clock);
  const row = {
    id: newId(),
    communityId: actor.communityId,
    title: input.title,
    body: input.body,
    ruleIds,
    startsAt: input.startsAt ?? null,
    endsAt: input.endsAt ?? null,
    status: "draft" as const,
    createdBy: actorRef(actor),
    createdAt: at,
    publishedAt: null,
  };
  await db.batch([
    db.insert(notices).values(row),
    auditStatement(db, actor, meta, at, { action: "notice.create", targetType: "notice", targetId: row.id, details: { title: input.title } }),
  ]);
  return toNoticeView(row);
}

/** Publishes a draft; publishing a published notice again changes nothing. */
export async function publishNotice(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, noticeId: string): Promise<NoticeView> {
  const notice = await getNotice(db, actor, noticeId);
  if (notice.status === "published") return notice;
  const at = isoNow(clock);
  await db.batch([
    db.update(notices).set({ status: "published", publishedAt: at }).where(and(eq(notices.id, noticeId), eq(notices.status, "draft"))),
    auditStatement(db, actor, meta, at, { action: "notice.publish", targetType: "notice", targetId: noticeId }),
  ]);
  return getNotice(db, actor, noticeId);
}

/** One notice; a resident sees only published ones (a draft is 404 to them). */
export async function getNotice(db: Db, actor: Actor, noticeId: string): Promise<NoticeView> {
  const notice = await db.query.notices.findFirst({ where: and(eq(notices.id, noticeId), eq(notices.communityId, actor.communityId)) });
  if (!notice || (actor.kind === "household" && notice.status !== "published")) throw new DomainError("NOT_FOUND", { noticeId });
  return toNoticeView(notice);
}

/** Notices newest first: staff see drafts too, residents only what is published. */
export async function listNotices(db: Db, actor: Actor, limit: number): Promise<NoticeView[]> {
  const where =
    actor.kind === "household"
      ? and(eq(notices.communityId, actor.communityId), eq(notices.status, "published"))
      : eq(notices.communityId, actor.communityId);
  const rows = await db.query.notices.findMany({ where, orderBy: [desc(sql`COALESCE(${notices.publishedAt}, ${notices.createdAt})`), desc(notices.id)], limit });
  return rows.map(toNoticeView);
}
