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
 *
 * Who was signed in last is kept too (`sf-me`, no secret in it): when the check fails for want
 * of a network, the pages still know who this is and show their kept answers (ui/offline.ts)
 * instead of a sign-in form. Only a 401 (or signing out) forgets it.
 */
import { createResource, createRoot } from "solid-js";
import { ApiError, auth, type Me } from "./api";
import { clearKept, withTimeout } from "./ui/offline";

type SessionState =
  | { status: "signedIn"; me: Me }
  | { status: "signedOut" }
  /** `kept`: who was signed in when the server last answered, if anyone. */
  | { status: "failed"; error: unknown; kept: Me | null };

const markerKey = "sf-session";
const meKey = "sf-me";
/** Pages that need a sign-in: there the app asks the server even without the marker. */
const signedInArea = /^\/(me|admin|shop|review|volunteer|county)(\/|$)/;

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

function readKeptMe(): Me | null {
  try {
    const text = localStorage.getItem(meKey);
    const parsed: unknown = text ? JSON.parse(text) : null;
    return parsed && typeof parsed === "object" && "kind" in parsed && "role" in parsed ? (parsed as Me) : null;
  } catch {
    return null;
  }
}

function writeKeptMe(me: Me | null) {
  try {
    if (me) localStorage.setItem(meKey, JSON.stringify(me));
    else localStorage.removeItem(meKey);
  } catch {
    /* storage refused: offline, this phone will show the "cannot reach the server" panel */
  }
}

/** Forgets the session here: the marker, who it was, and every answer kept for offline use. */
function forget() {
  writeMarker(false);
  writeKeptMe(null);
  clearKept();
}

async function loadSession(): Promise<SessionState> {
  if (!readMarker() && !signedInArea.test(location.pathname)) return { status: "signedOut" };
  try {
    const me = await withTimeout(auth.me());
    writeMarker(true);
    writeKeptMe(me);
    return { status: "signedIn", me };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      forget();
      return { status: "signedOut" };
    }
    return { status: "failed", error, kept: readMarker() ? readKeptMe() : null };
  }
}

export const session = createRoot(() => {
  const [state, { refetch, mutate }] = createResource(loadSession);
  // `latest`, not `state()`: a check run again (a retry, the network coming back) keeps the
  // pages as they are instead of suspending them all to 正在加载…; only the first check suspends.
  const current = () => (state.error ? undefined : state.latest);
  /**
   * The signed-in person (the one kept from the last answer while the server cannot be
   * reached), null when signed out (or unknown), undefined while first loading.
   */
  const me = Object.defineProperty(
    () => {
      const now = current();
      if (now === undefined) return undefined;
      if (now.status === "signedIn") return now.me;
      return now.status === "failed" ? now.kept : null;
    },
    "loading",
    { get: () => state.loading },
  ) as (() => Me | null | undefined) & { readonly loading: boolean };
  const failure = () => {
    const now = current();
    return now?.status === "failed" ? now.error : null;
  };
  // The network is back: ask again at once, so the pages move from kept answers to fresh ones.
  window.addEventListener("online", () => {
    if (failure()) void refetch();
  });
  return {
    me,
    /** Why the session could not be read (network, server error); null when it could. */
    failure,
    /** The session could not be checked, and the pages go on with who was signed in last. */
    kept: () => {
      const now = current();
      return now?.status === "failed" && now.kept !== null;
    },
    retry: () => void refetch(),
    /** After a successful sign-in: remember that there is a session, and read who it is. */
    async signedIn(): Promise<Me | null | undefined> {
      writeMarker(true);
      await refetch();
      return me();
    },
    clear: () => {
      forget();
      mutate({ status: "signedOut" });
    },
  };
});

/** The role the signed-in person acts in: `resident` for a household's card, else the staff role. */
export function roleOf(me: Me): string {
  return me.kind === "household" ? "resident" : (me.user?.role ?? me.role);
}

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
    case "officer":
      return "/county";
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
