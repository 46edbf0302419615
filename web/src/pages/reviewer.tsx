/**
 * Certification group (认定小组): the queue of submitted applications grouped by notice and
 * household, with evidence; approve with points inside the rule's range or reject with a
 * reason, one by one or in bulk; then the objections to resolve. An application that may be
 * the same deed as another (same household and rule that day, or the same activity) is marked.
 */
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import { applications, notices, objections, type Application, type Objection } from "../api";
import { categoryName, fmtDate, t } from "../i18n";
import { createAction, ErrorBox, Loading, Success } from "../ui/common";
import { useStaffRole } from "../ui/guard";
import { Icon } from "../ui/icon";

export default function Reviewer() {
  const user = useStaffRole("reviewer", "admin");
  const [queue, { refetch }] = createResource(user, () => applications.list({ status: "submitted" }));
  const [noticeList] = createResource(user, () => notices.list());
  const [objectionList, { refetch: refetchObjections }] = createResource(user, () => objections.list("open").catch(() => null));
  const [selected, setSelected] = createSignal<Set<string>>(new Set());
  const [done, setDone] = createSignal<string | null>(null);

  const noticeTitle = (id: string | null | undefined) => (id ? noticeList()?.items.find((n) => n.id === id)?.title ?? id : t("review.noNotice"));

  /** notice → household → applications, in the order they came. */
  const groups = createMemo(() => {
    const byNotice = new Map<string, Map<string, Application[]>>();
    for (const a of queue()?.items ?? []) {
      const nk = a.noticeId ?? "";
      if (!byNotice.has(nk)) byNotice.set(nk, new Map());
      const byHousehold = byNotice.get(nk)!;
      if (!byHousehold.has(a.householdId)) byHousehold.set(a.householdId, []);
      byHousehold.get(a.householdId)!.push(a);
    }
    return [...byNotice.entries()].map(([noticeId, hh]) => ({ noticeId, households: [...hh.entries()] }));
  });

  const bulk = createAction(async () => {
    const ids = [...selected()];
    for (const id of ids) await applications.certify(id, { decision: "approve" });
    setSelected(new Set<string>());
    setDone(t("review.bulkDone", { n: ids.length }));
    await refetch();
  });

  function toggle(id: string, on: boolean) {
    const next = new Set(selected());
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  }

  return (
    <>
      <h1>
        <Icon name="check" /> {t("review.title")}
      </h1>
      <ErrorBox error={queue.error} />
      <Show when={done()}>
        <Success>{done()}</Success>
      </Show>
      <div class="row panel">
        <span>{t("review.count", { n: queue()?.items.length ?? 0 })}</span>
        <button class="ok" style={{ flex: "none" }} disabled={!selected().size || bulk.busy()} onClick={() => void bulk.run()} data-testid="bulk-approve">
          <Icon name="check" /> {t("review.bulk", { n: selected().size })}
        </button>
      </div>
      <ErrorBox error={bulk.error()} />
      <Show when={queue()} fallback={<Loading />}>
        <Show when={queue()!.items.length} fallback={<p class="panel muted">{t("review.empty")}</p>}>
          <For each={groups()}>
            {(group) => (
              <section class="panel">
                <h2 style={{ "margin-top": 0 }}>
                  <Icon name="bell" /> {noticeTitle(group.noticeId)}
                </h2>
                <For each={group.households}>
                  {([, apps]) => (
                    <div>
                      <h3>
                        <Icon name="user" /> {apps[0].household.headName}{" "}
                        <span class="muted small">
                          {apps[0].household.householdNo} · {apps[0].household.building}
                        </span>
                      </h3>
                      <ul class="list">
                        <For each={apps}>
                          {(a) => (
                            <QueueItem
                              application={a}
                              checked={selected().has(a.id)}
                              onCheck={(on) => toggle(a.id, on)}
                              onDone={() => void refetch()}
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
      </Show>
      <h2>
        <Icon name="alert" /> {t("review.objections")}
      </h2>
      <Show when={objectionList()} fallback={<p class="muted">{t("common.none")}</p>}>
        <ul class="list" data-testid="objections">
          <For each={objectionList()!.items} fallback={<li class="muted">{t("review.noObjections")}</li>}>
            {(o) => <ObjectionItem objection={o} onDone={() => void refetchObjections()} />}
          </For>
        </ul>
      </Show>
    </>
  );
}

function QueueItem(props: { application: Application; checked: boolean; onCheck: (on: boolean) => void; onDone: () => void }) {
  const a = () => props.application;
  const rule = () => props.application.rule;
  const [points, setPoints] = createSignal<number>(props.application.rule.minPoints);
  const [reason, setReason] = createSignal("");
  const [rejecting, setRejecting] = createSignal(false);
  const approve = createAction(async () => {
    await applications.certify(a().id, { decision: "approve", points: points() || rule().minPoints });
    props.onDone();
  });
  const reject = createAction(async () => {
    await applications.certify(a().id, { decision: "reject", reason: reason().trim() });
    props.onDone();
  });
  return (
    <li data-testid="queue-item">
      <div class="row" style={{ "flex-wrap": "nowrap", "align-items": "flex-start" }}>
        <input type="checkbox" style={{ flex: "none" }} checked={props.checked} onChange={(e) => props.onCheck(e.currentTarget.checked)} aria-label={t("review.select", { what: rule().title })} />
        <div>
          <strong>{rule().title}</strong> <span class="badge">{categoryName(rule().category)}</span>
          <div>{a().description}</div>
          <Show when={a().memberName}>
            <div class="muted small">{t("apps.member", { name: a().memberName! })}</div>
          </Show>
          <div class="muted small">{fmtDate(a().createdAt, true)}</div>
          <Show when={a().likelyDuplicateOf?.length}>
            <div class="small" data-testid="likely-duplicate">
              <span class="badge warn">
                <Icon name="alert" /> {t("office.likelyDuplicate", { n: a().likelyDuplicateOf.length })}
              </span>
            </div>
          </Show>
          <Show when={a().evidence?.length}>
            <div class="row" style={{ "margin-top": "6px" }}>
              <For each={a().evidence}>
                {(e) =>
                  e.startsWith("data:image/") || /^https?:.*\.(jpe?g|png|webp)$/i.test(e) ? (
                    <img src={e} alt={t("review.evidence")} style={{ "max-width": "120px", "border-radius": "8px", flex: "none" }} />
                  ) : (
                    <span class="small">{e}</span>
                  )
                }
              </For>
            </div>
          </Show>
        </div>
      </div>
      <div class="row" style={{ "margin-top": "8px" }}>
        <label class="sr-only" for={`pts-${a().id}`}>
          {t("review.points")}
        </label>
        <input
          id={`pts-${a().id}`}
          type="number"
          style={{ "max-width": "110px", flex: "none" }}
          min={rule().minPoints}
          max={rule().maxPoints}
          value={points()}
          onInput={(e) => setPoints(Number(e.currentTarget.value))}
        />
        <span class="muted small" style={{ flex: "none" }}>
          {t("apply.range", { min: rule().minPoints, max: rule().maxPoints })}
        </span>
        <button class="ok" style={{ flex: "none" }} disabled={approve.busy()} onClick={() => void approve.run()} data-testid="approve">
          <Icon name="check" /> {t("review.approve")}
        </button>
        <button class="secondary" style={{ flex: "none" }} onClick={() => setRejecting(!rejecting())} data-testid="reject">
          <Icon name="x" /> {t("review.reject")}
        </button>
      </div>
      <Show when={rejecting()}>
        <label for={`reason-${a().id}`}>{t("review.reason")}</label>
        <div class="row">
          <input id={`reason-${a().id}`} value={reason()} onInput={(e) => setReason(e.currentTarget.value)} />
          <button style={{ flex: "none" }} disabled={!reason().trim() || reject.busy()} onClick={() => void reject.run()} data-testid="reject-confirm">
            {t("review.rejectConfirm")}
          </button>
        </div>
      </Show>
      <ErrorBox error={approve.error() ?? reject.error()} />
    </li>
  );
}

function ObjectionItem(props: { objection: Objection; onDone: () => void }) {
  const [note, setNote] = createSignal("");
  const resolve = createAction(async (upheld: boolean) => {
    await objections.resolve(props.objection.id, upheld, note().trim());
    props.onDone();
  });
  const o = () => props.objection;
  return (
    <li data-testid="objection">
      <Show when={o().item}>
        {(item) => (
          <div>
            <strong>{item().headName}</strong>{" "}
            <span class="muted small">
              {t("home.household", { no: item().householdNo })} · {item().building}
            </span>
            <div>
              {item().rule} ·{" "}
              <span class={`pts ${item().kind === "penalty" ? "minus" : "plus"}`}>
                {item().kind === "penalty" ? "−" : "+"}
                {item().points}
              </span>
              <Show when={item().registerNo != null}>
                <span class="muted small"> · {t("review.registerNo", { no: item().registerNo! })}</span>
              </Show>
            </div>
          </div>
        )}
      </Show>
      <div>{t("review.objectionReason", { reason: o().reason })}</div>
      <label for={`note-${o().id}`}>{t("review.note")}</label>
      <input id={`note-${o().id}`} value={note()} onInput={(e) => setNote(e.currentTarget.value)} />
      <div class="row" style={{ "margin-top": "8px" }}>
        <button class="secondary" disabled={resolve.busy() || !note().trim()} onClick={() => void resolve.run(true)} data-testid="uphold">
          <Icon name="x" /> {t("review.uphold")}
        </button>
        <button class="ok" disabled={resolve.busy() || !note().trim()} onClick={() => void resolve.run(false)} data-testid="dismiss">
          <Icon name="check" /> {t("review.dismiss")}
        </button>
      </div>
      <ErrorBox error={resolve.error()} />
    </li>
  );
}
