/**
 * Gates for officers (县乡村振兴局, 乡镇). An officer is signed in but is never a community's
 * `actor` (see `OfficerActor`): community routes refuse it with 403 through `allow()`, and the
 * officer's own routes let only officers through here.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Role } from "../../../shared/domain";
import type { OfficerActor } from "../../domain/actor";
import { DomainError } from "../../domain/errors";
import type { AppEnv } from "../app-types";

/** Only a signed-in officer; community staff and residents get 403. */
export const allowOfficer: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get("officer")) return next();
  const actor = c.get("actor");
  if (!actor) throw new DomainError("UNAUTHENTICATED");
  throw new DomainError("FORBIDDEN", { role: actor.role });
};

/** A signed-in officer, or a community actor with one of `roles`. */
export function allowOfficerOr(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get("officer")) return next();
    const actor = c.get("actor");
    if (!actor) throw new DomainError("UNAUTHENTICATED");
    if (!roles.includes(actor.role)) throw new DomainError("FORBIDDEN", { role: actor.role });
    await next();
  };
}

/** The signed-in officer; routes that reach here went through `allowOfficer`. */
export function officerOf(c: Context<AppEnv>): OfficerActor {
  const officer = c.get("officer");
  if (!officer) throw new DomainError(c.get("actor") ? "FORBIDDEN" : "UNAUTHENTICATED");
  return officer;
}
