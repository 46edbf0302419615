/** Sends anyone without one of `roles` to the staff sign-in. */
import { useNavigate } from "@solidjs/router";
import { createEffect } from "solid-js";
import { session } from "../session";

export function useStaffRole(...roles: string[]) {
  const navigate = useNavigate();
  createEffect(() => {
    if (session.me.loading) return;
    const me = session.me();
    if (!me || me.kind !== "user" || !roles.includes(me.role)) navigate("/staff", { replace: true });
  });
  return () => (session.me()?.kind === "user" ? session.me()!.user : undefined);
}
