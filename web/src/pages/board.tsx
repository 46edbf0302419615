/**
 * The community notice board (公示栏), open to anyone without signing in: the running
 * publicity with masked names, days left and how to object; past batches below.
 * A signed-in resident or staff member can raise an objection on an item here.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import { ApiError, publicity, type Publicity, type PublicityItem } from "../api";
import { categoryName, fmtDate, fmtPoints, t } from "../i18n";
import { session } from "../session";
import { createAction, ErrorBox, Loading, Success } from "../ui/common";
import { Icon } from "../ui/icon";

async function currentBatch(): Promise<Publicity | null> {
  try {
    return await publicity.current();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

async function pastBatches(): Promise<Publicity[]> {
  try {
    return (await publicity.list()).items;
  } catch {
    return []; // Listing past batches may need a sign-in; the board still works without it.
  }
}

export function daysLeft(endsAt: string, now = Date.now()): number {
  return Math.max(0, Math.ceil((new Date(endsAt).getTime() - now) / 86_400_000));
}

export default function Board() {
  const [current, { refetch }] = createResource(currentBatch);
  const [past] = createResource(pastBatches);
  const open = () => {
    const batch = current();
    return !!batch && new Date(batch.endsAt).getTime() > Date.now();
  };
  return (
    <>
      <h1>
        <Icon name="flag" /> {t("board.title")}
      </h1>
      <ErrorBox error={current.error} />
      <Show when={!current.loading} fallback={<Loading />}>
        <Show when={current()} fallback={<p class="panel muted" data-testid="board-empty">{t("board.none")}</p>}>
          {(batch) => (
            <section class="panel" data-testid="board-current">
              <div class="days-left">
                <Show when={open()} fallback={<span class="badge">{t("board.ended")}</span>}>
                  <span>{t("board.daysLeftPre")}</span>
                  <strong data-testid="days-left">{daysLeft(batch().endsAt)}</strong>
                  <span>{t("board.daysLeftPost")}</span>
                </Show>
              </div>
              <p class="muted small">
                {t("board.period", { from: fmtDate(batch().startsAt, true), to: fmtDate(batch().endsAt, true) })}
              </p>
              <Items batch={batch()} canObject={open() && !!session.me()} onObjected={refetch} />
              <div class="panel" style={{ background: "#fff8e6" }}>
                <h2 style={{ "margin-top": 0 }}>
                  <Icon name="alert" /> {t("board.howToObject")}
                </h2>
                <p style={{ margin: 0 }}>{t("board.howToObjectText")}</p>
              </div>
            </section>
          )}
        </Show>
      </Show>
      <Show when={(past() ?? []).filter((b) => b.id !== current()?.id).length}>
        <h2>{t("board.past")}</h2>
        <For each={(past() ?? []).filter((b) => b.id !== current()?.id)}>
          {(batch) => (
            <details class="panel">
              <summary>
                {t("board.period", { from: fmtDate(batch.startsAt), to: fmtDate(batch.endsAt) })} ·{" "}
                {t("board.count", { n: batch.items?.length ?? 0 })}
              </summary>
              <Items batch={batch} canObject={false} />
            </details>
          )}
        </For>
      </Show>
    </>
  );
}

function Items(props: { batch: Publicity; canObject: boolean; onObjected?: () => void }) {
  return (
    <Show when={props.batch.items?.length} fallback={<p class="muted">{t("board.noItems")}</p>}>
      <ul class="list" data-testid="board-items">
        <For each={props.batch.items}>
          {(item) => <Item item={item} batchId={props.batch.id} canObject={props.canObject} onObjected={props.onObjected} />}
        </For>
      </ul>
    </Show>
  );
}

function Item(props: { item: PublicityItem; batchId: string; canObject: boolean; onObjected?: () => void }) {
  const [objecting, setObjecting] = createSignal(false);
  const [reason, setReason] = createSignal("");
  const [sent, setSent] = createSignal(false);
  const action = createAction(async () => {
    await publicity.object(props.batchId, props.item.applicationId, reason().trim());
    setSent(true);
    setObjecting(false);
  });
  const negative = () => props.item.kind === "penalty" || props.item.points < 0 || props.item.category === "penalty";
  return (
    <li>
      <div class="item-head">
        <span>
          <strong>{props.item.name}</strong> <span class="muted small">{props.item.building}</span>
        </span>
        <span class={`pts ${negative() ? "minus" : "plus"}`}>
          {negative() ? "−" : "+"}
          {fmtPoints(Math.abs(props.item.points))}
        </span>
      </div>
      <div>
        <span class="badge">{categoryName(props.item.category)}</span> {props.item.rule}
      </div>
      <Show when={props.item.status !== "publicised"}>
        <div class="small">
          <span class={`badge ${props.item.status === "credited" ? "ok" : props.item.status === "cancelled" ? "bad" : "warn"}`}>
            {t(`itemStatus.${props.item.status}` as "itemStatus.objected") || props.item.status}
          </span>
        </div>
      </Show>
      <Show when={sent()}>
        <Success>{t("board.objectionSent")}</Success>
      </Show>
      <Show when={props.canObject && !sent()}>
        <Show
          when={objecting()}
          fallback={
            <button class="plain" onClick={() => setObjecting(true)} style={{ "margin-top": "8px" }} data-testid="object">
              <Icon name="alert" /> {t("board.object")}
            </button>
          }
        >
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void action.run();
            }}
          >
            <label for={`reason-${props.item.applicationId}`}>{t("board.reason")}</label>
            <textarea id={`reason-${props.item.applicationId}`} required value={reason()} onInput={(e) => setReason(e.currentTarget.value)} />
            <ErrorBox error={action.error()} />
            <div class="row" style={{ "margin-top": "8px" }}>
              <button type="submit" disabled={action.busy() || !reason().trim()}>
                <Icon name="check" /> {t("board.sendObjection")}
              </button>
              <button type="button" class="plain" onClick={() => setObjecting(false)}>
                <Icon name="x" /> {t("common.cancel")}
              </button>
            </div>
          </form>
        </Show>
      </Show>
    </li>
  );
}
