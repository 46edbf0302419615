/** 积分明细: every movement of the household's points, in words, newest first, page by page. */
import { For, Show } from "solid-js";
import { households, type LedgerEntry } from "../../api";
import { fmtDate, fmtPoints, t } from "../../i18n";
import { BackLink, ErrorBox, Loading } from "../../ui/common";
import { createCursorList, PagingFooter } from "../../ui/data-table";
import { Icon } from "../../ui/icon";
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
  const ledger = createCursorList(householdId, (id, cursor) => households.ledger(id, cursor));
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="list" /> {t("history.title")}
      </h1>
      <ErrorBox error={ledger.error()} />
      <Show when={ledger.items().length} fallback={<Show when={ledger.loading()} fallback={<Show when={!ledger.error()}><p class="muted">{t("history.empty")}</p></Show>}><Loading /></Show>}>
        <ul class="list" data-testid="history">
          <For each={ledger.items()}>
            {(entry) => (
              <li>
                <div class="item-head">
                  <span>{explain(entry)}</span>
                  <span class={`pts ${entry.amount >= 0 ? "plus" : "minus"}`}>
                    {entry.amount >= 0 ? "+" : ""}
                    {fmtPoints(entry.amount)}
                  </span>
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
