/** Reports: the scheme's headline numbers and the household ranking (admin, reviewer). */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { DomainError } from "../domain/errors";
import { chinaDayRange } from "../../shared/time";
import type { Context } from "hono";
import type { AppEnv } from "../http/app-types";
import { ranking, rankingForResident, summary, type Period } from "../domain/reports";
import { actorOf, allow, anyRole, createRouter, errorResponses, jsonResponse, listOf, security, staffOf } from "../http/route-kit";

/** The figures a summary and each row of a county's overview answer (see `Figures`). */
export const figuresShape = {
  households: z.number().int().openapi({ description: "registered by the end of the period" }),
  participatingHouseholds: z.number().int(),
  participationRate: z.number().openapi({ description: "A fraction: 0.976 for 97.6 %" }),
  pointsAwarded: z.number().int(),
  pointsDeducted: z.number().int(),
  pointsRedeemed: z.number().int(),
  pointsExpired: z.number().int().openapi({ description: "expired unspent within the period (points expiry, off by default)" }),
  pointsOutstanding: z.number().int().openapi({ description: "the sum of household balances at the end of the period" }),
  applications: z.number().int().openapi({ description: "filed within the period" }),
  objections: z.number().int().openapi({ description: "raised within the period" }),
  redemptions: z.number().int().openapi({ description: "made within the period and not voided" }),
};

export const SummarySchema = z
  .object({
    from: z.string().nullable().openapi({ description: "the period's start (UTC, inclusive); null: from the beginning" }),
    to: z.string().nullable().openapi({ description: "the period's end (UTC, exclusive); null: until now" }),
    ...figuresShape,
    byCategory: z.array(
      z.object({
        category: z.string(),
        points: z.number().int(),
        applications: z.number().int(),
        pointsAwarded: z.number().int(),
        pointsDeducted: z.number().int(),
      }),
    ),
  })
  .openapi("Summary");

const RankingEntrySchema = z
  .object({
    rank: z.number().int(),
    householdId: z.string().nullable().openapi({ description: "null on other households' rows when a resident asks" }),
    householdNo: z.string().nullable(),
    headName: z.string().openapi({ description: "masked (张*华) on other households' rows when a resident asks" }),
    building: z.string(),
    score: z.number().int(),
  })
  .openapi("RankingEntry");

/** A day (`2026-11-02`, China time) or an instant (`2026-11-02T08:00:00Z`). */
const DayOrInstant = z
  .string()
  .max(40)
  .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) ? !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) : /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)), "YYYY-MM-DD or an ISO 8601 time");

const RankingQuery = z.object({
  from: DayOrInstant.optional(),
  to: DayOrInstant.optional(),
  building: z.string().trim().min(1).max(limits.buildingLengthMax).optional(),
  limit: z.coerce.number().int().min(1).max(limits.listLimitMax).default(limits.listLimitDefault),
});

/** `from` is inclusive; `to` is inclusive for a day and exclusive for an instant. */
function bound(value: string | undefined, side: "from" | "to"): string | null {
  if (!value) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return side === "from" ? chinaDayRange(value).start : chinaDayRange(value).end;
  return new Date(value).toISOString();
}

/** `?from=&to=`: days (China, both inclusive) or ISO instants (`to` exclusive); none = all time. */
export const PeriodQuery = z.object({ from: DayOrInstant.optional(), to: DayOrInstant.optional() });

/** The period a `PeriodQuery` names; `to` not after `from` → 400 naming `to`. */
export function periodOf(c: Context<AppEnv>, q: { from?: string; to?: string }): Period {
  const from = bound(q.from, "from");
  const to = bound(q.to, "to");
  if (from && to && from >= to) throw new DomainError("VALIDATION_FAILED", { fields: { to: c.get("lang") === "en" ? "must be after from" : "结束时间必须晚于开始时间" } });
  return { from, to };
}

/** Mounted at `/api/reports`. */
export const reportsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/summary",
      tags: ["reports"],
      summary: "Households, participation, points awarded, deducted, redeemed and outstanding, by category; for a period with ?from=&to=",
      middleware: [allow("admin", "reviewer")] as const,
      security,
      request: { query: PeriodQuery },
      responses: { 200: jsonResponse(SummarySchema, "The summary"), ...errorResponses },
    }),
    async (c) => c.json(await summary(c.get("db"), staffOf(c).communityId, periodOf(c, c.req.valid("query"))), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/ranking",
      tags: ["reports"],
      summary: "Households by score; with a period, by the score earned in it (residents see masked names)",
      middleware: [allow(...anyRole)] as const,
      security,
      request: { query: RankingQuery },
      responses: { 200: jsonResponse(listOf(RankingEntrySchema), "Ranking"), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const from = bound(q.from, "from");
      const to = bound(q.to, "to");
      if (from && to && from >= to) throw new DomainError("VALIDATION_FAILED", { fields: { to: c.get("lang") === "en" ? "must be after from" : "结束时间必须晚于开始时间" } });
      const actor = actorOf(c);
      const items = await ranking(c.get("db"), actor.communityId, { from, to, building: q.building ?? null, limit: q.limit });
      return c.json({ items: actor.kind === "household" ? rankingForResident(items, actor.householdId) : items, nextCursor: null }, 200);
    },
  );
