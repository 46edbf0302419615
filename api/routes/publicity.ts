/**
 * Step 5, 公示 publicise: batches, the public board (no sign-in) and objections (异议).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../http/app-types";
import { applicationStatuses, categories, ruleKinds } from "../../shared/domain";
import { limits } from "../../shared/limits";
import { createPublicity, currentPublicity, getPublicity, listObjections, listPublicity, publicCommunityId, raiseObjection, resolveObjection } from "../domain/publicity";
import { publicityFloorHours } from "../process-env";
import { actorOf, allow, anyRole, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, listOf, security, staffOf } from "../http/route-kit";

const PublicityItemSchema = z.object({
  applicationId: z.string(),
  registerNo: z.number().int().nullable(),
  name: z.string().openapi({ example: "张*华", description: "Masked" }),
  building: z.string(),
  category: z.enum(categories),
  rule: z.string(),
  kind: z.enum(ruleKinds),
  points: z.number().int(),
  status: z.enum([...applicationStatuses, "objected"]),
});

const BatchTopUpSchema = z
  .object({ id: z.string(), at: z.string(), by: z.string(), byName: z.string().nullable(), credited: z.number().int(), points: z.number().int() })
  .openapi("BatchTopUp");

export const PublicitySchema = z
  .object({
    id: z.string(),
    communityName: z.string(),
    startsAt: z.string(),
    endsAt: z.string(),
    status: z.enum(["open", "closed"]),
    items: z.array(PublicityItemSchema),
    topUp: BatchTopUpSchema.nullable().optional().openapi({ description: "Staff of the community only: the batch's latest top-up (when, by whom), or null" }),
  })
  .openapi("Publicity");

export const CurrentBoardSchema = z
  .object({
    communityName: z.string(),
    items: z.array(PublicityItemSchema.extend({ batchId: z.string(), batchEndsAt: z.string() })).openapi({ description: "The items of every open batch, each naming its batch" }),
    batches: z
      .array(z.object({ id: z.string(), startsAt: z.string(), endsAt: z.string(), status: z.enum(["open", "closed"]), items: z.array(PublicityItemSchema) }))
      .openapi({ description: "Every open batch, newest first, each with its own end and items" }),
    id: z.string().nullable().openapi({ description: "The newest open batch (kept from the one-batch board); null when none is open" }),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    status: z.enum(["open"]).nullable(),
  })
  .openapi("CurrentBoard");

export const ObjectionSchema = z
  .object({
    id: z.string(),
    publicityId: z.string(),
    applicationId: z.string(),
    reason: z.string(),
    status: z.enum(["open", "upheld", "dismissed"]),
    raisedByRole: z.string(),
    note: z.string().nullable(),
    createdAt: z.string(),
    resolvedAt: z.string().nullable(),
    item: z
      .object({ registerNo: z.number().int().nullable(), householdNo: z.string(), headName: z.string(), building: z.string(), rule: z.string(), points: z.number().int(), kind: z.enum(ruleKinds) })
      .optional(),
  })
  .openapi("Objection");

const NewPublicityBody = z.object({ endsAt: z.iso.datetime({ offset: true }).nullish() });
const BoardQuery = z.object({
  community: z.string().min(1).max(50).optional().openapi({ description: "Community code; defaults to the deployment's first community" }),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
const ObjectionBody = z.object({ applicationId: z.string().min(1).max(100), reason: z.string().trim().min(1).max(limits.reasonLengthMax) });
const ResolveBody = z.object({ upheld: z.boolean(), note: z.string().trim().min(1).max(limits.reasonLengthMax) });
const ObjectionsQuery = z.object({
  status: z.enum(["open", "upheld", "dismissed"]).optional(),
  publicityId: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(limits.listLimitMax).default(limits.listLimitDefault),
});

/** The community a board request is about: the signed-in user's, else the one asked for. */
async function boardCommunity(c: Context<AppEnv>, code: string | undefined): Promise<string> {
  const actor = c.get("actor");
  return actor && !code ? actor.communityId : publicCommunityId(c.get("db"), code);
}

/** Mounted at `/api/publicity`. */
export const publicityRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["publicity"],
      summary: "Open a publicity batch with every registered item not yet publicised (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { body: jsonBody(NewPublicityBody) },
      responses: { 201: jsonResponse(PublicitySchema, "Created"), ...errorResponses },
    }),
    async (c) => c.json(await createPublicity(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("json"), publicityFloorHours(c.get("config"))), 201),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/current",
      tags: ["publicity"],
      summary: "Every open publicity batch and their items, each item naming its batch (anyone, no sign-in; names masked)",
      request: { query: BoardQuery },
      responses: { 200: jsonResponse(CurrentBoardSchema, "The open batches (none: empty lists)"), ...errorResponses },
    }),
    async (c) => {
      const communityId = await boardCommunity(c, c.req.valid("query").community);
      return c.json(await currentPublicity(c.get("db"), c.get("clock"), communityId), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["publicity"],
      summary: "Publicity batches newest first, with their items (anyone, no sign-in; names masked); the community's staff also see each batch's latest top-up",
      request: { query: BoardQuery },
      responses: { 200: jsonResponse(listOf(PublicitySchema), "Batches"), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const communityId = await boardCommunity(c, q.community);
      const actor = c.get("actor");
      const staff = actor?.kind === "user" && actor.communityId === communityId;
      return c.json({ items: await listPublicity(c.get("db"), c.get("clock"), communityId, q.limit, staff), nextCursor: null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["publicity"],
      summary: "One publicity batch (anyone, no sign-in; names masked); the community's staff also see its latest top-up",
      request: { params: IdParam },
      responses: { 200: jsonResponse(PublicitySchema, "The batch"), ...errorResponses },
    }),
    async (c) => {
      const actor = c.get("actor");
      const staffCommunity = actor?.kind === "user" ? actor.communityId : null;
      return c.json(await getPublicity(c.get("db"), c.get("clock"), c.req.valid("param").id, staffCommunity), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/objections",
      tags: ["publicity"],
      summary: "Object to an item while the batch is open (residents and staff)",
      middleware: [allow(...anyRole)] as const,
      security,
      request: { params: IdParam, body: jsonBody(ObjectionBody) },
      responses: { 201: jsonResponse(ObjectionSchema, "Raised"), ...errorResponses },
    }),
    async (c) => c.json(await raiseObjection(c.get("db"), c.get("clock"), actorOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json")), 201),
  );

/** Mounted at `/api/objections`. */
export const objectionsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["publicity"],
      summary: "Objections newest first (staff: the community's; a resident: those they raised)",
      middleware: [allow(...anyRole)] as const,
      security,
      request: { query: ObjectionsQuery },
      responses: { 200: jsonResponse(listOf(ObjectionSchema), "Objections"), ...errorResponses },
    }),
    async (c) => c.json({ items: await listObjections(c.get("db"), actorOf(c), c.req.valid("query")), nextCursor: null }, 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/resolve",
      tags: ["publicity"],
      summary: "Resolve an objection (reviewer): upheld cancels the item, dismissed lets it proceed",
      middleware: [allow("reviewer")] as const,
      security,
      request: { params: IdParam, body: jsonBody(ResolveBody) },
      responses: { 200: jsonResponse(ObjectionSchema, "Resolved"), ...errorResponses },
    }),
    async (c) => c.json(await resolveObjection(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json")), 200),
  );
