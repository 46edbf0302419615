/**
 * Cards as an office hands them out (see api/domain/card-batches.ts): bulk issue with random
 * PINs answered once, the handover register printed again later, 挂失 (report lost) and 补卡
 * (reissue) as two separate steps.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { getCardBatch, issueCardBatch, listCardBatches, reissueLostCard, reportCardLost } from "../domain/card-batches";
import { allow, createRouter, decodeCursor, encodeCursor, errorResponses, IdParam, jsonBody, jsonResponse, listOf, security, staffOf } from "../http/route-kit";

const CardNoParam = z.object({ cardNo: z.string().min(1).max(40) });

const NewCardBatchBody = z
  .object({
    householdIds: z
      .array(z.string().min(1).max(100))
      .min(1, "pick at least one household")
      .max(limits.cardBatchHouseholdsMax, `at most ${limits.cardBatchHouseholdsMax} households per batch; send more as several batches`)
      .openapi({ description: `Households without a card in use, 1 to ${limits.cardBatchHouseholdsMax}` }),
  })
  .strict()
  .openapi("NewCardBatch");

const IssuedBatchSchema = z
  .object({
    id: z.string(),
    kind: z.enum(["issue", "reissue"]),
    createdAt: z.string(),
    createdBy: z.object({ id: z.string(), name: z.string() }),
    cards: z.array(
      z.object({
        householdId: z.string(),
        householdNo: z.string(),
        headName: z.string(),
        building: z.string(),
        unit: z.string().nullable(),
        room: z.string().nullable(),
        cardNo: z.string(),
        pin: z.string().openapi({ description: "The card's PIN in clear: answered this once, for the PIN slip; only its hash is kept" }),
      }),
    ),
  })
  .openapi("IssuedCardBatch");

const CardBatchSummarySchema = z.object({
  id: z.string(),
  kind: z.enum(["issue", "reissue"]),
  cardCount: z.number().int(),
  createdAt: z.string(),
  createdByName: z.string().nullable(),
});

const CardBatchSchema = CardBatchSummarySchema.extend({
  cards: z.array(
    z.object({
      householdId: z.string(),
      householdNo: z.string(),
      headName: z.string(),
      building: z.string(),
      unit: z.string().nullable(),
      room: z.string().nullable(),
      cardNoLast4: z.string(),
      status: z.enum(["active", "revoked", "lost"]).openapi({ description: "Where the card stands now" }),
    }),
  ),
}).openapi("CardBatch");

const LostBody = z
  .object({
    reporter: z.string().trim().max(limits.nameLengthMax).optional().openapi({ description: "Who came to report it (户主本人, 儿子 张强 …), for the audit log" }),
    note: z.string().trim().max(limits.reasonLengthMax).optional(),
  })
  .strict()
  .openapi("CardLostReport");

const LostCardSchema = z
  .object({
    cardNo: z.string(),
    status: z.literal("lost"),
    householdId: z.string(),
    reportedAt: z.string(),
    alreadyLost: z.boolean().openapi({ description: "True when the card had been reported lost before; nothing was written" }),
  })
  .openapi("LostCard");

const ListQuery = z.object({
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(limits.listLimitMax).optional(),
});

/** Mounted at `/api/card-batches`. */
export const cardBatchesRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["cards"],
      summary: "Issue a card with a random 6-digit PIN to each household picked (admin): the PINs are answered once",
      description:
        `1 to ${limits.cardBatchHouseholdsMax} households without a card in use, all or nothing in one batch. Unknown or another community's ids → 404 naming them; ` +
        "a household with a card in use → 409 naming its 户号. The answer is not cached (`Cache-Control: no-store`): print the PIN slips from it.",
      middleware: [allow("admin")] as const,
      security,
      request: { body: jsonBody(NewCardBatchBody) },
      responses: { 201: jsonResponse(IssuedBatchSchema, "Issued, with each card's PIN (this once)"), ...errorResponses },
    }),
    async (c) => {
      const batch = await issueCardBatch(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("json").householdIds);
      c.header("cache-control", "no-store");
      return c.json(batch, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["cards"],
      summary: "Card batches (bulk issues and reissues), newest first (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { query: ListQuery },
      responses: { 200: jsonResponse(listOf(CardBatchSummarySchema), "One page"), ...errorResponses },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const key = decodeCursor(c, query.cursor);
      const page = await listCardBatches(c.get("db"), staffOf(c).communityId, { cursor: key ? { createdAt: key[0], id: key[1] } : null, limit: query.limit ?? limits.listLimitDefault });
      return c.json({ items: page.items, nextCursor: page.next ? encodeCursor([page.next.createdAt, page.next.id]) : null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["cards"],
      summary: "One card batch for its handover register: households, each card's last 4 digits and state, never a PIN (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam },
      responses: { 200: jsonResponse(CardBatchSchema, "The batch"), ...errorResponses },
    }),
    async (c) => c.json(await getCardBatch(c.get("db"), staffOf(c).communityId, c.req.valid("param").id), 200),
  );

/** Mounted at `/api/cards`. */
export const cardLossRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/{cardNo}/lost",
      tags: ["cards"],
      summary: "挂失: the card stops at once for sign-in, scanning, redemption and one-time codes, and its sessions end (admin, audited with who reported it)",
      description: "A card already reported lost answers 200 with `alreadyLost: true`; a revoked card → 409. A new card is a separate step: `POST /cards/{cardNo}/reissue`.",
      middleware: [allow("admin")] as const,
      security,
      request: { params: CardNoParam, body: { content: { "application/json": { schema: LostBody } }, required: false } },
      responses: { 200: jsonResponse(LostCardSchema, "Reported lost"), ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid("json") ?? {};
      return c.json(await reportCardLost(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").cardNo, body), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{cardNo}/reissue",
      tags: ["cards"],
      summary: "补卡: a new card number with a random PIN (answered once) for the household of a card reported lost; the lost card stays blocked (admin)",
      description: "A card batch of one, like `POST /card-batches`. A card not reported lost → 409; a household with a card in use → 409.",
      middleware: [allow("admin")] as const,
      security,
      request: { params: CardNoParam },
      responses: { 201: jsonResponse(IssuedBatchSchema, "Issued, with the new card's PIN (this once)"), ...errorResponses },
    }),
    async (c) => {
      const batch = await reissueLostCard(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").cardNo);
      c.header("cache-control", "no-store");
      return c.json(batch, 201);
    },
  );
