/**
 * The counter when the network drops (issue 14, docs/offline.md). It notices by a failed request
 * (not only `navigator.onLine`, which stays true behind a dead mobile link), says so in a plain
 * banner — the pack's age, the device cap left, how many redemptions wait — and, once the
 * network answers again, sends the queue by itself, in order, showing each answer.
 *
 * The pack is fetched when the counter opens and again at most every 5 minutes while online;
 * while the network is down, the same fetch is the probe that notices it is back.
 */
import { createEffect, createSignal, For, on, onCleanup, onMount, Show, type Accessor } from "solid-js";
import { ApiError, settings, type OfflinePack } from "../../api";
import { fmtDate, fmtPoints, t } from "../../i18n";
import { Icon } from "../../ui/icon";
import { clearDone, drain, loadPack, loadQueue, loadSeen, noteSeen, packRefreshMinutes, refreshPack, spentOn, type QueuedRedemption, type SeenBalance, type SeenBalances } from "./offline-store";

/** Seconds between probes while the network is down. */
const probeSeconds = 5;

export interface OfflineCounter {
  pack: Accessor<OfflinePack | null>;
  queue: Accessor<QueuedRedemption[]>;
  /** Balances this device's online receipts answered since the pack (by household number). */
  seen: Accessor<SeenBalances>;
  /** True once a request failed for want of a network, until one succeeds again. */
  down: Accessor<boolean>;
  /** The community turned the offline counter off (OFFLINE_DISABLED). */
  disabled: Accessor<boolean>;
  /** Answers of this session's syncs, newest first. */
  results: Accessor<QueuedRedemption[]>;
  networkFailed: () => void;
  /** A request just succeeded: the network is there (sends what waits). */
  networkOk: () => void;
  /** Reads the queue and the seen balances again from IndexedDB (another tab may have changed them). */
  reloadQueue: () => Promise<void>;
  /** An online receipt's balance, kept for the offline counter (never fails: the receipt stands either way). */
  noteOnline: (seen: SeenBalance) => Promise<void>;
  sync: () => Promise<void>;
  clear: () => Promise<void>;
}

export function isNetworkError(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.code === "TIMEOUT");
}

export function createOfflineCounter(shopId: Accessor<string | null | undefined>): OfflineCounter {
  const [pack, setPack] = createSignal<OfflinePack | null>(null);
  const [queue, setQueue] = createSignal<QueuedRedemption[]>([]);
  const [seen, setSeen] = createSignal<SeenBalances>({});
  const [down, setDown] = createSignal(false);
  const [disabled, setDisabled] = createSignal(false);
  const [results, setResults] = createSignal<QueuedRedemption[]>([]);
  let lastFetch = 0;

  const reloadQueue = async () => {
    const id = shopId();
    if (!id) return;
    setQueue(await loadQueue(id));
    setSeen(await loadSeen(id));
  };

  async function fetchPack(): Promise<boolean> {
    const id = shopId();
    if (!id) return false;
    lastFetch = Date.now();
    try {
      // Ask for a pack only when the community has the offline counter on: a refused pack (409
      // OFFLINE_DISABLED) on every sign-in would be an error in the browser's console.
      if ((await settings.get()).offlinePerDeviceMax <= 0) {
        setDisabled(true);
        return true;
      }
      setPack(await refreshPack(id));
      setDisabled(false);
      await reloadQueue();
      return true;
    } catch (error) {
      if (isNetworkError(error)) {
        setDown(true);
        return false;
      }
      if (error instanceof ApiError && error.code === "OFFLINE_DISABLED") setDisabled(true);
      // Any answer at all means the network is there.
      return true;
    }
  }

  async function sync() {
    const id = shopId();
    if (!id || !queue().some((q) => q.status === "pending")) return;
    try {
      await drain(id, (entry) => {
        setResults([entry, ...results().filter((r) => r.key !== entry.key)]);
        void reloadQueue();
      });
      await reloadQueue();
      // The balances and the device cap changed: take a fresh pack.
      await fetchPack();
    } catch (error) {
      if (isNetworkError(error)) setDown(true);
      await reloadQueue();
    }
  }

  /** One tick: online, refresh an old pack; down, probe, and on an answer sync the queue. */
  async function tick() {
    if (down()) {
      if (await fetchPack()) {
        setDown(false);
        await sync();
      }
    } else if (Date.now() - lastFetch >= packRefreshMinutes * 60_000) {
      await fetchPack();
    }
  }

  // The shop is known once the session is (kept from the last visit when offline): then read
  // the device's pack and queue from IndexedDB, and try the network.
  createEffect(
    on(shopId, (id) => {
      if (!id) return;
      void (async () => {
        setPack(await loadPack(id));
        await reloadQueue();
        if (await fetchPack()) await sync();
      })();
    }),
  );

  onMount(() => {
    const timer = setInterval(() => void tick(), probeSeconds * 1000);
    const online = () => void tick();
    const offline = () => setDown(true);
    window.addEventListener("online", online);
    window.addEventListener("offline", offline);
    onCleanup(() => {
      clearInterval(timer);
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offline);
    });
  });

  return {
    pack,
    queue,
    seen,
    down,
    disabled,
    results,
    networkFailed: () => setDown(true),
    networkOk: () => {
      if (!down()) return;
      setDown(false);
      void sync();
    },
    reloadQueue,
    noteOnline: async (answer) => {
      const id = shopId();
      if (!id) return;
      try {
        await noteSeen(id, answer);
        setSeen(await loadSeen(id));
      } catch {
        /* IndexedDB refused: offline, the counter falls back on the pack's older balance */
      }
    },
    sync,
    clear: async () => {
      const id = shopId();
      if (id) await clearDone(id, pack()?.packId ?? null);
      setResults([]);
      await reloadQueue();
    },
  };
}

function age(iso: string): string {
  const minutes = Math.floor((Date.now() - Date.parse(iso)) / 60_000);
  return minutes < 1 ? t("offline.justNow") : t("offline.minutesAgo", { n: minutes });
}

/** The plain banner: offline, with the pack's age, the device cap left and what waits; or syncing. */
export function OfflineBanner(props: { counter: OfflineCounter }) {
  const c = props.counter;
  const pending = () => c.queue().filter((q) => q.status === "pending").length;
  const capLeft = () => {
    const p = c.pack();
    return p ? Math.max(p.caps.perDevice - spentOn(p, c.queue()), 0) : 0;
  };
  return (
    <>
      <Show when={c.down()}>
        <div class="error offline-banner" role="status" data-testid="offline-banner">
          <b>
            <Icon name="wifiOff" /> {t("offline.banner")}
          </b>
          <Show when={c.pack()} fallback={<div>{c.disabled() ? t("offline.disabled") : t("offline.noPack")}</div>}>
            {(p) => (
              <div>
                <span data-testid="offline-pack-age">{t("offline.packAge", { age: age(p().issuedAt) })}</span> ·{" "}
                <span data-testid="offline-cap-left">{t("offline.capLeft", { n: fmtPoints(capLeft()) })}</span> ·{" "}
                <span data-testid="offline-waiting">{t("offline.waiting", { n: pending() })}</span>
              </div>
            )}
          </Show>
        </div>
      </Show>
      <Show when={!c.down() && pending() > 0}>
        <div class="notice-line" role="status" data-testid="offline-syncing">
          <Icon name="globe" /> {t("offline.syncing", { n: pending() })}
        </div>
      </Show>
      <Show when={c.results().length > 0}>
        <section class="panel no-print" data-testid="offline-results" aria-labelledby="offline-results-title">
          <h2 id="offline-results-title" style={{ "margin-top": 0 }}>
            {t("offline.results")}
          </h2>
          <ul class="list">
            <For each={c.results()}>
              {(r) => (
                <li data-testid="offline-result" data-status={r.status}>
                  <span>
                    {r.deviceId}-{r.seq} · {t("home.household", { no: r.householdNo })} · {fmtPoints(r.total)} · {fmtDate(r.at, true)}
                  </span>
                  {" · "}
                  <b class={r.status === "refused" ? "error-text" : undefined}>
                    {r.status === "accepted"
                      ? t("offline.accepted", { no: r.receiptNo ?? "?" })
                      : r.status === "shortfall"
                        ? t("offline.shortfall", { no: r.receiptNo ?? "?", n: r.shortfall ?? 0 })
                        : r.status === "refused"
                          ? t("offline.refused", { reason: r.error ?? "" })
                          : t("offline.pending")}
                  </b>
                </li>
              )}
            </For>
          </ul>
          <Show when={c.results().some((r) => r.status === "refused")}>
            <p class="small">{t("offline.syncFailed")}</p>
          </Show>
          <button type="button" class="secondary" onClick={() => void c.clear()}>
            {t("offline.clear")}
          </button>
        </section>
      </Show>
    </>
  );
}
