/**
 * Who is signed in, read from GET /api/me (the session itself is the HttpOnly `sf_session`
 * cookie, which scripts cannot see).
 *
 * Three answers, kept apart: signed in, signed out (401), or unknown because the request failed
 * (no network, a 5xx). The last is shown as an error with a retry, never as the sign-in form.
 *
 * An anonymous visitor is not asked about at all on the public pages: a marker in localStorage,
 * set at sign-in and cleared at sign-out, says whether there may be a session. Without it,
 * `/api/me` would answer 401 to every first visit, and the browser logs every 401 in the
 * console. Pages behind a sign-in still ask, so a session from before the marker existed works.
 */
import { createResource, createRoot } from "solid-js";
import { ApiError, auth, type Me } from "./api";

type SessionState = { status: "signedIn"; me: Me } | { status: "signedOut" } | { status: "failed"; error: unknown };

const markerKey = "sf-session";
/** Pages that need a sign-in: there the app asks the server even without the marker. */
const signedInArea = /^\/(me|admin|shop|review|volunteer)(\/|$)/;

function readMarker(): boolean {
  try {
    return localStorage.getItem(markerKey) === "1";
  } catch {
    return true; // storage refused (private mode): ask the server, as before the marker
  }
}

function writeMarker(on: boolean) {
  try {
    if (on) localStorage.setItem(markerKey, "1");
    else localStorage.removeItem(markerKey);
  } catch {
    /* storage refused: the next visit asks the server on signed-in pages only */
  }
}

async function loadSession(): Promise<SessionState> {
  if (!readMarker() && !signedInArea.test(location.pathname)) return { status: "signedOut" };
  try {
    const me = await auth.me();
    writeMarker(true);
    return { status: "signedIn", me };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      writeMarker(false);
      return { status: "signedOut" };
    }
    return { status: "failed", error };
  }
}

export const session = createRoot(() => {
  const [state, { refetch, mutate }] = createResource(loadSession);
  const current = () => (state.error ? undefined : state());
  /** The signed-in person, null when signed out (or unknown), undefined while first loading. */
  const me = Object.defineProperty(
    () => {
      const now = current();
      return now === undefined ? undefined : now.status === "signedIn" ? now.me : null;
    },
    "loading",
    { get: () => state.loading },
  ) as (() => Me | null | undefined) & { readonly loading: boolean };
  return {
    me,
    /** Why the session could not be read (network, server error); null when it could. */
    failure: () => {
      const now = current();
      return now?.status === "failed" ? now.error : null;
    },
    retry: () => void refetch(),
    /** After a successful sign-in: remember that there is a session, and read who it is. */
    async signedIn(): Promise<Me | null | undefined> {
      writeMarker(true);
      await refetch();
      return me();
    },
    clear: () => {
      writeMarker(false);
      mutate({ status: "signedOut" });
    },
  };
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
