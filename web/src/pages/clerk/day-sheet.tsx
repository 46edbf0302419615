/**
 * The end-of-day sheet (日结单), printed on A4 or on the counter's 58 mm thermal paper and
 * signed by the clerk and the station's head: the day's receipts, the voids, and the totals by
 * clerk and by goods, as `GET /redemptions/day-sheet` answers them for a day in China.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import { redemptions, type DaySheet, type Me, type Shop } from "../../api";
import { currentLang } from "../../i18n/lang";
import { fmtDate, fmtPoints, t } from "../../i18n";
import { ErrorBox, Loading, ready } from "../../ui/common";
import { Icon } from "../../ui/icon";

type Staff = NonNullable<Me["user"]>;
export type SheetFilter = { date: string; shopId?: string; clerkId?: string };
type Paper = "a4" | "thermal";

const pageSize: Record<Paper, string> = { a4: "A4; margin: 12mm", thermal: "58mm auto; margin: 2mm" };

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString(currentLang() === "en" ? "en-GB" : "zh-CN", { hour: "2-digit", minute: "2-digit" });
}

export function DaySheetView(props: { user: Staff; filter: SheetFilter; shops: Shop[]; onFilter: (f: SheetFilter) => void; onBack: () => void }) {
  const [sheet] = createResource(() => ({ ...props.filter }), (f) => redemptions.daySheet(f));
  const [paper, setPaper] = createSignal<Paper>("a4");
  const print = (kind: Paper) => {
    setPaper(kind);
    requestAnimationFrame(() => window.print());
  };
  const isClerk = () => props.user.role === "clerk";
  return (
    <>
      <style>{`@media print { @page { size: ${pageSize[paper()]}; } }`}</style>
      <div class="panel no-print">
        <div class="row">
          <div>
            <label for="sheet-date">{t("sheet.date")}</label>
            <input id="sheet-date" type="date" value={props.filter.date} onChange={(e) => e.currentTarget.value && props.onFilter({ ...props.filter, date: e.currentTarget.value })} />
          </div>
          <div>
            <label for="sheet-scope">{t("sheet.scope")}</label>
            <Show
              when={isClerk()}
              fallback={
                <select id="sheet-scope" value={props.filter.shopId ?? ""} onChange={(e) => props.onFilter({ date: props.filter.date, shopId: e.currentTarget.value || undefined })}>
                  <option value="">{t("sheet.allShops")}</option>
                  <For each={props.shops}>{(s) => <option value={s.id}>{s.name}</option>}</For>
                </select>
              }
            >
              <select id="sheet-scope" data-testid="sheet-scope" value={props.filter.clerkId ? "me" : "all"} onChange={(e) => props.onFilter({ date: props.filter.date, clerkId: e.currentTarget.value === "me" ? props.user.id : undefined })}>
                <option value="me">{t("sheet.mine")}</option>
                <option value="all">{t("sheet.allClerks")}</option>
              </select>
            </Show>
          </div>
        </div>
        <div class="row" style={{ "margin-top": "12px" }}>
          <button type="button" onClick={() => print("a4")} data-testid="print-a4">
            <Icon name="printer" /> {t("sheet.printA4")}
          </button>
          <button type="button" class="secondary" onClick={() => print("thermal")} data-testid="print-thermal">
            <Icon name="printer" /> {t("sheet.printThermal")}
          </button>
          <button type="button" class="plain" onClick={() => props.onBack()}>
            <Icon name="back" /> {t("sheet.back")}
          </button>
        </div>
      </div>
      <ErrorBox error={sheet.error} />
      <Show when={ready(sheet)} fallback={<Show when={!sheet.error}><Loading /></Show>}>
        {(s) => <SheetBody sheet={s()} thermal={paper() === "thermal"} />}
      </Show>
    </>
  );
}

function SheetBody(props: { sheet: DaySheet; thermal: boolean }) {
  const s = () => props.sheet;
  const voided = () => s().receipts.filter((r) => r.void);
  return (
    <article class="day-sheet" classList={{ thermal: props.thermal }} data-testid="day-sheet" aria-labelledby="sheet-title">
      <h2 id="sheet-title">
        {s().community.name} {t("sheet.title")}
      </h2>
      <div class="meta">
        <span>{s().shop ? t("sheet.shop", { name: s().shop!.name }) : t("sheet.allShops")}</span>
        <Show when={s().clerk}>{(c) => <span>{t("sheet.clerk", { name: c().name })}</span>}</Show>
        <span data-testid="sheet-day">{t("sheet.day", { date: s().date })}</span>
        <span>{t("sheet.generated", { at: fmtDate(s().generatedAt, true) })}</span>
      </div>

      <h3>{t("sheet.totals")}</h3>
      <table data-testid="sheet-totals">
        <tbody>
          <tr>
            <th scope="row">{t("sheet.count")}</th>
            <td class="n">{s().totals.count}</td>
            <th scope="row">{t("sheet.points")}</th>
            <td class="n">{fmtPoints(s().totals.points)}</td>
          </tr>
          <tr>
            <th scope="row">{t("sheet.voidedCount")}</th>
            <td class="n">{s().totals.voidedCount}</td>
            <th scope="row">{t("sheet.voidedPoints")}</th>
            <td class="n">{fmtPoints(s().totals.voidedPoints)}</td>
          </tr>
          <tr>
            <th scope="row" colSpan={3}>
              {t("sheet.netPoints")}
            </th>
            <td class="n" data-testid="sheet-net">
              <b>{fmtPoints(s().totals.netPoints)}</b>
            </td>
          </tr>
        </tbody>
      </table>

      <h3>{t("sheet.byClerk")}</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("sheet.clerkCol")}</th>
            <th scope="col" class="n">{t("sheet.count")}</th>
            <th scope="col" class="n wide">{t("sheet.voidedPoints")}</th>
            <th scope="col" class="n">{t("sheet.netPoints")}</th>
          </tr>
        </thead>
        <tbody>
          <For each={s().byClerk} fallback={<EmptyRow span={4} />}>
            {(c) => (
              <tr>
                <td>{c.clerk.name}</td>
                <td class="n">{c.count}</td>
                <td class="n wide">{fmtPoints(c.voidedPoints)}</td>
                <td class="n">{fmtPoints(c.netPoints)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>

      <h3>{t("sheet.byGoods")}</h3>
      <table data-testid="sheet-goods">
        <thead>
          <tr>
            <th scope="col">{t("sheet.goods")}</th>
            <th scope="col" class="n">{t("sheet.quantity")}</th>
            <th scope="col" class="n">{t("sheet.points")}</th>
          </tr>
        </thead>
        <tbody>
          <For each={s().byGoods} fallback={<EmptyRow span={3} />}>
            {(g) => (
              <tr>
                <td>{g.name}</td>
                <td class="n">{g.quantity}</td>
                <td class="n">{fmtPoints(g.points)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>

      <h3>{t("sheet.receipts")}</h3>
      <Show when={s().truncated}>
        <p class="small">{t("sheet.truncated", { n: s().receipts.length })}</p>
      </Show>
      <table data-testid="sheet-receipts">
        <thead>
          <tr>
            <th scope="col">{t("sheet.receiptNo")}</th>
            <th scope="col">{t("sheet.time")}</th>
            <th scope="col" class="wide">{t("sheet.household")}</th>
            <th scope="col" class="wide">{t("sheet.head")}</th>
            <th scope="col" class="wide">{t("sheet.clerkCol")}</th>
            <th scope="col" class="n">{t("sheet.points")}</th>
            <th scope="col">{t("sheet.status")}</th>
          </tr>
        </thead>
        <tbody>
          <For each={s().receipts} fallback={<EmptyRow span={7} />}>
            {(r) => (
              <tr classList={{ voided: !!r.void }}>
                <td>{r.receiptNo}</td>
                <td>{time(r.createdAt)}</td>
                <td class="wide">{r.householdNo}</td>
                <td class="wide">{r.headName}</td>
                <td class="wide">{r.clerk.name}</td>
                <td class="n">{fmtPoints(r.total)}</td>
                <td class="state">{r.void ? t("sheet.voided") : t("sheet.valid")}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>

      <h3>{t("sheet.voids")}</h3>
      <table data-testid="sheet-voids">
        <thead>
          <tr>
            <th scope="col">{t("sheet.receiptNo")}</th>
            <th scope="col" class="n">{t("sheet.points")}</th>
            <th scope="col">{t("sheet.reason")}</th>
            <th scope="col" class="wide">{t("sheet.by")}</th>
          </tr>
        </thead>
        <tbody>
          <For each={voided()} fallback={<EmptyRow span={4} />}>
            {(r) => (
              <tr>
                <td>{r.receiptNo}</td>
                <td class="n">{fmtPoints(r.total)}</td>
                <td>{r.void?.reason ?? ""}</td>
                <td class="wide">{r.void?.byName ?? ""}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>

      <Show when={s().earlierVoids.length > 0}>
        <h3>{t("sheet.earlierVoids")}</h3>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("sheet.receiptNo")}</th>
              <th scope="col" class="wide">{t("sheet.receiptDay")}</th>
              <th scope="col" class="n">{t("sheet.points")}</th>
              <th scope="col">{t("sheet.reason")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={s().earlierVoids}>
              {(v) => (
                <tr>
                  <td>{v.receiptNo}</td>
                  <td class="wide">{fmtDate(v.receiptAt)}</td>
                  <td class="n">{fmtPoints(v.total)}</td>
                  <td>{v.reason ?? ""}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>

      <div class="signatures" data-testid="sheet-signatures">
        <div>{t("sheet.signClerk")}</div>
        <div>{t("sheet.signHead")}</div>
        <div>{t("sheet.signDate")}</div>
      </div>
    </article>
  );
}

function EmptyRow(props: { span: number }) {
  return (
    <tr>
      <td colSpan={props.span} class="muted">
        {t("sheet.none")}
      </td>
    </tr>
  );
}
