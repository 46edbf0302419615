/**
 * 结算 settlement with the partner shops (api/domain/settlements.ts): the admin drafts, confirms
 * and records the payment of each shop's statements; a shop's clerk reads its own shop's.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { getCommunity } from "../domain/community";
import {
  confirmSettlement,
  createSettlement,
  discardSettlement,
  getSettlement,
  listSettlements,
  paySettlement,
  settlementStatuses,
  settlementWorkbook,
  shopSettlementStates,
} from "../domain/settlements";
import { actorOf, allow, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, listOf, security, staffOf } from "../http/route-kit";

const SettlementLineSchema = z.object({
  goodsId: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  points: z.number().int(),
  kind: z.enum(["redemption", "void"]).openapi({ description: "`void`: voids of redemptions settled in an earlier statement (negative)" }),
});

export const SettlementSchema = z
  .object({
    id: z.string(),
    shopId: z.string(),
    shopName: z.string(),
    from: z.string().nullable().openapi({ description: "The previous statement's `to`; null for the shop's first" }),
    to: z.string(),
    status: z.enum(settlementStatuses),
    redemptions: z.number().int(),
    points: z.number().int(),
    pointValueFen: z.number().int(),
    amountFen: z.number().int(),
    reference: z.string().nullable(),
    createdAt: z.string(),
    confirmedAt: z.string().nullable(),
    paidAt: z.string().nullable(),
    lines: z.array(SettlementLineSchema),
  })
  .openapi("Settlement");

const ShopSettlementSchema = z
  .object({
    shopId: z.string(),
    name: z.string(),
    pointValueFen: z.number().int(),
    unsettled: z.number().int().openapi({ description: "Points redeemed at the shop not yet settled (its ledger balance)" }),
    lastTo: z.string().nullable(),
    draftId: z.string().nullable(),
  })
  .openapi("ShopSettlementState");

const NewSettlementBody = z.object({
  shopId: z.string().min(1).max(100),
  to: z.string().datetime({ offset: true }).openapi({ description: "Settle redemptions made before this instant; not in the future, not before the last statement's `to`" }),
});

const PayBody = z.object({ reference: z.string().trim().min(1).max(limits.titleLengthMax) });

const ListQuery = z.object({
  shopId: z.string().max(100).optional(),
  status: z.enum(settlementStatuses).optional(),
});

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const router = createRouter();

// `/{id}.xlsx`: Hono reads a parameter up to the next `/`, so the workbook's path is a plain route
// with the suffix in the parameter's pattern, registered before `/{id}` (which would take
// `<id>.xlsx` as an id), and documented by hand in the OpenAPI registry.
router.get("/:file{[A-Za-z0-9_-]{1,100}\\.xlsx}", allow("admin", "clerk"), async (c) => {
  const db = c.get("db");
  const actor = actorOf(c);
  const view = await getSettlement(db, actor, c.req.param("file").slice(0, -".xlsx".length));
  const community = await getCommunity(db, actor.communityId);
  c.header("content-type", xlsxType);
  c.header("cache-control", "no-store");
  const name = `${view.shopName}结算单${view.to.slice(0, 10)}.xlsx`;
  c.header("content-disposition", `attachment; filename="settlement.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`);
  return c.body(await settlementWorkbook(view, community.name), 200);
});
router.openAPIRegistry.registerPath({
  method: "get",
  path: "/{id}.xlsx",
  tags: ["settlements"],
  summary: "The statement as a workbook: lines, totals, amount and signature lines (admin; the shop's clerk)",
  security,
  request: { params: IdParam },
  responses: {
    200: { description: "The workbook", content: { [xlsxType]: { schema: z.string().openapi({ format: "binary" }) } } },
    ...errorResponses,
  },
});

/** Mounted at `/api/settlements`. */
export const settlementsRoutes = router
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["settlements"],
      summary: "Statements, newest first (admin; a clerk sees its own shop's)",
      middleware: [allow("admin", "clerk")] as const,
      security,
      request: { query: ListQuery },
      responses: { 200: jsonResponse(listOf(SettlementSchema), "Statements"), ...errorResponses },
    }),
    async (c) => c.json({ items: await listSettlements(c.get("db"), actorOf(c), c.req.valid("query")), nextCursor: null }, 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/shops",
      tags: ["settlements"],
      summary: "Every shop with its unsettled points, last statement's end and open draft (admin)",
      middleware: [allow("admin")] as const,
      security,
      responses: { 200: jsonResponse(z.object({ items: z.array(ShopSettlementSchema) }), "Shops"), ...errorResponses },
    }),
    async (c) => c.json({ items: await shopSettlementStates(c.get("db"), actorOf(c)) }, 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["settlements"],
      summary: "Draft a shop's statement up to `to` (admin): its redemptions not yet settled, net of voids",
      middleware: [allow("admin")] as const,
      security,
      request: { body: jsonBody(NewSettlementBody) },
      responses: { 201: jsonResponse(SettlementSchema, "The draft"), ...errorResponses },
    }),
    async (c) => c.json(await createSettlement(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("json")), 201),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["settlements"],
      summary: "One statement with its lines (admin; the shop's clerk)",
      middleware: [allow("admin", "clerk")] as const,
      security,
      request: { params: IdParam },
      responses: { 200: jsonResponse(SettlementSchema, "The statement"), ...errorResponses },
    }),
    async (c) => c.json(await getSettlement(c.get("db"), actorOf(c), c.req.valid("param").id), 200),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["settlements"],
      summary: "Discard a draft (admin); a confirmed statement stays for good",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam },
      responses: { 204: { description: "Discarded" }, ...errorResponses },
    }),
    async (c) => {
      await discardSettlement(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/confirm",
      tags: ["settlements"],
      summary: "Confirm a draft (admin): one batch moves its points from the shop's account to the community's settled account",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam },
      responses: { 200: jsonResponse(SettlementSchema, "The confirmed statement"), ...errorResponses },
    }),
    async (c) => c.json(await confirmSettlement(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/pay",
      tags: ["settlements"],
      summary: "Record the payment of a confirmed statement (admin): the bank transfer's or cash voucher's reference",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam, body: jsonBody(PayBody) },
      responses: { 200: jsonResponse(SettlementSchema, "The paid statement"), ...errorResponses },
    }),
    async (c) => c.json(await paySettlement(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json").reference), 200),
  );
