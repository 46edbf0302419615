/**
 * Answers kept for a weak network. A resident on rural 3G (or in a lift) must still see the
 * last balance and be able to show the card: a failed request is not a sign-out and not an
 * endless 正在加载…. So each answer a resident page shows is kept in localStorage, per household,
 * with the time it was read; when a later request fails or takes too long, the page shows the
 * kept answer and says how old it is ("数据更新于 …"). Sign-out and a 401 clear them all, since a
 * household may share its phone.
 *
 * Nothing here is a secret: the session is the HttpOnly cookie, which scripts cannot read.
 */
import { ApiError } from "../api";
import { currentLang } from "../i18n/lang";

const prefix = "sf-cache:";
/** How long a request may take before the page stops waiting and says so (rural 3G is slow, not this slow). */
export const requestTimeoutMs = 15_000;

/** An answer, and when it was read if it came from the phone's copy (null: fresh from the server). */
export interface Kept<T> {
  value: T;
  savedAt: string | null;
}

interface Stored<T> {
  at: string;
  value: T;
}

export function timeoutError(): ApiError {
  return new ApiError(0, "TIMEOUT", currentLang() === "en" ? "The server took too long to answer. Try again." : "服务器太久没有回应，请稍后重试。");
}

/** `promise`, or a TIMEOUT error after `ms` (the request itself is left to finish or fail). */
export function withTimeout<T>(promise: Promise<T>, ms = requestTimeoutMs): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export function readKept<T>(key: string): Stored<T> | null {
  try {
    const text = localStorage.getItem(prefix + key);
    if (!text) return null;
    const parsed = JSON.parse(text) as Stored<T>;
    return parsed && typeof parsed.at === "string" && "value" in parsed ? parsed : null;
  } catch {
    return null;
  }
}

export function writeKept<T>(key: string, value: T) {
  try {
    localStorage.setItem(prefix + key, JSON.stringify({ at: new Date().toISOString(), value } satisfies Stored<T>));
  } catch {
    /* storage full or refused: the page still works online, just without an offline copy */
  }
}

/** Forgets every kept answer (sign-out, or the server said the session is over). */
export function clearKept() {
  try {
    const keys: string[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key?.startsWith(prefix)) keys.push(key);
    }
    for (const key of keys) localStorage.removeItem(key);
  } catch {
    /* storage refused: nothing was kept either */
  }
}

/**
 * Whether a failed request may be answered from the phone's copy: a network failure, a timeout
 * or a server error. A refusal (401, 403, 404, a validation error) is the server's word and is
 * shown as it is.
 */
function mayUseKept(error: unknown): boolean {
  return error instanceof ApiError ? error.status === 0 || error.status >= 500 : true;
}

/**
 * Reads `fetch` (with a timeout) and keeps its answer under `key`; when the read fails for want
 * of a network or a server, answers the kept copy with its time instead, or fails as before.
 */
export async function keptCall<T>(key: string, fetch: () => Promise<T>): Promise<Kept<T>> {
  try {
    const value = await withTimeout(fetch());
    writeKept(key, value);
    return { value, savedAt: null };
  } catch (error) {
    const kept = mayUseKept(error) ? readKept<T>(key) : null;
    if (kept) return { value: kept.value, savedAt: kept.at };
    throw error;
  }
}
