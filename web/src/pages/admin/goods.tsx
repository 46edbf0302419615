/**
 * 商品与库存: each shop's goods, their points and stock; add goods, add a shop, count stock in or
 * out. Deliveries (进货) are recorded on the stock page, linked from each row.
 */
import { A } from "@solidjs/router";
import { createResource, createSignal, For } from "solid-js";
import { isProductBarcode } from "../../../../shared/barcode";
import { limits } from "../../../../shared/limits";
import { goods, shops, type Goods } from "../../api";
import { t } from "../../i18n";
import { check, lengthProblem, rangeProblem } from "../../ui/checks";
import { createAction, ErrorBox, ready } from "../../ui/common";
import { DataTable, type Column } from "../../ui/data-table";
import { Field, FormPanel } from "../../ui/form-panel";
import { Icon } from "../../ui/icon";

const blank = { name: "", points: 10, stock: 10, unit: "" };

export default function GoodsPage() {
  const [shopList, { refetch: refetchShops }] = createResource(() => shops.list());
  const [shopId, setShopId] = createSignal("");
  const activeShop = () => shopId() || ready(shopList)?.items[0]?.id || "";
  const [list, { refetch }] = createResource(activeShop, (id) => goods.list(id));
  const [form, setForm] = createSignal({ ...blank });
  const [shopName, setShopName] = createSignal("");
  const [deltas, setDeltas] = createSignal<Record<string, number>>({});
  const addShop = createAction(async () => {
    check(lengthProblem(t("goodsAdmin.newShop"), shopName(), limits.nameLengthMax));
    const shop = await shops.create(shopName().trim());
    setShopName("");
    await refetchShops();
    setShopId(shop.id);
  });
  const create = createAction(async () => {
    const f = form();
    check(
      lengthProblem(t("goodsAdmin.name"), f.name, limits.nameLengthMax),
      lengthProblem(t("goodsAdmin.unit"), f.unit, limits.unitLengthMax),
      rangeProblem(t("goodsAdmin.points"), f.points, 1, limits.goodsPointsMax),
      rangeProblem(t("goodsAdmin.stock"), f.stock, 0, limits.stockMax),
    );
    await goods.create({ shopId: activeShop(), name: f.name.trim(), points: f.points, stock: f.stock, unit: f.unit.trim() || undefined });
    setForm({ ...blank });
    await refetch();
  });
  const restock = createAction(async (id: string) => {
    const delta = deltas()[id] ?? 0;
    check(rangeProblem(t("goodsAdmin.change"), Math.abs(delta), 1, limits.stockDeltaMax));
    await goods.stock(id, delta, t("goodsAdmin.restockReason"));
    setDeltas({ ...deltas(), [id]: 0 });
    await refetch();
  });
  // 商品条码: checked here (check digit) and again by the server, which also keeps it unique per shop.
  const [barcodes, setBarcodes] = createSignal<Record<string, string>>({});
  const saveBarcode = createAction(async (id: string) => {
    const code = barcodes()[id] ?? "";
    if (code && !isProductBarcode(code)) throw new Error(t("till.barcodeBad"));
    await goods.setBarcode(id, code || null);
    const { [id]: _saved, ...rest } = barcodes();
    setBarcodes(rest);
    await refetch();
  });
  const columns: Column<Goods>[] = [
    { header: () => t("goodsAdmin.name"), cell: (g) => g.name, sortBy: (g) => g.name },
    { header: () => t("goodsAdmin.points"), cell: (g) => g.points, sortBy: (g) => g.points },
    { header: () => t("goodsAdmin.stock"), cell: (g) => `${g.stock} ${g.unit ?? ""}`, sortBy: (g) => g.stock },
    {
      header: () => t("goodsAdmin.change"),
      cell: (g) => (
        <div class="row">
          <label class="sr-only" for={`d-${g.id}`}>
            {t("goodsAdmin.change")}
          </label>
          <input
            id={`d-${g.id}`}
            type="number"
            min={-limits.stockDeltaMax}
            max={limits.stockDeltaMax}
            style={{ width: "100px", flex: "none" }}
            value={deltas()[g.id] ?? 0}
            onInput={(e) => setDeltas({ ...deltas(), [g.id]: Number(e.currentTarget.value) })}
          />
          <button class="secondary" style={{ flex: "none" }} disabled={!deltas()[g.id] || restock.busy()} onClick={() => void restock.run(g.id)}>
            <Icon name="box" /> {t("goodsAdmin.apply")}
          </button>
        </div>
      ),
    },
    {
      header: () => t("till.barcode"),
      cell: (g) => (
        <div class="row">
          <label class="sr-only" for={`b-${g.id}`}>
            {t("till.barcode")}
          </label>
          <input
            id={`b-${g.id}`}
            inputmode="numeric"
            maxlength={13}
            style={{ width: "160px", flex: "none" }}
            data-testid="goods-barcode"
            value={barcodes()[g.id] ?? g.barcode ?? ""}
            onInput={(e) => setBarcodes({ ...barcodes(), [g.id]: e.currentTarget.value.replace(/\D/g, "") })}
          />
          <button class="secondary" style={{ flex: "none" }} disabled={barcodes()[g.id] === undefined || saveBarcode.busy()} onClick={() => void saveBarcode.run(g.id)} data-testid="goods-barcode-save">
            {t("common.save")}
          </button>
        </div>
      ),
    },
    {
      header: () => t("admin.stock"),
      cell: (g) => (
        <A class="btn plain" href={`/admin/stock?goods=${encodeURIComponent(g.id)}`} data-testid="goods-stock-in">
          <Icon name="plus" /> {t("stockDesk.record")}
        </A>
      ),
    },
  ];
  return (
    <>
      <h1>
        <Icon name="gift" /> {t("admin.goods")}
      </h1>
      <div class="row panel">
        <Field id="g-shop" label={t("goodsAdmin.shop")}>
          <select id="g-shop" value={activeShop()} onChange={(e) => setShopId(e.currentTarget.value)}>
            <For each={ready(shopList)?.items ?? []}>{(s) => <option value={s.id}>{s.name}</option>}</For>
          </select>
        </Field>
        <Field id="g-newshop" label={t("goodsAdmin.newShop")}>
          <div class="row">
            <input id="g-newshop" maxlength={limits.nameLengthMax} value={shopName()} onInput={(e) => setShopName(e.currentTarget.value)} />
            <button style={{ flex: "none" }} disabled={!shopName().trim() || addShop.busy()} onClick={() => void addShop.run()}>
              <Icon name="plus" /> {t("goodsAdmin.addShop")}
            </button>
          </div>
        </Field>
      </div>
      <ErrorBox error={shopList.error ?? list.error ?? addShop.error() ?? restock.error() ?? saveBarcode.error()} />
      <DataTable rows={ready(list)?.items ?? []} columns={columns} label={t("admin.goods")} loading={list.loading} filter={(g, text) => g.name.toLowerCase().includes(text) || g.initials.startsWith(text) || g.barcode === text} />
      <FormPanel title={t("goodsAdmin.add")} submit={t("goodsAdmin.add")} submitIcon="plus" busy={create.busy()} disabled={!activeShop()} error={create.error()} onSubmit={() => void create.run()}>
        <div class="row">
          <Field id="g-name" label={t("goodsAdmin.name")}>
            <input id="g-name" required maxlength={limits.nameLengthMax} value={form().name} onInput={(e) => setForm({ ...form(), name: e.currentTarget.value })} />
          </Field>
          <Field id="g-unit" label={t("goodsAdmin.unit")}>
            <input id="g-unit" maxlength={limits.unitLengthMax} value={form().unit} onInput={(e) => setForm({ ...form(), unit: e.currentTarget.value })} />
          </Field>
        </div>
        <div class="row">
          <Field id="g-points" label={t("goodsAdmin.points")}>
            <input id="g-points" type="number" min="1" max={limits.goodsPointsMax} value={form().points} onInput={(e) => setForm({ ...form(), points: Number(e.currentTarget.value) })} />
          </Field>
          <Field id="g-stock" label={t("goodsAdmin.stock")}>
            <input id="g-stock" type="number" min="0" max={limits.stockMax} value={form().stock} onInput={(e) => setForm({ ...form(), stock: Number(e.currentTarget.value) })} />
          </Field>
        </div>
      </FormPanel>
    </>
  );
}
