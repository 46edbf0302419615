/** Staff accounts: the admin creates, disables and re-enables them, resets passwords, ends sessions. */
import { createRoute, z } from "@hono/zod-openapi";
import { staffRoles } from "../../shared/domain";
import { limits } from "../../shared/limits";
import { createUser, endUserSessions, listUsers, resetUserPassword, setUserActive } from "../domain/users";
import { allow, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, listOf, security, staffOf } from "../router";
import { StaffUserSchema } from "./auth";

const Password = z.string().min(limits.passwordLengthMin).max(limits.passwordLengthMax);

export const NewUserBody = z.object({
  username: z
    .string()
    .min(limits.usernameLengthMin)
    .max(limits.usernameLengthMax)
    .regex(/^[a-zA-Z0-9_.-]+$/, "letters, digits, _ . - only"),
  password: Password,
  name: z.string().trim().min(1).max(limits.nameLengthMax),
  role: z.enum(staffRoles),
  shopId: z.string().min(1).max(100).optional(),
});

const UserPatch = z.object({ active: z.boolean() });

export const userRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/users",
      tags: ["users"],
      summary: "Create a staff account (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { body: jsonBody(NewUserBody) },
      responses: { 201: jsonResponse(StaffUserSchema, "Created"), ...errorResponses },
    }),
    async (c) => {
      const user = await createUser(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("json"), c.get("lang"));
      return c.json(user, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/users",
      tags: ["users"],
      summary: "Staff accounts of the community (admin)",
      middleware: [allow("admin")] as const,
      security,
      responses: { 200: jsonResponse(listOf(StaffUserSchema), "Staff"), ...errorResponses },
    }),
    async (c) => c.json({ items: await listUsers(c.get("db"), staffOf(c).communityId), nextCursor: null }, 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/users/{id}",
      tags: ["users"],
      summary: "Disable or re-enable a staff account (admin); disabling ends its sessions at once",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam, body: jsonBody(UserPatch) },
      responses: { 200: jsonResponse(StaffUserSchema, "The account"), ...errorResponses },
    }),
    async (c) => {
      const user = await setUserActive(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json").active);
      return c.json(user, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/users/{id}/password",
      tags: ["users"],
      summary: "Reset a staff account's password (admin); its sessions end at once",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam, body: jsonBody(z.object({ password: Password })) },
      responses: { 200: jsonResponse(StaffUserSchema, "The account"), ...errorResponses },
    }),
    async (c) => {
      const user = await resetUserPassword(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json").password);
      return c.json(user, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/users/{id}/sessions/end",
      tags: ["users"],
      summary: "End every session of a staff account (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam },
      responses: { 200: jsonResponse(z.object({ ended: z.number().int() }), "Sessions ended"), ...errorResponses },
    }),
    async (c) => c.json(await endUserSessions(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id), 200),
  );
