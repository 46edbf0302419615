/**
 * The shop's goods as big buttons: a tap adds one to the basket (once a card is named). A search
 * box finds goods by name, pinyin initials (`dm` → 大米) or product barcode when there are
 * hundreds; a USB scanner typing a barcode and Enter adds that product at once.
 */
import { createSignal, For, Show } from "solid-js";
import { t } from "../../i18n";
import { ErrorBox } from "../../ui/common";
import { Icon } from "../../ui/icon";
import type { CounterGoods } from "./basket";

export type ShelfGoods = CounterGoods & { barcode?: string | null; initials?: string | null };

/** Whether goods match a search: part of the name, the start of the pinyin initials, or the whole barcode. */
export function goodsMatch(g: ShelfGoods, text: string): boolean {
  const q = text.trim().toLowerCase();
  if (!q) return true;
  return g.name.toLowerCase().includes(q) || (!!g.initials && g.initials.startsWith(q)) || (!!g.barcode && g.barcode === q);
}

export function GoodsPanel(props: { goods: ShelfGoods[]; error: unknown; enabled: boolean; onAdd: (g: CounterGoods) => void; searchRef?: (el: HTMLInputElement) => void }) {
  const [search, setSearch] = createSignal("");
  const shown = () => props.goods.filter((g) => goodsMatch(g, search()));
  return (
    <section class="panel" aria-labelledby="goods-title">
      <h2 id="goods-title" style={{ "margin-top": 0 }}>
        <Icon name="gift" /> {t("clerk.goods")}
      </h2>
      <ErrorBox error={props.error} />
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          // A scanner types the barcode and Enter: exactly one match is added at once.
          const hits = shown();
          if (props.enabled && hits.length === 1 && hits[0].stock > 0) {
            props.onAdd(hits[0]);
            setSearch("");
          }
        }}
      >
        <label for="goods-search">{t("till.search")}</label>
        <input id="goods-search" ref={props.searchRef} data-testid="goods-search" autocomplete="off" value={search()} onInput={(e) => setSearch(e.currentTarget.value)} />
      </form>
      <div class="goods-grid">
        <For each={shown()}>
          {(g) => (
            <button disabled={!props.enabled || g.stock <= 0} onClick={() => props.onAdd(g)} data-testid="goods-button">
              <span>{g.name}</span>
              <span class="gp">{t("goods.points", { n: g.points })}</span>
              <span class="small muted">{g.stock > 0 ? t("goods.stock", { n: g.stock, unit: g.unit ?? "" }) : t("goods.soldOut")}</span>
            </button>
          )}
        </For>
      </div>
      <Show when={shown().length === 0}>
        <p class="muted">{t("till.noMatch")}</p>
      </Show>
    </section>
  );
}
