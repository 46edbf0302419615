/**
 * Certification group (认定小组). Open objections come first — each with the day it was raised and
 * the end of its batch's window, since an objection holds its item until it is resolved. Then the
 * queue of submitted applications, grouped by activity (notice) and household, with the evidence
 * photos that enlarge, likely duplicates marked and penalties marked as deductions: approve with
 * points inside the rule's range or reject with a reason, one by one; or select (a whole activity
 * at once) and approve in bulk after checking each one's points and the total in a confirmation.
 *
 * The points typed for an application are kept here, by id, so the row's field and the bulk
 * confirmation show the same number; it starts at the rule's minimum.
 */
import { createEffect, createMemo, createResource, createSignal, For, Show } from "solid-js";
import { applications, type Application } from "../../api";
import { t } from "../../i18n";
import { ErrorBox, Loading, ready, Success } from "../../ui/common";
import { useStaffRole } from "../../ui/guard";
import { Icon } from "../../ui/icon";
import { BulkApprove, type BulkResult } from "./bulk-approve";
import { Objections } from "./objections";
import { QueueItem } from "./queue-item";
import "./reviewer.css";

/** How many waiting applications one page of the queue asks for (the API's most). */
const queueLimit = "200";

type Group = { noticeId: string; title: string | null; ids: string[]; households: Application[][] };

export default function Reviewer() {
  const user = useStaffRole("reviewer", "admin");
  const [queue, { refetch }] = createResource(user, () => applications.list({ status: "submitted", limit: queueLimit }));
  const [selected, setSelected] = createSignal<ReadonlySet<string>>(new Set());
  const [typed, setTyped] = createSignal<Readonly<Record<string, number>>>({});
  const [confirming, setConfirming] = createSignal(false);
  const [done, setDone] = createSignal<string | null>(null);

  const items = () => ready(queue)?.items ?? [];
  const pointsOf = (a: Application) => typed()[a.id] ?? a.rule.minPoints;
  const setPoints = (id: string, n: number) => setTyped({ ...typed(), [id]: n });

  /** The selection, as applications still waiting (a decided one drops out of it). */
  const chosen = createMemo(() => items().filter((a) => selected().has(a.id)));

  /** notice → household → applications, in the order the server lists them. */
  const groups = createMemo<Group[]>(() => {
    const byNotice = new Map<string, { title: string | null; households: Map<string, Application[]> }>();
    for (const a of items()) {
      const key = a.noticeId ?? "";
      const group = byNotice.get(key) ?? { title: a.noticeTitle, households: new Map<string, Application[]>() };
      byNotice.set(key, group);
      group.households.set(a.householdId, [...(group.households.get(a.householdId) ?? []), a]);
    }
    return [...byNotice.entries()].map(([noticeId, g]) => {
      const households = [...g.households.values()];
      return { noticeId, title: g.title, households, ids: households.flat().map((a) => a.id) };
    });
  });

  function toggle(ids: string[], on: boolean) {
    const next = new Set(selected());
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    setSelected(next);
  }

  function finished(result: BulkResult) {
    toggle(result.approved, false);
    setConfirming(false);
    setDone(
      result.deducted
        ? t("reviewDesk.doneWithPenalty", { n: result.approved.length, award: result.awarded, penalty: result.deducted })
        : t("reviewDesk.done", { n: result.approved.length, award: result.awarded }),
    );
    void refetch();
  }

  return (
    <div class="review">
      <h1>
        <Icon name="check" /> {t("review.title")}
      </h1>
      <Objections user={user} />
      <h2>
        <Icon name="file" /> {t("reviewDesk.queue")}
      </h2>
      <ErrorBox error={queue.error} />
      <Show when={done()}>
        <Success>{done()}</Success>
      </Show>
      <Show when={ready(queue)} fallback={<Show when={!queue.error}><Loading /></Show>}>
        {(page) => (
          <Show when={page().items.length} fallback={<p class="panel muted">{t("review.empty")}</p>}>
            <Show when={page().nextCursor}>
              <p class="small muted" data-testid="queue-more">{t("reviewDesk.more", { n: page().items.length })}</p>
            </Show>
            <For each={groups()}>
              {(group) => (
                <section class="panel" data-testid="queue-group" data-notice-id={group.noticeId}>
                  <h3 class="group-title">
                    <Icon name={group.noticeId ? "bell" : "user"} /> {group.noticeId ? (group.title ?? group.noticeId) : t("review.noNotice")}{" "}
                    <span class="muted small">{t("reviewDesk.groupCount", { n: group.ids.length })}</span>
                  </h3>
                  <Show when={group.noticeId}>
                    <SelectAll ids={group.ids} selected={selected()} onChange={(on) => toggle(group.ids, on)} />
                  </Show>
                  <For each={group.households}>
                    {(apps) => (
                      <div>
                        <h4 class="household-title">
                          <Icon name="user" /> {apps[0].household.headName}{" "}
                          <span class="muted small">
                            {apps[0].household.householdNo} · {apps[0].household.building}
                          </span>
                        </h4>
                        <ul class="list">
                          <For each={apps}>
                            {(a) => (
                              <QueueItem
                                application={a}
                                checked={selected().has(a.id)}
                                onCheck={(on) => toggle([a.id], on)}
                                points={pointsOf(a)}
                                onPoints={(n) => setPoints(a.id, n)}
                                onDone={() => {
                                  toggle([a.id], false);
                                  void refetch();
                                }}
                              />
                            )}
                          </For>
                        </ul>
                      </div>
                    )}
                  </For>
                </section>
              )}
            </For>
          </Show>
        )}
      </Show>
      <div class="panel review-bar" classList={{ sticky: chosen().length > 0 }}>
        <span class="small">{t("review.count", { n: items().length })}</span>
        <button
          class="ok"
          disabled={!chosen().length}
          onClick={() => {
            setDone(null);
            setConfirming(true);
          }}
          data-testid="bulk-approve"
        >
          <Icon name="check" /> {t("review.bulk", { n: chosen().length })}
        </button>
      </div>
      <Show when={confirming()}>
        <BulkApprove applications={chosen()} pointsOf={pointsOf} onPoints={setPoints} onCancel={() => setConfirming(false)} onDone={finished} onPartial={() => void refetch()} />
      </Show>
    </div>
  );
}

/** "全选本次活动": checked when every application of the activity is, half-checked when some are. */
function SelectAll(props: { ids: string[]; selected: ReadonlySet<string>; onChange: (on: boolean) => void }) {
  let box!: HTMLInputElement;
  const count = () => props.ids.filter((id) => props.selected.has(id)).length;
  createEffect(() => {
    box.indeterminate = count() > 0 && count() < props.ids.length;
  });
  return (
    <label class="pick-all">
      <input
        ref={box}
        type="checkbox"
        class="pick"
        checked={count() === props.ids.length}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
        data-testid="select-activity"
      />
      {t("reviewDesk.selectActivity", { n: props.ids.length })}
    </label>
  );
}
