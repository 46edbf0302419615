/**
 * 进货与台账: the admin records goods arriving (one record per delivery, with its supplier and
 * cost), and prints the stock ledger (库存台账: per goods and day, in, out, adjustments and the
 * balance, with totals) and the stock-in ledger (进货台账) of a period on A4. On paper only the
 * sheet prints.
 */
import { useSearchParams } from "@solidjs/router";
import { createResource, createSignal, For, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { chinaDay } from "../../../../shared/time";
import { goods, isId, settings, shops, type Goods, type StockLedger } from "../../api";
import { currentLang, fmtDate, fmtPoints, t } from "../../i18n";
import { check, lengthProblem, rangeProblem } from "../../ui/checks";
import { createAction, ErrorBox, Loading, newKey, ready, Success } from "../../ui/common";
import { Field, FormPanel } from "../../ui/form-panel";
import { Icon } from "../../ui/icon";

const printStyle = `
.ledger-sheet { background: #fff; color: #000; padding: 10mm 12mm; border: 1px solid var(--line); }
.ledger-sheet h2 { text-align: center; font-size: 18pt; margin: 0 0 2mm; }
.ledger-sheet h3 { font-size: 12pt; margin: 5mm 0 1mm; }
.ledger-sheet table { font-size: 10.5pt; }
.ledger-sheet th, .ledger-sheet td { border: 0.3mm solid #444; padding: 1.2mm 2mm; }
.ledger-sheet td.n, .ledger-sheet th.n { text-align: right; }
.ledger-sheet tr.sum td { font-weight: 700; background: #f6f6f6; }
.ledger-sheet .signatures { display: flex; justify-content: space-between; margin-top: 10mm; }
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  .admin { display: block; }
  .ledger-sheet { padding: 0; border: 0; }
  .ledger-sheet tr { break-inside: avoid; }
}`;

/** Fen as yuan with two decimals: 2350 → "23.50". */
function yuan(fen: number | null): string {
  return fen === null ? "" : (fen / 100).toFixed(2);
}

/** "23.5" yuan → 2350 fen; empty → null; anything else → NaN (the form's check names it). */
function fenOf(text: string): number | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  return /^\d{1,7}(\.\d{1,2})?$/.test(trimmed) ? Math.round(Number(trimmed) * 100) : Number.NaN;
}

/** A calendar day `days` from `day` (both `YYYY-MM-DD`). */
function shiftDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export default function StockPage() {
  const [search] = useSearchParams();
  const today = chinaDay(new Date());
  const [goodsList, { refetch: refetchGoods }] = createResource(() => goods.list());
  const [community] = createResource(() => settings.get());
  const [shopList] = createResource(() => shops.list());
  const items = () => ready(goodsList)?.items ?? [];
  // With more than one shop, goods are named with their shop.
  const shopNames = () => new Map((ready(shopList)?.items ?? []).map((s) => [s.id, s.name]));
  const label = (g: Goods) => (shopNames().size > 1 ? `${g.name}（${shopNames().get(g.shopId) ?? ""}）` : g.name);

  // The ledger's period and goods: this month to today unless chosen.
  const picked = typeof search.goods === "string" && isId(search.goods) ? search.goods : "";
  const [from, setFrom] = createSignal(`${today.slice(0, 8)}01`);
  const [to, setTo] = createSignal(today);
  const [ledgerGoods, setLedgerGoods] = createSignal(picked);
  const [ledger, { refetch: refetchLedger }] = createResource(
    () => ({ from: from(), to: to(), goodsId: ledgerGoods() || undefined }),
    (filter) => goods.ledger(filter),
  );

  // The delivery being recorded; its key stays the same until it is recorded, so a retry after a
  // lost answer records it once.
  const [goodsId, setGoodsId] = createSignal(picked);
  const chosen = () => goodsId() || items()[0]?.id || "";
  const [key, setKey] = createSignal(newKey());
  const [recorded, setRecorded] = createSignal("");
  const record = createAction(async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const quantity = Number(data.get("quantity"));
    const supplier = String(data.get("supplier") ?? "").trim();
    const note = String(data.get("note") ?? "").trim();
    const unitCostFen = fenOf(String(data.get("unitCost") ?? ""));
    const receivedOn = String(data.get("receivedOn") ?? "") || today;
    setRecorded("");
    check(
      chosen() ? null : t("stockDesk.pickGoods"),
      rangeProblem(t("stockDesk.quantity"), quantity, 1, limits.stockInQuantityMax),
      lengthProblem(t("stockDesk.supplier"), supplier, limits.supplierLengthMax),
      unitCostFen === null || (Number.isInteger(unitCostFen) && unitCostFen <= limits.unitCostFenMax) ? null : t("stockDesk.badCost", { max: yuan(limits.unitCostFenMax) }),
      lengthProblem(t("stockDesk.note"), note, limits.reasonLengthMax),
    );
    const result = await goods.stockIn(chosen(), { quantity, supplier: supplier || null, unitCostFen, note: note || null, receivedOn }, key());
    setKey(newKey());
    form.reset();
    // reset() empties what Solid set as a property; the next delivery most likely arrived today too.
    const date = form.elements.namedItem("receivedOn");
    if (date instanceof HTMLInputElement) date.value = today;
    setRecorded(t("stockDesk.saved", { name: result.goods.name, n: result.receipt.quantity, unit: result.goods.unit ?? "", stock: fmtPoints(result.goods.stock) }));
    await Promise.all([refetchGoods(), refetchLedger()]);
  });
  return (
    <>
      <style>{printStyle}</style>
      <h1 class="no-print">
        <Icon name="box" /> {t("admin.stock")}
      </h1>
      <ErrorBox error={goodsList.error ?? shopList.error ?? community.error} />
      <FormPanel title={t("stockDesk.record")} icon="box" hint={t("stockDesk.hint")} submit={t("stockDesk.record")} submitIcon="plus" submitTestid="record-stock-in" class="no-print" busy={record.busy()} disabled={!chosen()} error={record.error()} onSubmit={(form) => void record.run(form)}>
        <div class="row">
          <Field id="si-goods" label={t("stockDesk.goods")}>
            <select id="si-goods" value={chosen()} onChange={(e) => setGoodsId(e.currentTarget.value)}>
              <For each={items()}>
                {(g) => (
                  <option value={g.id} selected={g.id === chosen()}>
                    {label(g)}
                  </option>
                )}
              </For>
            </select>
          </Field>
          <Field id="si-quantity" label={t("stockDesk.quantity")}>
            <input id="si-quantity" name="quantity" type="number" required min="1" max={limits.stockInQuantityMax} />
          </Field>
          <Field id="si-date" label={t("stockDesk.receivedOn")}>
            <input id="si-date" name="receivedOn" type="date" value={today} min={shiftDay(today, -limits.stockInBackdateDaysMax)} max={today} />
          </Field>
        </div>
        <div class="row">
          <Field id="si-supplier" label={t("stockDesk.supplier")}>
            <input id="si-supplier" name="supplier" maxlength={limits.supplierLengthMax} />
          </Field>
          <Field id="si-cost" label={t("stockDesk.unitCost")}>
            <input id="si-cost" name="unitCost" inputmode="decimal" placeholder="0.00" />
          </Field>
        </div>
        <Field id="si-note" label={t("stockDesk.note")}>
          <input id="si-note" name="note" maxlength={limits.reasonLengthMax} />
        </Field>
        <Show when={recorded()}>
          <Success>{recorded()}</Success>
        </Show>
      </FormPanel>

      <section class="panel no-print" aria-labelledby="ledger-filter">
        <h2 id="ledger-filter" style={{ "margin-top": 0 }}>
          <Icon name="list" /> {t("stockDesk.ledgerTitle")}
        </h2>
        <div class="row">
          <Field id="sl-from" label={t("stockDesk.from")}>
            <input id="sl-from" type="date" value={from()} max={to()} onChange={(e) => e.currentTarget.value && setFrom(e.currentTarget.value)} />
          </Field>
          <Field id="sl-to" label={t("stockDesk.to")}>
            <input id="sl-to" type="date" value={to()} min={from()} onChange={(e) => e.currentTarget.value && setTo(e.currentTarget.value)} />
          </Field>
          <Field id="sl-goods" label={t("stockDesk.goods")}>
            <select id="sl-goods" value={ledgerGoods()} onChange={(e) => setLedgerGoods(e.currentTarget.value)}>
              <option value="">{t("stockDesk.allGoods")}</option>
              <For each={items()}>
                {(g) => (
                  <option value={g.id} selected={g.id === ledgerGoods()}>
                    {label(g)}
                  </option>
                )}
              </For>
            </select>
          </Field>
        </div>
        <div class="row" style={{ "margin-top": "12px" }}>
          <button style={{ flex: "none" }} disabled={!ready(ledger)} onClick={() => window.print()} data-testid="print-ledger">
            <Icon name="printer" /> {t("stockDesk.print")}
          </button>
          <span class="muted small">{t("stockDesk.printHint")}</span>
        </div>
      </section>
      <ErrorBox error={ledger.error} />
      <Show when={ready(ledger)} fallback={<Show when={!ledger.error}><Loading /></Show>}>
        {(book) => <LedgerSheet book={book()} community={ready(community)?.name ?? ""} />}
      </Show>
    </>
  );
}

/** The printable sheet: one table per goods, then the stock-in records, then the signature lines. */
function LedgerSheet(props: { book: StockLedger; community: string }) {
  const printedAt = new Date().toISOString();
  const day = (date: string) =>
    new Date(`${date}T00:00:00Z`).toLocaleDateString(currentLang() === "en" ? "en-GB" : "zh-CN", { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });
  return (
    <article class="ledger-sheet" data-testid="stock-ledger-sheet">
      <h2>{t("stockDesk.sheetTitle", { community: props.community })}</h2>
      <p style={{ "text-align": "center", margin: "0 0 4mm" }}>
        <span data-testid="ledger-period">{t("stockDesk.period", { from: day(props.book.from), to: day(props.book.to) })}</span> ·{" "}
        <span class="small">{t("stockDesk.printedAt", { at: fmtDate(printedAt, true) })}</span>
      </p>
      <Show when={props.book.goods.length} fallback={<p class="muted">{t("common.none")}</p>}>
        <For each={props.book.goods}>
          {(g) => (
            <section data-testid="ledger-goods" data-goods-id={g.goodsId}>
              <h3>
                {g.name}
                <Show when={g.unit}>（{g.unit}）</Show> · <span class="small">{g.shopName}</span>
              </h3>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t("stockDesk.date")}</th>
                    <th scope="col" class="n">{t("stockDesk.in")}</th>
                    <th scope="col" class="n">{t("stockDesk.out")}</th>
                    <th scope="col" class="n">{t("stockDesk.adjust")}</th>
                    <th scope="col" class="n">{t("stockDesk.balance")}</th>
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <td>{t("stockDesk.opening")}</td>
                    <td class="n" />
                    <td class="n" />
                    <td class="n" />
                    <td class="n" data-testid="ledger-opening">{g.opening}</td>
                  </tr>
                  <For each={g.days}>
                    {(d) => (
                      <tr data-testid="ledger-day">
                        <td>{day(d.date)}</td>
                        <td class="n">{d.in || ""}</td>
                        <td class="n">{d.out || ""}</td>
                        <td class="n">{d.adjust || ""}</td>
                        <td class="n">{d.balance}</td>
                      </tr>
                    )}
                  </For>
                  <tr class="sum">
                    <td>{t("stockDesk.total")}</td>
                    <td class="n">{g.totals.in}</td>
                    <td class="n">{g.totals.out}</td>
                    <td class="n">{g.totals.adjust}</td>
                    <td class="n" data-testid="ledger-closing">{g.closing}</td>
                  </tr>
                </tbody>
              </table>
            </section>
          )}
        </For>
      </Show>

      <h3>{t("stockDesk.receiptsTitle")}</h3>
      <Show when={props.book.receipts.length} fallback={<p class="muted">{t("stockDesk.noReceipts")}</p>}>
        <table data-testid="ledger-receipts">
          <thead>
            <tr>
              <th scope="col">{t("stockDesk.receivedOn")}</th>
              <th scope="col">{t("stockDesk.goods")}</th>
              <th scope="col" class="n">{t("stockDesk.quantity")}</th>
              <th scope="col">{t("stockDesk.supplierShort")}</th>
              <th scope="col" class="n">{t("stockDesk.unitCostShort")}</th>
              <th scope="col" class="n">{t("stockDesk.amount")}</th>
              <th scope="col">{t("stockDesk.noteShort")}</th>
              <th scope="col">{t("stockDesk.by")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.book.receipts}>
              {(r) => (
                <tr>
                  <td>{day(r.receivedOn)}</td>
                  <td>{r.goodsName}</td>
                  <td class="n">
                    {r.quantity}
                    {r.unit ?? ""}
                  </td>
                  <td>{r.supplier ?? ""}</td>
                  <td class="n">{yuan(r.unitCostFen)}</td>
                  <td class="n">{yuan(r.amountFen)}</td>
                  <td>{r.note ?? ""}</td>
                  <td>{r.byName ?? ""}</td>
                </tr>
              )}
            </For>
            <tr class="sum">
              <td colspan="5">{t("stockDesk.total")}</td>
              <td class="n" data-testid="ledger-receipts-amount">{yuan(props.book.receiptsAmountFen)}</td>
              <td colspan="2" />
            </tr>
          </tbody>
        </table>
        <Show when={props.book.receiptsTruncated}>
          <p class="small">{t("stockDesk.truncated", { n: limits.stockLedgerReceiptsMax })}</p>
        </Show>
      </Show>
      <div class="signatures">
        <span>{t("stockDesk.signKeeper")}＿＿＿＿＿＿</span>
        <span>{t("stockDesk.signChecker")}＿＿＿＿＿＿</span>
        <span>{t("pubPrint.signDate")}</span>
      </div>
    </article>
  );
}
