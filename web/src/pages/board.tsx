/**
 * The community notice board (公示栏), open to anyone without signing in: every publicity batch
 * still open, each with its own end and days left (a new batch never closes an older one), with
 * masked names and how to object; past batches below. A signed-in resident or staff member can
 * raise an objection on an item of any open batch.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import { ApiError, publicity, type Publicity, type PublicityItem } from "../api";
import { categoryName, fmtDate, t } from "../i18n";
import { session } from "../session";
import { createAction, ErrorBox, Loading, Success } from "../ui/common";
import { CarrierIcon, Icon } from "../ui/icon";
import { PenaltyTag, SignedPoints } from "../ui/points";
import { ReadAloud } from "../ui/read-aloud";
import { boardItemText } from "../ui/speech";
import type { Lang } from "../i18n/lang";

/** What 朗读 says on the board: each open batch's days left, then its items. */
function boardText(batches: OpenBatch[], lang: Lang): string {
  return batches
    .map((batch) => {
      const days = daysLeft(batch.endsAt);
      const lead = lang === "zh" ? `公示还有${days}天结束。` : `${days} ${days === 1 ? "day" : "days"} of publicity left.`;
      const items = (batch.items ?? []).map((item) =>
        boardItemText({ name: item.name, building: item.building, rule: item.rule, points: item.points, penalty: item.kind === "penalty" || item.points < 0 || item.category === "penalty" }, lang),
      );
      return [lead, ...items].join(" ");
    })
    .join(" ");
}

type Board = Awaited<ReturnType<typeof publicity.current>>;
type OpenBatch = Board["batches"][number];

/** Every open batch (newest first); none when the community has none or is unknown. */
async function openBatches(): Promise<{ communityName: string; batches: OpenBatch[] }> {
  try {
    const board = await publicity.current();
    return { communityName: board.communityName, batches: board.batches };
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return { communityName: "", batches: [] };
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
  const [current, { refetch }] = createResource(openBatches);
  const [past] = createResource(pastBatches);
  const openIds = () => new Set((current()?.batches ?? []).map((b) => b.id));
  const earlier = () => (past() ?? []).filter((b) => !openIds().has(b.id));
  return (
    <>
      <h1>
        <Icon name="flag" /> {t("board.title")}
      </h1>
      <ErrorBox error={current.error} />
      <Show when={!current.loading} fallback={<Loading />}>
        <Show when={current()?.batches.length} fallback={<p class="panel muted" data-testid="board-empty">{t("board.none")}</p>}>
          <div data-testid="board-current">
            <ReadAloud text={(lang) => boardText(current()?.batches ?? [], lang)} />
            <Show when={current()!.batches.length > 1}>
              <p class="small" data-testid="board-open-count">
                {t("office.openBatches", { n: current()!.batches.length })}
              </p>
            </Show>
            <For each={current()!.batches}>{(batch) => <OpenBatchPanel batch={batch} onObjected={refetch} />}</For>
            <div class="panel" style={{ background: "#fff8e6" }}>
              <h2 style={{ "margin-top": 0 }}>
                <Icon name="alert" /> {t("board.howToObject")}
              </h2>
              <p style={{ margin: 0 }}>{t("board.howToObjectText")}</p>
            </div>
          </div>
        </Show>
      </Show>
      <Show when={earlier().length}>
        <h2>{t("board.past")}</h2>
        <For each={earlier()}>
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

/** One open batch: its own end and days left; objections are taken until that end. */
function OpenBatchPanel(props: { batch: OpenBatch; onObjected: () => void }) {
  const open = () => new Date(props.batch.endsAt).getTime() > Date.now();
  return (
    <section class="panel" data-testid="board-batch" data-batch-id={props.batch.id}>
      <div class="days-left">
        <Show when={open()} fallback={<span class="badge">{t("board.ended")}</span>}>
          <span>{t("board.daysLeftPre")}</span>
          <strong data-testid="days-left">{daysLeft(props.batch.endsAt)}</strong>
          <span>{t("board.daysLeftPost")}</span>
        </Show>
      </div>
      <p class="muted small" data-testid="batch-period">
        {t("board.period", { from: fmtDate(props.batch.startsAt, true), to: fmtDate(props.batch.endsAt, true) })}
      </p>
      <Items batch={props.batch} canObject={open() && !!session.me()} onObjected={props.onObjected} />
    </section>
  );
}

function Items(props: { batch: Pick<Publicity, "id" | "items">; canObject: boolean; onObjected?: () => void }) {
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
  // A penalty reads as a deduction (扣 3 分, 已扣分), never as a green award.
  const kind = () => (props.item.kind === "penalty" || props.item.points < 0 || props.item.category === "penalty" ? "penalty" : "award");
  return (
    <li>
      <div class="item-head">
        <span>
          <strong>{props.item.name}</strong> <span class="muted small">{props.item.building}</span>
        </span>
        <SignedPoints kind={kind()} points={props.item.points} />
      </div>
      <div>
        <PenaltyTag kind={kind()} /> <span class="badge"><CarrierIcon category={props.item.category} size={16} /> {categoryName(props.item.category)}</span> {props.item.rule}
      </div>
      <Show when={props.item.status !== "publicised"}>
        <div class="small">
          <ItemStatus status={props.item.status} penalty={kind() === "penalty"} />
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

/** A posted item's state; a credited penalty says 已扣分 in red rather than 已充值. */
function ItemStatus(props: { status: PublicityItem["status"]; penalty: boolean }) {
  const tone = () => (props.status === "credited" ? (props.penalty ? "bad" : "ok") : props.status === "cancelled" ? "bad" : "warn");
  const word = () => (props.penalty && props.status === "credited" ? t("penalty.credited") : t(`itemStatus.${props.status}` as "itemStatus.objected") || props.status);
  return <span class={`badge ${tone()}`}>{word()}</span>;
}
