/**
 * Every resident can use it (issue 15): the household statement (积分对账单) printed for a
 * resident who has only a card, and family helpers (亲情代理) who sign in for a household.
 * `householdInclusionRoutes` is mounted at `/api/households`, `helperAuthRoutes` at `/api/auth`.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { addHelper, endHelper, helperSignIns, listHelpers, loginHelper } from "../domain/helpers";
import { householdStatement } from "../domain/statement";
import { actorOf, allow, anyRole, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, security, staffOf } from "../http/route-kit";
import { setSessionCookie } from "./auth";
import { periodOf, PeriodQuery } from "./reports";

const StatementSchema = z
  .object({
    household: z.object({ householdNo: z.string(), headName: z.string(), building: z.string(), room: z.string().nullable() }),
    from: z.string().nullable().openapi({ description: "the period's start (UTC, inclusive); null: since the first entry" }),
    to: z.string().openapi({ description: "the period's end (UTC, exclusive); now when not given" }),
    opening: z.number().int(),
    closing: z.number().int().openapi({ description: "opening + the sum of the entries' amounts" }),
    entries: z.array(
      z.object({
        at: z.string(),
        kind: z.string(),
        amount: z.number().int().openapi({ description: "signed: + in, − out" }),
        balanceAfter: z.number().int(),
        text: z.string().openapi({ description: "the entry in words, in the request's language" }),
      }),
    ),
  })
  .openapi("HouseholdStatement");

const HelperBody = z
  .object({
    name: z.string().trim().min(1).max(limits.nameLengthMax),
    relation: z.string().trim().min(1).max(limits.relationLengthMax).openapi({ example: "儿子" }),
  })
  .openapi("NewHelper");

const HelperSchema = z.object({ id: z.string(), name: z.string(), relation: z.string(), createdAt: z.string(), lastSignInAt: z.string().nullable() }).openapi("Helper");

const HelperParams = z.object({ id: z.string().min(1).max(100), helperId: z.string().min(1).max(100) });

/** Mounted at `/api/households`. */
export const householdInclusionRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/statement",
      tags: ["households"],
      summary: "The household statement over a period: opening, every entry with the balance after it, closing (staff of the community; the household itself)",
      middleware: [allow(...anyRole)] as const,
      security,
      request: { params: IdParam, query: PeriodQuery },
      responses: { 200: jsonResponse(StatementSchema, "The statement, oldest entry first"), ...errorResponses },
    }),
    async (c) => {
      const period = periodOf(c, c.req.valid("query"));
      const to = period.to ?? c.get("clock").now().toISOString();
      const statement = await householdStatement(c.get("db"), actorOf(c), c.req.valid("param").id, { from: period.from, to }, c.get("lang"));
      return c.json(statement, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/helpers",
      tags: ["households"],
      summary: "The household's family helpers and their latest sign-ins (admin; the household itself)",
      middleware: [allow("admin", "resident")] as const,
      security,
      request: { params: IdParam },
      responses: {
        200: jsonResponse(
          z.object({
            items: z.array(HelperSchema),
            signIns: z.array(z.object({ at: z.string(), helperId: z.string(), name: z.string(), relation: z.string() })),
            max: z.number().int(),
          }),
          "Active helpers, oldest first, and the latest sign-ins of any helper, newest first",
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const db = c.get("db");
      const actor = actorOf(c);
      const { id } = c.req.valid("param");
      const [items, signIns] = await Promise.all([listHelpers(db, actor, id), helperSignIns(db, actor, id, limits.helperSignInsShown)]);
      return c.json({ items, signIns, max: limits.helpersPerHouseholdMax }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/helpers",
      tags: ["households"],
      summary: "Give the household a family helper: answers its sign-in code this once (admin; at most 3 active → 409 HELPERS_FULL)",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam, body: jsonBody(HelperBody) },
      responses: { 201: jsonResponse(z.object({ id: z.string(), code: z.string().openapi({ example: "K7QM-3XPA-9HTR-WC2E" }) }), "The helper and its code (never shown again)"), ...errorResponses },
    }),
    async (c) => {
      const created = await addHelper(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json"));
      return c.json(created, 201);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}/helpers/{helperId}",
      tags: ["households"],
      summary: "End a family helper at once: its phone is signed out (admin, audited)",
      middleware: [allow("admin")] as const,
      security,
      request: { params: HelperParams },
      responses: { 200: jsonResponse(z.object({ id: z.string(), endedAt: z.string() }), "Ended"), ...errorResponses },
    }),
    async (c) => {
      const { id, helperId } = c.req.valid("param");
      return c.json(await endHelper(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), id, helperId), 200);
    },
  );

/** Mounted at `/api/auth`. */
export const helperAuthRoutes = createRouter().openapi(
  createRoute({
    method: "post",
    path: "/helper-login",
    tags: ["auth"],
    summary: "A family helper's phone signs in with its code: a session of the household that never changes a PIN",
    request: { body: jsonBody(z.object({ code: z.string().min(1).max(limits.helperCodeLengthMax) })) },
    responses: {
      200: jsonResponse(
        z.object({ token: z.string(), household: z.object({ id: z.string(), householdNo: z.string() }), helper: z.object({ id: z.string(), name: z.string() }) }),
        "Signed in; also sets the session cookie",
      ),
      ...errorResponses,
      429: errorResponses[409],
    },
  }),
  async (c) => {
    const result = await loginHelper(c.get("db"), c.get("clock"), c.get("meta"), c.req.valid("json").code);
    setSessionCookie(c, result.token, limits.residentSessionAbsoluteHours);
    return c.json(result, 200);
  },
);
