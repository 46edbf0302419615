/**
 * The shop's goods as big buttons: a tap adds one to the basket (once a card is named). A search
 * box finds goods by name, pinyin initials (`dm` → 大米) or product barcode when there are
 * hundreds; a USB scanner typing a barcode and Enter adds that product at once, and so does the
 * camera held over a product's barcode (the same camera that read the card stays on for this).
 */
import { createSignal, For, Show } from "solid-js";
import { t } from "../../i18n";
import { CameraToggle } from "../../ui/camera-toggle";
import { ErrorBox } from "../../ui/common";
import { upcEToUpcA } from "../../ui/scanner";
import { Icon } from "../../ui/icon";
import type { CounterGoods } from "./basket";

export type ShelfGoods = CounterGoods & { barcode?: string | null; initials?: string | null };

/**
 * Whether two product codes name the same product. Codes are compared as GTIN-14 (zeros in
 * front), so the 12-digit UPC-A a scanner reads finds goods recorded with its 13-digit EAN-13
 * form ("0" in front), and the other way round; 8 digits that may be a UPC-E also match the UPC-A
 * they stand for (goods are recorded by EAN-13, UPC-A or EAN-8, never by UPC-E).
 */
export function sameBarcode(recorded: string | null | undefined, scanned: string): boolean {
  if (!recorded || !/^\d{8,14}$/.test(scanned)) return false;
  const gtin = (code: string) => code.padStart(14, "0");
  const upcA = scanned.length === 8 ? upcEToUpcA(scanned) : null;
  return gtin(recorded) === gtin(scanned) || (!!upcA && gtin(recorded) === gtin(upcA));
}

/** Whether goods match a search: part of the name, the start of the pinyin initials, or the whole barcode. */
export function goodsMatch(g: ShelfGoods, text: string): boolean {
  const q = text.trim().toLowerCase();
  if (!q) return true;
  return g.name.toLowerCase().includes(q) || (!!g.initials && g.initials.startsWith(q)) || sameBarcode(g.barcode, q);
}

/** What the last product barcode from the camera did, said beside the camera. */
export type BarcodeNote = { ok: boolean; text: string };

export function GoodsPanel(props: {
  goods: ShelfGoods[];
  error: unknown;
  enabled: boolean;
  onAdd: (g: CounterGoods) => void;
  searchRef?: (el: HTMLInputElement) => void;
  /** The camera reading product barcodes, while a card is named. */
  camera: boolean;
  onCamera: (open: boolean) => void;
  onBarcode: (code: string) => void;
  barcodeNote: BarcodeNote | null;
}) {
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
      <Show when={props.enabled}>
        <div class="stack" style={{ margin: "8px 0" }}>
          {/* Said above the camera's picture, where the clerk's eyes are. */}
          <Show when={props.barcodeNote}>
            {(note) => (
              <p class={note().ok ? "notice-line" : "error"} role="status" data-testid="barcode-note" data-ok={String(note().ok)}>
                <Icon name={note().ok ? "check" : "alert"} /> {note().text}
              </p>
            )}
          </Show>
          <CameraToggle target="product" continuous open={props.camera} onOpenChange={props.onCamera} onCode={props.onBarcode} />
        </div>
      </Show>
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
