/** 能换什么: the goods at the community shop, their points and what is left. */
import { For, Show } from "solid-js";
import { goods } from "../../api";
import { t } from "../../i18n";
import { BackLink } from "../../ui/common";
import { AsOf, createKept, KeptState } from "../../ui/kept";
import { Icon } from "../../ui/icon";
import { useHouseholdId } from "./household";

export default function GoodsPage() {
  const householdId = useHouseholdId();
  const list = createKept(householdId, "goods", () => goods.list());
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="gift" /> {t("goods.title")}
      </h1>
      <p class="muted">{t("goods.hint")}</p>
      <KeptState data={list} />
      <AsOf at={list.savedAt()} retry={list.retry} />
      <Show when={list.value()}>
        {(page) => (
          <ul class="list" data-testid="goods">
            <For each={page().items} fallback={<li class="muted">{t("goods.empty")}</li>}>
              {(g) => (
                <li class="item-head">
                  <span>
                    <strong>{g.name}</strong>
                    <br />
                    <span class="muted small">{g.stock > 0 ? t("goods.stock", { n: g.stock, unit: g.unit ?? "" }) : t("goods.soldOut")}</span>
                  </span>
                  <span class="pts">{t("goods.points", { n: g.points })}</span>
                </li>
              )}
            </For>
          </ul>
        )}
      </Show>
    </>
  );
}
