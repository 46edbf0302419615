/**
 * 充值 (step 6): credit a closed batch's items without an open objection to the households'
 * cards. Nothing is credited without a preview first (households, points, what penalties will
 * deduct, the held-back items with their objections) and a confirmation; a batch already credited
 * says when and by whom instead of offering the button again.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import { publicity, topups, type Publicity, type TopUp, type TopUpPreview } from "../../api";
import { fmtDate, fmtPoints, t } from "../../i18n";
import { createAction, ErrorBox, Loading, ready, Success } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { PostedPoints } from "./publicity";

export default function TopupsPage() {
  const [batches, { refetch }] = createResource(() => publicity.list());
  const [previewing, setPreviewing] = createSignal<string | null>(null);
  const [done, setDone] = createSignal<TopUp | null>(null);
  const confirm = createAction(async (id: string) => {
    setDone(await topups.create(id));
    setPreviewing(null);
    await refetch();
  });
  const show = (id: string) => {
    setDone(null);
    confirm.setError(null);
    setPreviewing(id);
  };
  return (
    <>
      <h1>
        <Icon name="trend" /> {t("admin.topups")}
      </h1>
      <p class="muted">{t("topup.hint")}</p>
      <Show when={done()}>
        {(result) => (
          <Show
            when={result().alreadyCredited}
            fallback={<Success>{t("topup.done", { credited: result().credited, points: result().points, deducted: result().deducted, held: result().heldBack })}</Success>}
          >
            <Success>{t("topupDesk.alreadyCredited", { at: fmtDate(result().createdAt, true) })}</Success>
          </Show>
        )}
      </Show>
      <ErrorBox error={batches.error} />
      <ul class="list">
        <For each={ready(batches)?.items ?? []} fallback={<li class="muted">{batches.loading ? t("common.loading") : t("common.none")}</li>}>
          {(b) => (
            <li data-testid="topup-batch" data-batch-id={b.id}>
              <div class="item-head">
                <span>
                  {t("board.period", { from: fmtDate(b.startsAt, true), to: fmtDate(b.endsAt, true) })} · {t("board.count", { n: b.items.length })}
                </span>
                <BatchAction batch={b} previewing={previewing() === b.id} onPreview={() => show(b.id)} />
              </div>
              <Show when={b.topUp}>
                {(topUp) => (
                  <p class="small" style={{ margin: "6px 0 0" }} data-testid="credited-by">
                    <Icon name="check" size={18} />{" "}
                    {t("topupDesk.credited", { at: fmtDate(topUp().at, true), by: topUp().byName ?? t("topupDesk.system"), credited: topUp().credited, points: fmtPoints(topUp().points) })}
                  </p>
                )}
              </Show>
              <Show when={previewing() === b.id}>
                <PreviewPanel
                  batch={b}
                  busy={confirm.busy()}
                  error={confirm.error()}
                  onConfirm={() => void confirm.run(b.id)}
                  onCancel={() => setPreviewing(null)}
                />
              </Show>
            </li>
          )}
        </For>
      </ul>
    </>
  );
}

/** What a batch offers: nothing while open; a preview before the first top-up; a re-check after. */
function BatchAction(props: { batch: Publicity; previewing: boolean; onPreview: () => void }) {
  return (
    <Show when={props.batch.status === "closed"} fallback={<span class="badge warn">{t("topup.open")}</span>}>
      <Show
        when={props.batch.topUp}
        fallback={
          <button disabled={props.previewing} onClick={() => props.onPreview()} data-testid="run-topup">
            <Icon name="trend" /> {t("topup.run")}
          </button>
        }
      >
        <button class="secondary" disabled={props.previewing} onClick={() => props.onPreview()} data-testid="recheck-topup">
          <Icon name="search" /> {t("topupDesk.recheck")}
        </button>
      </Show>
    </Show>
  );
}

/** The preview of one batch and the confirmation; confirming credits what the preview showed. */
function PreviewPanel(props: { batch: Publicity; busy: boolean; error: unknown; onConfirm: () => void; onCancel: () => void }) {
  const [preview] = createResource(() => props.batch.id, (id) => topups.preview(id));
  // A repeat with nothing to credit would only answer the earlier top-up: no button for it.
  const canConfirm = (p: TopUpPreview) => p.credited > 0 || p.lastTopUp === null;
  return (
    <section class="panel" data-testid="topup-preview" aria-label={t("topupDesk.previewTitle")}>
      <h2 style={{ "margin-top": 0 }}>{t("topupDesk.previewTitle")}</h2>
      <ErrorBox error={preview.error} />
      <Show when={ready(preview)} fallback={<Show when={!preview.error}><Loading /></Show>}>
        {(p) => (
          <>
            <div class="stats">
              <div class="stat">
                <b data-testid="preview-households">{fmtPoints(p().households)}</b>
                {t("topupDesk.households")}
              </div>
              <div class="stat">
                <b data-testid="preview-items">{fmtPoints(p().credited)}</b>
                {t("topupDesk.items")}
              </div>
              <div class="stat">
                <b data-testid="preview-points">{fmtPoints(p().points)}</b>
                {t("topupDesk.points")}
              </div>
              <div class="stat">
                <b data-testid="preview-deducted">{fmtPoints(p().deducted)}</b>
                {t("topupDesk.deducted")}
              </div>
              <div class="stat">
                <b data-testid="preview-held">{fmtPoints(p().heldBack.length)}</b>
                {t("topupDesk.heldBack")}
              </div>
            </div>
            <Show when={p().deducted > 0 || p().items.some((i) => i.kind === "penalty")}>
              <p class="small muted">{t("topupDesk.penaltyNote")}</p>
            </Show>
            <Show when={p().heldBack.length}>
              <h3>{t("topupDesk.heldBackTitle")}</h3>
              <ul class="list" data-testid="preview-held-items">
                <For each={p().heldBack}>
                  {(i) => (
                    <li>
                      <div class="item-head">
                        <span>
                          {i.householdNo} {i.headName} · {i.rule}
                        </span>
                        <PostedPoints kind={i.kind} points={i.points} />
                      </div>
                      <div class="small">{t("review.objectionReason", { reason: i.objection })}</div>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <Show when={p().items.length} fallback={<p class="muted">{t("topupDesk.nothingLeft")}</p>}>
              <h3>{t("topupDesk.itemsTitle")}</h3>
              <div class="table-wrap">
                <table data-testid="preview-items-table">
                  <thead>
                    <tr>
                      <th scope="col">{t("pubPrint.regNo")}</th>
                      <th scope="col">{t("hh.no")}</th>
                      <th scope="col">{t("hh.head")}</th>
                      <th scope="col">{t("rules.title")}</th>
                      <th scope="col">{t("pub.points")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={p().items}>
                      {(i) => (
                        <tr>
                          <td>{i.registerNo ?? ""}</td>
                          <td>{i.householdNo}</td>
                          <td>{i.headName}</td>
                          <td>{i.rule}</td>
                          <td>
                            <PostedPoints kind={i.kind} points={i.points} />
                          </td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
            </Show>
            <ErrorBox error={props.error} />
            <div class="row" style={{ "margin-top": "12px" }}>
              <Show when={canConfirm(p())}>
                <button style={{ flex: "none" }} disabled={props.busy} onClick={() => props.onConfirm()} data-testid="confirm-topup">
                  <Icon name="check" /> {t("topupDesk.confirm", { n: p().credited, points: fmtPoints(p().points) })}
                </button>
              </Show>
              <button class="plain" style={{ flex: "none" }} onClick={() => props.onCancel()} data-testid="cancel-topup">
                <Icon name="x" /> {t("topupDesk.cancel")}
              </button>
            </div>
          </>
        )}
      </Show>
    </section>
  );
}
