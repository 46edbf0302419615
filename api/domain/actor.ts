import type { Role, StaffRole } from "../../shared/domain";

/** Who is acting: a staff user, or a household signed in with its card. */
export type Actor =
  | { kind: "user"; id: string; communityId: string; role: StaffRole; shopId: string | null; name: string; sessionId: string }
  | { kind: "household"; id: string; communityId: string; role: "resident"; householdId: string; cardId: string; sessionId: string };

/** `user:<id>` or `household:<id>`: how history records who did something. */
export function actorRef(actor: Actor): string {
  return `${actor.kind}:${actor.id}`;
}

export type { Role };

/** Where a request came from, for the audit log. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}
