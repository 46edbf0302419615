/**
 * 积分明细: every movement of the household's points, in words, newest first, page by page. The
 * first page is kept on the phone, so offline it still shows, with the time it was read.
 */
import { createSignal, For, onCleanup, Show } from "solid-js";
import { households, type LedgerEntry } from "../../api";
import { fmtDate, fmtPoints, t } from "../../i18n";
import { BackLink, ErrorBox, Loading } from "../../ui/common";
import { createCursorList, PagingFooter } from "../../ui/data-table";
import { Icon } from "../../ui/icon";
import { AsOf } from "../../ui/kept";
import { keptCall, withTimeout } from "../../ui/offline";
import { isPenalty, PenaltyTag } from "../../ui/points";
import { ReadAloud } from "../../ui/read-aloud";
import { balanceSentence, entriesText } from "../../ui/speech";
import { useHouseholdId } from "./household";

/** One movement in words. The API words each one itself (which deed, which purchase); the kind is the fallback. */
function explain(entry: LedgerEntry): string {
  if (entry.description) return entry.description;
  const receipt = entry.receiptNo !== null ? ` ${t("history.receipt", { no: entry.receiptNo })}` : "";
  switch (entry.kind) {
    case "award":
      return t("history.award", { what: t("history.deed") });
    case "penalty":
      return t("history.penalty", { what: t("history.conduct") });
    case "redemption":
      return t("history.redemption", { what: "" }) + receipt;
    case "reversal":
      return t("history.reversal", { what: "" }) + receipt;
    default:
      return t("history.adjustment", { what: "" });
  }
}

export default function History() {
  const householdId = useHouseholdId();
  // When the first page came from the phone's copy: the time it was read.
  const [savedAt, setSavedAt] = createSignal<string | null>(null);
  const ledger = createCursorList(householdId, async (id, cursor) => {
    if (cursor) return withTimeout(households.ledger(id, cursor));
    const first = await keptCall(`${id}:history`, () => households.ledger(id));
    setSavedAt(first.savedAt);
    return first.value;
  });
  const again = () => {
    if (ledger.error() || savedAt()) ledger.refetch();
  };
  window.addEventListener("online", again);
  onCleanup(() => window.removeEventListener("online", again));
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="list" /> {t("history.title")}
      </h1>
      <AsOf at={savedAt()} retry={ledger.refetch} />
      <Show when={ledger.items().length}>
        {/* The newest entry's balance is the balance now; then the five entries at the top. */}
        <ReadAloud text={(lang) => `${balanceSentence(ledger.items()[0].balanceAfter, lang)} ${entriesText(ledger.items(), lang)}`} />
      </Show>
      <ErrorBox error={ledger.error()} />
      <Show when={ledger.error() && !ledger.loading()}>
        <button type="button" class="secondary" onClick={() => ledger.refetch()} data-testid="retry">
          <Icon name="globe" /> {t("resident.retry")}
        </button>
      </Show>
      <Show when={ledger.items().length} fallback={<Show when={ledger.loading()} fallback={<Show when={!ledger.error()}><p class="muted">{t("history.empty")}</p></Show>}><Loading /></Show>}>
        <ul class="list" data-testid="history">
          <For each={ledger.items()}>
            {(entry) => (
              <li classList={{ penalty: isPenalty(entry.kind) }} data-kind={entry.kind}>
                <div class="item-head">
                  <span>
                    <PenaltyTag kind={entry.kind} /> {explain(entry)}
                  </span>
                  <Amount entry={entry} />
                </div>
                <div class="muted small">
                  {fmtDate(entry.at, true)} · {t("history.after", { n: fmtPoints(entry.balanceAfter) })}
                </div>
              </li>
            )}
          </For>
        </ul>
        <PagingFooter shown={ledger.items().length} paging={ledger} testid="history" />
      </Show>
    </>
  );
}

/** The movement's points, signed: red with a minus for a penalty (even one that found nothing to take) and every spending. */
function Amount(props: { entry: LedgerEntry }) {
  const minus = () => props.entry.amount < 0 || isPenalty(props.entry.kind);
  return (
    <span class={`pts ${minus() ? "minus" : "plus"}`}>
      {minus() ? "−" : "+"}
      {fmtPoints(Math.abs(props.entry.amount))}
    </span>
  );
}
