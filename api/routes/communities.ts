/**
 * Communities as an officer handles them: create one with its first admin, read its summary,
 * move it between the townships of the county (officers only); and the new community's first
 * steps, as its admin sees them (`GET /community/onboarding`).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { communityCodeLengthMax, communityCodePattern, regionLimits } from "../../shared/regions";
import { communityOver, createCommunityAsOfficer, moveCommunity } from "../domain/community";
import { onboarding, onboardingSteps } from "../domain/onboarding";
import { summary } from "../domain/reports";
import { allowOfficer, officerOf } from "../http/middleware/officer";
import { allow, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, security, staffOf } from "../http/route-kit";
import { PeriodQuery, periodOf, SummarySchema } from "./reports";
import { NewUserBody } from "./users";

const CommunitySchema = z
  .object({ id: z.string(), name: z.string(), code: z.string(), regionId: z.string().nullable() })
  .openapi("Community");

const NewCommunityBody = z.object({
  name: z.string().trim().min(1).max(regionLimits.communityNameLengthMax),
  code: z
    .string()
    .max(communityCodeLengthMax)
    .regex(communityCodePattern, "2–16 capital letters, digits or '-', starting with a letter (e.g. XXL)"),
  regionId: z.string().min(1).max(100),
  admin: NewUserBody.pick({ username: true, password: true, name: true }),
});

const CommunityPatch = z.object({ regionId: z.string().min(1).max(100) });

const OnboardingSchema = z
  .object({
    steps: z.array(z.object({ key: z.enum(onboardingSteps), done: z.boolean(), count: z.number().int() })),
    done: z.boolean(),
  })
  .openapi("Onboarding");

/** Mounted at `/api/communities`. */
export const communitiesRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["county"],
      summary: "Create a community in a region the officer oversees, with its first admin, default settings and the seven-carrier rule catalogue (officer)",
      middleware: [allowOfficer] as const,
      security,
      request: { body: jsonBody(NewCommunityBody) },
      responses: { 201: jsonResponse(CommunitySchema, "Created; its admin can sign in at once"), ...errorResponses },
    }),
    async (c) => c.json(await createCommunityAsOfficer(c.get("db"), c.get("clock"), officerOf(c), c.get("meta"), c.req.valid("json"), c.get("lang")), 201),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/summary",
      tags: ["county"],
      summary: "One community's summary for a period, as its own /reports/summary answers it (officer over it)",
      middleware: [allowOfficer] as const,
      security,
      request: { params: IdParam, query: PeriodQuery },
      responses: { 200: jsonResponse(SummarySchema, "The summary"), ...errorResponses },
    }),
    async (c) => {
      const db = c.get("db");
      const period = periodOf(c, c.req.valid("query"));
      const community = await communityOver(db, officerOf(c), c.req.valid("param").id);
      return c.json(await summary(db, community.id, period), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["county"],
      summary: "Move a community to another region the officer oversees, e.g. between the townships of its county (officer)",
      middleware: [allowOfficer] as const,
      security,
      request: { params: IdParam, body: jsonBody(CommunityPatch) },
      responses: { 200: jsonResponse(CommunitySchema, "The community"), ...errorResponses },
    }),
    async (c) => c.json(await moveCommunity(c.get("db"), c.get("clock"), officerOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json").regionId), 200),
  );

/** Mounted at `/api/community`. */
export const onboardingRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/onboarding",
      tags: ["county"],
      summary:
        "The community's first steps, each ticked from its records: households imported, cards issued, a shop, goods, a published notice, the publicity settings saved (admin)",
      middleware: [allow("admin")] as const,
      security,
      responses: { 200: jsonResponse(OnboardingSchema, "The checklist"), ...errorResponses },
    }),
    async (c) => c.json(await onboarding(c.get("db"), staffOf(c).communityId), 200),
  );
