/**
 * Building blocks shared by every route module: the router factory, role gates and the
 * OpenAPI fragments for bodies and error responses.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { staffRoles, type Role } from "../../shared/domain";
import type { Actor } from "../domain/actor";
import { base64url } from "../domain/crypto";
import { DomainError } from "../domain/errors";
import type { AppEnv } from "./app-types";
import { validationHook } from "./middleware/errors";

export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook as never });
}

/** Lets the request through only for a signed-in actor with one of `roles`. */
export function allow(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const actor = c.get("actor");
    // An officer is signed in but is no community's actor: every community route refuses it.
    if (!actor && c.get("officer")) throw new DomainError("FORBIDDEN", { role: "officer" });
    if (!actor) throw new DomainError("UNAUTHENTICATED");
    if (!roles.includes(actor.role)) throw new DomainError("FORBIDDEN", { role: actor.role });
    await next();
  };
}

export { staffRoles };
export const anyRole: Role[] = [...staffRoles, "resident"];

/** The signed-in actor; routes that reach here went through `allow(...)`. */
export function actorOf(c: Context<AppEnv>): Actor {
  const actor = c.get("actor");
  if (!actor) throw new DomainError("UNAUTHENTICATED");
  return actor;
}

/** The signed-in staff user (routes gated to staff roles). */
export function staffOf(c: Context<AppEnv>): Extract<Actor, { kind: "user" }> {
  const actor = actorOf(c);
  if (actor.kind !== "user") throw new DomainError("FORBIDDEN");
  return actor;
}

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "INSUFFICIENT_POINTS" }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi("Error");

const errorContent = { "application/json": { schema: ErrorSchema } };

/** The error responses most routes can give, for the OpenAPI document. */
export const errorResponses = {
  400: { description: "Bad input; `details.fields` names the fields", content: errorContent },
  401: { description: "Not signed in, or bad credentials", content: errorContent },
  403: { description: "Role or ownership does not allow this", content: errorContent },
  404: { description: "Unknown id", content: errorContent },
  409: { description: "Conflicts with the current state", content: errorContent },
} as const;

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true } as const;
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description } as const;
}

export const IdParam = z.object({ id: z.string().min(1).max(100) });

/** `{items, nextCursor}` */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const security = [{ bearer: [] }];

/** A keyset cursor (the sort key and the id of a page's last row) as an opaque URL-safe text. */
export function encodeCursor(key: [string, string]): string {
  return base64url(new TextEncoder().encode(JSON.stringify(key)));
}

/** The key inside a cursor text, or null when it is not one this API gave out (pure; see `decodeCursor`). */
export function parseCursor(text: string): [string, string] | null {
  try {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)), (ch) => ch.charCodeAt(0));
    const key = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (Array.isArray(key) && key.length === 2 && typeof key[0] === "string" && typeof key[1] === "string") return [key[0], key[1]];
  } catch {
    /* not base64url JSON: not ours */
  }
  return null;
}

/** The key inside a cursor this API gave out; anything else is a 400 naming `cursor`. */
export function decodeCursor(c: Context<AppEnv>, text: string | undefined): [string, string] | null {
  if (!text) return null;
  const key = parseCursor(text);
  if (!key) throw badCursor(c);
  return key;
}

export function badCursor(c: Context<AppEnv>): DomainError {
  return new DomainError("VALIDATION_FAILED", { fields: { cursor: c.get("lang") === "en" ? "not a cursor this list gave out" : "分页游标无效" } });
}
