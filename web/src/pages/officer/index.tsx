/**
 * The county officer's area (县乡村振兴局, 乡镇), desktop 1280×800 and 10" tablets first:
 * `/county` (the officer's own region), `/county/region/<id>` (a township), `/county/community/<id>`
 * (one community's summary) and `/county/manage` (townships, officer accounts, communities).
 * Its own lazy chunk (with uPlot in a further one), so nobody else's first load carries it.
 */
import { A, useParams } from "@solidjs/router";
import { createResource, Match, Show, Switch } from "solid-js";
import { county, isId } from "../../api";
import { session } from "../../session";
import { ErrorBox, Loading, ready } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { CommunityPage } from "./community";
import { Manage } from "./manage";
import { Overview } from "./overview";
import { w } from "./words";

const style = `
.county-nav { display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0 8px; }
.county-nav a { display: inline-flex; align-items: center; gap: 6px; min-height: 48px; padding: 0 14px; border-radius: 10px; text-decoration: none; color: var(--ink); background: #fff; border: 1px solid var(--line); font-weight: 600; }
.county-nav a[aria-current="page"] { background: var(--red); color: #fff; border-color: var(--red); }
.crumbs { font-size: 1rem; margin: 4px 0; }
.crumbs a { display: inline-block; min-height: 32px; padding: 4px 0; }
.county-toolbar { align-items: flex-end; }
.county-toolbar .period-picker { flex: 1 1 auto; align-items: flex-end; }
.period-picker > div { flex: 0 1 200px; }
.county table { font-size: 0.85rem; }
.county th, .county td { padding: 8px 6px; }
.county td:has(> .n), .county tfoot td { text-align: right; font-variant-numeric: tabular-nums; }
.county tfoot th, .county tfoot td { font-weight: 800; background: #f6eee6; border-top: 2px solid var(--ink); }
.county .sort { min-height: 44px; padding: 0 6px; font-size: 0.85rem; background: transparent; color: var(--ink); border: 0; gap: 4px; white-space: nowrap; }
.county-charts { display: grid; gap: 0 16px; align-items: start; }
.county-forms { display: grid; gap: 0 16px; align-items: start; }
@media (min-width: 900px) {
  .county-charts, .county-forms { grid-template-columns: 1fr 1fr; }
}`;

export default function County() {
  const params = useParams();
  const [regions, { refetch }] = createResource(() => county.regions());
  const items = () => ready(regions)?.items ?? [];
  const parts = () => (params.rest ?? "").split("/");
  const id = () => (isId(parts()[1]) ? parts()[1] : undefined);
  const own = () => session.me()?.regionId ?? items()[0]?.id;
  return (
    <div class="county-area">
      <style>{style}</style>
      <nav class="county-nav no-print" aria-label={w("nav.label")}>
        <A href="/county" end={parts()[0] !== "region" && parts()[0] !== "community"}>
          <Icon name="chart" /> {w("nav.overview")}
        </A>
        <A href="/county/manage">
          <Icon name="settings" /> {w("nav.manage")}
        </A>
      </nav>
      <ErrorBox error={regions.error} />
      <Show when={ready(regions)} fallback={<Show when={!regions.error}><Loading /></Show>}>
        <Switch fallback={<Overview regionId={own() ?? ""} regions={items()} />}>
          <Match when={parts()[0] === "manage"}>
            <Manage regions={items()} refetchRegions={() => void refetch()} />
          </Match>
          {/* Keyed: another id is another page, and its requests never read a stale id. */}
          <Match when={parts()[0] === "region" && id()} keyed>
            {(regionId) => <Overview regionId={regionId} regions={items()} />}
          </Match>
          <Match when={parts()[0] === "community" && id()} keyed>
            {(communityId) => <CommunityPage communityId={communityId} regions={items()} />}
          </Match>
        </Switch>
      </Show>
    </div>
  );
}
