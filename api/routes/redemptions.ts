/**
 * Step 7, 兑换 redeem: the clerk's basket, the receipts and the admin's void. The money rules
 * live in `api/domain/redemption.ts`; this module only checks shapes and who may call.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { DomainError } from "../domain/errors";
import { getRedemption, listRedemptions, redeem, voidRedemption } from "../domain/redemption";
import { actorOf, allow, anyRole, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, security, staffOf } from "../router";

const ReceiptLineSchema = z.object({ goodsId: z.string(), name: z.string(), points: z.number().int(), quantity: z.number().int(), subtotal: z.number().int() });

export const ReceiptSchema = z
  .object({
    id: z.string(),
    receiptNo: z.number().int(),
    shopId: z.string(),
    householdId: z.string(),
    total: z.number().int(),
    balanceAfter: z.number().int(),
    items: z.array(ReceiptLineSchema),
    createdAt: z.string(),
  })
  .openapi("Receipt");

export const RedemptionDetailSchema = ReceiptSchema.extend({
  householdNo: z.string(),
  headName: z.string(),
  clerkId: z.string(),
  void: z.object({ at: z.string(), reason: z.string().nullable(), by: z.string() }).nullable(),
}).openapi("Redemption");

const RedeemBody = z.object({
  qr: z.string().trim().min(1).max(limits.qrLengthMax),
  items: z
    .array(
      z.object({
        goodsId: z.string().min(1).max(100),
        quantity: z.number().int().min(1).max(limits.basketQuantityMax),
      }),
    )
    .max(limits.basketLinesMax),
  pin: z.string().max(limits.pinDigitsMax + 10).optional(),
});

const RedeemHeaders = z.object({
  "idempotency-key": z
    .string()
    .max(limits.idempotencyKeyLengthMax)
    .optional()
    .openapi({ description: "Required: one key per basket; a retry with the same key and body answers the first answer again" }),
});

const ListQuery = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD")
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "not a date")
    .optional(),
  shopId: z.string().min(1).max(100).optional(),
  householdId: z.string().min(1).max(100).optional(),
  cursor: z.string().regex(/^\d{1,12}$/).optional(),
  limit: z.coerce.number().int().min(1).max(limits.listLimitMax).default(limits.listLimitDefault),
});

const TotalsSchema = z.object({ count: z.number().int(), points: z.number().int(), voidedCount: z.number().int(), voidedPoints: z.number().int(), netPoints: z.number().int() });

const VoidBody = z.object({ reason: z.string().trim().max(limits.reasonLengthMax).optional() });

export const redemptionsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/redemptions",
      tags: ["redemptions"],
      summary: "Redeem a basket for a scanned card (clerk, own shop's goods); idempotent by key",
      middleware: [allow("clerk")] as const,
      security,
      request: { headers: RedeemHeaders, body: jsonBody(RedeemBody) },
      responses: {
        201: jsonResponse(ReceiptSchema, "Redeemed (or the first answer again for a repeated key)"),
        ...errorResponses,
        429: errorResponses[409],
      },
    }),
    async (c) => {
      const key = c.req.valid("header")["idempotency-key"]?.trim();
      if (!key) throw new DomainError("IDEMPOTENCY_KEY_REQUIRED", { fields: { "Idempotency-Key": "required" } });
      const body = c.req.valid("json");
      const receipt = await redeem(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.get("config"), {
        qr: body.qr,
        items: body.items,
        pin: body.pin ?? null,
        idempotencyKey: key,
      });
      return c.json(receipt, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/redemptions",
      tags: ["redemptions"],
      summary: "Receipts, newest first: a clerk sees their shop's, an admin all; `?date=` adds the day's totals",
      middleware: [allow("admin", "clerk", "resident")] as const,
      security,
      request: { query: ListQuery },
      responses: {
        200: jsonResponse(z.object({ items: z.array(RedemptionDetailSchema), nextCursor: z.string().nullable(), totals: TotalsSchema.nullable() }), "Receipts"),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const result = await listRedemptions(c.get("db"), actorOf(c), { ...q, cursor: q.cursor ? Number(q.cursor) : null });
      return c.json(result, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/redemptions/{id}",
      tags: ["redemptions"],
      summary: "One receipt (admin; the shop's clerk; the household itself)",
      middleware: [allow(...anyRole)] as const,
      security,
      request: { params: IdParam },
      responses: { 200: jsonResponse(RedemptionDetailSchema, "The receipt"), ...errorResponses },
    }),
    async (c) => c.json(await getRedemption(c.get("db"), actorOf(c), c.req.valid("param").id), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/redemptions/{id}/void",
      tags: ["redemptions"],
      summary: "Void a redemption (admin): reversing ledger entries, stock restored; once only",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam, body: { content: { "application/json": { schema: VoidBody } }, required: false } },
      responses: { 200: jsonResponse(RedemptionDetailSchema, "Voided"), ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid("json") ?? {};
      const detail = await voidRedemption(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, body.reason || null);
      return c.json(detail, 200);
    },
  );
