/** Who is signed in, read once from GET /api/me (the session itself is an HttpOnly cookie). */
import { createResource, createRoot } from "solid-js";
import { ApiError, auth, type Me } from "./api";

async function fetchMe(): Promise<Me | null> {
  try {
    return await auth.me();
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return null;
    return null;
  }
}

export const session = createRoot(() => {
  const [me, { refetch, mutate }] = createResource(fetchMe);
  return { me, refetch, clear: () => mutate(null) };
});

/** Where each role starts. */
export function homeFor(me: Me | null | undefined): string {
  if (!me) return "/";
  if (me.kind === "household") return "/me";
  switch (me.role) {
    case "admin":
      return "/admin";
    case "reviewer":
      return "/review";
    case "volunteer":
      return "/volunteer";
    case "clerk":
      return "/shop";
    default:
      return "/";
  }
}

export async function signOut() {
  try {
    await auth.logout();
  } finally {
    session.clear();
  }
}
