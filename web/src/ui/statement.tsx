/**
 * The household statement (积分对账单) on paper: an A4 page for the office's file and the
 * resident, or a 58 mm receipt from the counter's thermal printer. One component for both, so
 * the admin's household page and the clerk's and volunteer's "给居民看" print the same thing.
 * Printing shows only the sheet (everything else is hidden while it prints) on a page of the
 * chosen size (`@page`, set while the sheet is shown).
 */
import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { chinaDay } from "../../../shared/time";
import { inclusion, type HouseholdStatement } from "../api";
import { fmtDate, fmtPoints, t } from "../i18n";
import { ErrorBox, Loading } from "./common";
import { Icon } from "./icon";

export type SheetLayout = "a4" | "receipt";

/** The last three months, as China days (both inclusive): the statement's default period. */
export function defaultPeriod(now = new Date()): { from: string; to: string } {
  return { from: chinaDay(new Date(now.getTime() - 90 * 86_400_000)), to: chinaDay(now) };
}

function signed(n: number): string {
  return `${n > 0 ? "+" : n < 0 ? "−" : ""}${fmtPoints(Math.abs(n))}`;
}

function kindName(kind: string): string {
  return (t(`inclusion.statement.kinds.${kind}` as "inclusion.statement.kinds.award") as string | undefined) || kind;
}

/** The sheet itself, in one of the two layouts. */
export function StatementSheet(props: { statement: HouseholdStatement; layout: SheetLayout; period: { from: string; to: string } }) {
  const s = () => props.statement;
  const heading = () => (
    <>
      <h2 class="sheet-title">{t("inclusion.statement.title")}</h2>
      <p>{t("inclusion.statement.household", { no: s().household.householdNo, name: s().household.headName })}</p>
      <p>{[s().household.building, s().household.room].filter(Boolean).join(" ")}</p>
      <p>{t("inclusion.statement.period", { from: props.period.from, to: props.period.to })}</p>
    </>
  );
  return (
    <div class={`statement-sheet ${props.layout}`} data-testid={`statement-${props.layout}`}>
      {heading()}
      <Show
        when={props.layout === "a4"}
        fallback={
          <div class="receipt-lines">
            <p class="line">
              <span>{t("inclusion.statement.opening")}</span> <b data-testid="statement-opening">{fmtPoints(s().opening)}</b>
            </p>
            <For each={s().entries}>
              {(e) => (
                <div class="entry">
                  <p class="line">
                    <span>{fmtDate(e.at, true)}</span> <b>{signed(e.amount)}</b>
                  </p>
                  <p class="text">
                    {e.text} · {t("inclusion.statement.after")} {fmtPoints(e.balanceAfter)}
                  </p>
                </div>
              )}
            </For>
            <Show when={!s().entries.length}>
              <p>{t("inclusion.statement.none")}</p>
            </Show>
            <p class="line">
              <span>{t("inclusion.statement.closing")}</span> <b data-testid="statement-closing">{fmtPoints(s().closing)}</b>
            </p>
          </div>
        }
      >
        <table>
          <caption class="sr-only">{t("inclusion.statement.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("inclusion.statement.at")}</th>
              <th scope="col">{t("inclusion.statement.kind")}</th>
              <th scope="col">{t("inclusion.statement.text")}</th>
              <th scope="col">{t("inclusion.statement.amount")}</th>
              <th scope="col">{t("inclusion.statement.after")}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td colSpan={4}>{t("inclusion.statement.opening")}</td>
              <td data-testid="statement-opening">{fmtPoints(s().opening)}</td>
            </tr>
            <For each={s().entries}>
              {(e) => (
                <tr>
                  <td>{fmtDate(e.at, true)}</td>
                  <td>{kindName(e.kind)}</td>
                  <td class="wrap">{e.text}</td>
                  <td>{signed(e.amount)}</td>
                  <td>{fmtPoints(e.balanceAfter)}</td>
                </tr>
              )}
            </For>
            <tr>
              <th scope="row" colSpan={4}>
                {t("inclusion.statement.closing")}
              </th>
              <td data-testid="statement-closing">
                <b>{fmtPoints(s().closing)}</b>
              </td>
            </tr>
          </tbody>
        </table>
        <Show when={!s().entries.length}>
          <p>{t("inclusion.statement.none")}</p>
        </Show>
      </Show>
      <p class="small">{t("inclusion.statement.printedAt", { at: fmtDate(new Date().toISOString(), true) })}</p>
      <Show when={props.layout === "a4"}>
        <p class="signature">{t("inclusion.statement.sign")}</p>
      </Show>
    </div>
  );
}

/** While a sheet prints: only it shows, on paper of its size. */
const printCss: Record<SheetLayout, string> = {
  a4: "@page { size: A4; margin: 12mm; }",
  receipt: "@page { size: 58mm auto; margin: 2mm; }",
};
const sheetCss = `
@media print {
  body.printing-statement * { visibility: hidden !important; }
  body.printing-statement .print-target, body.printing-statement .print-target * { visibility: visible !important; }
  body.printing-statement .print-target { position: absolute; left: 0; top: 0; width: 100%; margin: 0; box-shadow: none; border: 0; }
  body.printing-statement .print-target.receipt { width: 54mm; font-size: 9pt; }
}
.statement-sheet { background: #fff; color: #000; padding: 12px; border: 1px solid var(--line); border-radius: 8px; overflow-wrap: anywhere; }
.statement-sheet p { margin: 2px 0; }
.statement-sheet .sheet-title { margin: 0 0 6px; }
.statement-sheet td.wrap { white-space: normal; }
.statement-sheet.receipt { max-width: 58mm; font-size: 0.85rem; font-family: monospace, sans-serif; }
.statement-sheet.receipt .line { display: flex; justify-content: space-between; gap: 6px; }
.statement-sheet.receipt .entry { border-top: 1px dashed #999; padding-top: 2px; }
.statement-sheet.receipt .text { font-size: 0.9em; }
.statement-sheet .signature { margin-top: 24px; }
`;

/**
 * The period chooser, the statement (fetched for the household), and the two print buttons.
 * `compact` leaves out the on-screen A4 preview (the counter shows the receipt only).
 */
export function StatementPrint(props: { householdId: string; compact?: boolean }) {
  const [period, setPeriod] = createSignal(defaultPeriod());
  const [layout, setLayout] = createSignal<SheetLayout>(props.compact ? "receipt" : "a4");
  const [statement, { refetch }] = createResource(
    () => ({ id: props.householdId, ...period() }),
    (key) => inclusion.statement(key.id, { from: key.from, to: key.to }),
  );
  const after = () => document.body.classList.remove("printing-statement");
  window.addEventListener("afterprint", after);
  onCleanup(() => {
    window.removeEventListener("afterprint", after);
    after();
  });
  function print(which: SheetLayout) {
    setLayout(which);
    document.body.classList.add("printing-statement");
    // A tick for the sheet of the chosen layout and its @page to render before printing.
    setTimeout(() => window.print(), 50);
  }
  return (
    <section class="panel statement-print" aria-labelledby="statement-title" data-testid="statement-print">
      <style>{sheetCss + `@media print { ${printCss[layout()]} }`}</style>
      <h2 id="statement-title" style={{ "margin-top": 0 }}>
        <Icon name="file" /> {t("inclusion.statement.title")}
      </h2>
      <form
        class="row no-print"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          setPeriod({ from: String(data.get("from") ?? period().from), to: String(data.get("to") ?? period().to) });
          void refetch();
        }}
      >
        <label>
          {t("inclusion.statement.from")}
          <input type="date" name="from" value={period().from} required />
        </label>
        <label>
          {t("inclusion.statement.to")}
          <input type="date" name="to" value={period().to} required />
        </label>
        <button type="submit" class="secondary">
          <Icon name="search" /> {t("inclusion.statement.show")}
        </button>
      </form>
      <ErrorBox error={statement.error} />
      <Show when={!statement.error && statement()} fallback={<Show when={statement.loading}><Loading /></Show>}>
        {(s) => (
          <>
            <div class="row no-print" style={{ margin: "8px 0" }}>
              <button type="button" onClick={() => print("a4")} data-testid="print-a4">
                <Icon name="printer" /> {t("inclusion.statement.printA4")}
              </button>
              <button type="button" class="secondary" onClick={() => print("receipt")} data-testid="print-receipt">
                <Icon name="printer" /> {t("inclusion.statement.printReceipt")}
              </button>
            </div>
            <div class="print-target" classList={{ receipt: layout() === "receipt" }}>
              <StatementSheet statement={s()} layout={layout()} period={period()} />
            </div>
          </>
        )}
      </Show>
    </section>
  );
}
