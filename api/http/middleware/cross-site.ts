/**
 * Cross-site request forgery: a write that rides on the session cookie must come from our own
 * origin.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { DomainError } from "../../domain/errors";
import type { AppEnv } from "../app-types";
import { sessionCookieName } from "./context";

const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Whether an unsafe request that carries the session cookie comes from another site. */
function isCrossSite(c: Context<AppEnv>): boolean {
  const origin = c.req.header("origin");
  if (origin !== undefined) {
    const allowed = [new URL(c.req.url).origin, new URL(c.get("config").publicUrl).origin];
    return !allowed.includes(origin);
  }
  // No Origin (older browsers, some same-origin requests): Fetch Metadata, when sent, decides.
  const site = c.req.header("sec-fetch-site");
  return site === "cross-site" || site === "same-site";
}

/**
 * Refuses (403 CROSS_SITE) a write that carries the session cookie but comes from another
 * origin, whatever its content type: Hono's csrf() only looks at form content types, and a
 * same-site page (another subdomain) gets even a SameSite=Strict cookie sent. A request without
 * the cookie is not forgeable this way: a bearer token is never attached by the browser.
 */
export const sameOriginWrites: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (unsafeMethods.has(c.req.method) && getCookie(c, sessionCookieName) !== undefined && isCrossSite(c)) {
    throw new DomainError("CROSS_SITE", { origin: c.req.header("origin") ?? null });
  }
  await next();
};
