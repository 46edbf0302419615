/** Sign-in for staff and officers (username + password) and residents (card number + PIN). */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { limits } from "../../shared/limits";
import { householdHelpers, households, users } from "../../db/schema";
import { eq } from "drizzle-orm";
import { loginCard, loginStaff, revokeSession, toAccount } from "../domain/auth";
import { DomainError } from "../domain/errors";
import type { AppEnv } from "../http/app-types";
import { sessionCookieName } from "../http/middleware/context";
import { allowOfficerOr } from "../http/middleware/officer";
import { anyRole, createRouter, errorResponses, jsonBody, jsonResponse, security } from "../http/route-kit";

export const StaffUserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    name: z.string(),
    role: z.enum(["admin", "reviewer", "volunteer", "clerk"]),
    communityId: z.string(),
    shopId: z.string().nullable(),
    active: z.boolean(),
  })
  .openapi("StaffUser");

/** Whoever signs in with a username: community staff, or an officer (a region, no community). */
export const AccountSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    name: z.string(),
    role: z.enum(["admin", "reviewer", "volunteer", "clerk", "officer"]),
    communityId: z.string().nullable().openapi({ description: "null for an officer" }),
    regionId: z.string().nullable().openapi({ description: "the officer's region; null for community staff" }),
    shopId: z.string().nullable(),
    active: z.boolean(),
  })
  .openapi("Account");

const LoginBody = z.object({
  username: z.string().min(1).max(limits.usernameLengthMax),
  password: z.string().min(1).max(limits.passwordLengthMax),
});

const CardLoginBody = z.object({
  cardNo: z.string().min(1).max(40),
  pin: z.string().min(1).max(limits.pinDigitsMax + 10),
});

const MeSchema = z.object({
  kind: z.enum(["user", "household"]),
  role: z.string(),
  communityId: z.string().nullable().openapi({ description: "null for an officer" }),
  regionId: z.string().nullable().optional().openapi({ description: "an officer's region" }),
  user: AccountSchema.optional(),
  household: z.object({ id: z.string(), householdNo: z.string(), headName: z.string() }).optional(),
  helper: z.object({ id: z.string(), name: z.string() }).optional().openapi({ description: "a family helper (亲情代理) signed in for the household" }),
});

/** The HttpOnly session cookie of a sign-in (staff, card or family helper). */
export function setSessionCookie(c: Context<AppEnv>, token: string, maxAgeHours: number) {
  setCookie(c, sessionCookieName, token, {
    httpOnly: true,
    sameSite: "Strict",
    secure: c.get("config").secureCookies,
    path: "/",
    maxAge: maxAgeHours * 3600,
  });
}

/** Mounted at `/api/auth`. */
export const authRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/login",
      tags: ["auth"],
      summary: "Staff and officer sign-in (an officer answers role officer, its regionId and communityId null)",
      request: { body: jsonBody(LoginBody) },
      responses: {
        200: jsonResponse(z.object({ token: z.string(), user: AccountSchema }), "Signed in; also sets the session cookie"),
        ...errorResponses,
        429: errorResponses[409],
      },
    }),
    async (c) => {
      const { username, password } = c.req.valid("json");
      const result = await loginStaff(c.get("db"), c.get("clock"), c.get("meta"), username, password);
      setSessionCookie(c, result.token, limits.staffSessionAbsoluteHours);
      return c.json(result, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/card-login",
      tags: ["auth"],
      summary: "Resident sign-in with card number and PIN",
      request: { body: jsonBody(CardLoginBody) },
      responses: {
        200: jsonResponse(
          z.object({ token: z.string(), household: z.object({ id: z.string(), householdNo: z.string() }) }),
          "Signed in; also sets the session cookie",
        ),
        ...errorResponses,
        429: errorResponses[409],
      },
    }),
    async (c) => {
      const { cardNo, pin } = c.req.valid("json");
      const result = await loginCard(c.get("db"), c.get("clock"), c.get("meta"), cardNo.trim(), pin);
      setSessionCookie(c, result.token, limits.residentSessionAbsoluteHours);
      return c.json(result, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/logout",
      tags: ["auth"],
      summary: "Sign out: the session stops working at once",
      middleware: [allowOfficerOr(...anyRole)] as const,
      security,
      responses: { 200: jsonResponse(z.object({ ok: z.boolean() }), "Signed out"), ...errorResponses },
    }),
    async (c) => {
      const who = c.get("officer") ?? c.get("actor");
      if (!who) throw new DomainError("UNAUTHENTICATED");
      await revokeSession(c.get("db"), c.get("clock"), who.sessionId);
      deleteCookie(c, sessionCookieName, { path: "/" });
      return c.json({ ok: true }, 200);
    },
  );

/** Mounted at `/api/me`. */
export const meRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["auth"],
      summary: "Who the token belongs to",
      middleware: [allowOfficerOr(...anyRole)] as const,
      security,
      responses: { 200: jsonResponse(MeSchema, "The signed-in user, officer or household"), ...errorResponses },
    }),
    async (c) => {
      const actor = c.get("officer") ?? c.get("actor");
      if (!actor) throw new DomainError("UNAUTHENTICATED");
      const db = c.get("db");
      if (actor.kind === "user" || actor.kind === "officer") {
        const user = await db.query.users.findFirst({ where: eq(users.id, actor.id) });
        if (!user) throw new DomainError("UNAUTHENTICATED");
        return c.json({ kind: "user" as const, role: actor.role, communityId: user.communityId, regionId: user.regionId, user: toAccount(user) }, 200);
      }
      const household = await db.query.households.findFirst({ where: eq(households.id, actor.householdId) });
      if (!household) throw new DomainError("UNAUTHENTICATED");
      const helper = actor.helperId ? await db.query.householdHelpers.findFirst({ where: eq(householdHelpers.id, actor.helperId) }) : undefined;
      return c.json(
        {
          kind: "household" as const,
          role: actor.role,
          communityId: actor.communityId,
          household: { id: household.id, householdNo: household.householdNo, headName: household.headName },
          ...(helper ? { helper: { id: helper.id, name: helper.name } } : {}),
        },
        200,
      );
    },
  );
