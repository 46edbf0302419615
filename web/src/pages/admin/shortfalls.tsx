/**
 * 离线差额: what redemptions made offline left when they synced — points the balance no longer
 * covered, goods short in stock, a card used after it was revoked — each resolved by the admin
 * with a note: 补扣 (recover: from the household's balance and next awards) or 核销 (write off:
 * the community pays the shop). See docs/offline.md.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import { redemptions, type Shortfall } from "../../api";
import { fmtDate, fmtPoints, t } from "../../i18n";
import { createAction, ErrorBox, Loading, ready, Success } from "../../ui/common";
import { Icon } from "../../ui/icon";

function kindLabel(s: Shortfall): string {
  return s.kind === "points" ? t("shortfalls.kindPoints") : s.kind === "stock" ? t("shortfalls.kindStock") : t("shortfalls.kindCard");
}

function amountLabel(s: Shortfall): string {
  return s.kind === "stock" ? t("shortfalls.amountStock", { n: s.amount }) : t("shortfalls.amountPoints", { n: fmtPoints(s.amount) });
}

function Row(props: { item: Shortfall; onDone: () => void }) {
  const [note, setNote] = createSignal("");
  const resolve = createAction(async (action: "write-off" | "recover") => {
    await redemptions.resolveShortfall(props.item.id, action, note().trim());
    props.onDone();
  });
  const s = () => props.item;
  return (
    <li class="panel" data-testid="shortfall" data-kind={s().kind}>
      <div>
        <b>{kindLabel(s())}</b> · <span data-testid="shortfall-amount">{amountLabel(s())}</span>
        <Show when={s().status === "recovering"}>
          {" "}
          · <span class="badge">{t("shortfalls.recovering")}</span> {t("shortfalls.remaining", { n: s().remaining })}
        </Show>
      </div>
      <div class="small">
        {t("shortfalls.receipt", { no: s().receiptNo, pno: s().provisionalNo })} · {s().shop.name} · {fmtDate(s().madeAt, true)}
      </div>
      <Show when={s().household}>{(h) => <div>{t("home.household", { no: h().householdNo })} · {h().headName}</div>}</Show>
      <Show when={s().goods}>{(g) => <div>{g().name}</div>}</Show>
      <Show when={s().status === "open"}>
        <label for={`note-${s().id}`}>{t("shortfalls.note")}</label>
        <input id={`note-${s().id}`} data-testid="shortfall-note" value={note()} onInput={(e) => setNote(e.currentTarget.value)} />
        <ErrorBox error={resolve.error()} />
        <div class="row">
          <Show when={s().kind === "points"}>
            <button type="button" disabled={!note().trim() || resolve.busy()} onClick={() => void resolve.run("recover")} data-testid="shortfall-recover">
              {t("shortfalls.recover")}
            </button>
          </Show>
          <button type="button" class="secondary" disabled={!note().trim() || resolve.busy()} onClick={() => void resolve.run("write-off")} data-testid="shortfall-write-off">
            {t("shortfalls.writeOff")}
          </button>
        </div>
      </Show>
    </li>
  );
}

export default function ShortfallsPage() {
  const [list, { refetch }] = createResource(() => redemptions.shortfalls());
  const [done, setDone] = createSignal(false);
  return (
    <>
      <h1>
        <Icon name="alert" /> {t("shortfalls.title")}
      </h1>
      <p class="muted">{t("shortfalls.hint")}</p>
      <Show when={done()}>
        <Success>{t("shortfalls.done")}</Success>
      </Show>
      <ErrorBox error={list.error} />
      <Show when={ready(list)} fallback={<Loading />}>
        {(page) => (
          <ul class="list" data-testid="shortfalls">
            <For each={page().items} fallback={<li class="muted">{t("shortfalls.empty")}</li>}>
              {(item) => (
                <Row
                  item={item}
                  onDone={() => {
                    setDone(true);
                    void refetch();
                  }}
                />
              )}
            </For>
          </ul>
        )}
      </Show>
    </>
  );
}
