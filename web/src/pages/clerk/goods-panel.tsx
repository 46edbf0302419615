/** The shop's goods as big buttons: a tap adds one to the basket (once a card is named). */
import { For, type Resource } from "solid-js";
import type { Goods, Page } from "../../api";
import { t } from "../../i18n";
import { ErrorBox, ready } from "../../ui/common";
import { Icon } from "../../ui/icon";

export function GoodsPanel(props: { goods: Resource<Page<Goods> | undefined>; enabled: boolean; onAdd: (g: Goods) => void }) {
  return (
    <section class="panel" aria-labelledby="goods-title">
      <h2 id="goods-title" style={{ "margin-top": 0 }}>
        <Icon name="gift" /> {t("clerk.goods")}
      </h2>
      <ErrorBox error={props.goods.error} />
      <div class="goods-grid">
        <For each={ready(props.goods)?.items ?? []}>
          {(g) => (
            <button disabled={!props.enabled || g.stock <= 0} onClick={() => props.onAdd(g)} data-testid="goods-button">
              <span>{g.name}</span>
              <span class="gp">{t("goods.points", { n: g.points })}</span>
              <span class="small muted">{g.stock > 0 ? t("goods.stock", { n: g.stock, unit: g.unit ?? "" }) : t("goods.soldOut")}</span>
            </button>
          )}
        </For>
      </div>
    </section>
  );
}
