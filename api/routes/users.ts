/** Staff accounts: the admin creates reviewers, volunteers, clerks and other admins. */
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq } from "drizzle-orm";
import { shops, users } from "../../db/schema";
import { staffRoles } from "../../shared/domain";
import { limits } from "../../shared/limits";
import { auditStatement } from "../domain/audit";
import { isoNow, newId } from "../domain/clock";
import { hashSecret } from "../domain/crypto";
import { DomainError, violatedConstraint } from "../domain/errors";
import { allow, createRouter, errorResponses, jsonBody, jsonResponse, listOf, security, staffOf } from "../router";
import { toStaffUser } from "../domain/auth";
import { StaffUserSchema } from "./auth";

export const NewUserBody = z.object({
  username: z
    .string()
    .min(limits.usernameLengthMin)
    .max(limits.usernameLengthMax)
    .regex(/^[a-zA-Z0-9_.-]+$/, "letters, digits, _ . - only"),
  password: z.string().min(limits.passwordLengthMin).max(limits.passwordLengthMax),
  name: z.string().trim().min(1).max(limits.nameLengthMax),
  role: z.enum(staffRoles),
  shopId: z.string().min(1).max(100).optional(),
});

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
      const admin = staffOf(c);
      const body = c.req.valid("json");
      const db = c.get("db");
      if (body.role === "clerk" && !body.shopId) {
        throw new DomainError("VALIDATION_FAILED", { fields: { shopId: c.get("lang") === "en" ? "a clerk needs a shop" : "店员必须指定所属超市" } });
      }
      if (body.shopId) {
        const shop = await db.query.shops.findFirst({ where: and(eq(shops.id, body.shopId), eq(shops.communityId, admin.communityId)) });
        if (!shop) throw new DomainError("NOT_FOUND", { shopId: body.shopId });
      }
      const at = isoNow(c.get("clock"));
      const row = {
        id: newId(),
        communityId: admin.communityId,
        username: body.username,
        passwordHash: await hashSecret(body.password),
        name: body.name,
        role: body.role,
        shopId: body.role === "clerk" ? (body.shopId ?? null) : null,
        createdAt: at,
      };
      try {
        await db.batch([
          db.insert(users).values(row),
          auditStatement(db, admin, c.get("meta"), at, { action: "user.create", targetType: "user", targetId: row.id, details: { username: row.username, role: row.role } }),
        ]);
      } catch (err) {
        if (violatedConstraint(err) === "users.username") throw new DomainError("DUPLICATE", { username: body.username });
        throw err;
      }
      return c.json(toStaffUser({ ...row, active: true, failedLogins: 0, lockedUntil: null }), 201);
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
    async (c) => {
      const admin = staffOf(c);
      const rows = await c.get("db").query.users.findMany({ where: eq(users.communityId, admin.communityId), orderBy: asc(users.username), limit: limits.listLimitMax });
      return c.json({ items: rows.map(toStaffUser), nextCursor: null }, 200);
    },
  );
