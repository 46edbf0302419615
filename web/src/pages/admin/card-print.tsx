/**
 * What a card batch prints on A4: the PIN slips (one per household, a fold-over slip: outside
 * the 户号 and the address with "请撕开后妥善保管", inside the PIN on a tint that hides it from a
 * lamp behind the paper) and the handover register to sign (户号, 户主, the card's last four
 * digits, a signature column, the date).
 *
 * The PINs exist only in the answer of the issue, held by the page that issued them: they are
 * shown and printed from memory and never stored. A register printed again later has no PINs.
 *
 * Print: the page that shows a batch gives its root `with-batch-print`; in print, everything in
 * it but the batch disappears, and only the chosen sheet (slips or register) is printed.
 */
import { createResource, createSignal, For, Show, type JSX } from "solid-js";
import { settings } from "../../api";
import { fmtDate, t } from "../../i18n";
import { ready } from "../../ui/common";
import { Icon } from "../../ui/icon";

export interface SheetCard {
  householdId: string;
  householdNo: string;
  headName: string;
  building: string;
  unit: string | null;
  room: string | null;
  /** Only the last four digits are printed on the register. */
  cardNoLast4: string;
  /** Present only right after issue. */
  pin?: string;
}

export interface SheetBatch {
  kind: "issue" | "reissue";
  createdAt: string;
  createdByName: string | null;
  cards: SheetCard[];
}

const slipsPerPage = 8;

const css = `
.batch-print .sheet-tabs { margin: 10px 0; }
.pin-page { display: grid; grid-template-columns: repeat(2, 92mm); justify-content: center; break-after: page; page-break-after: always; margin-bottom: 6mm; }
.pin-page:last-child { break-after: auto; page-break-after: auto; }
.pin-slip { width: 92mm; height: 66mm; box-sizing: border-box; border: 0.2mm dashed #888; display: grid; grid-template-rows: 1fr 1fr; background: #fff; color: #000; break-inside: avoid; page-break-inside: avoid; }
.pin-slip .outside { padding: 3mm 4mm; display: flex; flex-direction: column; justify-content: space-between; }
.pin-slip .brand { font-size: 10pt; font-weight: 700; color: #b22222; }
.pin-slip .no { font-size: 20pt; font-weight: 700; letter-spacing: 0.5mm; }
.pin-slip .addr { font-size: 11pt; }
.pin-slip .tear { font-size: 10pt; font-weight: 700; }
.pin-slip .inside { position: relative; border-top: 0.4mm dashed #000; padding: 3mm 4mm; display: flex; flex-direction: column; justify-content: center; gap: 1.5mm;
  background: repeating-linear-gradient(45deg, #c8c8c8 0 0.8mm, #fff 0.8mm 1.6mm); -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.pin-slip .fold { position: absolute; top: -3.2mm; right: 3mm; font-size: 7pt; background: #fff; padding: 0 1mm; }
.pin-slip .pin-label, .pin-slip .warn { background: #fff; align-self: flex-start; padding: 0 1mm; font-size: 9pt; }
.pin-slip .pin { background: #fff; align-self: flex-start; padding: 0 2mm; font-size: 26pt; font-weight: 700; letter-spacing: 3mm; font-variant-numeric: tabular-nums; font-family: "DejaVu Sans Mono", monospace; }
.handover { background: #fff; color: #000; }
.handover h2 { text-align: center; margin: 0 0 2mm; }
.handover .meta { text-align: center; margin: 0 0 4mm; }
.handover table { width: 100%; border-collapse: collapse; font-size: 11pt; }
.handover th, .handover td { border: 0.3mm solid #000; padding: 1.5mm 2mm; text-align: left; }
.handover td { height: 10mm; }
.handover thead { display: table-header-group; }
.handover tr { break-inside: avoid; page-break-inside: avoid; }
.handover .signs { display: flex; justify-content: space-between; margin-top: 8mm; }
.batch-print[data-sheet="slips"] .handover, .batch-print[data-sheet="register"] .pin-sheet { display: none; }
@media print {
  @page { size: A4 portrait; margin: 10mm; }
  .admin { display: block; }
  .with-batch-print > :not(.batch-print) { display: none !important; }
  .batch-print .sheet-tabs { display: none; }
  .batch-print.panel { border: 0; box-shadow: none; padding: 0; margin: 0; background: none; }
  .pin-page { margin-bottom: 0; }
}
`;

function address(card: SheetCard): string {
  return [card.building, card.unit, card.room].filter(Boolean).join(" ");
}

function groups<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The sheets of one batch with their print buttons. `actions` go beside them (close, print the
 * cards); without PINs only the register is offered.
 */
export function CardBatchSheets(props: { batch: SheetBatch; actions?: JSX.Element; testid?: string }) {
  const withPins = () => props.batch.cards.some((card) => card.pin);
  const [sheet, setSheet] = createSignal<"slips" | "register">(withPins() ? "slips" : "register");
  const [community] = createResource(() => settings.get());
  const print = (which: "slips" | "register") => {
    setSheet(which);
    // The attribute is set synchronously; print on the next turn so the browser lays it out first.
    setTimeout(() => window.print(), 0);
  };
  return (
    <section class="batch-print panel" data-sheet={sheet()} data-testid={props.testid ?? "batch-print"}>
      <style>{css}</style>
      <div class="row sheet-tabs no-print">
        <Show when={withPins()}>
          <button type="button" style={{ flex: "none" }} classList={{ secondary: sheet() !== "slips" }} aria-pressed={sheet() === "slips"} onClick={() => setSheet("slips")}>
            {t("cardPrint.slipsTitle")}
          </button>
        </Show>
        <button type="button" style={{ flex: "none" }} classList={{ secondary: sheet() !== "register" }} aria-pressed={sheet() === "register"} onClick={() => setSheet("register")}>
          {t("cardPrint.registerTitle")}
        </button>
      </div>
      <div class="row sheet-tabs no-print">
        <Show when={withPins()}>
          <button type="button" style={{ flex: "none" }} onClick={() => print("slips")} data-testid="print-slips">
            <Icon name="printer" /> {t("cardPrint.printSlips")}
          </button>
        </Show>
        <button type="button" class="secondary" style={{ flex: "none" }} onClick={() => print("register")} data-testid="print-register">
          <Icon name="printer" /> {t("cardPrint.printRegister")}
        </button>
        {props.actions}
      </div>
      <Show when={withPins()}>
        <div class="pin-sheet" data-testid="pin-slips">
          <For each={groups(props.batch.cards, slipsPerPage)}>
            {(page) => (
              <div class="pin-page">
                <For each={page}>{(card) => <PinSlip card={card} />}</For>
              </div>
            )}
          </For>
        </div>
      </Show>
      <div class="handover" data-testid="handover-register">
        <h2>{t("cardPrint.sheetTitle", { community: ready(community)?.name ?? "" })}</h2>
        <p class="meta">
          {t("cardPrint.sheetMeta", {
            kind: t(`cardPrint.kind_${props.batch.kind}`),
            date: fmtDate(props.batch.createdAt),
            n: props.batch.cards.length,
            by: props.batch.createdByName ?? "",
          })}
        </p>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("cardPrint.no")}</th>
              <th scope="col">{t("cardPrint.householdNo")}</th>
              <th scope="col">{t("cardPrint.head")}</th>
              <th scope="col">{t("cardPrint.address")}</th>
              <th scope="col">{t("cardPrint.cardLast4")}</th>
              <th scope="col" style={{ width: "34%" }}>
                {t("cardPrint.sign")}
              </th>
              <th scope="col" style={{ width: "14%" }}>
                {t("cardPrint.date")}
              </th>
            </tr>
          </thead>
          <tbody>
            <For each={props.batch.cards}>
              {(card, i) => (
                <tr>
                  <td>{i() + 1}</td>
                  <td>{card.householdNo}</td>
                  <td>{card.headName}</td>
                  <td>{address(card)}</td>
                  <td>{card.cardNoLast4}</td>
                  <td />
                  <td />
                </tr>
              )}
            </For>
          </tbody>
        </table>
        <div class="signs">
          <span>{t("cardPrint.issuer")}＿＿＿＿＿＿＿＿</span>
          <span>{t("cardPrint.checker")}＿＿＿＿＿＿＿＿</span>
        </div>
      </div>
    </section>
  );
}

function PinSlip(props: { card: SheetCard }) {
  return (
    <div class="pin-slip" data-testid="pin-slip">
      <div class="outside">
        <span class="brand">{t("cardPrint.slipBrand")}</span>
        <span class="no" data-testid="slip-household">
          {props.card.householdNo}
        </span>
        <span class="addr">{address(props.card)}</span>
        <span class="tear">{t("cardPrint.slipTear")}</span>
      </div>
      <div class="inside">
        <span class="fold" aria-hidden="true">
          {t("cardPrint.slipFold")}
        </span>
        <span class="pin-label">{t("cardPrint.slipPin")}</span>
        <span class="pin" data-testid="slip-pin">
          {props.card.pin}
        </span>
        <span class="warn">{t("cardPrint.slipWarn")}</span>
      </div>
    </div>
  );
}
