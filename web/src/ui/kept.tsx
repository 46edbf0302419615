/**
 * A resident page's data, kept for a weak network (see ui/offline.ts): the answer, or the
 * phone's copy with its time when the server cannot be reached, or an error with a retry.
 * Never an endless 正在加载…: a request that takes too long fails with a timeout.
 */
import { createResource, onCleanup, Show, type Accessor } from "solid-js";
import { fmtDate, t } from "../i18n";
import { createOnline, ErrorBox, Loading } from "./common";
import { Icon } from "./icon";
import { keptCall } from "./offline";

export interface KeptData<T> {
  /** The answer (fresh or kept); undefined while the first read runs or when it failed without a copy. */
  value: Accessor<T | undefined>;
  /** When the shown answer was read, if it is the phone's copy; null when it is fresh. */
  savedAt: Accessor<string | null>;
  error: Accessor<unknown>;
  loading: Accessor<boolean>;
  retry: () => void;
}

/**
 * Reads `fetch(source)` whenever `source` is set (like `createResource`) and keeps the answer
 * under `<source>:<name>` (the household's id, so one phone shared by two households keeps
 * them apart). When the network comes back, a kept or failed answer is read again.
 */
export function createKept<S extends string, T>(source: Accessor<S | false | null | undefined>, name: string, fetch: (source: S) => Promise<T>): KeptData<T> {
  const [resource, { refetch }] = createResource(source, (id) => keptCall(`${id}:${name}`, () => fetch(id)));
  // Never suspends the page: while the first read runs the value is undefined (KeptState shows
  // 正在加载…), and reading again (`latest`) keeps what is shown, so a second resource on the
  // page, or a refresh when the network returns, does not flash the whole page to 正在加载….
  const kept = () => (resource.error || resource.state === "unresolved" || resource.state === "pending" ? undefined : resource.latest);
  const again = () => {
    if (resource.error || kept()?.savedAt) void refetch();
  };
  window.addEventListener("online", again);
  onCleanup(() => window.removeEventListener("online", again));
  return {
    value: () => kept()?.value,
    savedAt: () => kept()?.savedAt ?? null,
    error: () => resource.error,
    loading: () => resource.loading,
    retry: () => void refetch(),
  };
}

/** "数据更新于 3月2日 14:05" above data that came from the phone's copy, with a retry. */
export function AsOf(props: { at: string | null; retry?: () => void }) {
  const online = createOnline();
  return (
    <Show when={props.at}>
      {(at) => (
        <div class="notice-line" role="status" data-testid="as-of">
          <span>
            <Icon name="wifiOff" size={20} /> <b>{t("resident.asOf", { at: fmtDate(at(), true) })}</b>
            <br />
            <span class="small">{t("resident.asOfHint")}</span>
          </span>
          {/* Offline there is nothing to retry: the page reads again by itself when the network is back. */}
          <Show when={online() && props.retry}>
            {(retry) => (
              <button type="button" class="secondary" onClick={() => retry()()}>
                {t("resident.retry")}
              </button>
            )}
          </Show>
        </div>
      )}
    </Show>
  );
}

/**
 * What a page shows while its data is not there: 正在加载… while the first read runs, then
 * either nothing (the data came) or the error with a retry (it failed, or took too long).
 */
export function KeptState(props: { data: KeptData<unknown>; testid?: string }) {
  return (
    <Show when={props.data.value() === undefined}>
      <Show when={props.data.error()} fallback={<Loading />}>
        {(error) => (
          <div data-testid={props.testid ?? "load-failed"}>
            <ErrorBox error={error()} />
            <button type="button" class="secondary" disabled={props.data.loading()} onClick={() => props.data.retry()} data-testid="retry">
              <Icon name="globe" /> {t("resident.retry")}
            </button>
          </div>
        )}
      </Show>
    </Show>
  );
}
