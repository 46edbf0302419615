/** The audit log, for the admin: who changed what, when and from where. */
import { createRoute, z } from "@hono/zod-openapi";
import { staffRoles } from "../../shared/domain";
import { limits } from "../../shared/limits";
import { listAudit } from "../domain/audit";
import { allow, createRouter, errorResponses, jsonResponse, listOf, security, staffOf } from "../http/route-kit";

const AuditEntrySchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.string(),
    actorRole: z.string(),
    actorName: z.string().nullable().openapi({ description: "The staff member's name, or the household head's for a resident; null for the system" }),
    actorHouseholdNo: z.string().nullable().openapi({ description: "The resident actor's 户号" }),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    targetLabel: z.string().nullable().openapi({
      description: "The target in words: a user's `name (username)`, a household's `户号 户主`, a card's last 4 digits, a receipt number, a title or name, a batch's end (ISO)",
    }),
    householdNo: z.string().nullable().openapi({ description: "The household the event concerns, by 户号" }),
    details: z.record(z.string(), z.unknown()).nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .openapi("AuditEntry");

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((text) => !Number.isNaN(Date.parse(text)), "not a calendar day");

const AuditQuery = z.object({
  action: z.string().trim().min(1).max(200).optional(),
  actor: z.string().trim().min(1).max(150).optional(),
  actorRole: z.enum([...staffRoles, "resident", "system"]).optional(),
  from: day.optional(),
  to: day.optional(),
  cursor: z.string().regex(/^\d{1,15}$/).optional(),
  limit: z.coerce.number().int().min(1).max(limits.listLimitMax).default(limits.listLimitDefault),
});

export const auditRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["audit"],
    summary:
      "The audit log, newest first (admin), each row with its actor and target named; `?action=` (exact, a prefix ending in *, or several separated by commas), `?actor=`, `?actorRole=`, `?from=` and `?to=` (China days, inclusive)",
    middleware: [allow("admin")] as const,
    security,
    request: { query: AuditQuery },
    responses: { 200: jsonResponse(listOf(AuditEntrySchema), "Audit entries"), ...errorResponses },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const page = await listAudit(c.get("db"), staffOf(c).communityId, { action: q.action, actor: q.actor, actorRole: q.actorRole, from: q.from, to: q.to, cursor: q.cursor ? Number(q.cursor) : null, limit: q.limit });
    return c.json(page, 200);
  },
);
