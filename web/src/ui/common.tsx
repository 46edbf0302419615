/** Small building blocks shared by every page. */
import { A } from "@solidjs/router";
import { createSignal, onCleanup, Show, type JSX, type Resource } from "solid-js";
import { ApiError } from "../api";
import { t } from "../i18n";
import { Icon, type IconName } from "./icon";

export function ErrorBox(props: { error: unknown }) {
  return (
    <Show when={props.error}>
      <div class="error" role="alert">
        <Icon name="alert" />
        <span>{describeError(props.error)}</span>
      </div>
    </Show>
  );
}

/**
 * A resource's value, or undefined while it loads or when it failed. Reading a failed resource
 * directly throws (Solid rethrows its error), so pages read through this and show the error
 * with `<ErrorBox error={resource.error} />`.
 */
export function ready<T>(resource: Resource<T>): T | undefined {
  return resource.error ? undefined : resource();
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = (error.details as { fields?: Record<string, unknown> }).fields;
    const named = fields && typeof fields === "object" ? ` (${Object.keys(fields).join(", ")})` : "";
    return error.message + named;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

export function Success(props: { children: JSX.Element }) {
  return (
    <div class="success" role="status">
      <Icon name="check" />
      <span>{props.children}</span>
    </div>
  );
}

export function Tile(props: { href: string; icon: IconName; label: string; testid?: string }) {
  return (
    <A class="tile" href={props.href} data-testid={props.testid}>
      <Icon name={props.icon} size={32} />
      <span>{props.label}</span>
    </A>
  );
}

export function BackLink(props: { href: string }) {
  return (
    <A href={props.href} class="btn plain no-print" style={{ "margin-top": "4px" }}>
      <Icon name="back" />
      {t("common.back")}
    </A>
  );
}

export function Loading() {
  return (
    <p class="muted" role="status">
      {t("common.loading")}
    </p>
  );
}

/** Tracks the browser's network state, for the offline banner. */
export function createOnline() {
  const [online, setOnline] = createSignal(typeof navigator === "undefined" ? true : navigator.onLine);
  const up = () => setOnline(true);
  const down = () => setOnline(false);
  window.addEventListener("online", up);
  window.addEventListener("offline", down);
  onCleanup(() => {
    window.removeEventListener("online", up);
    window.removeEventListener("offline", down);
  });
  return online;
}

/** Runs an async action, exposing its busy state and error for the form that started it. */
export function createAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  async function run(...args: A): Promise<R | undefined> {
    setBusy(true);
    setError(null);
    try {
      return await fn(...args);
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { run, busy, error, setError };
}

/** A random idempotency key; randomUUID needs a secure context, so fall back to getRandomValues. */
export function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
