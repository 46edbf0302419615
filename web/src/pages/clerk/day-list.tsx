/** The counter's list of the day's receipts, with the way to the printable end-of-day sheet. */
import { For, Show } from "solid-js";
import type { Redemption } from "../../api";
import { fmtDate, fmtPoints, t } from "../../i18n";
import { Icon } from "../../ui/icon";

/** A receipt in the day's list: one just made at this counter, or one the server listed. */
export type DayRow = Pick<Redemption, "id" | "receiptNo" | "total" | "createdAt"> & { void?: Redemption["void"] };

export function DayList(props: { rows: DayRow[]; onSheet: () => void }) {
  return (
    <section class="panel no-print" aria-labelledby="day-title">
      <h2 id="day-title" style={{ "margin-top": 0 }}>
        <Icon name="list" /> {t("clerk.today")}
      </h2>
      <p>{t("clerk.todayTotals", { n: props.rows.length, points: fmtPoints(props.rows.reduce((s, r) => s + r.total, 0)) })}</p>
      <button type="button" class="secondary" onClick={() => props.onSheet()} data-testid="day-sheet-open">
        <Icon name="printer" /> {t("sheet.open")}
      </button>
      <ul class="list" data-testid="today">
        <For each={props.rows}>
          {(r) => (
            <li class="item-head">
              <span>
                {t("clerk.receiptNo", { no: r.receiptNo })} <span class="muted small">{fmtDate(r.createdAt, true)}</span>{" "}
                <Show when={r.void}>
                  <span class="badge void">{t("counter.voided")}</span>
                </Show>
              </span>
              <b>{fmtPoints(r.total)}</b>
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}
