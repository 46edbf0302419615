/**
 * The resident's phone: sign in with the card, see the balance and the card's QR, read the
 * history in words, follow applications through the seven steps, apply, browse goods, ranking.
 */
import { A, useNavigate, useParams, useSearchParams } from "@solidjs/router";
import { createEffect, createMemo, createResource, createSignal, For, onCleanup, Show } from "solid-js";
import type { Carrier } from "../../../shared/domain";
import { carriers } from "../../../shared/domain";
import { limits } from "../../../shared/limits";
import {
  applications,
  auth,
  cards,
  goods,
  households,
  notices,
  redemptions,
  reports,
  rules,
  type LedgerEntry,
  type Rule,
} from "../api";
import { categoryName, fmtDate, fmtPoints, t } from "../i18n";
import { session } from "../session";
import { BackLink, createAction, ErrorBox, Loading, Success, Tile } from "../ui/common";
import { Icon } from "../ui/icon";
import { Steps } from "../ui/steps";

/** The signed-in household's id; sends anyone else to the card sign-in. */
function useHouseholdId() {
  const navigate = useNavigate();
  createEffect(() => {
    if (session.me.loading) return;
    const me = session.me();
    if (!me || me.kind !== "household") navigate("/login", { replace: true });
  });
  return () => session.me()?.household?.id;
}

export function CardLogin() {
  const params = useParams();
  const navigate = useNavigate();
  // A phone camera scanning the card opens /c/<cardNo>.<version>.<sig>: the card number is
  // the part before the first dot; the PIN is still needed, so a lost card alone is not enough.
  const [cardNo, setCardNo] = createSignal(params.payload ? decodeURIComponent(params.payload).split(".")[0] : "");
  const [pin, setPin] = createSignal("");
  const action = createAction(async () => {
    await auth.cardLogin(cardNo().trim(), pin());
    await session.refetch();
    navigate("/me", { replace: true });
  });
  return (
    <section class="panel">
      <h1>
        <Icon name="card" /> {t("login.title")}
      </h1>
      <p class="muted">{t("login.hint")}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <label for="cardNo">{t("login.cardNo")}</label>
        <input id="cardNo" name="cardNo" autocomplete="username" inputmode="numeric" required value={cardNo()} onInput={(e) => setCardNo(e.currentTarget.value)} />
        <label for="pin">{t("login.pin")}</label>
        <input
          id="pin"
          name="pin"
          type="password"
          inputmode="numeric"
          autocomplete="current-password"
          maxlength={limits.pinDigitsMax}
          required
          value={pin()}
          onInput={(e) => setPin(e.currentTarget.value)}
        />
        <ErrorBox error={action.error()} />
        <button class="big" type="submit" disabled={action.busy()} style={{ "margin-top": "16px" }}>
          <Icon name="lock" />
          {t("login.submit")}
        </button>
      </form>
      <p class="muted small">{t("login.scanHint")}</p>
    </section>
  );
}

export function Home() {
  const householdId = useHouseholdId();
  const [household] = createResource(householdId, households.get);
  const [ranking] = createResource(householdId, () => reports.ranking().catch(() => null));
  const rank = () => ranking()?.items.find((row) => row.householdId === householdId())?.rank;
  return (
    <Show when={household()} fallback={<><Loading /><ErrorBox error={household.error} /></>}>
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
                <span>
                  <Icon name="trend" size={20} /> {t("home.rank", { rank: rank()! })}
                </span>
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

/** One ledger movement in words: which deed, which step, which purchase. */
function explain(entry: LedgerEntry & Record<string, any>): string {
  // The API words each movement itself (which deed, which step, which purchase); the kind
  // is the fallback when it does not.
  if (entry.description) return entry.description;
  const what = entry.title ?? entry.ruleTitle ?? entry.rule?.title ?? "";
  const receipt = entry.receiptNo ? ` ${t("history.receipt", { no: entry.receiptNo })}` : "";
  switch (entry.kind) {
    case "award":
      return t("history.award", { what: what || t("history.deed") });
    case "penalty":
      return t("history.penalty", { what: what || t("history.conduct") });
    case "redemption":
      return t("history.redemption", { what }) + receipt;
    case "reversal":
      return t("history.reversal", { what });
    default:
      return t("history.adjustment", { what });
  }
}

export function History() {
  const householdId = useHouseholdId();
  const [ledger] = createResource(householdId, households.ledger);
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="list" /> {t("history.title")}
      </h1>
      <ErrorBox error={ledger.error} />
      <Show when={ledger()} fallback={<Loading />}>
        <Show when={ledger()!.items.length} fallback={<p class="muted">{t("history.empty")}</p>}>
          <ul class="list" data-testid="history">
            <For each={ledger()!.items}>
              {(entry) => (
                <li>
                  <div class="item-head">
                    <span>{explain(entry)}</span>
                    <span class={`pts ${entry.amount >= 0 ? "plus" : "minus"}`}>
                      {entry.amount >= 0 ? "+" : ""}
                      {fmtPoints(entry.amount)}
                    </span>
                  </div>
                  <div class="muted small">
                    {fmtDate(entry.at, true)} · {t("history.after", { n: fmtPoints(entry.balanceAfter) })}
                  </div>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </>
  );
}

export function statusBadge(status: string) {
  const tone = status === "credited" ? "ok" : status === "rejected" || status === "cancelled" ? "bad" : "warn";
  return <span class={`badge ${tone}`}>{t(`status.${status}` as "status.submitted") || status}</span>;
}

export function MyApplications() {
  const householdId = useHouseholdId();
  const [list] = createResource(householdId, (id) => applications.list({ householdId: id }));
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="clock" /> {t("apps.title")}
      </h1>
      <ErrorBox error={list.error} />
      <Show when={list()} fallback={<Loading />}>
        <Show when={list()!.items.length} fallback={<p class="muted">{t("apps.empty")}</p>}>
          <ul class="list" data-testid="applications">
            <For each={list()!.items}>
              {(a) => (
                <li>
                  <div class="item-head">
                    <strong>{a.rule.title}</strong>
                    {statusBadge(a.status)}
                  </div>
                  <div>{a.description}</div>
                  <Show when={a.memberName}>
                    <div class="muted small">{t("apps.member", { name: a.memberName! })}</div>
                  </Show>
                  <Steps status={a.status} />
                  <Show when={a.reason}>
                    <div class="muted small">{t("apps.reason", { reason: a.reason! })}</div>
                  </Show>
                  <Show when={a.points != null && a.status !== "submitted"}>
                    <div class="small">{t("apps.points", { n: a.points! })}</div>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </>
  );
}

export function Notices() {
  const householdId = useHouseholdId();
  const [list] = createResource(householdId, () => notices.list());
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="bell" /> {t("notices.title")}
      </h1>
      <ErrorBox error={list.error} />
      <Show when={list()} fallback={<Loading />}>
        <Show when={list()!.items.length} fallback={<p class="muted">{t("notices.empty")}</p>}>
          <ul class="list" data-testid="notices">
            <For each={list()!.items}>
              {(n) => (
                <li>
                  <h2 style={{ margin: 0 }}>{n.title}</h2>
                  <Show when={n.startsAt || n.publishedAt}>
                    <div class="muted small">{fmtDate(n.startsAt ?? n.publishedAt, true)}</div>
                  </Show>
                  <p style={{ "white-space": "pre-wrap" }}>{n.body}</p>
                  <A class="btn secondary" href={`/me/apply?notice=${n.id}`}>
                    <Icon name="plus" /> {t("notices.apply")}
                  </A>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </>
  );
}

/** Shrinks a photo until its data URL fits the API's evidence limit (an upload service is future work). */
async function photoToEvidence(file: File): Promise<string> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    // Not an image the browser can decode (a damaged file, or a format it does not know).
    throw new Error(t("apply.photoUnreadable"));
  }
  const canvas = document.createElement("canvas");
  for (const size of [160, 128, 96, 72, 56]) {
    for (const quality of [0.6, 0.4, 0.25]) {
      const scale = Math.min(1, size / Math.max(bitmap.width, bitmap.height));
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d")!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const url = canvas.toDataURL("image/jpeg", quality);
      if (url.length <= limits.evidenceItemLengthMax) return url;
    }
  }
  throw new Error(t("apply.photoTooBig"));
}

export function Apply() {
  const householdId = useHouseholdId();
  const [household] = createResource(householdId, households.get);
  const [ruleList] = createResource(householdId, () => rules.list());
  // The router's search params: a link from the notices page renders this page before the
  // browser's address changes, so window.location would still be the old one.
  const [search] = useSearchParams();
  const noticeId = () => (typeof search.notice === "string" && search.notice ? search.notice : undefined);
  const [carrier, setCarrier] = createSignal<Carrier | null>(null);
  const [rule, setRule] = createSignal<Rule | null>(null);
  const [memberId, setMemberId] = createSignal("");
  const [description, setDescription] = createSignal("");
  const [photo, setPhoto] = createSignal<string | null>(null);
  const [done, setDone] = createSignal(false);
  // Applying for a notice: only the rules that notice names (the API refuses any other).
  const [noticeList] = createResource(() => (householdId() && noticeId() ? noticeId() : false), () => notices.list().catch(() => null));
  const noticeRules = () => noticeList()?.items.find((n) => n.id === noticeId())?.ruleIds ?? [];
  const rulesOf = createMemo(() =>
    (ruleList()?.items ?? []).filter((r) => r.category === carrier() && r.kind === "award" && (!noticeRules().length || noticeRules().includes(r.id))),
  );
  const photoAction = createAction(async (file: File) => {
    setPhoto(null);
    setPhoto(await photoToEvidence(file));
  });
  const submit = createAction(async () => {
    await applications.create({
      householdId: householdId()!,
      memberId: memberId() || undefined,
      ruleId: rule()!.id,
      noticeId: noticeId(),
      description: description().trim(),
      evidence: photo() ? [photo()!] : undefined,
    });
    setDone(true);
  });
  const step = () => (done() ? 5 : !carrier() ? 1 : !rule() ? 2 : 3);
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="plus" /> {t("apply.title")}
      </h1>
      <p class="muted">{t("apply.step", { n: Math.min(step(), 4), of: 4 })}</p>
      <ErrorBox error={ruleList.error} />
      <Show when={!done()} fallback={<Done />}>
        <Show when={step() === 1}>
          <h2>{t("apply.pickCarrier")}</h2>
          <div class="choices">
            <For each={[...carriers]}>
              {(c) => (
                <button type="button" onClick={() => setCarrier(c)} data-testid={`carrier-${c}`}>
                  <Icon name="award" /> {categoryName(c)}
                </button>
              )}
            </For>
          </div>
        </Show>
        <Show when={step() === 2}>
          <h2>{t("apply.pickRule", { carrier: categoryName(carrier()!) })}</h2>
          <Show when={rulesOf().length} fallback={<p class="muted">{t("apply.noRules")}</p>}>
            <div class="choices">
              <For each={rulesOf()}>
                {(r) => (
                  <button type="button" onClick={() => setRule(r)} data-testid="rule-choice">
                    <Icon name="file" />
                    <span>
                      {r.title}
                      <br />
                      <span class="small muted">{t("apply.range", { min: r.minPoints, max: r.maxPoints })}</span>
                    </span>
                  </button>
                )}
              </For>
            </div>
          </Show>
          <button class="plain" type="button" onClick={() => setCarrier(null)} style={{ "margin-top": "12px" }}>
            <Icon name="back" /> {t("apply.changeCarrier")}
          </button>
        </Show>
        <Show when={step() === 3}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void submit.run();
            }}
          >
            <div class="panel">
              <strong>{rule()!.title}</strong>
              <div class="muted small">
                {categoryName(rule()!.category)} · {t("apply.range", { min: rule()!.minPoints, max: rule()!.maxPoints })}
              </div>
            </div>
            <Show when={(household()?.members.length ?? 0) > 1}>
              <label for="member">{t("apply.member")}</label>
              <select id="member" value={memberId()} onChange={(e) => setMemberId(e.currentTarget.value)}>
                <option value="">{t("apply.wholeHousehold")}</option>
                <For each={household()?.members}>{(m) => <option value={m.id}>{m.name}</option>}</For>
              </select>
            </Show>
            <label for="description">{t("apply.description")}</label>
            <textarea
              id="description"
              required
              maxlength={limits.textLengthMax}
              placeholder={t("apply.descriptionHint")}
              value={description()}
              onInput={(e) => setDescription(e.currentTarget.value)}
            />
            <label for="photo">
              <Icon name="camera" /> {t("apply.photo")}
            </label>
            <input
              id="photo"
              type="file"
              accept="image/*"
              capture="environment"
              onChange={(e) => {
                const file = e.currentTarget.files?.[0];
                if (file) void photoAction.run(file);
              }}
            />
            <Show when={photo()}>
              <img src={photo()!} alt={t("apply.photoPreview")} style={{ "max-width": "160px", "margin-top": "8px", "border-radius": "8px" }} />
            </Show>
            <ErrorBox error={photoAction.error() ?? submit.error()} />
            <button class="big" type="submit" disabled={submit.busy() || photoAction.busy() || !description().trim()} style={{ "margin-top": "16px" }}>
              <Icon name="check" /> {t("apply.submit")}
            </button>
            <button class="plain" type="button" onClick={() => setRule(null)} style={{ "margin-top": "12px" }}>
              <Icon name="back" /> {t("apply.changeRule")}
            </button>
          </form>
        </Show>
      </Show>
    </>
  );
}

function Done() {
  return (
    <>
      <Success>{t("apply.done")}</Success>
      <A class="btn big" href="/me/applications">
        <Icon name="clock" /> {t("home.applications")}
      </A>
    </>
  );
}

export function GoodsPage() {
  const householdId = useHouseholdId();
  const [list] = createResource(householdId, () => goods.list());
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="gift" /> {t("goods.title")}
      </h1>
      <p class="muted">{t("goods.hint")}</p>
      <ErrorBox error={list.error} />
      <Show when={list()} fallback={<Loading />}>
        <ul class="list" data-testid="goods">
          <For each={list()!.items} fallback={<li class="muted">{t("goods.empty")}</li>}>
            {(g) => (
              <li class="item-head">
                <span>
                  <strong>{g.name}</strong>
                  <br />
                  <span class="muted small">{g.stock > 0 ? t("goods.stock", { n: g.stock, unit: g.unit ?? "" }) : t("goods.soldOut")}</span>
                </span>
                <span class="pts">{t("goods.points", { n: g.points })}</span>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </>
  );
}

export function Ranking() {
  const householdId = useHouseholdId();
  const [list] = createResource(householdId, () => reports.ranking());
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="chart" /> {t("ranking.title")}
      </h1>
      <ErrorBox error={list.error} />
      <Show when={list()} fallback={<Show when={!list.error}><Loading /></Show>}>
        <ol class="list" data-testid="ranking">
          <For each={list()!.items} fallback={<li class="muted">{t("ranking.empty")}</li>}>
            {(row) => (
              <li class="item-head" classList={{ mine: row.householdId === householdId() }}>
                <span>
                  <b>{t("ranking.place", { n: row.rank })}</b> {row.headName ?? row.name ?? ""} <span class="muted small">{row.building ?? ""}</span>
                </span>
                <span class="pts">{fmtPoints(row.score)}</span>
              </li>
            )}
          </For>
        </ol>
      </Show>
    </>
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
  return (
    <div data-testid="one-time-code" style={{ "margin-top": "12px" }}>
      <Show when={code() && left() > 0}>
        <p>{t("home.codeHint")}</p>
        <img src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(code()!.svg)}`} alt={t("home.codeAlt")} data-testid="code-qr" />
        <p class="days-left" aria-live="polite">{t("home.codeLeft", { s: left() })}</p>
      </Show>
      <Show when={code() && left() === 0}>
        <p role="status">{t("home.codeExpired")}</p>
      </Show>
      <Show when={!code() || left() === 0}>
        <button type="button" class="secondary" disabled={get.busy()} onClick={() => void get.run()} data-testid="get-code">
          <Icon name="card" /> {t("home.codeButton")}
        </button>
      </Show>
      <ErrorBox error={get.error()} />
    </div>
  );
}

/** Where a phone camera lands when it scans a one-time code: it is for the shop, not a link. */
export function CodeLanding() {
  return (
    <section class="panel" role="status">
      <h1>
        <Icon name="card" /> {t("home.codeAlt")}
      </h1>
      <p>{t("home.codeLanding")}</p>
      <A href="/">{t("home.codeHome")}</A>
    </section>
  );
}

/**
 * The last few redemptions on the household's card, on the first screen: a card used by someone
 * else shows up here at once (with the history page for the whole story).
 */
function RecentRedemptions() {
  const [recent] = createResource(() => redemptions.list({ limit: "3" }).catch(() => null));
  return (
    <Show when={recent()?.items.length}>
      <section class="panel" aria-labelledby="recent-title" data-testid="recent-redemptions">
        <h2 id="recent-title" style={{ margin: "0 0 8px" }}>
          <Icon name="gift" /> {t("home.recent")}
        </h2>
        <ul class="list">
          <For each={recent()!.items}>
            {(r) => (
              <li>
                <div>
                  {fmtDate(r.createdAt, true)} · {t("history.receipt", { no: r.receiptNo })}
                  {r.void ? ` · ${t("home.voided")}` : ""}
                </div>
                <div class="small">{r.items.map((l) => `${l.name ?? ""}×${l.quantity}`).join("、")}</div>
                <b>−{fmtPoints(r.total)}</b>
              </li>
            )}
          </For>
        </ul>
        <p class="small muted">{t("home.recentHint")}</p>
      </section>
    </Show>
  );
}
