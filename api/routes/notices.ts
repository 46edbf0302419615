/** Step 1, 通知 notify: the admin drafts and publishes notices; residents read published ones. */
import { createRoute, z } from "@hono/zod-openapi";
import { NewNoticeBody } from "../../shared/forms";
import { limits } from "../../shared/limits";
import { createNotice, getNotice, listNotices, publishNotice } from "../domain/notices";
import { actorOf, allow, anyRole, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, listOf, security, staffOf } from "../http/route-kit";

export const NoticeSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    body: z.string(),
    ruleIds: z.array(z.string()),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    status: z.enum(["draft", "published"]),
    createdAt: z.string(),
    publishedAt: z.string().nullable(),
  })
  .openapi("Notice");

const NoticesQuery = z.object({ limit: z.coerce.number().int().min(1).max(limits.listLimitMax).default(limits.listLimitDefault) });

/** Mounted at `/api/notices`. */
export const noticesRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["notices"],
      summary: "Notices, newest first (residents see published ones only)",
      middleware: [allow(...anyRole)] as const,
      security,
      request: { query: NoticesQuery },
      responses: { 200: jsonResponse(listOf(NoticeSchema), "Notices"), ...errorResponses },
    }),
    async (c) => c.json({ items: await listNotices(c.get("db"), actorOf(c), c.req.valid("query").limit), nextCursor: null }, 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["notices"],
      summary: "Draft a notice (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { body: jsonBody(NewNoticeBody) },
      responses: { 201: jsonResponse(NoticeSchema, "Created (draft)"), ...errorResponses },
    }),
    async (c) => c.json(await createNotice(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("json")), 201),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["notices"],
      summary: "One notice",
      middleware: [allow(...anyRole)] as const,
      security,
      request: { params: IdParam },
      responses: { 200: jsonResponse(NoticeSchema, "The notice"), ...errorResponses },
    }),
    async (c) => c.json(await getNotice(c.get("db"), actorOf(c), c.req.valid("param").id), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/publish",
      tags: ["notices"],
      summary: "Publish a notice (admin); publishing again changes nothing",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam },
      responses: { 200: jsonResponse(NoticeSchema, "The published notice"), ...errorResponses },
    }),
    async (c) => c.json(await publishNotice(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id), 200),
  );
