/** Shops (驿站超市): listed to everyone signed in, created by the admin with their ledger account. */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { createShop, listShops } from "../domain/shops";
import { actorOf, allow, anyRole, createRouter, errorResponses, jsonBody, jsonResponse, listOf, security, staffOf } from "../http/route-kit";

export const ShopSchema = z.object({ id: z.string(), name: z.string() }).openapi("Shop");

const NewShopBody = z.object({ name: z.string().trim().min(1).max(limits.nameLengthMax) });

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
  );
