/**
 * 我的积分: the balance, score and rank, the tasks, the card's QR (or a one-time code) to show
 * at the shop, and the last few redemptions.
 */
import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { cards, households, redemptions, reports } from "../../api";
import { fmtDate, fmtPoints, t } from "../../i18n";
import { createAction, ErrorBox, Loading, ready, Tile } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { useHouseholdId } from "./household";

export default function Home() {
  const householdId = useHouseholdId();
  const [household] = createResource(householdId, (id) => households.get(id));
  const [ranking] = createResource(householdId, () => reports.ranking().catch(() => null));
  const rank = () => ready(ranking)?.items.find((row) => row.householdId === householdId())?.rank;
  return (
    <Show when={ready(household)} fallback={<><Show when={!household.error}><Loading /></Show><ErrorBox error={household.error} /></>}>
      {(h) => (
        <>
          <section class="hero" data-testid="balance-card">
            <div class="label">
              {h().headName} · {t("home.household", { no: h().householdNo })}
            </div>
            <div class="label">{t("home.balance")}</div>
            <div class="big" data-testid="balance">
              {fmtPoints(h().balance)}
            </div>
            <div class="facts">
              <span>
                <Icon name="award" size={20} /> {t("home.score")} <b data-testid="score">{fmtPoints(h().score)}</b>
              </span>
              <Show when={rank()}>
                {(place) => (
                  <span>
                    <Icon name="trend" size={20} /> {t("home.rank", { rank: place() })}
                  </span>
                )}
              </Show>
            </div>
          </section>
          <nav class="tiles" aria-label={t("home.tasks")}>
            <Tile href="/me/history" icon="list" label={t("home.history")} />
            <Tile href="/me/applications" icon="clock" label={t("home.applications")} />
            <Tile href="/me/apply" icon="plus" label={t("home.apply")} testid="tile-apply" />
            <Tile href="/me/notices" icon="bell" label={t("home.notices")} />
            <Tile href="/board" icon="flag" label={t("home.board")} />
            <Tile href="/me/goods" icon="gift" label={t("home.goods")} />
            <Tile href="/me/ranking" icon="chart" label={t("home.ranking")} />
          </nav>
          <Show when={h().card?.status === "active" ? h().card : null} fallback={<p class="muted">{t("home.noCard")}</p>}>
            {(card) => (
              <section class="qrbox" aria-labelledby="qr-title">
                <h2 id="qr-title" style={{ margin: "0 0 8px" }}>
                  <Icon name="card" /> {t("home.showCard")}
                </h2>
                <img src={cards.qrUrl(card().cardNo)} alt={t("home.qrAlt", { no: card().cardNo })} data-testid="card-qr" />
                <div class="cardno">{card().cardNo}</div>
                <OneTimeCode />
              </section>
            )}
          </Show>
          <RecentRedemptions />
        </>
      )}
    </Show>
  );
}

/**
 * A one-time code instead of the printed card (a lost or photographed card is a bearer token):
 * valid 60 seconds, used up by the first redemption. The QR comes from the API as SVG.
 */
function OneTimeCode() {
  const [code, setCode] = createSignal<{ svg: string; expiresAt: string } | null>(null);
  const [left, setLeft] = createSignal(0);
  let timer: ReturnType<typeof setInterval> | undefined;
  onCleanup(() => clearInterval(timer));
  const get = createAction(async () => {
    const fresh = await cards.code();
    setCode(fresh);
    const tick = () => setLeft(Math.max(0, Math.round((Date.parse(fresh.expiresAt) - Date.now()) / 1000)));
    tick();
    clearInterval(timer);
    timer = setInterval(() => {
      tick();
      if (left() === 0) clearInterval(timer);
    }, 1000);
  });
  const live = () => (left() > 0 ? code() : null);
  return (
    <div data-testid="one-time-code" style={{ "margin-top": "12px" }}>
      <Show when={live()}>
        {(shown) => (
          <>
            <p>{t("home.codeHint")}</p>
            <img src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(shown().svg)}`} alt={t("home.codeAlt")} data-testid="code-qr" />
            <p class="days-left" aria-live="polite">
              {t("home.codeLeft", { s: left() })}
            </p>
          </>
        )}
      </Show>
      <Show when={code() && left() === 0}>
        <p role="status">{t("home.codeExpired")}</p>
      </Show>
      <Show when={!live()}>
        <button type="button" class="secondary" disabled={get.busy()} onClick={() => void get.run()} data-testid="get-code">
          <Icon name="card" /> {t("home.codeButton")}
        </button>
      </Show>
      <ErrorBox error={get.error()} />
    </div>
  );
}

/**
 * The last few redemptions on the household's card, on the first screen: a card used by someone
 * else shows up here at once (with the history page for the whole story).
 */
function RecentRedemptions() {
  const [recent] = createResource(() => redemptions.list({ limit: "3" }).catch(() => null));
  return (
    <Show when={ready(recent)?.items.length ? ready(recent) : null}>
      {(list) => (
        <section class="panel" aria-labelledby="recent-title" data-testid="recent-redemptions">
          <h2 id="recent-title" style={{ margin: "0 0 8px" }}>
            <Icon name="gift" /> {t("home.recent")}
          </h2>
          <ul class="list">
            <For each={list().items}>
              {(r) => (
                <li>
                  <div>
                    {fmtDate(r.createdAt, true)} · {t("history.receipt", { no: r.receiptNo })}
                    {r.void ? ` · ${t("home.voided")}` : ""}
                  </div>
                  <div class="small">{r.items.map((line) => `${line.name}×${line.quantity}`).join("、")}</div>
                  <b>−{fmtPoints(r.total)}</b>
                </li>
              )}
            </For>
          </ul>
          <p class="small muted">{t("home.recentHint")}</p>
        </section>
      )}
    </Show>
  );
}
