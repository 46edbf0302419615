/** Sign-in for staff (username + password) and residents (card number + PIN). */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { limits } from "../../shared/limits";
import { households, users } from "../../db/schema";
import { eq } from "drizzle-orm";
import { loginCard, loginStaff, revokeSession, toStaffUser } from "../domain/auth";
import { DomainError } from "../domain/errors";
import type { AppEnv } from "../env";
import { sessionCookieName } from "../middleware/context";
import { actorOf, allow, anyRole, createRouter, errorResponses, jsonBody, jsonResponse, security } from "../router";

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
  communityId: z.string(),
  user: StaffUserSchema.optional(),
  household: z.object({ id: z.string(), householdNo: z.string(), headName: z.string() }).optional(),
});

function setSessionCookie(c: Context<AppEnv>, token: string, maxAgeHours: number) {
  setCookie(c, sessionCookieName, token, {
    httpOnly: true,
    sameSite: "Strict",
    secure: c.get("config").secureCookies,
    path: "/",
    maxAge: maxAgeHours * 3600,
  });
}

export const authRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/auth/login",
      tags: ["auth"],
      summary: "Staff sign-in",
      request: { body: jsonBody(LoginBody) },
      responses: {
        200: jsonResponse(z.object({ token: z.string(), user: StaffUserSchema }), "Signed in; also sets the session cookie"),
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
      path: "/auth/card-login",
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
      path: "/auth/logout",
      tags: ["auth"],
      summary: "Sign out: the session stops working at once",
      middleware: [allow(...anyRole)] as const,
      security,
      responses: { 200: jsonResponse(z.object({ ok: z.boolean() }), "Signed out"), ...errorResponses },
    }),
    async (c) => {
      await revokeSession(c.get("db"), c.get("clock"), actorOf(c).sessionId);
      deleteCookie(c, sessionCookieName, { path: "/" });
      return c.json({ ok: true }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/me",
      tags: ["auth"],
      summary: "Who the token belongs to",
      middleware: [allow(...anyRole)] as const,
      security,
      responses: { 200: jsonResponse(MeSchema, "The signed-in user or household"), ...errorResponses },
    }),
    async (c) => {
      const actor = actorOf(c);
      const db = c.get("db");
      if (actor.kind === "user") {
        const user = await db.query.users.findFirst({ where: eq(users.id, actor.id) });
        if (!user) throw new DomainError("UNAUTHENTICATED");
        return c.json({ kind: "user" as const, role: actor.role, communityId: actor.communityId, user: toStaffUser(user) }, 200);
      }
      const household = await db.query.households.findFirst({ where: eq(households.id, actor.householdId) });
      if (!household) throw new DomainError("UNAUTHENTICATED");
      return c.json(
        {
          kind: "household" as const,
          role: actor.role,
          communityId: actor.communityId,
          household: { id: household.id, householdNo: household.householdNo, headName: household.headName },
        },
        200,
      );
    },
  );
