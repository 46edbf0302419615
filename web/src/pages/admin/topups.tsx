/** 充值 (step 6): credit a closed batch's items without an open objection to the households' cards. */
import { createResource, createSignal, For, Show } from "solid-js";
import { publicity, topups, type TopUp } from "../../api";
import { fmtDate, t } from "../../i18n";
import { createAction, ErrorBox, ready, Success } from "../../ui/common";
import { Icon } from "../../ui/icon";

export default function TopupsPage() {
  const [batches, { refetch }] = createResource(() => publicity.list());
  const [done, setDone] = createSignal<TopUp | null>(null);
  const run = createAction(async (id: string) => {
    setDone(await topups.create(id));
    await refetch();
  });
  return (
    <>
      <h1>
        <Icon name="trend" /> {t("admin.topups")}
      </h1>
      <p class="muted">{t("topup.hint")}</p>
      <Show when={done()}>
        {(result) => <Success>{t("topup.done", { credited: result().credited, points: result().points, deducted: result().deducted, held: result().heldBack })}</Success>}
      </Show>
      <ErrorBox error={batches.error ?? run.error()} />
      <ul class="list">
        <For each={ready(batches)?.items ?? []} fallback={<li class="muted">{t("common.none")}</li>}>
          {(b) => (
            <li class="item-head">
              <span>
                {t("board.period", { from: fmtDate(b.startsAt, true), to: fmtDate(b.endsAt, true) })} · {t("board.count", { n: b.items.length })}
              </span>
              <Show when={b.status === "closed"} fallback={<span class="badge warn">{t("topup.open")}</span>}>
                <button disabled={run.busy()} onClick={() => void run.run(b.id)} data-testid="run-topup">
                  <Icon name="trend" /> {t("topup.run")}
                </button>
              </Show>
            </li>
          )}
        </For>
      </ul>
    </>
  );
}
