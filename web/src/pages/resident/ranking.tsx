/** 积分排行: the community's ranking by score; other households' names are masked by the server. */
import { For, Show } from "solid-js";
import { reports } from "../../api";
import { fmtPoints, t } from "../../i18n";
import { BackLink } from "../../ui/common";
import { AsOf, createKept, KeptState } from "../../ui/kept";
import { Icon } from "../../ui/icon";
import { useHouseholdId } from "./household";

export default function Ranking() {
  const householdId = useHouseholdId();
  const list = createKept(householdId, "ranking", () => reports.ranking());
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="chart" /> {t("ranking.title")}
      </h1>
      <KeptState data={list} />
      <AsOf at={list.savedAt()} retry={list.retry} />
      <Show when={list.value()}>
        {(page) => (
          <ol class="list" data-testid="ranking">
            <For each={page().items} fallback={<li class="muted">{t("ranking.empty")}</li>}>
              {(row) => (
                <li class="item-head" classList={{ mine: row.householdId === householdId() }}>
                  <span>
                    <b>{t("ranking.place", { n: row.rank })}</b> {row.headName} <span class="muted small">{row.building}</span>
                  </span>
                  <span class="pts">{fmtPoints(row.score)}</span>
                </li>
              )}
            </For>
          </ol>
        )}
      </Show>
    </>
  );
}
