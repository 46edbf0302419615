/**
 * 给居民看: after a card is scanned, the clerk or volunteer turns the screen to a resident who
 * has only a card (no phone) and shows, in big type, the household's balance and its last
 * entries — read aloud on request — and prints the statement for them to take home.
 */
import { createResource, For, onCleanup, onMount, Show } from "solid-js";
import { households } from "../api";
import { fmtDate, fmtPoints, t } from "../i18n";
import { ErrorBox, Loading } from "./common";
import { Icon } from "./icon";
import { ReadAloud } from "./read-aloud";
import { balanceSentence, entriesText, spokenEntriesMax } from "./speech";
import { StatementPrint } from "./statement";

export function ShowResident(props: { householdId: string; onClose: () => void }) {
  const [household] = createResource(() => props.householdId, (id) => households.get(id));
  const [ledger] = createResource(() => props.householdId, (id) => households.ledger(id));
  const recent = () => (ledger.error ? [] : (ledger()?.items ?? []).slice(0, spokenEntriesMax));
  let closeButton: HTMLButtonElement | undefined;
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") props.onClose();
  };
  onMount(() => {
    closeButton?.focus();
    window.addEventListener("keydown", onKey);
  });
  onCleanup(() => window.removeEventListener("keydown", onKey));
  return (
    <div class="show-resident" role="dialog" aria-modal="true" aria-labelledby="show-resident-title" data-testid="show-resident">
      <div class="show-resident-inner">
        <div class="row no-print" style={{ "justify-content": "space-between" }}>
          <h1 id="show-resident-title" style={{ margin: 0 }}>
            <Icon name="user" /> {t("inclusion.show.title")}
          </h1>
          <button type="button" class="secondary" ref={closeButton} onClick={() => props.onClose()} data-testid="show-resident-close">
            <Icon name="x" /> {t("inclusion.show.close")}
          </button>
        </div>
        <ErrorBox error={household.error ?? ledger.error} />
        <Show when={!household.error && household()} fallback={<Show when={household.loading}><Loading /></Show>}>
          {(h) => (
            <div class="no-print">
              <section class="hero">
                <div class="label">
                  {h().headName} · {t("home.household", { no: h().householdNo })}
                </div>
                <div class="label">{t("inclusion.show.balance")}</div>
                <div class="big" data-testid="show-balance">
                  {fmtPoints(h().balance)}
                </div>
              </section>
              <ReadAloud text={(lang) => `${balanceSentence(h().balance, lang)} ${entriesText(recent(), lang)}`} testid="show-read-aloud" />
              <h2>{t("inclusion.show.recent")}</h2>
              <ul class="list" data-testid="show-entries">
                <For each={recent()} fallback={<li>{t("history.empty")}</li>}>
                  {(e) => (
                    <li>
                      <div class="item-head">
                        <span>{e.description}</span>
                        <b class={`pts ${e.amount < 0 ? "minus" : "plus"}`}>
                          {e.amount < 0 ? "−" : "+"}
                          {fmtPoints(Math.abs(e.amount))}
                        </b>
                      </div>
                      <div class="muted small">
                        {fmtDate(e.at, true)} · {t("history.after", { n: fmtPoints(e.balanceAfter) })}
                      </div>
                    </li>
                  )}
                </For>
              </ul>
            </div>
          )}
        </Show>
        <StatementPrint householdId={props.householdId} compact />
      </div>
    </div>
  );
}
