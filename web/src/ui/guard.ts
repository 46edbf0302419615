/** Sends anyone without one of `roles` to the staff sign-in (not when the session is unknown). */
import { useNavigate } from "@solidjs/router";
import { createEffect } from "solid-js";
import type { StaffRole } from "../../../shared/domain";
import { session } from "../session";

export function useStaffRole(...roles: StaffRole[]) {
  const navigate = useNavigate();
  const staff = () => {
    const me = session.me();
    return me?.kind === "user" && roles.some((role) => role === me.role) ? me.user : undefined;
  };
  createEffect(() => {
    // A failed session read is shown by the shell with a retry; it is not a sign-out.
    if (session.me.loading || session.failure()) return;
    if (!staff()) navigate("/staff", { replace: true });
  });
  return staff;
}
