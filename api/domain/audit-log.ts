/** Reading the audit log: newest first, keyset-paged on `seq`, filtered by action and actor. */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { likeEscape } from "../../db/sql";

export interface AuditQuery {
  /** An exact action (`redemption.void`), or a prefix ending in `*` (`redemption.*`). */
  action?: string;
  /** `user:<id>`, `household:<id>`, `system`, or a bare id (either kind). */
  actor?: string;
  cursor: number | null;
  limit: number;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  actorRole: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
  userAgent: string | null;
}


export async function listAudit(db: Db, communityId: string, query: AuditQuery) {
  const conditions: SQL[] = [sql`community_id = ${communityId}`];
  if (query.action) {
    conditions.push(query.action.endsWith("*") ? sql`action LIKE ${`${likeEscape(query.action.slice(0, -1))}%`} ESCAPE '\\'` : sql`action = ${query.action}`);
  }
  if (query.actor) {
    conditions.push(query.actor.includes(":") || query.actor === "system" ? sql`actor = ${query.actor}` : sql`actor IN (${`user:${query.actor}`}, ${`household:${query.actor}`})`);
  }
  if (query.cursor) conditions.push(sql`seq < ${query.cursor}`);
  const rows = await db.all<Record<string, string | number | null>>(sql`SELECT seq, actor, actor_role, action, target_type, target_id, details, ip, user_agent, created_at
    FROM audit_log WHERE ${sql.join(conditions, sql` AND `)} ORDER BY seq DESC LIMIT ${query.limit + 1}`);
  const page = rows.slice(0, query.limit);
  const items: AuditEntry[] = page.map((r) => ({
    seq: Number(r.seq),
    at: String(r.created_at),
    actor: String(r.actor),
    actorRole: String(r.actor_role),
    action: String(r.action),
    targetType: String(r.target_type),
    targetId: r.target_id === null ? null : String(r.target_id),
    details: parseDetails(r.details),
    ip: r.ip === null ? null : String(r.ip),
    userAgent: r.user_agent === null ? null : String(r.user_agent),
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > query.limit && last ? String(last.seq) : null };
}

function parseDetails(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  try {
    const parsed = JSON.parse(String(value));
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { value: String(value) };
  }
}
