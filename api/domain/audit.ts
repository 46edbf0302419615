/**
 * The audit log: every state change, who made it, when and from where. Callers put the audit
 * statement in the same batch as the change, so the log and the change commit together.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { actorRef, type Actor, type RequestMeta } from "./actor";
import type { Statement } from "./ledger";

export interface AuditEvent {
  action: string;
  targetType: string;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

/** Someone who is not signed in, named by what they tried (a failed sign-in, a lock). */
export interface AuditSubject {
  ref: string;
  role: string;
  communityId: string;
}

export function auditStatement(db: Db, actor: Actor | AuditSubject | "system", meta: RequestMeta | null, at: string, event: AuditEvent, communityId?: string): Statement {
  const community = actor === "system" ? communityId : actor.communityId;
  if (!community) throw new Error("assertion failed: an audit event needs a community");
  const who = actor === "system" ? "system" : "ref" in actor ? actor.ref : actorRef(actor);
  const role = actor === "system" ? "system" : actor.role;
  return db.run(sql`INSERT INTO audit_log (community_id, actor, actor_role, action, target_type, target_id, details, ip, user_agent, created_at)
    VALUES (${community}, ${who}, ${role}, ${event.action}, ${event.targetType}, ${event.targetId ?? null},
      ${event.details ? JSON.stringify(event.details) : null}, ${meta?.ip ?? null}, ${meta?.userAgent ?? null}, ${at})`);
}
