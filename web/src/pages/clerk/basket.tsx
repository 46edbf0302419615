/**
 * Step two at the counter: whose card it is, the basket, and the bar with the total and the
 * confirm button, which stays at the bottom of the screen while the goods scroll on a phone.
 */
import { createSignal, For, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import type { Goods, ResolvedCard } from "../../api";
import { fmtPoints, t } from "../../i18n";
import { ErrorBox } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { ShowResident } from "../../ui/show-resident";

/** What the counter needs of goods: the server's list online, the pack's offline. */
export type CounterGoods = Pick<Goods, "id" | "name" | "points" | "stock" | "unit">;
export type Line = { goods: CounterGoods; quantity: number };

export function Customer(props: { card: ResolvedCard; basket: Line[]; onAdd: (g: CounterGoods) => void; onRemove: (g: CounterGoods) => void; onSet: (g: CounterGoods, quantity: number) => void; error: unknown; offline?: boolean }) {
  const c = () => props.card;
  const [showing, setShowing] = createSignal(false);
  return (
    <div data-testid="customer">
      <h2 style={{ "margin-top": 0 }}>
        <Icon name="user" /> {c().household.headName}
      </h2>
      <div class="muted">
        {t("home.household", { no: c().household.householdNo })}
        {/* The offline pack carries no building. */}
        <Show when={c().household.building}>{(building) => <> · {building()}</>}</Show>
      </div>
      <div>
        {t("home.balance")}: <span class="total" data-testid="customer-balance">{fmtPoints(c().balance)}</span>
        <Show when={props.offline}>
          <div class="small muted" data-testid="offline-balance-note">
            {t("offline.balanceNoteLatest")}
          </div>
        </Show>
      </div>
      {/* 给居民看: the balance and last entries in big type for a resident with only a card, and the statement to print. */}
      <Show when={!props.offline && c().household.id}>
        <button type="button" class="secondary" style={{ "margin-top": "8px" }} onClick={() => setShowing(true)} data-testid="show-resident-open">
          <Icon name="user" /> {t("inclusion.show.button")}
        </button>
      </Show>
      <Show when={showing()}>
        <ShowResident householdId={c().household.id} onClose={() => setShowing(false)} />
      </Show>
      <h3>{t("clerk.basket")}</h3>
      <ul class="list basket" data-testid="basket">
        <For each={props.basket} fallback={<li class="muted">{t("clerk.basketEmpty")}</li>}>
          {(line) => (
            <li>
              <span class="name">{line.goods.name} ×</span>
              {/* A typed quantity (10 packets of noodles are not ten taps). */}
              <input
                class="qty"
                type="number"
                inputmode="numeric"
                min="1"
                max={Math.min(limits.basketQuantityMax, line.goods.stock)}
                aria-label={t("till.quantity", { name: line.goods.name })}
                data-testid="basket-quantity"
                value={line.quantity}
                style={{ width: "72px", flex: "none" }}
                onChange={(e) => {
                  const n = Math.trunc(Number(e.currentTarget.value));
                  props.onSet(line.goods, Number.isFinite(n) ? n : line.quantity);
                }}
              />
              <b>{fmtPoints(line.goods.points * line.quantity)}</b>
              <button class="plain" aria-label={t("clerk.less", { name: line.goods.name })} onClick={() => props.onRemove(line.goods)}>
                <Icon name="minus" />
              </button>
              <button class="plain" aria-label={t("clerk.more", { name: line.goods.name })} onClick={() => props.onAdd(line.goods)}>
                <Icon name="plus" />
              </button>
            </li>
          )}
        </For>
      </ul>
      <ErrorBox error={props.error} />
    </div>
  );
}

/** The sticky bar: total, item count, confirm and cancel, always in reach of the thumb. */
export function CounterBar(props: { total: number; items: number; balance: number; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const short = () => props.total > props.balance;
  return (
    <div class="counter-bar" data-testid="counter-bar">
      <div class="sum">
        <span class="small muted">{t("clerk.total")}</span>
        <br />
        <span class="total" data-testid="basket-total">
          {fmtPoints(props.total)}
        </span>{" "}
        <span class="small muted">{t("counter.items", { n: props.items })}</span>
      </div>
      <button class="big ok confirm" disabled={!props.items || props.busy || short()} onClick={() => props.onConfirm()} data-testid="confirm">
        <Icon name="check" /> {t("clerk.confirm")}
      </button>
      <button class="plain cancel" aria-label={t("common.cancel")} onClick={() => props.onCancel()}>
        <Icon name="x" />
      </button>
      <Show when={short()}>
        <div class="error warn" role="alert">
          <Icon name="alert" /> {t("clerk.notEnough")}
        </div>
      </Show>
    </div>
  );
}
