/** The ledger as people read it: a household's points history, and the admin's ledger check. */
import { createRoute, z } from "@hono/zod-openapi";
import { ledgerEntryKinds } from "../../shared/domain";
import { limits } from "../../shared/limits";
import { householdLedger } from "../domain/household-ledger";
import { checkLedgerIncremental } from "../domain/ledger-check";
import { actorOf, allow, anyRole, createRouter, errorResponses, IdParam, jsonResponse, listOf, security, staffOf } from "../http/route-kit";

const LedgerEntrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    kind: z.enum(ledgerEntryKinds),
    amount: z.number().int().openapi({ description: "Signed from the household's point of view" }),
    balanceAfter: z.number().int(),
    ref: z.string().nullable(),
    receiptNo: z.number().int().nullable(),
    offline: z.boolean().openapi({ description: "A redemption made at the counter while offline and synced later" }),
    description: z.string().openapi({ description: "Why the points moved, in words a resident reads" }),
  })
  .openapi("LedgerEntry");

const LedgerQuery = z.object({
  cursor: z.string().regex(/^\d{1,15}$/).optional(),
  limit: z.coerce.number().int().min(1).max(limits.listLimitMax).default(limits.listLimitDefault),
});

const LedgerCheckSchema = z
  .object({
    ok: z.boolean(),
    sumOfBalances: z.number().int(),
    issued: z.number().int(),
    deducted: z.number().int(),
    redeemed: z.number().int(),
    outstanding: z.number().int(),
    settled: z.number().int().openapi({ description: "Points settled with the shops (confirmed statements)" }),
    unsettled: z.number().int().openapi({ description: "Points redeemed not yet settled: the sum of the shops' balances; redeemed = settled + unsettled" }),
    problems: z.array(z.string()),
  })
  .openapi("LedgerCheck");

/** Mounted at `/api/ledger`. */
export const ledgerRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/check",
      tags: ["ledger"],
      summary: "Recompute the ledger from its entries and report every broken invariant (admin)",
      middleware: [allow("admin")] as const,
      security,
      responses: { 200: jsonResponse(LedgerCheckSchema, "The check"), ...errorResponses },
    }),
    async (c) => c.json(await checkLedgerIncremental(c.get("db"), c.get("clock"), staffOf(c).communityId), 200),
  );

/** Mounted at `/api/households`. */
export const householdLedgerRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/ledger",
      tags: ["ledger"],
      summary: "A household's points history, newest first (staff; the household itself)",
      middleware: [allow(...anyRole)] as const,
      security,
      request: { params: IdParam, query: LedgerQuery },
      responses: { 200: jsonResponse(listOf(LedgerEntrySchema), "History"), ...errorResponses },
    }),
    async (c) => {
      const { cursor, limit } = c.req.valid("query");
      const page = await householdLedger(c.get("db"), actorOf(c), c.req.valid("param").id, { cursor: cursor ? Number(cursor) : null, limit, lang: c.get("lang") });
      return c.json(page, 200);
    },
  );
