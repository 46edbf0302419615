/** Goods on the shops' shelves and their stock (admin changes stock with a reason). */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { changeStock, createGoods, listGoods } from "../domain/goods";
import { actorOf, allow, anyRole, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, listOf, security, staffOf } from "../router";

export const GoodsSchema = z
  .object({
    id: z.string(),
    shopId: z.string(),
    name: z.string(),
    points: z.number().int(),
    stock: z.number().int(),
    unit: z.string().nullable(),
    active: z.boolean(),
  })
  .openapi("Goods");

const NewGoodsBody = z.object({
  shopId: z.string().min(1).max(100),
  name: z.string().trim().min(1).max(limits.nameLengthMax),
  points: z.number().int().min(1).max(limits.goodsPointsMax),
  stock: z.number().int().min(0).max(limits.stockMax),
  unit: z.string().trim().min(1).max(limits.unitLengthMax).nullish(),
});

const StockBody = z.object({
  delta: z
    .number()
    .int()
    .min(-limits.stockDeltaMax)
    .max(limits.stockDeltaMax)
    .refine((d) => d !== 0, "must not be 0"),
  reason: z.string().trim().min(1).max(limits.reasonLengthMax),
});

const GoodsQuery = z.object({ shopId: z.string().min(1).max(100).optional() });

export const goodsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/goods",
      tags: ["goods"],
      summary: "Goods of the community, or of one shop",
      middleware: [allow(...anyRole)] as const,
      security,
      request: { query: GoodsQuery },
      responses: { 200: jsonResponse(listOf(GoodsSchema), "Goods"), ...errorResponses },
    }),
    async (c) => {
      const items = await listGoods(c.get("db"), actorOf(c).communityId, c.req.valid("query").shopId);
      return c.json({ items, nextCursor: null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/goods",
      tags: ["goods"],
      summary: "Put new goods on a shop's shelf (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { body: jsonBody(NewGoodsBody) },
      responses: { 201: jsonResponse(GoodsSchema, "Created"), ...errorResponses },
    }),
    async (c) => {
      const goods = await createGoods(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("json"));
      return c.json(goods, 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/goods/{id}/stock",
      tags: ["goods"],
      summary: "Add or remove stock with a reason (admin); never below zero (409 OUT_OF_STOCK)",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam, body: jsonBody(StockBody) },
      responses: { 200: jsonResponse(GoodsSchema, "The goods with the new stock"), ...errorResponses },
    }),
    async (c) => {
      const { delta, reason } = c.req.valid("json");
      const goods = await changeStock(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, delta, reason);
      return c.json(goods, 200);
    },
  );
