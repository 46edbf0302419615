/**
 * Per-request context: the database, the clock, the config, the language, where the request
 * came from, and who is signed in (bearer token or session cookie).
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { resolveSession } from "../../domain/auth";
import { newId } from "../../domain/clock";
import type { AppConfig, AppDeps, AppEnv, Lang } from "../app-types";

export const sessionCookieName = "sf_session";

export function languageOf(acceptLanguage: string | undefined): Lang {
  return acceptLanguage && /^\s*en\b/i.test(acceptLanguage) ? "en" : "zh";
}

/**
 * Where a request came from, by the source the deployment vouches for (`AppConfig.addressFrom`):
 * Cloudflare's header only on Workers, X-Forwarded-For only behind a proxy that sets it, else the
 * socket's address (@hono/node-server passes the Node request as `env.incoming`).
 */
function clientAddress(c: Context<AppEnv>, from: AppConfig["addressFrom"]): string | null {
  if (from === "cloudflare") return c.req.header("cf-connecting-ip")?.trim() || null;
  if (from === "forwarded") {
    const first = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (first) return first;
  }
  const socket = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket;
  return socket?.remoteAddress ?? null;
}

export function contextMiddleware(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("requestId", newId());
    c.set("lang", languageOf(c.req.header("accept-language")));
    c.set("clock", deps.clock);
    const config = deps.config(c.env);
    c.set("config", config);
    c.set("db", await deps.db(c.env));
    c.set("meta", {
      ip: clientAddress(c, config.addressFrom),
      userAgent: c.req.header("user-agent")?.slice(0, 300) ?? null,
    });
    c.set("actor", null);
    c.set("officer", null);
    await next();
  };
}

/** Resolves the bearer token or session cookie to an actor; never rejects by itself. */
export const authMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("authorization");
  const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const token = bearer ?? getCookie(c, sessionCookieName);
  const who = token ? await resolveSession(c.get("db"), c.get("clock"), token) : null;
  if (who?.kind === "officer") c.set("officer", who);
  else if (who) c.set("actor", who);
  await next();
};
