/**
 * 我的积分: first the code to show at the shop (the card's QR, or a one-time code instead, one at
 * a time), then the balance, score and rank, the tasks, and the last few redemptions. Every
 * answer is kept on the phone, so offline the resident still sees the last balance ("数据更新于
 * …") and can still show the card.
 */
import { createSignal, For, onCleanup, Show } from "solid-js";
import { cards, households, redemptions, reports, type Household } from "../../api";
import { fmtDate, fmtPoints, t } from "../../i18n";
import { createAction, createOnline, ErrorBox, Tile } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { AsOf, createKept, KeptState } from "../../ui/kept";
import { ReadAloud } from "../../ui/read-aloud";
import { balanceSentence, entriesText } from "../../ui/speech";
import type { Lang } from "../../i18n/lang";
import { HelperBanner, HelpersPanel } from "./helpers-panel";
import { useHouseholdId } from "./household";

/** What 朗读 says on the home page: the balance, then the last five entries (when the network allows). */
async function homeText(household: Household, lang: Lang): Promise<string> {
  const balance = balanceSentence(household.balance, lang);
  try {
    return `${balance} ${entriesText((await households.ledger(household.id)).items, lang)}`;
  } catch {
    return balance; // offline: the kept balance alone
  }
}

export default function Home() {
  const householdId = useHouseholdId();
  const household = createKept(householdId, "household", (id) => households.get(id));
  const ranking = createKept(householdId, "ranking", () => reports.ranking());
  const rank = () => ranking.value()?.items.find((row) => row.householdId === householdId())?.rank;
  return (
    <>
      <KeptState data={household} />
      <Show when={household.value()}>
        {(h) => (
          <>
            <AsOf at={household.savedAt()} retry={household.retry} />
            <HelperBanner householdNo={h().householdNo} />
            <Show when={h().card?.status === "active" ? h().card : null} fallback={<p class="muted">{t("home.noCard")}</p>}>
              {(card) => <ShowAtShop householdId={h().id} cardNo={card().cardNo} />}
            </Show>
            <Balance household={h()} rank={rank()} />
            <ReadAloud text={(lang) => homeText(h(), lang)} />
            <nav class="tiles" aria-label={t("home.tasks")}>
              <Tile href="/me/history" icon="list" label={t("home.history")} />
              <Tile href="/me/applications" icon="clock" label={t("home.applications")} />
              <Tile href="/me/apply" icon="plus" label={t("home.apply")} testid="tile-apply" />
              <Tile href="/me/notices" icon="bell" label={t("home.notices")} />
              <Tile href="/board" icon="flag" label={t("home.board")} />
              <Tile href="/me/goods" icon="gift" label={t("home.goods")} />
              <Tile href="/me/ranking" icon="chart" label={t("home.ranking")} />
            </nav>
            <RecentRedemptions householdId={h().id} />
            <HelpersPanel householdId={h().id} />
          </>
        )}
      </Show>
    </>
  );
}

function Balance(props: { household: Household; rank: number | undefined }) {
  return (
    <section class="hero" data-testid="balance-card">
      <div class="label">
        {props.household.headName} · {t("home.household", { no: props.household.householdNo })}
      </div>
      <div class="label">{t("home.balance")}</div>
      <div class="big" data-testid="balance">
        {fmtPoints(props.household.balance)}
      </div>
      <div class="facts">
        <span>
          <Icon name="award" size={20} /> {t("home.score")} <b data-testid="score">{fmtPoints(props.household.score)}</b>
        </span>
        <Show when={props.rank}>
          {(place) => (
            <span>
              <Icon name="trend" size={20} /> {t("home.rank", { rank: place() })}
            </span>
          )}
        </Show>
      </div>
      {/* Points expiry (issue 12): what runs out within 60 days, said in words (a kept copy may predate it). */}
      <For each={props.household.expiring ?? []}>
        {(e) => (
          <p class="expiring" role="note" data-testid="expiring">
            <Icon name="clock" size={20} /> {t("settle.expiring", { points: fmtPoints(e.points), on: fmtDate(`${e.on}T12:00:00+08:00`) })}
          </p>
        )}
      </For>
    </section>
  );
}

const svgUrl = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

/**
 * The code the clerk scans, one at a time: the card's QR (kept on the phone, so it shows offline
 * too) or, on request, a one-time code instead. Two QR codes on one screen would leave the clerk
 * guessing which to scan, so the switch shows one and hides the other.
 */
function ShowAtShop(props: { householdId: string; cardNo: string }) {
  const [mode, setMode] = createSignal<"card" | "code">("card");
  const qr = createKept(() => props.householdId, `card-qr:${props.cardNo}`, () => cards.qrSvg(props.cardNo));
  const qrSrc = () => {
    const svg = qr.value();
    return svg ? svgUrl(svg) : qr.error() ? cards.qrUrl(props.cardNo) : undefined;
  };
  const code = createOneTimeCode();
  const online = createOnline();
  return (
    <section class="qrbox" aria-labelledby="qr-title" data-testid="qr-panel">
      <div class="qr-switch" role="group" aria-label={t("resident.which")}>
        <button type="button" aria-pressed={mode() === "card"} onClick={() => setMode("card")} data-testid="show-card">
          <Icon name="card" size={20} /> {t("resident.showCard")}
        </button>
        <button
          type="button"
          aria-pressed={mode() === "code"}
          disabled={code.busy()}
          onClick={() => {
            setMode("code");
            if (!code.live()) void code.get();
          }}
          data-testid="get-code"
        >
          <Icon name="clock" size={20} /> {t("resident.showCode")}
        </button>
      </div>
      <Show
        when={mode() === "card"}
        fallback={
          <div class="qr-face" data-testid="one-time-code">
            <h2 id="qr-title">{t("resident.codeTitle")}</h2>
            <Show when={code.live()}>
              {(shown) => (
                <>
                  <img src={svgUrl(shown().svg)} alt={t("home.codeAlt")} data-testid="code-qr" />
                  <p class="days-left" aria-live="polite">
                    {t("home.codeLeft", { s: code.left() })}
                  </p>
                  <p class="small">{t("home.codeHint")}</p>
                </>
              )}
            </Show>
            <Show when={code.expired()}>
              <p role="status">{t("home.codeExpired")}</p>
            </Show>
            <Show when={!online()}>
              <p class="small">{t("resident.codeNeedsNetwork")}</p>
            </Show>
            <ErrorBox error={code.error()} />
            <Show when={!code.live() && !code.busy()}>
              <button type="button" class="secondary" onClick={() => void code.get()} data-testid="new-code">
                <Icon name="clock" /> {t("resident.newCode")}
              </button>
            </Show>
          </div>
        }
      >
        <div class="qr-face">
          <h2 id="qr-title">{t("resident.cardTitle")}</h2>
          {/* The SVG as read (or kept); if it could not be read at all, the image's own address. */}
          <Show when={qrSrc()} fallback={<div style={{ width: "220px", height: "220px" }} />}>
            {(src) => <img src={src()} alt={t("home.qrAlt", { no: props.cardNo })} data-testid="card-qr" />}
          </Show>
          <div class="cardno">{t("resident.cardNo", { no: props.cardNo })}</div>
          <p class="small">{t("resident.cardHint")}</p>
        </div>
      </Show>
    </section>
  );
}

/**
 * A one-time code instead of the printed card (a lost or photographed card is a bearer token):
 * valid 60 seconds, used up by the first redemption. The QR comes from the API as SVG.
 */
function createOneTimeCode() {
  const [code, setCode] = createSignal<{ svg: string; expiresAt: string } | null>(null);
  const [left, setLeft] = createSignal(0);
  let timer: ReturnType<typeof setInterval> | undefined;
  onCleanup(() => clearInterval(timer));
  const action = createAction(async () => {
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
  return {
    live: () => (left() > 0 ? code() : null),
    expired: () => !!code() && left() === 0,
    left,
    busy: action.busy,
    error: action.error,
    get: () => action.run(),
  };
}

/**
 * The last few redemptions on the household's card, on the first screen: a card used by someone
 * else shows up here at once (with the history page for the whole story).
 */
function RecentRedemptions(props: { householdId: string }) {
  const recent = createKept(() => props.householdId, "recent", () => redemptions.list({ limit: "3" }));
  return (
    <Show when={recent.value()?.items.length ? recent.value() : null}>
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
