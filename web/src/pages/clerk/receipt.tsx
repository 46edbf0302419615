/** The receipt (小票): shown after a redemption and printed on 58 mm thermal paper. */
import { For, Show } from "solid-js";
import type { Receipt, ResolvedCard } from "../../api";
import { fmtDate, fmtPoints, t } from "../../i18n";
import { Icon } from "../../ui/icon";

/** `offlineNo`: the provisional number of a redemption made offline; the receipt is then marked 离线. */
export function ReceiptSlip(props: { redemption: Receipt; customer: ResolvedCard | null; offlineNo?: string | null; onNext: () => void }) {
  const r = () => props.redemption;
  return (
    <>
      {/* A 58 mm thermal printer prints about 48 mm wide; only the receipt is printed. */}
      <style>{"@media print { @page { size: 58mm auto; margin: 2mm; } .receipt { width: 54mm; max-width: none; border: 0; padding: 0; font-size: 9pt; } .counter, .panel { display: none !important; } }"}</style>
      <div class="success no-print" role="status">
        <Icon name="check" /> {t("clerk.done")}
      </div>
      <article class="receipt" data-testid="receipt" aria-label={t("clerk.receipt")}>
        <h2 style={{ "text-align": "center", margin: "0 0 6px" }}>{t("app.name")}</h2>
        <div data-testid="receipt-shop">{t("counter.shop", { name: r().shop.name })}</div>
        <Show when={props.offlineNo} fallback={<div>{t("clerk.receiptNo", { no: r().receiptNo })}</div>}>
          {(no) => (
            <div data-testid="receipt-offline">
              <b class="offline-mark">【{t("offline.receiptMark")}】</b> {t("offline.provisional", { no: no() })}
            </div>
          )}
        </Show>
        <div>{fmtDate(r().createdAt, true)}</div>
        <Show when={props.customer}>
          {(c) => (
            <div>
              {t("home.household", { no: c().household.householdNo })} {c().household.headName}
            </div>
          )}
        </Show>
        <hr />
        <For each={r().items}>
          {(i) => (
            <div class="line">
              <span>
                {i.name} ×{i.quantity}
              </span>
              <span>{fmtPoints(i.subtotal)}</span>
            </div>
          )}
        </For>
        <hr />
        <div class="line">
          <b>{t("clerk.total")}</b>
          <b data-testid="receipt-total">{fmtPoints(r().total)}</b>
        </div>
        <div class="line">
          <span>{t("clerk.balanceAfter")}</span>
          <span data-testid="receipt-balance">{fmtPoints(r().balanceAfter)}</span>
        </div>
        <hr />
        <div data-testid="receipt-clerk">{t("counter.clerk", { name: r().clerk.name })}</div>
        <Show when={props.offlineNo}>
          <div class="small">{t("offline.receiptNote")}</div>
        </Show>
      </article>
      <div class="row no-print" style={{ "margin-top": "12px" }}>
        <button class="big secondary" onClick={() => window.print()}>
          <Icon name="printer" /> {t("clerk.print")}
        </button>
        <button class="big" onClick={props.onNext} data-testid="next-customer">
          <Icon name="user" /> {t("clerk.next")}
        </button>
      </div>
    </>
  );
}
