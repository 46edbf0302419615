/** Step 6, 充值 top-up: credits an ended publicity batch (admin). Money rules: `api/domain/topup.ts`. */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { listTopUps, previewTopUp, topUp } from "../domain/topup";
import { allow, createRouter, errorResponses, jsonBody, jsonResponse, listOf, security, staffOf } from "../http/route-kit";

export const TopUpSchema = z
  .object({
    id: z.string(),
    publicityId: z.string(),
    credited: z.number().int().openapi({ description: "Items credited (awards and penalties)" }),
    points: z.number().int().openapi({ description: "Points awarded to households" }),
    deducted: z.number().int().openapi({ description: "Points penalties took from balances" }),
    heldBack: z.number().int().openapi({ description: "Items held back by an open objection" }),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi("TopUp");

const TopUpResultSchema = TopUpSchema.extend({
  alreadyCredited: z.boolean().openapi({ description: "true (and status 200): nothing was left to credit, nothing was written; this is the batch's latest top-up" }),
}).openapi("TopUpResult");

const PreviewItemSchema = z.object({
  applicationId: z.string(),
  registerNo: z.number().int().nullable(),
  householdNo: z.string(),
  headName: z.string(),
  rule: z.string(),
  kind: z.enum(["award", "penalty"]),
  points: z.number().int(),
});

const TopUpPreviewSchema = z
  .object({
    publicityId: z.string(),
    endsAt: z.string(),
    status: z.enum(["open", "closed"]),
    credited: z.number().int().openapi({ description: "Items a top-up would credit now" }),
    households: z.number().int(),
    points: z.number().int().openapi({ description: "Points the awards would add" }),
    deducted: z.number().int().openapi({ description: "Points the penalties would take" }),
    heldBack: z.array(PreviewItemSchema.extend({ objection: z.string() })),
    items: z.array(PreviewItemSchema),
    lastTopUp: TopUpSchema.nullable().openapi({ description: "The batch's latest top-up: when and by whom it was credited" }),
  })
  .openapi("TopUpPreview");

const TopUpBody = z.object({ publicityId: z.string().min(1).max(100) });
const PreviewQuery = z.object({ publicityId: z.string().min(1).max(100) });
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(limits.listLimitMax).default(limits.listLimitDefault) });

/** Mounted at `/api/topups`. */
export const topupsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["topups"],
      summary: "Credit an ended publicity batch (admin); repeating it never credits anything twice, and with nothing left answers the latest top-up (200) without writing",
      middleware: [allow("admin")] as const,
      security,
      request: { body: jsonBody(TopUpBody) },
      responses: { 201: jsonResponse(TopUpResultSchema, "Done"), 200: jsonResponse(TopUpResultSchema, "Nothing left to credit: the batch's latest top-up"), ...errorResponses },
    }),
    async (c) => {
      const actor = staffOf(c);
      const result = await topUp(c.get("db"), c.get("clock"), actor, c.get("meta"), actor.communityId, c.req.valid("json").publicityId);
      return result.alreadyCredited ? c.json(result, 200) : c.json(result, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/preview",
      tags: ["topups"],
      summary: "What a top-up of the batch would credit now: households, points, deductions, held-back items, and its latest top-up (admin; writes nothing)",
      middleware: [allow("admin")] as const,
      security,
      request: { query: PreviewQuery },
      responses: { 200: jsonResponse(TopUpPreviewSchema, "The preview"), ...errorResponses },
    }),
    async (c) => c.json(await previewTopUp(c.get("db"), staffOf(c).communityId, c.req.valid("query").publicityId, c.get("clock").now()), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["topups"],
      summary: "Top-ups newest first (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { query: ListQuery },
      responses: { 200: jsonResponse(listOf(TopUpSchema), "Top-ups"), ...errorResponses },
    }),
    async (c) => c.json({ items: await listTopUps(c.get("db"), staffOf(c).communityId, c.req.valid("query").limit), nextCursor: null }, 200),
  );
