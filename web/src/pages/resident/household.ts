/** The signed-in household, for every resident page. */
import { useNavigate } from "@solidjs/router";
import { createEffect } from "solid-js";
import { session } from "../../session";

/** The signed-in household's id; sends anyone else to the card sign-in (not when the session is unknown). */
export function useHouseholdId() {
  const navigate = useNavigate();
  createEffect(() => {
    if (session.me.loading || session.failure()) return;
    if (session.me()?.kind !== "household") navigate("/login", { replace: true });
  });
  return () => session.me()?.household?.id;
}
