/**
 * Steps 2–4: 申请 apply, 认定 certify (+ 登记 register). The rules of the steps live in
 * `api/domain/applications.ts`; this module checks shapes and who may call.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { applicationStatuses, categories, ruleKinds } from "../../shared/domain";
import { limits } from "../../shared/limits";
import type { Context } from "hono";
import type { AppEnv } from "../http/app-types";
import { certifyApplication, createApplication, getApplication, listApplications } from "../domain/applications";
import { actorOf, allow, anyRole, badCursor, createRouter, decodeCursor, encodeCursor, errorResponses, IdParam, jsonBody, jsonResponse, listOf, security, staffOf } from "../http/route-kit";

const EventSchema = z.object({
  at: z.string(),
  from: z.enum(applicationStatuses).nullable(),
  to: z.enum(applicationStatuses),
  by: z.string(),
  note: z.string().nullable(),
});

export const ApplicationSchema = z
  .object({
    id: z.string(),
    householdId: z.string(),
    memberId: z.string().nullable(),
    memberName: z.string().nullable(),
    ruleId: z.string(),
    noticeId: z.string().nullable(),
    noticeTitle: z.string().nullable().openapi({ description: "The notice's title (null without a notice)" }),
    kind: z.enum(ruleKinds),
    category: z.enum(categories),
    description: z.string(),
    evidence: z.array(z.string()),
    status: z.enum(applicationStatuses),
    points: z.number().int().nullable(),
    registerNo: z.number().int().nullable(),
    reason: z.string().nullable(),
    submittedBy: z.string(),
    submittedByRole: z.string(),
    decidedBy: z.string().nullable(),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
    household: z.object({ id: z.string(), householdNo: z.string(), headName: z.string(), building: z.string() }),
    rule: z.object({ id: z.string(), title: z.string(), category: z.enum(categories), kind: z.enum(ruleKinds), minPoints: z.number().int(), maxPoints: z.number().int() }),
    likelyDuplicateOf: z.array(z.string()).openapi({
      description: "Other live applications that may be the same deed (same household and rule on the same China day without a notice, or the same notice for the same member or with one naming no member); for the reviewer to check",
    }),
    history: z.array(EventSchema).optional().openapi({ description: "Every step: who moved it, when, from where to where, and why" }),
  })
  .openapi("Application");

const Id = z.string().min(1).max(100);

const NewApplicationBody = z.object({
  householdId: Id,
  memberId: Id.nullish(),
  ruleId: Id,
  noticeId: Id.nullish(),
  description: z.string().trim().min(1).max(limits.textLengthMax),
  evidence: z.array(z.string().min(1).max(limits.evidenceItemLengthMax)).max(limits.evidenceMax).optional(),
});

const CertifyBody = z.object({
  decision: z.enum(["approve", "reject"]),
  points: z.number().int().min(1).max(limits.pointsPerItemMax).optional(),
  reason: z.string().trim().max(limits.reasonLengthMax).nullish(),
});

const ListQuery = z.object({
  status: z.enum(applicationStatuses).optional(),
  householdId: Id.optional(),
  noticeId: Id.optional(),
  mine: z.enum(["0", "1", "true", "false"]).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(limits.listLimitMax).default(limits.listLimitDefault),
});

/** The cursor holds the last row's `createdAt` and id (newest first). */
function applicationCursor(c: Context<AppEnv>, text: string | undefined) {
  const key = decodeCursor(c, text);
  if (!key) return null;
  if (Number.isNaN(Date.parse(key[0]))) throw badCursor(c);
  return { createdAt: key[0], id: key[1] };
}

/** Mounted at `/api/applications`. */
export const applicationsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["applications"],
      summary: "Apply for points (resident: own household, awards only; volunteer and admin: any household, penalties too); one live application per notice, rule and member (or household) → else 409 DUPLICATE_APPLICATION naming the first",
      middleware: [allow("resident", "volunteer", "admin")] as const,
      security,
      request: { body: jsonBody(NewApplicationBody) },
      responses: { 201: jsonResponse(ApplicationSchema, "Submitted"), ...errorResponses },
    }),
    async (c) => c.json(await createApplication(c.get("db"), c.get("clock"), actorOf(c), c.get("meta"), c.req.valid("json")), 201),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["applications"],
      summary: "Applications newest first (staff: the community's, `mine=1` for one's own; a resident: their household's)",
      middleware: [allow(...anyRole)] as const,
      security,
      request: { query: ListQuery },
      responses: { 200: jsonResponse(listOf(ApplicationSchema), "Applications"), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const { items, next } = await listApplications(c.get("db"), actorOf(c), {
        status: q.status,
        householdId: q.householdId,
        noticeId: q.noticeId,
        mine: q.mine === "1" || q.mine === "true",
        cursor: applicationCursor(c, q.cursor),
        limit: q.limit,
      });
      return c.json({ items, nextCursor: next ? encodeCursor([next.createdAt, next.id]) : null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["applications"],
      summary: "One application with its whole step history",
      middleware: [allow(...anyRole)] as const,
      security,
      request: { params: IdParam },
      responses: { 200: jsonResponse(ApplicationSchema, "The application"), ...errorResponses },
    }),
    async (c) => c.json(await getApplication(c.get("db"), actorOf(c), c.req.valid("param").id), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/certify",
      tags: ["applications"],
      summary: "认定 + 登记 (reviewer): approve with points in the rule's range (registered, with a register number) or reject with a reason",
      middleware: [allow("reviewer")] as const,
      security,
      request: { params: IdParam, body: jsonBody(CertifyBody) },
      responses: { 200: jsonResponse(ApplicationSchema, "Decided"), ...errorResponses },
    }),
    async (c) => c.json(await certifyApplication(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json")), 200),
  );

