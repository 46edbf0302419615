/**
 * 概览 of a region (the county, or one township): every community's figures for the period in
 * one table sortable by every column with a totals row, participation as bars, the twelve-month
 * trend, the mix by carrier, the workbook, and an A4-landscape print. Aggregates only: the API
 * answers no name, phone, card or household of any resident.
 */
import { A } from "@solidjs/router";
import { createMemo, createResource, For, lazy, Show, Suspense } from "solid-js";
import { carriers } from "../../../../shared/domain";
import { county, type CommunityFigures, type Region, type RegionOverview } from "../../api";
import { categoryName, fmtDate, fmtPoints } from "../../i18n";
import { ErrorBox, Loading, ready } from "../../ui/common";
import { DataTable, type Column } from "../../ui/data-table";
import { Icon } from "../../ui/icon";
import { Breadcrumbs } from "./breadcrumbs";
import { periodSearch } from "./period";
import { PeriodPicker, periodWords, usePeriod } from "./period-picker";
import { w } from "./words";

const BarChart = lazy(() => import("../admin/charts"));
const TrendChart = lazy(() => import("./trend-chart"));

/** A4 landscape on paper, only while this page is open (other pages print their own sizes). */
export const printStyle = `
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  .county-nav { display: none !important; }
  .county table { font-size: 9pt; }
  .county th, .county td { padding: 1.2mm 1.5mm; }
  .county .table-wrap { overflow: visible; border: 0; }
  .county .sort span { display: none; }
  .county .sort { min-height: 0; padding: 0; border: 0; background: none; color: inherit; font-weight: 700; }
  .county-charts { grid-template-columns: 1fr 1fr; }
  .county figure { break-inside: avoid; }
}`;

export const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

export function Overview(props: { regionId: string; regions: Region[] }) {
  const period = usePeriod();
  const [view] = createResource(() => ({ id: props.regionId, range: period.range() }), ({ id, range }) => county.overview(id, range));
  const [trend] = createResource(() => props.regionId, (id) => county.trend(id));
  const regionName = (id: string | null) => props.regions.find((r) => r.id === id)?.name ?? "";
  return (
    <section class="county" data-testid="county-overview">
      <style>{printStyle}</style>
      <Breadcrumbs regions={props.regions} regionId={props.regionId} />
      <h1>
        <Icon name="chart" /> {ready(view)?.region.name ?? regionName(props.regionId)} · {w("title")}
      </h1>
      <p class="muted small">
        <span data-testid="period-words">{periodWords(period.range())}</span> · {w("aggregatesOnly")}
      </p>
      <p class="print-only small">{w("printedAt", { at: fmtDate(new Date().toISOString(), true) })}</p>
      <div class="row county-toolbar no-print">
        <PeriodPicker />
        <a class="btn secondary" style={{ flex: "none" }} href={county.workbookUrl(props.regionId, period.range())} download="" data-testid="download-xlsx">
          <Icon name="download" /> {w("download")}
        </a>
        <button type="button" class="secondary" style={{ flex: "none" }} onClick={() => window.print()} data-testid="print">
          <Icon name="printer" /> {w("print")}
        </button>
      </div>
      <ErrorBox error={view.error} />
      <Show when={ready(view)} fallback={<Show when={!view.error}><Loading /></Show>}>
        {(v) => <Figures view={v()} regionName={regionName} />}
      </Show>
      <ErrorBox error={trend.error} />
      <Suspense fallback={<Loading />}>
        <Show when={ready(trend)}>{(tr) => <TrendChart months={tr().months} title={w("trend")} />}</Show>
      </Suspense>
    </section>
  );
}

function Figures(props: { view: RegionOverview; regionName: (id: string | null) => string }) {
  const period = usePeriod();
  const search = () => periodSearch(period.params());
  const n = (value: number) => fmtPoints(value);
  const num = (label: () => string, key: "households" | "participatingHouseholds" | "pointsAwarded" | "pointsDeducted" | "pointsRedeemed" | "pointsOutstanding" | "applications" | "objections" | "redemptions"): Column<CommunityFigures> => ({
    header: label,
    cell: (row) => <span class="n">{n(row[key])}</span>,
    sortBy: (row) => row[key],
  });
  const columns: Column<CommunityFigures>[] = [
    {
      header: () => w("col.community"),
      cell: (row) => (
        <A href={`/county/community/${row.id}${search()}`} data-testid="community-link">
          {row.name} <span class="muted small">{row.code}</span>
        </A>
      ),
      sortBy: (row) => row.name,
    },
    {
      header: () => w("col.region"),
      cell: (row) => (
        <Show when={row.regionId && row.regionId !== props.view.region.id} fallback={<span class="muted">{props.regionName(row.regionId)}</span>}>
          <A href={`/county/region/${row.regionId}${search()}`} data-testid="region-link">
            {props.regionName(row.regionId)}
          </A>
        </Show>
      ),
      sortBy: (row) => props.regionName(row.regionId),
    },
    num(() => w("col.households"), "households"),
    num(() => w("col.participating"), "participatingHouseholds"),
    { header: () => w("col.rate"), cell: (row) => <span class="n">{percent(row.participationRate)}</span>, sortBy: (row) => row.participationRate },
    num(() => w("col.awarded"), "pointsAwarded"),
    num(() => w("col.deducted"), "pointsDeducted"),
    num(() => w("col.redeemed"), "pointsRedeemed"),
    num(() => w("col.outstanding"), "pointsOutstanding"),
    num(() => w("col.applications"), "applications"),
    num(() => w("col.objections"), "objections"),
    num(() => w("col.redemptions"), "redemptions"),
  ];
  const totals = () => props.view.totals;
  const rateBars = createMemo(() => props.view.communities.map((c) => ({ label: c.name, value: Math.round(c.participationRate * 1000) / 10 })));
  const mixBars = createMemo(() => [...carriers].map((c) => ({ label: categoryName(c), value: totals().byCategory.find((b) => b.category === c)?.points ?? 0 })));
  return (
    <>
      <DataTable
        rows={props.view.communities}
        columns={columns}
        label={w("tableLabel", { region: props.view.region.name })}
        testid="county-table"
        foot={
          <tr class="totals" data-testid="county-totals">
            <th scope="row" colSpan={2}>
              {w("totals", { n: totals().communities })}
            </th>
            <For each={["households", "participatingHouseholds"] as const}>{(key) => <td class="n">{n(totals()[key])}</td>}</For>
            <td class="n">{percent(totals().participationRate)}</td>
            <For each={["pointsAwarded", "pointsDeducted", "pointsRedeemed", "pointsOutstanding", "applications", "objections", "redemptions"] as const}>
              {(key) => <td class="n">{n(totals()[key])}</td>}
            </For>
          </tr>
        }
      />
      <Show when={!props.view.communities.length}>
        <p class="muted">{w("noCommunities")}</p>
      </Show>
      <Suspense fallback={<Loading />}>
        <div class="county-charts">
          <Show when={rateBars().length}>
            <BarChart title={w("rateChart")} bars={rateBars()} unit="%" color="#1b6e35" />
          </Show>
          <BarChart title={w("mix")} bars={mixBars()} />
        </div>
      </Suspense>
    </>
  );
}
