/**
 * The one error shape, built in one place: `{error: {code, message, details}}`.
 * Domain errors, validation failures, malformed bodies, oversize bodies and schema invariants
 * all come out through here; anything else is a 500 with a request id and no stack.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { errorCatalogue, type ErrorBody, type ErrorCode } from "../../../shared/errors";
import { DomainError, invariantError } from "../../domain/errors";
import type { AppEnv, Lang } from "../app-types";

export function errorBody(code: ErrorCode, lang: Lang, details?: Record<string, unknown>): ErrorBody {
  return { error: { code, message: errorCatalogue[code][lang], ...(details ? { details } : {}) } };
}

export function errorResponse(c: Context<AppEnv>, code: ErrorCode, details?: Record<string, unknown>) {
  const lang = c.get("lang") ?? "zh";
  const status = errorCatalogue[code].status as 400;
  return c.json(errorBody(code, lang, details), status);
}

const zhLocale = z.locales.zhCN();
const enLocale = z.locales.en();

/** Field-by-field problems, keyed by dotted path, in the request's language. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], lang: Lang): Record<string, string> {
  const locale = lang === "zh" ? zhLocale : enLocale;
  const fields: Record<string, string> = {};
  for (const issue of issues.slice(0, 50)) {
    const path = issue.path.map(String).join(".") || "(body)";
    if (fields[path]) continue;
    const localized = locale.localeError?.(issue as never);
    fields[path] = (typeof localized === "string" ? localized : localized?.message) ?? issue.message;
  }
  return fields;
}

/** The validator hook shared by every route (passed to each OpenAPIHono). */
export function validationHook(result: { success: boolean; error?: unknown; target?: string }, c: Context<AppEnv>) {
  if (result.success) return;
  const issues = (result.error as z.ZodError).issues ?? [];
  return errorResponse(c, "VALIDATION_FAILED", { target: result.target, fields: fieldErrors(issues, c.get("lang") ?? "zh") });
}

export function handleError(err: Error, c: Context<AppEnv>) {
  if (err instanceof DomainError) return errorResponse(c, err.code, err.details);
  const invariant = invariantError(err);
  if (invariant) return errorResponse(c, invariant.code, invariant.details);
  if (err instanceof HTTPException) {
    if (err.status === 413) return errorResponse(c, "PAYLOAD_TOO_LARGE");
    if (err.status === 415) return errorResponse(c, "UNSUPPORTED_MEDIA_TYPE");
    if (err.status === 400 && /json/i.test(err.message)) return errorResponse(c, "MALFORMED_JSON");
    if (err.status === 400) return errorResponse(c, "VALIDATION_FAILED", { reason: err.message });
    if (err.status === 401) return errorResponse(c, "UNAUTHENTICATED");
    if (err.status === 403) return errorResponse(c, "FORBIDDEN");
    if (err.status === 404) return errorResponse(c, "NOT_FOUND");
  }
  const requestId = c.get("requestId");
  console.error(`[${requestId}] unexpected error on ${c.req.method} ${c.req.path}:`, err);
  return errorResponse(c, "INTERNAL", { requestId });
}
