/**
 * Open objections, above the queue: an objection holds its item (and the batch's top-up of it)
 * until the group resolves it, so each says when it was raised and when its batch's window ends.
 * The end comes from the batch itself (`GET /publicity/:id`, once per batch). If the objections
 * cannot be read, the section says so quietly and the queue still works.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import { objections, publicity, type Objection } from "../../api";
import { fmtDate, t } from "../../i18n";
import { createAction, ErrorBox, ready } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { PenaltyTag, SignedPoints } from "../../ui/points";

async function openObjections() {
  const items = (await objections.list("open")).items;
  const batchIds = [...new Set(items.map((o) => o.publicityId))];
  const ends = new Map<string, string>();
  await Promise.all(
    batchIds.map(async (id) => {
      try {
        ends.set(id, (await publicity.get(id)).endsAt);
      } catch {
        /* the end stays unknown; the objection is still shown */
      }
    }),
  );
  // Oldest first: the longest-waiting objection is looked into first.
  return { items: [...items].sort((a, b) => a.createdAt.localeCompare(b.createdAt)), ends };
}

export function Objections(props: { user: () => unknown }) {
  const [list, { refetch }] = createResource(props.user, openObjections);
  const count = () => ready(list)?.items.length ?? 0;
  return (
    <section class="objections" aria-labelledby="objections-title" data-testid="objections-section">
      <h2 id="objections-title">
        <Icon name="alert" /> {t("review.objections")}
        <Show when={count()}>
          <span class="badge warn">{count()}</span>
        </Show>
      </h2>
      <Show when={ready(list)} fallback={<p class="muted">{list.error ? t("reviewDesk.objectionsUnavailable") : t("common.loading")}</p>}>
        {(loaded) => (
          <ul class="list" data-testid="objections">
            <For each={loaded().items} fallback={<li class="muted">{t("review.noObjections")}</li>}>
              {(o) => <ObjectionItem objection={o} batchEndsAt={loaded().ends.get(o.publicityId) ?? null} onDone={() => void refetch()} />}
            </For>
          </ul>
        )}
      </Show>
    </section>
  );
}

function ObjectionItem(props: { objection: Objection; batchEndsAt: string | null; onDone: () => void }) {
  const [note, setNote] = createSignal("");
  const resolve = createAction(async (upheld: boolean) => {
    await objections.resolve(props.objection.id, upheld, note().trim());
    props.onDone();
  });
  const o = () => props.objection;
  const ended = () => props.batchEndsAt !== null && new Date(props.batchEndsAt).getTime() <= Date.now();
  return (
    <li data-testid="objection">
      <p class="small objection-dates">
        <span data-testid="objection-raised">
          <Icon name="clock" /> {t("reviewDesk.raisedAt", { at: fmtDate(o().createdAt, true) })}
        </span>
        <Show when={props.batchEndsAt}>
          {(end) => (
            <span data-testid="objection-batch-ends" classList={{ "batch-ended": ended() }}>
              {ended() ? t("reviewDesk.batchEnded", { at: fmtDate(end(), true) }) : t("reviewDesk.batchEnds", { at: fmtDate(end(), true) })}
            </span>
          )}
        </Show>
      </p>
      <Show when={o().item}>
        {(item) => (
          <div>
            <strong>{item().headName}</strong>{" "}
            <span class="muted small">
              {t("home.household", { no: item().householdNo })} · {item().building}
            </span>
            <div>
              <PenaltyTag kind={item().kind} /> {item().rule} · <SignedPoints kind={item().kind} points={item().points} />
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
