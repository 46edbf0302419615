/** 县 › 乡镇 › 社区: where the officer is, each step above a link back up (with the same period). */
import { A } from "@solidjs/router";
import { For, Show } from "solid-js";
import type { Region } from "../../api";
import { periodSearch } from "./period";
import { usePeriod } from "./period-picker";
import { w } from "./words";

/** The region and the regions above it that the officer can see, top first. */
export function chainOf(regions: Region[], regionId: string | null): Region[] {
  const chain: Region[] = [];
  let at = regions.find((r) => r.id === regionId);
  while (at && chain.length < 3) {
    chain.unshift(at);
    const parentId: string | null = at.parentId;
    at = regions.find((r) => r.id === parentId);
  }
  return chain;
}

export function Breadcrumbs(props: { regions: Region[]; regionId: string | null; community?: string }) {
  const period = usePeriod();
  const chain = () => chainOf(props.regions, props.regionId);
  // The officer's own region is /county; a township below it is /county/region/<id>.
  const href = (region: Region) => (region.id === props.regions[0]?.id ? "/county" : `/county/region/${region.id}`) + periodSearch(period.params());
  const last = (i: number) => i === chain().length - 1 && !props.community;
  return (
    <nav class="crumbs" aria-label={w("crumbs")} data-testid="crumbs">
      <For each={chain()}>
        {(region, i) => (
          <>
            <Show when={i() > 0}>
              <span aria-hidden="true"> › </span>
            </Show>
            <Show when={!last(i())} fallback={<span aria-current="page">{region.name}</span>}>
              <A href={href(region)} end>
                {region.name}
              </A>
            </Show>
          </>
        )}
      </For>
      <Show when={props.community}>
        <span aria-hidden="true"> › </span>
        <span aria-current="page">{props.community}</span>
      </Show>
    </nav>
  );
}
