/** One community as the officer sees it: its summary for the period (as its own office's) and its mix by carrier. */
import { A } from "@solidjs/router";
import { createResource, lazy, Show, Suspense } from "solid-js";
import { carriers } from "../../../../shared/domain";
import { county, type Region } from "../../api";
import { categoryName, fmtPoints } from "../../i18n";
import { ErrorBox, Loading, ready } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { Breadcrumbs, chainOf } from "./breadcrumbs";
import { percent, printStyle } from "./overview";
import { periodSearch } from "./period";
import { PeriodPicker, periodWords, usePeriod } from "./period-picker";
import { w } from "./words";

const BarChart = lazy(() => import("../admin/charts"));

function Stat(props: { label: string; value: string; testid?: string }) {
  return (
    <div class="stat">
      <span class="muted small">{props.label}</span>
      <b data-testid={props.testid}>{props.value}</b>
    </div>
  );
}

export function CommunityPage(props: { communityId: string; regions: Region[] }) {
  const period = usePeriod();
  const [summary] = createResource(() => ({ id: props.communityId, range: period.range() }), ({ id, range }) => county.summary(id, range));
  // The community's name and township come from the overview of the officer's own region.
  const [row] = createResource(
    () => (props.regions[0] ? { regionId: props.regions[0].id, communityId: props.communityId } : null),
    async ({ regionId, communityId }) => (await county.overview(regionId, {})).communities.find((c) => c.id === communityId) ?? null,
  );
  const community = () => ready(row) ?? null;
  const up = () => chainOf(props.regions, community()?.regionId ?? null).at(-1);
  const upHref = () => {
    const region = up();
    return (!region || region.id === props.regions[0]?.id ? "/county" : `/county/region/${region.id}`) + periodSearch(period.params());
  };
  return (
    <section class="county" data-testid="county-community">
      <style>{printStyle}</style>
      <Breadcrumbs regions={props.regions} regionId={community()?.regionId ?? null} community={community()?.name ?? "…"} />
      <h1>
        <Icon name="home" /> {community()?.name ?? ""} <span class="muted small">{community()?.code ?? ""}</span>
      </h1>
      <p class="muted small">
        {periodWords(period.range())} · {w("aggregatesOnly")}
      </p>
      <div class="row county-toolbar no-print">
        <PeriodPicker />
        <A class="btn plain" style={{ flex: "none" }} href={upHref()} data-testid="community-back">
          <Icon name="back" /> {w("community.back", { name: up()?.name ?? "" })}
        </A>
      </div>
      <ErrorBox error={summary.error ?? row.error} />
      <Show when={ready(summary)} fallback={<Show when={!summary.error}><Loading /></Show>}>
        {(s) => (
          <>
            <h2>{w("community.figures")}</h2>
            <div class="stats" data-testid="community-summary">
              <Stat label={w("col.households")} value={fmtPoints(s().households)} testid="summary-households" />
              <Stat label={w("col.rate")} value={percent(s().participationRate)} />
              <Stat label={w("col.awarded")} value={fmtPoints(s().pointsAwarded)} testid="summary-awarded" />
              <Stat label={w("col.deducted")} value={fmtPoints(s().pointsDeducted)} />
              <Stat label={w("col.redeemed")} value={fmtPoints(s().pointsRedeemed)} />
              <Stat label={w("col.outstanding")} value={fmtPoints(s().pointsOutstanding)} />
              <Stat label={w("col.applications")} value={fmtPoints(s().applications)} />
              <Stat label={w("col.objections")} value={fmtPoints(s().objections)} />
              <Stat label={w("col.redemptions")} value={fmtPoints(s().redemptions)} />
            </div>
            <Suspense fallback={<Loading />}>
              <BarChart title={w("mix")} bars={[...carriers].map((c) => ({ label: categoryName(c), value: s().byCategory.find((b) => b.category === c)?.points ?? 0 }))} />
            </Suspense>
          </>
        )}
      </Show>
    </section>
  );
}
