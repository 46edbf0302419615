/** Shops (驿站超市): listed to everyone signed in, created by the admin with their ledger account. */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { updateShop } from "../domain/settlements";
import { createShop, listShops } from "../domain/shops";
import { actorOf, allow, anyRole, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, listOf, security, staffOf } from "../http/route-kit";

export const ShopSchema = z
  .object({ id: z.string(), name: z.string(), pointValueFen: z.number().int().openapi({ description: "What the community pays per point, in fen (100 = ¥1)" }) })
  .openapi("Shop");

const NewShopBody = z.object({ name: z.string().trim().min(1).max(limits.nameLengthMax) });

const ShopPatch = z
  .object({
    name: z.string().trim().min(1).max(limits.nameLengthMax).optional(),
    pointValueFen: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();

/** Mounted at `/api/shops`. */
export const shopsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["shops"],
      summary: "The community's shops",
      middleware: [allow(...anyRole)] as const,
      security,
      responses: { 200: jsonResponse(listOf(ShopSchema), "Shops"), ...errorResponses },
    }),
    async (c) => {
      const items = await listShops(c.get("db"), actorOf(c).communityId);
      return c.json({ items, nextCursor: null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["shops"],
      summary: "Open a shop (admin); its ledger account opens with it",
      middleware: [allow("admin")] as const,
      security,
      request: { body: jsonBody(NewShopBody) },
      responses: { 201: jsonResponse(ShopSchema, "Created"), ...errorResponses },
    }),
    async (c) => {
      const shop = await createShop(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("json").name);
      return c.json(shop, 201);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["shops"],
      summary: "Rename a shop or change what a point is worth to it, in fen (admin); drafted statements keep their value",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam, body: jsonBody(ShopPatch) },
      responses: { 200: jsonResponse(ShopSchema, "The shop"), ...errorResponses },
    }),
    async (c) => c.json(await updateShop(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json")), 200),
  );
