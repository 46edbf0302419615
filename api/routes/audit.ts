/** The audit log, for the admin: who changed what, when and from where. */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { listAudit } from "../domain/audit-log";
import { allow, createRouter, errorResponses, jsonResponse, listOf, security, staffOf } from "../router";

const AuditEntrySchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.string(),
    actorRole: z.string(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .openapi("AuditEntry");

const AuditQuery = z.object({
  action: z.string().trim().min(1).max(100).optional(),
  actor: z.string().trim().min(1).max(150).optional(),
  cursor: z.string().regex(/^\d{1,15}$/).optional(),
  limit: z.coerce.number().int().min(1).max(limits.listLimitMax).default(limits.listLimitDefault),
});

export const auditRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/audit",
    tags: ["audit"],
    summary: "The audit log, newest first (admin); `?action=` (exact, or a prefix ending in *) and `?actor=`",
    middleware: [allow("admin")] as const,
    security,
    request: { query: AuditQuery },
    responses: { 200: jsonResponse(listOf(AuditEntrySchema), "Audit entries"), ...errorResponses },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const page = await listAudit(c.get("db"), staffOf(c).communityId, { action: q.action, actor: q.actor, cursor: q.cursor ? Number(q.cursor) : null, limit: q.limit });
    return c.json(page, 200);
  },
);
