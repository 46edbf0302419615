/** Step 6, 充值 top-up: credits an ended publicity batch (admin). Money rules: `api/domain/topup.ts`. */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { listTopUps, topUp } from "../domain/topup";
import { allow, createRouter, errorResponses, jsonBody, jsonResponse, listOf, security, staffOf } from "../router";

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

const TopUpBody = z.object({ publicityId: z.string().min(1).max(100) });
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(limits.listLimitMax).default(limits.listLimitDefault) });

export const topupsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/topups",
      tags: ["topups"],
      summary: "Credit an ended publicity batch (admin); repeating it never credits anything twice",
      middleware: [allow("admin")] as const,
      security,
      request: { body: jsonBody(TopUpBody) },
      responses: { 201: jsonResponse(TopUpSchema, "Done"), ...errorResponses },
    }),
    async (c) => {
      const actor = staffOf(c);
      return c.json(await topUp(c.get("db"), c.get("clock"), actor, c.get("meta"), actor.communityId, c.req.valid("json").publicityId), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/topups",
      tags: ["topups"],
      summary: "Top-ups newest first (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { query: ListQuery },
      responses: { 200: jsonResponse(listOf(TopUpSchema), "Top-ups"), ...errorResponses },
    }),
    async (c) => c.json({ items: await listTopUps(c.get("db"), staffOf(c).communityId, c.req.valid("query").limit), nextCursor: null }, 200),
  );
