/**
 * The shop counter: name the card (scan it with a USB scanner or the camera, or type its number
 * and have the resident type the PIN), build the basket by tapping goods, enter the PIN when
 * the basket is over the community's threshold, confirm, and show or print the receipt. The
 * day's receipts sit below, with the printable end-of-day sheet (`?sheet=YYYY-MM-DD`).
 *
 * One Idempotency-Key per basket: it is made when the card is named and kept until the basket
 * is done, so a double tap or a retry after a lost answer never charges twice.
 */
import { useSearchParams } from "@solidjs/router";
import { createMemo, createResource, createSignal, onMount, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { chinaDay } from "../../../../shared/time";
import { ApiError, cards, goods, redemptions, settings, shops, type Goods, type Receipt, type ResolvedCard } from "../../api";
import { fmtPoints, t } from "../../i18n";
import { createAction, newKey, ready } from "../../ui/common";
import { useStaffRole } from "../../ui/guard";
import { Icon } from "../../ui/icon";
import { Customer, CounterBar, type Line } from "./basket";
import { CardEntry } from "./card-entry";
import { DayList, type DayRow } from "./day-list";
import { DaySheetView, type SheetFilter } from "./day-sheet";
import { GoodsPanel } from "./goods-panel";
import { counterError, groupCardNo } from "./messages";
import { PinPad } from "./pin-pad";
import { ReceiptSlip } from "./receipt";
import "./counter.css";

/** How the clerk named the card: scanned text, or a typed number with the PIN that proved it. */
type Identity = { qr: string } | { cardNo: string; pin: string };

export default function Clerk() {
  const user = useStaffRole("clerk", "admin");
  const [search, setSearch] = useSearchParams<{ sheet?: string; shopId?: string; clerkId?: string }>();
  const [goodsList, { refetch: refetchGoods }] = createResource(user, (u) => goods.list(u.shopId ?? undefined));
  const [communitySettings] = createResource(user, () => settings.get().catch(() => null));
  const [shopList] = createResource(() => user()?.role === "admin", () => shops.list().catch(() => null));
  const [today, setToday] = createSignal<DayRow[]>([]);
  const [card, setCard] = createSignal<ResolvedCard | null>(null);
  const [identity, setIdentity] = createSignal<Identity | null>(null);
  const [typedNo, setTypedNo] = createSignal<string | null>(null);
  const [camera, setCamera] = createSignal(false);
  const [basket, setBasket] = createSignal<Line[]>([]);
  const [key, setKey] = createSignal(newKey());
  const [pinOpen, setPinOpen] = createSignal(false);
  const [pin, setPin] = createSignal("");
  const [receipt, setReceipt] = createSignal<Receipt | null>(null);
  let scanInput: HTMLInputElement | undefined;

  // The server counts a community's days in China time (`?date=YYYY-MM-DD`); so does the counter,
  // or from 00:00 to 08:00 Beijing time "today" would be yesterday's UTC date.
  const [dayList, { refetch: refetchDay }] = createResource(user, () => redemptions.list({ date: chinaDay(new Date()) }).catch(() => null));
  const listed = () => ready(dayList)?.items ?? [];
  const dayItems = (): DayRow[] => [...today().filter((r) => !listed().some((x) => x.id === r.id)), ...listed()];

  const total = createMemo(() => basket().reduce((sum, line) => sum + line.goods.points * line.quantity, 0));
  const itemCount = () => basket().reduce((sum, line) => sum + line.quantity, 0);
  const threshold = () => ready(communitySettings)?.pinThreshold ?? limits.pinThresholdDefault;

  function named(resolved: ResolvedCard, how: Identity) {
    setCard(resolved);
    setIdentity(how);
    setBasket([]);
    setKey(newKey());
    setCamera(false);
  }

  const resolve = createAction(async (text: string) => {
    named(await cards.resolve(text.trim()), { qr: text.trim() });
  });

  // A typed card number: the PIN pad opens first, and the PIN proves the card.
  const identify = createAction(async () => {
    const cardNo = typedNo();
    if (!cardNo) return;
    try {
      named(await cards.resolveTyped(cardNo, pin()), { cardNo, pin: pin() });
      setTypedNo(null);
      setPinOpen(false);
      setPin("");
    } catch (err) {
      setPin("");
      throw counterError(err, true);
    }
  });

  const confirm = createAction(async () => {
    const how = identity();
    if (!how) return;
    const items = basket().map((line) => ({ goodsId: line.goods.id, quantity: line.quantity }));
    const body = "cardNo" in how ? { cardNo: how.cardNo, pin: pin() || how.pin, items } : { qr: how.qr, items, pin: pin() || undefined };
    try {
      const done = await redemptions.create(key(), body);
      setReceipt(done);
      setToday([done, ...today()]);
      void refetchDay();
      setPinOpen(false);
      setPin("");
      void refetchGoods();
    } catch (err) {
      if (err instanceof ApiError && (err.code === "PIN_REQUIRED" || err.code === "PIN_WRONG")) {
        setPin("");
        setPinOpen(true);
      }
      throw counterError(err);
    }
  });

  function add(g: Goods) {
    const lines = basket();
    const line = lines.find((l) => l.goods.id === g.id);
    if (line) {
      if (line.quantity >= Math.min(limits.basketQuantityMax, g.stock)) return;
      setBasket(lines.map((l) => (l === line ? { ...l, quantity: l.quantity + 1 } : l)));
    } else if (lines.length < limits.basketLinesMax && g.stock > 0) {
      setBasket([...lines, { goods: g, quantity: 1 }]);
    }
  }
  function remove(g: Goods) {
    setBasket(
      basket()
        .map((l) => (l.goods.id === g.id ? { ...l, quantity: l.quantity - 1 } : l))
        .filter((l) => l.quantity > 0),
    );
  }
  function startConfirm() {
    const typed = identity() && "cardNo" in identity()!;
    if (!typed && total() > threshold() && !pin()) setPinOpen(true);
    else void confirm.run();
  }
  function closePin() {
    setPinOpen(false);
    setPin("");
    setTypedNo(null);
    identify.setError(null);
  }
  function nextCustomer() {
    setReceipt(null);
    setCard(null);
    setIdentity(null);
    setBasket([]);
    setPin("");
    setKey(newKey());
    confirm.setError(null);
    queueMicrotask(() => scanInput?.focus());
  }
  const openSheet = (filter: SheetFilter) => setSearch({ sheet: filter.date, shopId: filter.shopId, clerkId: filter.clerkId }, { replace: !!search.sheet });
  const sheetFilter = (): SheetFilter | null => {
    const date = typeof search.sheet === "string" && /^\d{4}-\d{2}-\d{2}$/.test(search.sheet) ? search.sheet : null;
    if (!date) return null;
    return { date, shopId: typeof search.shopId === "string" ? search.shopId : undefined, clerkId: typeof search.clerkId === "string" ? search.clerkId : undefined };
  };

  onMount(() => scanInput?.focus());

  return (
    <>
      <h1 class="no-print">
        <Icon name="cart" /> {sheetFilter() ? t("sheet.title") : t("clerk.title")}
      </h1>
      <Show
        when={sheetFilter() && user()}
        fallback={
          <>
            <Show when={receipt()} fallback={
              <div class="counter">
                <section class="panel">
                  <Show
                    when={card()}
                    fallback={
                      <CardEntry
                        onScan={(text) => void resolve.run(text)}
                        onTyped={(cardNo) => {
                          identify.setError(null);
                          setPin("");
                          setTypedNo(cardNo);
                          setPinOpen(true);
                        }}
                        error={resolve.error() ?? (pinOpen() ? null : identify.error())}
                        camera={camera()}
                        onCamera={setCamera}
                        scanRef={(el) => (scanInput = el)}
                      />
                    }
                  >
                    {(c) => <Customer card={c()} basket={basket()} onAdd={add} onRemove={remove} error={pinOpen() ? null : confirm.error()} />}
                  </Show>
                </section>
                <GoodsPanel goods={goodsList} enabled={!!card()} onAdd={add} />
                <Show when={card()}>
                  {(c) => <CounterBar total={total()} items={itemCount()} balance={c().balance} busy={confirm.busy()} onConfirm={startConfirm} onCancel={nextCustomer} />}
                </Show>
              </div>
            }>
              {(r) => <ReceiptSlip redemption={r()} customer={card()} onNext={nextCustomer} />}
            </Show>
            <Show when={pinOpen()}>
              <Show
                when={typedNo()}
                fallback={
                  <PinPad value={pin()} onInput={setPin} error={confirm.error()} busy={confirm.busy()} onCancel={closePin} onOk={() => void confirm.run()} hint={t("clerk.pinHint")}
                    context={
                      <>
                        <span class="amount" data-testid="pin-amount">{t("counter.amount", { n: fmtPoints(total()) })}</span>
                        <span data-testid="pin-household">{card() ? `${t("home.household", { no: card()!.household.householdNo })} · ${card()!.household.headName}` : ""}</span>
                      </>
                    }
                  />
                }
              >
                {(cardNo) => (
                  <PinPad value={pin()} onInput={setPin} error={identify.error()} busy={identify.busy()} onCancel={closePin} onOk={() => void identify.run()} hint={t("counter.identifyHint")}
                    context={<span class="amount card-no" data-testid="pin-card-no">{t("counter.cardNo", { no: groupCardNo(cardNo()) })}</span>}
                  />
                )}
              </Show>
            </Show>
            <DayList rows={dayItems()} onSheet={() => openSheet({ date: chinaDay(new Date()), clerkId: user()?.role === "clerk" ? user()!.id : undefined })} />
          </>
        }
      >
        {(u) => <DaySheetView user={u()} filter={sheetFilter()!} shops={ready(shopList)?.items ?? []} onFilter={openSheet} onBack={() => setSearch({ sheet: undefined, shopId: undefined, clerkId: undefined })} />}
      </Show>
    </>
  );
}
