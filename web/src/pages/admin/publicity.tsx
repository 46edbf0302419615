/**
 * 公示 (step 5): open a batch with everything registered and not yet publicised; every open batch
 * at once, each with its own end, its items and its objections (open and resolved, with dates);
 * past batches below. Any one batch prints on its own as the notice an office posts
 * (`/admin/publicity/print/<id>`, in ./publicity-print.tsx).
 */
import { A, useParams } from "@solidjs/router";
import { createResource, createSignal, For, lazy, Show } from "solid-js";
import { isId, objections, publicity, type Publicity } from "../../api";
import { categoryName, fmtDate, fmtPoints, t } from "../../i18n";
import { createAction, ErrorBox, Loading, ready } from "../../ui/common";
import { Field, FormPanel } from "../../ui/form-panel";
import { Icon } from "../../ui/icon";

const PrintSheet = lazy(() => import("./publicity-print"));

/** The batch a print link names (`publicity/print/<id>`), when the id is well formed. */
function printedBatch(section: string | undefined): string | null {
  const match = /^publicity\/print\/([^/]+)$/.exec(section ?? "");
  return match && isId(match[1]) ? match[1] : null;
}

export default function PublicityPage() {
  const params = useParams();
  return (
    <Show when={printedBatch(params.section)} fallback={<Desk />} keyed>
      {(id) => <PrintSheet id={id} />}
    </Show>
  );
}

function Desk() {
  const [batches, { refetch }] = createResource(() => publicity.list());
  const open = () => (ready(batches)?.items ?? []).filter((b) => b.status === "open");
  const past = () => (ready(batches)?.items ?? []).filter((b) => b.status !== "open");
  const [endsAt, setEndsAt] = createSignal("");
  const create = createAction(async () => {
    await publicity.create(endsAt() ? new Date(endsAt()).toISOString() : undefined);
    setEndsAt("");
    await refetch();
  });
  return (
    <>
      <h1>
        <Icon name="flag" /> {t("admin.publicity")}
      </h1>
      <FormPanel title={t("pub.create")} icon="flag" hint={t("pub.hint")} submit={t("pub.create")} submitIcon="flag" submitTestid="create-publicity" busy={create.busy()} error={create.error()} onSubmit={() => void create.run()}>
        <Field id="p-ends" label={t("pub.endsAt")}>
          <input id="p-ends" type="datetime-local" value={endsAt()} onInput={(e) => setEndsAt(e.currentTarget.value)} />
        </Field>
      </FormPanel>
      <ErrorBox error={batches.error} />
      <Show when={!batches.loading} fallback={<Loading />}>
        <h2 data-testid="open-batches-title">{t("pubDesk.openTitle", { n: open().length })}</h2>
        <Show when={open().length} fallback={<p class="panel muted">{t("pubDesk.noneOpen")}</p>}>
          <For each={open()}>{(batch) => <OpenBatch batch={batch} />}</For>
        </Show>
        <Show when={past().length}>
          <h2>{t("board.past")}</h2>
          <For each={past()}>{(batch) => <PastBatch batch={batch} />}</For>
        </Show>
      </Show>
    </>
  );
}

function Period(props: { batch: Publicity }) {
  return <>{t("board.period", { from: fmtDate(props.batch.startsAt, true), to: fmtDate(props.batch.endsAt, true) })}</>;
}

function PrintLink(props: { id: string }) {
  return (
    <A class="btn secondary" href={`/admin/publicity/print/${props.id}`} data-testid="print-batch">
      <Icon name="printer" /> {t("pubDesk.printOne")}
    </A>
  );
}

/** An open batch: its own end, its items, its objections. */
function OpenBatch(props: { batch: Publicity }) {
  return (
    <section class="panel" data-testid="publicity-board" data-batch-id={props.batch.id}>
      <div class="item-head">
        <h3 style={{ margin: 0 }}>
          {t("pub.boardTitle")} · <Period batch={props.batch} />
        </h3>
        <PrintLink id={props.batch.id} />
      </div>
      <p style={{ margin: "6px 0" }}>
        <span class="badge warn" data-testid="batch-ends">
          {t("pubDesk.endsAt", { at: fmtDate(props.batch.endsAt, true) })}
        </span>{" "}
        <span class="muted small">{t("board.count", { n: props.batch.items.length })}</span>
      </p>
      <BatchItems batch={props.batch} />
      <BatchObjections id={props.batch.id} />
    </section>
  );
}

/** A past batch, folded: its period, whether it is credited, and (opened) its items and objections. */
function PastBatch(props: { batch: Publicity }) {
  const [opened, setOpened] = createSignal(false);
  return (
    <details class="panel" data-testid="past-batch" data-batch-id={props.batch.id} onToggle={(e) => setOpened(e.currentTarget.open)}>
      <summary>
        <Period batch={props.batch} /> · {t("board.count", { n: props.batch.items.length })} ·{" "}
        <Show when={props.batch.topUp} fallback={<span class="badge warn">{t("pubDesk.notCredited")}</span>}>
          {(topUp) => <span class="badge ok">{t("pubDesk.creditedOn", { at: fmtDate(topUp().at) })}</span>}
        </Show>
      </summary>
      <Show when={opened()}>
        <div style={{ margin: "10px 0" }}>
          <PrintLink id={props.batch.id} />
        </div>
        <BatchItems batch={props.batch} />
        <BatchObjections id={props.batch.id} />
      </Show>
    </details>
  );
}

/** Points as posted: "+5" for an award, "扣 3 分" for a penalty (never a green +). */
export function PostedPoints(props: { kind: string; points: number }) {
  const penalty = () => props.kind === "penalty";
  return (
    <span class={`pts ${penalty() ? "minus" : "plus"}`} style={{ "font-size": "1rem" }} data-kind={props.kind}>
      {penalty() ? t("pubPrint.deduct", { n: fmtPoints(Math.abs(props.points)) }) : `+${fmtPoints(Math.abs(props.points))}`}
    </span>
  );
}

/** What became of an item on the board: nothing to say while it stands, else its state. */
export function itemRemark(status: string): string {
  if (status === "objected") return t("pubPrint.objected");
  if (status === "cancelled") return t("pubPrint.cancelled");
  if (status === "credited") return t("pubPrint.credited");
  return "";
}

/** One publicity item's cells, as the admin's page and the printed 公示 both show them. */
export function BatchItemCells(props: { item: Publicity["items"][number] }) {
  return (
    <>
      <td>{props.item.registerNo ?? ""}</td>
      <td>{props.item.name}</td>
      <td>{props.item.building}</td>
      <td>{categoryName(props.item.category)}</td>
      <td>{props.item.rule}</td>
      <td>
        <PostedPoints kind={props.item.kind} points={props.item.points} />
      </td>
      <td>{itemRemark(props.item.status)}</td>
    </>
  );
}

function BatchItems(props: { batch: Publicity }) {
  return (
    <Show when={props.batch.items.length} fallback={<p class="muted">{t("board.noItems")}</p>}>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">{t("pub.boardTitle")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("pubPrint.regNo")}</th>
              <th scope="col">{t("pub.name")}</th>
              <th scope="col">{t("hh.building")}</th>
              <th scope="col">{t("rules.category")}</th>
              <th scope="col">{t("rules.title")}</th>
              <th scope="col">{t("pub.points")}</th>
              <th scope="col">{t("pubPrint.remark")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.batch.items}>
              {(i) => (
                <tr>
                  <BatchItemCells item={i} />
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}

/** Every objection to the batch, open first then resolved, each with when it was raised and decided. */
function BatchObjections(props: { id: string }) {
  const [list] = createResource(() => props.id, (id) => objections.ofBatch(id));
  const sorted = () => {
    const items = ready(list)?.items ?? [];
    return [...items.filter((o) => o.status === "open"), ...items.filter((o) => o.status !== "open")];
  };
  return (
    <div data-testid="batch-objections">
      <h4 style={{ margin: "12px 0 4px" }}>{t("pubDesk.objections", { n: sorted().length })}</h4>
      <ErrorBox error={list.error} />
      <Show when={sorted().length} fallback={<p class="muted small" style={{ margin: 0 }}>{t("pubDesk.noObjections")}</p>}>
        <ul class="list">
          <For each={sorted()}>
            {(o) => (
              <li data-testid="objection" data-status={o.status}>
                <div class="item-head">
                  <span>
                    <strong>{o.item?.headName}</strong> <span class="muted small">{o.item?.building}</span> · {o.item?.rule}
                  </span>
                  <span class={`badge ${o.status === "open" ? "warn" : o.status === "upheld" ? "bad" : "ok"}`}>{t(`pubDesk.objection_${o.status}`)}</span>
                </div>
                <div>{t("review.objectionReason", { reason: o.reason })}</div>
                <div class="small muted">
                  {t("pubDesk.raisedAt", { at: fmtDate(o.createdAt, true) })}
                  <Show when={o.resolvedAt}>{(at) => <> · {t("pubDesk.resolvedAt", { at: fmtDate(at(), true), note: o.note ?? "" })}</>}</Show>
                </div>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}
