/**
 * The signed-in staff member with one of `roles`, for a staff page. Which roles may open the
 * page is settled by its route's `RoleGate` (ui/role-gate.tsx), which tells anyone else whose
 * page it is; here only a signed-out visitor is sent to the staff sign-in (never while the
 * session is unknown, and never someone who is signed in).
 */
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
    if (session.me() === null) navigate("/staff", { replace: true });
  });
  return staff;
}
