import type { Role, StaffRole } from "../../shared/domain";

/** Who is acting: a staff user, or a household signed in with its card. */
export type Actor =
  | { kind: "user"; id: string; communityId: string; role: StaffRole; shopId: string | null; name: string; sessionId: string }
  | {
      kind: "household";
      id: string;
      communityId: string;
      role: "resident";
      householdId: string;
      cardId: string;
      sessionId: string;
      /** Set when a family helper (亲情代理) acts for the household: sees all, never changes a PIN. */
      helperId?: string;
    };

/**
 * A county or township officer (县乡村振兴局, 乡镇): belongs to a region and sees the communities
 * at and below it in aggregate only. Deliberately not an `Actor`: every community code path takes
 * an `Actor`, so none of them can ever be handed an officer (they answer 403 before reaching it).
 */
export interface OfficerActor {
  kind: "officer";
  id: string;
  regionId: string;
  role: "officer";
  name: string;
  sessionId: string;
}

/** An officer as an audit log names it: `user:<id>`, role officer. */
export function officerRef(officer: OfficerActor): { ref: string; role: "officer" } {
  return { ref: `user:${officer.id}`, role: "officer" };
}

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
