/**
 * The shop's own statements (结算单), for its clerk: what the community has settled with the shop
 * and what it has paid (the server answers a clerk only its own shop's). Folded away by default:
 * the counter comes first.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import { settlements } from "../../api";
import { fmtPoints, t } from "../../i18n";
import { ErrorBox, Loading, ready } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { periodText, statusText, yuan } from "../admin/settlements";

export function ShopStatements() {
  const [open, setOpen] = createSignal(false);
  const [list] = createResource(open, () => settlements.list());
  return (
    <section class="no-print" data-testid="clerk-statements">
      <button type="button" class="secondary" aria-expanded={open()} onClick={() => setOpen(!open())} data-testid="clerk-statements-toggle">
        <Icon name="file" /> {t("settle.clerkTitle")}
      </button>
      <Show when={open()}>
        <ErrorBox error={list.error} />
        <Show when={ready(list)} fallback={<Loading />}>
          {(l) => (
            <Show when={l().items.length > 0} fallback={<p class="muted">{t("settle.none")}</p>}>
              <ul class="plain-list">
                <For each={l().items}>
                  {(s) => (
                    <li data-testid="clerk-statement" data-status={s.status}>
                      <b>{statusText(s.status)}</b> · {periodText(s)} · {fmtPoints(s.points)} · ¥{yuan(s.amountFen)}
                      <Show when={s.reference}>{(r) => <span class="small muted"> · {t("settle.referenceIs", { reference: r() })}</span>}</Show>
                      {" "}
                      <a href={settlements.xlsxUrl(s.id)} download="settlement.xlsx">
                        {t("settle.xlsx")}
                      </a>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          )}
        </Show>
      </Show>
    </section>
  );
}
