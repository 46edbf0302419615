/**
 * Step 7, 兑换 redeem: the clerk's basket, the receipts and the admin's void. The money rules
 * live in `api/domain/redemption.ts`; this module only checks shapes and who may call.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { DomainError } from "../domain/errors";
import { daySheet } from "../domain/day-sheet";
import { redeemOffline } from "../domain/offline-counter";
import { getRedemption, listRedemptions, redeem, voidRedemption, type CardIdentity } from "../domain/redemption";
import { OfflineReceiptFields, OfflineStampSchema } from "./offline-schemas";
import { actorOf, allow, anyRole, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, security, staffOf } from "../http/route-kit";

const ReceiptLineSchema = z.object({ goodsId: z.string(), name: z.string(), points: z.number().int(), quantity: z.number().int(), subtotal: z.number().int() });

const NamedSchema = z.object({ id: z.string(), name: z.string() });

export const ReceiptSchema = z
  .object({
    id: z.string(),
    receiptNo: z.number().int(),
    shopId: z.string(),
    shop: NamedSchema.openapi({ description: "The shop, by name, for the printed receipt" }),
    clerk: NamedSchema.openapi({ description: "The clerk who served the basket" }),
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
  void: z.object({ at: z.string(), reason: z.string().nullable(), by: z.string(), byName: z.string().nullable() }).nullable(),
}).openapi("Redemption");

/** A card number as printed on the card (12 digits today; the QR parser accepts 6 to 20). */
export const CardNoSchema = z
  .string()
  .trim()
  .regex(/^\d{6,20}$/, "digits only")
  .openapi({ description: "The card number typed by hand, with `pin`: the fallback when a card or camera fails", example: "123456789012" });

/**
 * Exactly one way of naming the card: scanned `qr` text, or a typed `cardNo` (then `pin` is
 * always checked). Both or neither → 400 naming the field.
 */
export function oneCardIdentity(body: { qr?: string; cardNo?: string }, ctx: z.RefinementCtx) {
  if (body.qr !== undefined && body.cardNo !== undefined) {
    ctx.addIssue({ code: "custom", path: ["cardNo"], message: "send either qr or cardNo, not both" });
  } else if (body.qr === undefined && body.cardNo === undefined) {
    ctx.addIssue({ code: "custom", path: ["qr"], message: "required: the scanned qr text, or cardNo with pin" });
  }
}

export function cardIdentityOf(body: { qr?: string; cardNo?: string }): CardIdentity {
  if (body.cardNo !== undefined) return { cardNo: body.cardNo };
  if (body.qr !== undefined) return { qr: body.qr };
  throw new DomainError("VALIDATION_FAILED", { fields: { qr: "required" } });
}

const RedeemBody = z.object({
  qr: z.string().trim().min(1).max(limits.qrLengthMax).optional(),
  cardNo: CardNoSchema.optional(),
  items: z
    .array(
      z.object({
        goodsId: z.string().min(1).max(100),
        quantity: z.number().int().min(1).max(limits.basketQuantityMax),
      }),
    )
    .max(limits.basketLinesMax),
  pin: z.string().max(limits.pinDigitsMax + 10).optional(),
  offline: OfflineStampSchema.optional().openapi({ description: "A redemption made while the counter was offline, sent later (issue 14): the scanned `qr` only, never a PIN" }),
}).superRefine(oneCardIdentity).superRefine((body, ctx) => {
  if (body.offline && body.qr === undefined) ctx.addIssue({ code: "custom", path: ["qr"], message: "an offline redemption names its card by the scanned qr" });
});

/** The receipt, and for an offline redemption its provisional number, shortfall and flags. */
const RedeemAnswerSchema = ReceiptSchema.extend(OfflineReceiptFields).openapi("RedeemAnswer");

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

const VoidBody = z
  .object({ reason: z.string().trim().min(1).max(limits.reasonLengthMax).openapi({ description: "Why: required, kept on the void and in the audit log" }) })
  .openapi("VoidRedemption");

const DaySheetQuery = z.object({
  date: ListQuery.shape.date.unwrap(),
  shopId: z.string().min(1).max(100).optional(),
  clerkId: z.string().min(1).max(100).optional(),
});

const DayTotalsSchema = TotalsSchema;

const DaySheetSchema = z
  .object({
    date: z.string(),
    from: z.string(),
    to: z.string(),
    community: NamedSchema,
    shop: NamedSchema.nullable(),
    clerk: NamedSchema.nullable(),
    receipts: z.array(
      z.object({
        id: z.string(),
        receiptNo: z.number().int(),
        createdAt: z.string(),
        householdNo: z.string(),
        headName: z.string(),
        total: z.number().int(),
        shop: NamedSchema,
        clerk: NamedSchema,
        void: z.object({ at: z.string(), reason: z.string().nullable(), byName: z.string().nullable() }).nullable(),
      }),
    ),
    truncated: z.boolean(),
    totals: DayTotalsSchema,
    byGoods: z.array(z.object({ goodsId: z.string(), name: z.string(), quantity: z.number().int(), points: z.number().int() })),
    byClerk: z.array(DayTotalsSchema.extend({ clerk: NamedSchema })),
    earlierVoids: z.array(
      z.object({ redemptionId: z.string(), receiptNo: z.number().int(), receiptAt: z.string(), total: z.number().int(), at: z.string(), reason: z.string().nullable(), byName: z.string().nullable() }),
    ),
    generatedAt: z.string(),
  })
  .openapi("DaySheet");

/** Mounted at `/api/redemptions`. */
export const redemptionsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["redemptions"],
      summary: "Redeem a basket for a scanned card (clerk, own shop's goods); idempotent by key",
      middleware: [allow("clerk")] as const,
      security,
      request: { headers: RedeemHeaders, body: jsonBody(RedeemBody) },
      responses: {
        201: jsonResponse(RedeemAnswerSchema, "Redeemed (or the first answer again for a repeated key)"),
        ...errorResponses,
        429: errorResponses[409],
      },
    }),
    async (c) => {
      const key = c.req.valid("header")["idempotency-key"]?.trim();
      if (!key) throw new DomainError("IDEMPOTENCY_KEY_REQUIRED", { fields: { "Idempotency-Key": "required" } });
      const body = c.req.valid("json");
      if (body.offline && body.qr !== undefined) {
        const answer = await redeemOffline(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.get("config"), { qr: body.qr, items: body.items, offline: body.offline, idempotencyKey: key });
        return c.json(answer, 201);
      }
      const receipt = await redeem(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.get("config"), {
        card: cardIdentityOf(body),
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
      path: "/",
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
      path: "/day-sheet",
      tags: ["redemptions"],
      summary: "The end-of-day sheet (日结单) of a day in China: receipts, voids, totals by goods and by clerk (clerk: own shop; admin: any shop)",
      middleware: [allow("admin", "clerk")] as const,
      security,
      request: { query: DaySheetQuery },
      responses: { 200: jsonResponse(DaySheetSchema, "The day's sheet"), ...errorResponses },
    }),
    async (c) => c.json(await daySheet(c.get("db"), c.get("clock"), staffOf(c), c.req.valid("query")), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
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
      path: "/{id}/void",
      tags: ["redemptions"],
      summary: "Void a redemption (admin, with a reason): reversing ledger entries, stock restored; once only, audited",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam, body: jsonBody(VoidBody) },
      responses: { 200: jsonResponse(RedemptionDetailSchema, "Voided"), ...errorResponses },
    }),
    async (c) => {
      const { reason } = c.req.valid("json");
      const detail = await voidRedemption(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, reason);
      return c.json(detail, 200);
    },
  );
