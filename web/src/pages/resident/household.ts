/** The signed-in household, for every resident page. */
import { useNavigate } from "@solidjs/router";
import { createEffect } from "solid-js";
import { session } from "../../session";

/**
 * The signed-in household's id; sends a signed-out visitor to the card sign-in (never while the
 * session is unknown: offline, the household kept from the last answer goes on). Staff who open
 * a resident page are told whose page it is by the route's `RoleGate`.
 */
export function useHouseholdId() {
  const navigate = useNavigate();
  createEffect(() => {
    if (session.me.loading || (session.failure() && !session.kept())) return;
    if (session.me() === null) navigate("/login", { replace: true });
  });
  return () => session.me()?.household?.id;
}
