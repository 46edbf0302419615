/**
 * The officer's regions: the tree at and below the officer's own, townships added to a county,
 * the overview of a region's communities for a period (JSON and XLSX), a monthly trend, and the
 * officer accounts of the region. Officers only; aggregates only.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { regionKinds, regionLimits } from "../../shared/regions";
import { overview, overviewWorkbook, trend } from "../domain/county";
import { listRegionAudit } from "../domain/audit";
import { createTownship, regionOver, regionsOf } from "../domain/regions";
import { listOfficers, resetOfficerPassword, setOfficerActive } from "../domain/users";
import { allowOfficer, officerOf } from "../http/middleware/officer";
import { createRouter, errorResponses, IdParam, jsonBody, jsonResponse, listOf, security } from "../http/route-kit";
import { AccountSchema } from "./auth";
import { figuresShape, PeriodQuery, periodOf } from "./reports";

const RegionSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(regionKinds),
    parentId: z.string().nullable(),
  })
  .openapi("Region");

const NewRegionBody = z.object({
  name: z.string().trim().min(1).max(regionLimits.regionNameLengthMax),
  /** The county it lies in; the officer's own region by default. */
  parentId: z.string().min(1).max(100).optional(),
});

const CategoryTotalSchema = z.object({
  category: z.string(),
  points: z.number().int(),
  applications: z.number().int(),
  pointsAwarded: z.number().int(),
  pointsDeducted: z.number().int(),
});

const OverviewSchema = z
  .object({
    region: RegionSchema.pick({ id: true, name: true, kind: true }),
    from: z.string().nullable(),
    to: z.string().nullable(),
    communities: z.array(z.object({ id: z.string(), name: z.string(), code: z.string(), regionId: z.string().nullable(), ...figuresShape })),
    totals: z.object({ communities: z.number().int(), ...figuresShape, byCategory: z.array(CategoryTotalSchema) }),
  })
  .openapi("RegionOverview");

const TrendSchema = z
  .object({
    region: RegionSchema.pick({ id: true, name: true, kind: true }),
    months: z.array(
      z.object({
        month: z.string().openapi({ example: "2026-03" }),
        pointsAwarded: z.number().int(),
        pointsDeducted: z.number().int(),
        pointsRedeemed: z.number().int(),
        pointsOutstanding: z.number().int(),
        households: z.number().int(),
        participatingHouseholds: z.number().int(),
        participationRate: z.number(),
      }),
    ),
  })
  .openapi("RegionTrend");

const TrendQuery = z.object({
  months: z.coerce.number().int().min(1).max(regionLimits.trendMonthsMax).default(regionLimits.trendMonthsDefault),
});

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const RegionAuditEntrySchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    regionId: z.string(),
    regionName: z.string(),
    actor: z.string(),
    actorRole: z.string(),
    actorName: z.string().nullable(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    ip: z.string().nullable(),
  })
  .openapi("RegionAuditEntry");
const RegionAuditQuery = z.object({
  cursor: z.string().regex(/^\d{1,15}$/).optional(),
  limit: z.coerce.number().int().min(1).max(limits.listLimitMax).default(limits.listLimitDefault),
});

/** Mounted at `/api/regions`. */
export const regionsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["county"],
      summary: "The regions at and below the officer's own (officer)",
      middleware: [allowOfficer] as const,
      security,
      responses: { 200: jsonResponse(listOf(RegionSchema), "The officer's region first, then the townships in it"), ...errorResponses },
    }),
    async (c) => c.json({ items: await regionsOf(c.get("db"), officerOf(c)), nextCursor: null }, 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["county"],
      summary: "Add a township (乡镇 / 街道) to the officer's county (officer)",
      middleware: [allowOfficer] as const,
      security,
      request: { body: jsonBody(NewRegionBody) },
      responses: { 201: jsonResponse(RegionSchema, "Created"), ...errorResponses },
    }),
    async (c) => c.json(await createTownship(c.get("db"), c.get("clock"), officerOf(c), c.get("meta"), c.req.valid("json"), c.get("lang")), 201),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/audit",
      tags: ["county"],
      summary: "What officers did in the region and the townships below it, newest first (officer at or above it): sign-ins, failed ones and locks, townships, officer accounts, communities created and moved",
      middleware: [allowOfficer] as const,
      security,
      request: { params: IdParam, query: RegionAuditQuery },
      responses: { 200: jsonResponse(listOf(RegionAuditEntrySchema), "Entries"), ...errorResponses },
    }),
    async (c) => {
      const region = await regionOver(c.get("db"), officerOf(c), c.req.valid("param").id);
      const q = c.req.valid("query");
      return c.json(await listRegionAudit(c.get("db"), region.id, { cursor: q.cursor ? Number(q.cursor) : null, limit: q.limit }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/overview",
      tags: ["county"],
      summary: "Every community of the region for a period: each row as its own summary answers it, and the totals (officer at or above the region)",
      middleware: [allowOfficer] as const,
      security,
      request: { params: IdParam, query: PeriodQuery },
      responses: { 200: jsonResponse(OverviewSchema, "The overview"), ...errorResponses },
    }),
    async (c) => c.json(await overview(c.get("db"), officerOf(c), c.req.valid("param").id, periodOf(c, c.req.valid("query"))), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/overview.xlsx",
      tags: ["county"],
      summary: "The overview as a workbook: one row per community and a totals row (officer at or above the region)",
      middleware: [allowOfficer] as const,
      security,
      request: { params: IdParam, query: PeriodQuery },
      responses: {
        200: { description: "The workbook", content: { [xlsxType]: { schema: z.string().openapi({ format: "binary" }) } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const db = c.get("db");
      const officer = officerOf(c);
      const view = await overview(db, officer, c.req.valid("param").id, periodOf(c, c.req.valid("query")));
      const names = new Map((await regionsOf(db, officer)).map((r) => [r.id, r.name]));
      c.header("content-type", xlsxType);
      c.header("cache-control", "no-store");
      c.header("content-disposition", `attachment; filename="overview.xlsx"; filename*=UTF-8''${encodeURIComponent(`${view.region.name}积分汇总.xlsx`)}`);
      return c.body(await overviewWorkbook(view, names), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/trend",
      tags: ["county"],
      summary: "The region's points awarded, deducted, redeemed and outstanding, month by month (officer at or above the region)",
      middleware: [allowOfficer] as const,
      security,
      request: { params: IdParam, query: TrendQuery },
      responses: { 200: jsonResponse(TrendSchema, "The last `months` months, up to the current one (China time)"), ...errorResponses },
    }),
    async (c) => c.json(await trend(c.get("db"), c.get("clock"), officerOf(c), c.req.valid("param").id, c.req.valid("query").months), 200),
  );

/** Mounted at `/api/officers`. */
export const officersRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["county"],
      summary: "The officer accounts of the officer's region and the townships in it (officer)",
      middleware: [allowOfficer] as const,
      security,
      responses: { 200: jsonResponse(listOf(AccountSchema), "Officers"), ...errorResponses },
    }),
    async (c) => c.json({ items: await listOfficers(c.get("db"), officerOf(c)), nextCursor: null }, 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["county"],
      summary: "Disable or re-enable an officer account below the caller's region (officer); disabling ends its sessions at once",
      middleware: [allowOfficer] as const,
      security,
      request: { params: IdParam, body: jsonBody(z.object({ active: z.boolean() }).strict()) },
      responses: { 200: jsonResponse(AccountSchema, "The account"), ...errorResponses },
    }),
    async (c) => c.json(await setOfficerActive(c.get("db"), c.get("clock"), officerOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json").active), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/password",
      tags: ["county"],
      summary: "Reset the password of an officer account below the caller's region (officer); its sessions end at once",
      middleware: [allowOfficer] as const,
      security,
      request: { params: IdParam, body: jsonBody(z.object({ password: z.string().min(limits.passwordLengthMin).max(limits.passwordLengthMax) })) },
      responses: { 200: jsonResponse(AccountSchema, "The account"), ...errorResponses },
    }),
    async (c) => c.json(await resetOfficerPassword(c.get("db"), c.get("clock"), officerOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json").password), 200),
  );
