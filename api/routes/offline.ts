/**
 * The offline counter (issue 14): a device's offline pack (mounted under /shops) and the admin's
 * shortfalls and stock discrepancies (mounted under /redemptions, before its `/{id}`). The
 * offline redemption itself is `POST /redemptions` with `offline`. Rules in
 * `api/domain/offline-counter.ts`.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { issueOfflinePack, listShortfalls, resolveShortfall } from "../domain/offline-counter";
import { setGoodsBarcode } from "../domain/till";
import { allow, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, security, staffOf } from "../http/route-kit";
import { DeviceIdSchema } from "./offline-schemas";

const PackSchema = z
  .object({
    packId: z.string(),
    deviceId: z.string(),
    shopId: z.string(),
    shop: z.object({ id: z.string(), name: z.string() }),
    issuedAt: z.string(),
    validUntil: z.string(),
    caps: z.object({ perRedemption: z.number().int(), perDevice: z.number().int() }),
    cards: z.array(z.object({ cardNo: z.string(), qrSha256: z.string(), householdNo: z.string(), headNameMasked: z.string(), balance: z.number().int() })),
    goods: z.array(
      z.object({ id: z.string(), name: z.string(), points: z.number().int(), stock: z.number().int(), unit: z.string().nullable(), barcode: z.string().nullable(), initials: z.string().nullable() }),
    ),
  })
  .openapi("OfflinePack");

const ShortfallSchema = z
  .object({
    id: z.string(),
    kind: z.enum(["points", "stock", "card"]),
    status: z.enum(["open", "recovering", "recovered", "written-off"]),
    redemptionId: z.string(),
    receiptNo: z.number().int(),
    provisionalNo: z.string(),
    madeAt: z.string(),
    createdAt: z.string(),
    shop: z.object({ id: z.string(), name: z.string() }),
    household: z.object({ id: z.string(), householdNo: z.string(), headName: z.string() }).nullable(),
    goods: z.object({ id: z.string(), name: z.string() }).nullable(),
    amount: z.number().int(),
    remaining: z.number().int(),
    cardFlag: z.string().nullable(),
    resolution: z.object({ action: z.enum(["write-off", "recover"]), note: z.string(), by: z.string(), at: z.string() }).nullable(),
  })
  .openapi("OfflineShortfall");

export const offlinePackRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/{id}/offline-pack",
    tags: ["offline"],
    summary: "The offline pack for one device of the clerk's own shop: caps, every active card (SHA-256 of its QR) with its balance, the goods",
    middleware: [allow("clerk")] as const,
    security,
    request: { params: IdParam, query: z.object({ deviceId: DeviceIdSchema }) },
    responses: { 200: jsonResponse(PackSchema, "The pack (stored: a sync is checked against it)"), ...errorResponses },
  }),
  async (c) => {
    const pack = await issueOfflinePack(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.get("config"), c.req.valid("param").id, c.req.valid("query").deviceId);
    return c.json(pack, 200);
  },
);

export const shortfallRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/shortfalls",
      tags: ["offline"],
      summary: "Shortfalls, stock discrepancies and flagged cards left by offline redemptions (admin); `?status=all` includes resolved ones",
      middleware: [allow("admin")] as const,
      security,
      request: { query: z.object({ status: z.enum(["open", "all"]).default("open"), limit: z.coerce.number().int().min(1).max(limits.listLimitMax).default(limits.listLimitMax) }) },
      responses: { 200: jsonResponse(z.object({ items: z.array(ShortfallSchema), nextCursor: z.string().nullable() }), "Open items, newest first"), ...errorResponses },
    }),
    async (c) => c.json(await listShortfalls(c.get("db"), staffOf(c), c.req.valid("query")), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/shortfalls/{id}/resolve",
      tags: ["offline"],
      summary: "Resolve one (admin): `write-off` charges the community; `recover` takes the points from the household's balance and next awards",
      middleware: [allow("admin")] as const,
      security,
      request: {
        params: IdParam,
        body: jsonBody(z.object({ action: z.enum(["write-off", "recover"]), note: z.string().trim().min(1).max(limits.reasonLengthMax) }).openapi("ResolveShortfall")),
      },
      responses: { 200: jsonResponse(ShortfallSchema, "Resolved"), ...errorResponses },
    }),
    async (c) => c.json(await resolveShortfall(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json")), 200),
  );

/** The till's product barcode on goods (mounted under /goods). */
export const goodsBarcodeRoutes = createRouter().openapi(
  createRoute({
    method: "patch",
    path: "/{id}/barcode",
    tags: ["goods"],
    summary: "Set or clear a product's barcode (admin): EAN-13, UPC-A or EAN-8 with a correct check digit; unique within the shop",
    middleware: [allow("admin")] as const,
    security,
    request: { params: IdParam, body: jsonBody(z.object({ barcode: z.string().trim().regex(/^\d{8,13}$/, "8 to 13 digits").nullable() }).openapi("GoodsBarcode")) },
    responses: { 200: jsonResponse(z.object({ id: z.string(), name: z.string(), barcode: z.string().nullable(), initials: z.string() }), "The goods' barcode"), ...errorResponses },
  }),
  async (c) => c.json(await setGoodsBarcode(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json").barcode), 200),
);
