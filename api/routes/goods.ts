/** Goods on the shops' shelves and their stock (admin changes stock with a reason). */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { changeStock, createGoods, listGoods, stockIn } from "../domain/goods";
import { stockLedger } from "../domain/stock-ledger";
import { actorOf, allow, anyRole, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, listOf, security, staffOf } from "../http/route-kit";

export const GoodsSchema = z
  .object({
    id: z.string(),
    shopId: z.string(),
    name: z.string(),
    points: z.number().int(),
    stock: z.number().int(),
    unit: z.string().nullable(),
    active: z.boolean(),
    barcode: z.string().nullable().openapi({ description: "Product barcode (EAN-13 / UPC-A / EAN-8), or null" }),
    initials: z.string().openapi({ description: "Pinyin initials of the name (大米 → dm), for the till's search" }),
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

/** A calendar day, `YYYY-MM-DD`, that exists (not 2026-02-30). */
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, "not a calendar day");

const StockInBody = z
  .object({
    quantity: z.number().int().min(1).max(limits.stockInQuantityMax),
    supplier: z.string().trim().min(1).max(limits.supplierLengthMax).nullish(),
    unitCostFen: z.number().int().min(0).max(limits.unitCostFenMax).nullish().openapi({ description: "What one unit cost, in fen (分)" }),
    note: z.string().trim().min(1).max(limits.reasonLengthMax).nullish(),
    receivedOn: Day.nullish().openapi({ description: "The day the goods arrived (China); today when absent; never after today, at most stockInBackdateDaysMax days back" }),
  })
  .strict();

const StockInHeaders = z.object({
  "idempotency-key": z.string().trim().min(1).max(limits.idempotencyKeyLengthMax).optional().openapi({ description: "Optional: a retry with the same key answers the first record (200) and writes nothing" }),
});

export const StockReceiptSchema = z
  .object({
    id: z.string(),
    goodsId: z.string(),
    shopId: z.string(),
    quantity: z.number().int(),
    supplier: z.string().nullable(),
    unitCostFen: z.number().int().nullable(),
    amountFen: z.number().int().nullable().openapi({ description: "quantity × unitCostFen; null without a cost" }),
    note: z.string().nullable(),
    receivedOn: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi("StockReceipt");

const StockInResultSchema = z
  .object({ receipt: StockReceiptSchema, goods: GoodsSchema, replayed: z.boolean().openapi({ description: "true (status 200): the Idempotency-Key was seen before; this is the first answer" }) })
  .openapi("StockInResult");

const Figures = { in: z.number().int(), out: z.number().int().openapi({ description: "Redeemed, net of voids" }), adjust: z.number().int().openapi({ description: "Counted changes with a reason (盘点)" }) };

const StockLedgerSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    shopId: z.string().nullable(),
    goodsId: z.string().nullable(),
    goods: z.array(
      z.object({
        goodsId: z.string(),
        name: z.string(),
        unit: z.string().nullable(),
        shopId: z.string(),
        shopName: z.string(),
        opening: z.number().int(),
        days: z.array(z.object({ date: z.string(), ...Figures, balance: z.number().int() })),
        totals: z.object(Figures),
        closing: z.number().int(),
        stock: z.number().int().openapi({ description: "The stock now; equals closing when the period runs to today" }),
      }),
    ),
    totals: z.object(Figures),
    receipts: z.array(
      z.object({
        id: z.string(),
        receivedOn: z.string(),
        goodsId: z.string(),
        goodsName: z.string(),
        unit: z.string().nullable(),
        quantity: z.number().int(),
        supplier: z.string().nullable(),
        unitCostFen: z.number().int().nullable(),
        amountFen: z.number().int().nullable(),
        note: z.string().nullable(),
        createdAt: z.string(),
        byName: z.string().nullable(),
      }),
    ),
    receiptsAmountFen: z.number().int(),
    receiptsTruncated: z.boolean(),
  })
  .openapi("StockLedger");

const LedgerQuery = z.object({
  from: Day.optional().openapi({ description: "First day (China); default: the first of to's month" }),
  to: Day.optional().openapi({ description: "Last day (China); default: today" }),
  goodsId: z.string().min(1).max(100).optional(),
  shopId: z.string().min(1).max(100).optional(),
});

/** Mounted at `/api/goods`. */
export const goodsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
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
      path: "/",
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
      path: "/{id}/stock",
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
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/stock-in",
      tags: ["goods"],
      summary: "Record goods arriving (进货, admin): one record and its stock movement in one batch; never above stockMax",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam, headers: StockInHeaders, body: jsonBody(StockInBody) },
      responses: { 201: jsonResponse(StockInResultSchema, "Recorded"), 200: jsonResponse(StockInResultSchema, "A retry with the same Idempotency-Key: the first record"), ...errorResponses },
    }),
    async (c) => {
      const key = c.req.valid("header")["idempotency-key"];
      const result = await stockIn(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json"), key);
      return result.replayed ? c.json(result, 200) : c.json(result, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/stock-ledger",
      tags: ["goods"],
      summary: "The stock ledger (库存台账) and stock-in records (进货台账) over a period: per goods and day, in, out (net of voids), adjustments, balance (admin; the clerk of a shop, that shop's)",
      middleware: [allow("admin", "clerk")] as const,
      security,
      request: { query: LedgerQuery },
      responses: { 200: jsonResponse(StockLedgerSchema, "The ledger"), ...errorResponses },
    }),
    async (c) => c.json(await stockLedger(c.get("db"), c.get("clock").now(), staffOf(c), c.req.valid("query")), 200),
  );
