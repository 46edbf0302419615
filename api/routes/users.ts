/**
 * Staff accounts: the admin creates, disables and re-enables them, resets passwords, ends sessions.
 * An officer creates and lists officer accounts of its region and the townships in it.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { staffRoles } from "../../shared/domain";
import { limits } from "../../shared/limits";
import { DomainError } from "../domain/errors";
import { createOfficer, createUser, endUserSessions, listUsers, resetUserPassword, setUserActive } from "../domain/users";
import { allowOfficerOr } from "../http/middleware/officer";
import { allow, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, listOf, security, staffOf } from "../http/route-kit";
import { AccountSchema, StaffUserSchema } from "./auth";

const Password = z.string().min(limits.passwordLengthMin).max(limits.passwordLengthMax);

export const NewUserBody = z.object({
  username: z
    .string()
    .min(limits.usernameLengthMin)
    .max(limits.usernameLengthMax)
    .regex(/^[a-zA-Z0-9_.-]+$/, "letters, digits, _ . - only"),
  password: Password,
  name: z.string().trim().min(1).max(limits.nameLengthMax),
  role: z.enum([...staffRoles, "officer"]),
  shopId: z.string().min(1).max(100).optional(),
  /** An officer's region (the caller's own, or a township in it); officer accounts only. */
  regionId: z.string().min(1).max(100).optional(),
});

const UserPatch = z.object({ active: z.boolean() });

/** Mounted at `/api/users`. */
export const userRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["users"],
      summary: "Create a staff account (admin), or an officer account for the caller's region or a township in it (officer)",
      middleware: [allowOfficerOr("admin")] as const,
      security,
      request: { body: jsonBody(NewUserBody) },
      responses: { 201: jsonResponse(AccountSchema, "Created"), ...errorResponses },
    }),
    async (c) => {
      const { role, regionId, shopId, ...rest } = c.req.valid("json");
      const lang = c.get("lang");
      const officer = c.get("officer");
      if (officer) {
        // Officers make officers only: community staff are their admin's to create.
        if (role !== "officer") throw new DomainError("FORBIDDEN", { role });
        if (!regionId) throw new DomainError("VALIDATION_FAILED", { fields: { regionId: lang === "en" ? "an officer needs a region" : "请选择该账号所属的区域" } });
        return c.json(await createOfficer(c.get("db"), c.get("clock"), officer, c.get("meta"), { ...rest, regionId }, lang), 201);
      }
      if (role === "officer") throw new DomainError("FORBIDDEN", { role });
      if (regionId) throw new DomainError("VALIDATION_FAILED", { fields: { regionId: lang === "en" ? "only officer accounts have a region" : "只有区域工作人员账号才有所属区域" } });
      const user = await createUser(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), { ...rest, role, shopId }, lang);
      return c.json({ ...user, regionId: null }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
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
      path: "/{id}",
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
      path: "/{id}/password",
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
      path: "/{id}/sessions/end",
      tags: ["users"],
      summary: "End every session of a staff account (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam },
      responses: { 200: jsonResponse(z.object({ ended: z.number().int() }), "Sessions ended"), ...errorResponses },
    }),
    async (c) => c.json(await endUserSessions(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id), 200),
  );
