/**
 * The monthly report (积分月报) as the office prints it for the township (A4 portrait): the
 * month's summary — the same figures the summary report answers for that China month — then by
 * carrier, by building, the top-ups, the redemptions by shop and by goods, and the shops'
 * settlements; each table with its totals. The XLSX of the same month is one click away.
 */
import { createResource, createSignal, For, Show, type JSX } from "solid-js";
import { books, type MonthlyReport } from "../../api";
import { categoryName, fmtDate, fmtPoints, t } from "../../i18n";
import { chinaDay } from "../../../../shared/time";
import { ErrorBox, Loading, ready } from "../../ui/common";
import { Icon } from "../../ui/icon";

const printStyle = `
.report-tools { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; margin-bottom: 12px; }
.report-tools label { display: grid; gap: 4px; }
.report { background: #fff; color: #000; max-width: 210mm; margin: 0 auto; padding: 12mm; border: 1px solid var(--line); }
.report h1 { text-align: center; font-size: 18pt; margin: 0 0 2mm; }
.report h2 { font-size: 13pt; margin: 6mm 0 2mm; }
.report table { width: 100%; border-collapse: collapse; font-size: 10.5pt; }
.report th, .report td { border: 0.3mm solid #444; padding: 1mm 2mm; white-space: normal; }
.report th { background: #eee; }
.report td.num, .report th.num { text-align: right; font-variant-numeric: tabular-nums; }
.report tfoot td { font-weight: bold; }
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  .admin { display: block; }
  .report { margin: 0; padding: 0; border: 0; max-width: none; }
  .report section { break-inside: avoid; }
  .report thead { display: table-header-group; }
}`;

function lastMonth(): string {
  const today = chinaDay(new Date());
  const [y, m] = today.split("-").map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

const total = <T,>(rows: T[], pick: (r: T) => number) => rows.reduce((n, r) => n + pick(r), 0);
const yuan = (fen: number) => (fen / 100).toFixed(2);

/** One table of the report: headings, rows of cells, and a totals row when given. */
function Table(props: { testid: string; head: string[]; rows: JSX.Element[][]; foot?: JSX.Element[]; numeric: number[] }) {
  return (
    <table data-testid={props.testid}>
      <thead>
        <tr>
          <For each={props.head}>{(h, i) => <th scope="col" classList={{ num: props.numeric.includes(i()) }}>{h}</th>}</For>
        </tr>
      </thead>
      <tbody>
        <For each={props.rows}>
          {(row) => (
            <tr>
              <For each={row}>{(cell, i) => <td classList={{ num: props.numeric.includes(i()) }}>{cell}</td>}</For>
            </tr>
          )}
        </For>
      </tbody>
      <Show when={props.foot}>
        {(foot) => (
          <tfoot>
            <tr>
              <For each={foot()}>{(cell, i) => <td classList={{ num: props.numeric.includes(i()) }}>{cell}</td>}</For>
            </tr>
          </tfoot>
        )}
      </Show>
    </table>
  );
}

function Report(props: { report: MonthlyReport }) {
  const r = () => props.report;
  const s = () => r().summary;
  const n = fmtPoints;
  const figures = (): Array<[string, string]> => [
    [t("books.m.households"), n(s().households)],
    [t("books.m.participating"), `${n(s().participatingHouseholds)}（${(s().participationRate * 100).toFixed(1)}%）`],
    [t("books.m.awarded"), n(s().pointsAwarded)],
    [t("books.m.deducted"), n(s().pointsDeducted)],
    [t("books.m.redeemed"), n(s().pointsRedeemed)],
    [t("books.m.outstanding"), n(s().pointsOutstanding)],
    [t("books.m.applications"), n(s().applications)],
    [t("books.m.objections"), n(s().objections)],
    [t("books.m.redemptions"), n(s().redemptions)],
  ];
  return (
    <article class="report" data-testid="monthly-report" data-month={r().month}>
      <h1>{t("books.m.title", { community: r().community.name, month: r().month })}</h1>
      <section>
        <h2>{t("books.m.summary")}</h2>
        <table data-testid="monthly-summary">
          <tbody>
            <For each={figures()}>
              {([label, value]) => (
                <tr>
                  <th scope="row">{label}</th>
                  <td class="num">{value}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </section>
      <section>
        <h2>{t("books.m.byCategory")}</h2>
        <Table
          testid="monthly-categories"
          head={[t("books.col.category"), t("books.m.items"), t("books.m.awarded"), t("books.m.deducted"), t("books.m.net")]}
          numeric={[1, 2, 3, 4]}
          rows={s().byCategory.map((c) => [categoryName(c.category), n(c.applications), n(c.pointsAwarded), n(c.pointsDeducted), n(c.points)])}
          foot={[t("books.m.total"), n(total(s().byCategory, (c) => c.applications)), n(total(s().byCategory, (c) => c.pointsAwarded)), n(total(s().byCategory, (c) => c.pointsDeducted)), n(total(s().byCategory, (c) => c.points))]}
        />
      </section>
      <section>
        <h2>{t("books.m.byBuilding")}</h2>
        <Table
          testid="monthly-buildings"
          head={[t("books.m.building"), t("books.m.households"), t("books.m.awarded"), t("books.m.deducted"), t("books.m.redeemed")]}
          numeric={[1, 2, 3, 4]}
          rows={r().byBuilding.map((b) => [b.building, n(b.households), n(b.pointsAwarded), n(b.pointsDeducted), n(b.pointsRedeemed)])}
          foot={[t("books.m.total"), n(total(r().byBuilding, (b) => b.households)), n(total(r().byBuilding, (b) => b.pointsAwarded)), n(total(r().byBuilding, (b) => b.pointsDeducted)), n(total(r().byBuilding, (b) => b.pointsRedeemed))]}
        />
      </section>
      <section>
        <h2>{t("books.m.topUps")}</h2>
        <Table
          testid="monthly-topups"
          head={[t("books.m.toppedUpAt"), t("books.col.publicity"), t("books.m.items"), t("books.m.awarded"), t("books.m.deducted"), t("books.m.heldBack")]}
          numeric={[2, 3, 4, 5]}
          rows={r().topUps.map((u) => [fmtDate(u.at, true), u.publicity ?? "", n(u.items), n(u.pointsAwarded), n(u.pointsDeducted), n(u.heldBack)])}
          foot={[t("books.m.total"), "", n(total(r().topUps, (u) => u.items)), n(total(r().topUps, (u) => u.pointsAwarded)), n(total(r().topUps, (u) => u.pointsDeducted)), n(total(r().topUps, (u) => u.heldBack))]}
        />
      </section>
      <section>
        <h2>{t("books.m.byShop")}</h2>
        <Table
          testid="monthly-shops"
          head={[t("books.m.shop"), t("books.m.redemptions"), t("books.m.redeemed"), t("books.m.voided"), t("books.m.net")]}
          numeric={[1, 2, 3, 4]}
          rows={r().redemptionsByShop.map((x) => [x.shop, n(x.redemptions), n(x.pointsRedeemed), n(x.pointsVoided), n(x.pointsNet)])}
          foot={[t("books.m.total"), n(total(r().redemptionsByShop, (x) => x.redemptions)), n(total(r().redemptionsByShop, (x) => x.pointsRedeemed)), n(total(r().redemptionsByShop, (x) => x.pointsVoided)), n(total(r().redemptionsByShop, (x) => x.pointsNet))]}
        />
      </section>
      <section>
        <h2>{t("books.m.byGoods")}</h2>
        <Table
          testid="monthly-goods"
          head={[t("books.m.shop"), t("books.m.goods"), t("books.m.quantity"), t("books.m.points")]}
          numeric={[2, 3]}
          rows={r().redemptionsByGoods.map((g) => [g.shop, g.goods, n(g.quantity), n(g.points)])}
        />
      </section>
      <section>
        <h2>{t("books.m.settlements")}</h2>
        <Show when={r().settlements.items.length > 0} fallback={<p data-testid="monthly-no-settlements">{t("books.m.noSettlements")}</p>}>
          <Table
            testid="monthly-settlements"
            head={[t("books.m.shop"), t("books.from"), t("books.to"), t("books.m.status"), t("books.m.redemptions"), t("books.m.points"), t("books.m.amount")]}
            numeric={[4, 5, 6]}
            rows={r().settlements.items.map((x) => [x.shop, x.from ? chinaDay(x.from) : "", chinaDay(x.to), t(`books.m.settlement.${x.status}`), n(x.redemptions), n(x.points), yuan(x.amountFen)])}
          />
          <p>{t("books.m.settled", { points: n(r().settlements.pointsConfirmed), paid: yuan(r().settlements.amountPaidFen) })}</p>
        </Show>
      </section>
    </article>
  );
}

export default function MonthlyReportPage() {
  const [month, setMonth] = createSignal(lastMonth());
  const [asked, setAsked] = createSignal(month());
  const [report] = createResource(asked, (m) => books.monthly(m));
  return (
    <>
      <style>{printStyle}</style>
      <h1 class="no-print">{t("books.monthlyTitle")}</h1>
      <form
        class="no-print report-tools"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked(month());
        }}
      >
        <label>
          {t("books.month")}
          <input type="month" value={month()} onInput={(e) => setMonth(e.currentTarget.value)} data-testid="monthly-month" required />
        </label>
        <button type="submit" style={{ flex: "none" }} data-testid="monthly-show">
          {t("books.show")}
        </button>
        <button type="button" style={{ flex: "none" }} onClick={() => window.print()}>
          <Icon name="printer" /> {t("books.print")}
        </button>
        <a class="btn plain" href={books.monthlyXlsxUrl(asked())} download="" data-testid="monthly-xlsx">
          {t("books.xlsx")}
        </a>
      </form>
      <ErrorBox error={report.error} />
      <Show when={ready(report)} fallback={<Show when={!report.error}><Loading /></Show>}>
        {(r) => <Report report={r()} />}
      </Show>
    </>
  );
}
