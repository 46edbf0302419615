/**
 * The shop counter: name the card (scan it with a USB scanner or the camera, or type its number
 * and have the resident type the PIN), build the basket by tapping goods or scanning their
 * barcodes (USB scanner or the same camera, which stays on for the goods), enter the PIN when
 * the basket is over the community's threshold, confirm, and show or print the receipt. The
 * day's receipts sit below, with the printable end-of-day sheet (`?sheet=YYYY-MM-DD`).
 *
 * One Idempotency-Key per basket: it is made when the card is named and kept until the basket
 * is done, so a double tap or a retry after a lost answer never charges twice.
 */
import { useSearchParams } from "@solidjs/router";
import { createEffect, createMemo, createResource, createSignal, on, onMount, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { chinaDay } from "../../../../shared/time";
import { ApiError, cards, goods, redemptions, settings, shops, type Receipt, type ResolvedCard } from "../../api";
import { fmtDate, fmtPoints, t } from "../../i18n";
import { createAction, newKey, ready } from "../../ui/common";
import { useStaffRole } from "../../ui/guard";
import { Icon } from "../../ui/icon";
import { prefetchDecoders } from "../../ui/scanner";
import { Customer, CounterBar, type CounterGoods, type Line } from "./basket";
import { CardEntry } from "./card-entry";
import { DayList, type DayRow } from "./day-list";
import { DaySheetView, type SheetFilter } from "./day-sheet";
import { GoodsPanel, sameBarcode, type BarcodeNote, type ShelfGoods } from "./goods-panel";
import { counterError, groupCardNo } from "./messages";
import { PinPad } from "./pin-pad";
import { ReceiptSlip } from "./receipt";
import { ShopStatements } from "./settlements";
import { createOfflineCounter, isNetworkError, OfflineBanner } from "./offline-counter";
import { balanceOffline, enqueue, packExpired, sha256Hex, spentOn } from "./offline-store";
import "./counter.css";

/**
 * How the clerk named the card: scanned text, or a typed number with the PIN that proved it; or
 * scanned text checked against the offline pack while the network is down.
 */
type Identity = { qr: string; offline?: undefined } | { cardNo: string; pin: string; offline?: undefined } | { qr: string; offline: true };

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
  const [barcodeNote, setBarcodeNote] = createSignal<BarcodeNote | null>(null);
  const [basket, setBasket] = createSignal<Line[]>([]);
  const [key, setKey] = createSignal(newKey());
  const [pinOpen, setPinOpen] = createSignal(false);
  const [pin, setPin] = createSignal("");
  const [receipt, setReceipt] = createSignal<Receipt | null>(null);
  /** The provisional number of a receipt made offline (`<device>-<seq>`), or null. */
  const [offlineNo, setOfflineNo] = createSignal<string | null>(null);
  const offline = createOfflineCounter(() => (user()?.role === "clerk" ? user()?.shopId : null));
  const shopName = () => offline.pack()?.shop.name ?? "";
  // A counter that may work offline fetches the camera's decoders now, while it can.
  let prefetched = false;
  createEffect(() => {
    if (prefetched || !offline.pack() || offline.down()) return;
    prefetched = true;
    prefetchDecoders();
  });

  // The basket survives a reload (a scanned card only: a typed card's PIN is never stored).
  const savedKey = () => `sf-counter-basket:${user()?.shopId ?? "admin"}`;
  function clearSavedBasket() {
    try {
      localStorage.removeItem(savedKey());
    } catch {
      /* storage refused: nothing was saved either */
    }
  }
  createEffect(() => {
    const c = card();
    const how = identity();
    if (!c || !how || "cardNo" in how || receipt() || !user()) return;
    try {
      localStorage.setItem(savedKey(), JSON.stringify({ card: c, identity: how, basket: basket(), key: key() }));
    } catch {
      /* storage full or refused: the basket just does not survive a reload */
    }
  });
  function restoreBasket() {
    try {
      const saved = JSON.parse(localStorage.getItem(savedKey()) ?? "null") as { card: ResolvedCard; identity: Identity; basket: Line[]; key: string } | null;
      if (!saved?.card || !saved.identity || !Array.isArray(saved.basket) || typeof saved.key !== "string") return;
      setCard(saved.card);
      setIdentity(saved.identity);
      setBasket(saved.basket);
      setKey(saved.key);
    } catch {
      clearSavedBasket();
    }
  }

  /** The shelf: the server's while online; offline, the pack's, less what this device queued since. */
  const shelf = createMemo((): ShelfGoods[] => {
    const live = ready(goodsList)?.items;
    const pack = offline.pack();
    if (live && !offline.down()) return live;
    if (!pack) return live ?? [];
    const queued = new Map<string, number>();
    for (const q of offline.queue()) {
      if (q.packId !== pack.packId || q.status === "refused") continue;
      for (const i of q.items) queued.set(i.goodsId, (queued.get(i.goodsId) ?? 0) + i.quantity);
    }
    return pack.goods.map((g) => ({ ...g, stock: Math.max(g.stock - (queued.get(g.id) ?? 0), 0) }));
  });
  let scanInput: HTMLInputElement | undefined;
  let goodsSearch: HTMLInputElement | undefined;

  // The server counts a community's days in China time (`?date=YYYY-MM-DD`); so does the counter,
  // or from 00:00 to 08:00 Beijing time "today" would be yesterday's UTC date.
  const [dayList, { refetch: refetchDay }] = createResource(user, () => redemptions.list({ date: chinaDay(new Date()) }).catch(() => null));
  const listed = () => ready(dayList)?.items ?? [];
  // Each offline redemption the sync books changes the shelf's stock and the day's receipts.
  const booked = () => offline.results().filter((r) => r.status === "accepted" || r.status === "shortfall").length;
  createEffect(
    on(booked, (n) => {
      if (n === 0) return;
      void refetchGoods();
      void refetchDay();
    }),
  );
  const dayItems = (): DayRow[] => [...today().filter((r) => !listed().some((x) => x.id === r.id)), ...listed()];

  const total = createMemo(() => basket().reduce((sum, line) => sum + line.goods.points * line.quantity, 0));
  const itemCount = () => basket().reduce((sum, line) => sum + line.quantity, 0);
  const threshold = () => ready(communitySettings)?.pinThreshold ?? limits.pinThresholdDefault;

  function named(resolved: ResolvedCard, how: Identity) {
    setCard(resolved);
    setIdentity(how);
    setBasket([]);
    setKey(newKey());
    setBarcodeNote(null);
    // The next scan is a product's barcode: the USB scanner types into the goods search, and a
    // camera that read the card stays on to read the goods.
    queueMicrotask(() => goodsSearch?.focus());
  }

  /** The card checked against the pack by the SHA-256 of the scanned text, with the offline balance. */
  async function resolveOffline(text: string) {
    const pack = offline.pack();
    if (!pack) throw new ApiError(0, "OFFLINE_NO_PACK", offline.disabled() ? t("offline.disabled") : t("offline.noPack"));
    if (packExpired(pack)) throw new ApiError(0, "OFFLINE_PACK_EXPIRED", t("offline.expired", { until: fmtDate(pack.validUntil, true) }));
    const hash = await sha256Hex(text);
    const entry = pack.cards.find((c) => c.qrSha256 === hash);
    if (!entry) throw new ApiError(0, "CARD_INVALID", t("offline.notInPack"));
    await offline.reloadQueue();
    const balance = balanceOffline(pack, offline.queue(), offline.seen(), entry.cardNo);
    named({ cardNo: entry.cardNo, household: { id: "", householdNo: entry.householdNo, headName: entry.headNameMasked, building: "" }, balance }, { qr: text, offline: true });
  }

  const resolve = createAction(async (text: string) => {
    const scanned = text.trim();
    if (offline.down()) return resolveOffline(scanned);
    try {
      named(await cards.resolve(scanned), { qr: scanned });
      offline.networkOk();
    } catch (err) {
      if (!isNetworkError(err)) throw err;
      offline.networkFailed();
      await resolveOffline(scanned);
    }
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
      if (isNetworkError(err)) {
        offline.networkFailed();
        throw new ApiError(0, "OFFLINE", t("offline.typedRefused"));
      }
      throw counterError(err, true);
    }
  });

  /**
   * Offline: the basket is checked against the pack's caps, the PIN threshold and the offline
   * balance, then queued in IndexedDB with its own key and number; the receipt says 离线.
   */
  async function confirmOffline(qr: string) {
    const pack = offline.pack();
    const c = card();
    if (!pack || !c) throw new ApiError(0, "OFFLINE_NO_PACK", t("offline.noPack"));
    if (packExpired(pack)) throw new ApiError(409, "OFFLINE_PACK_EXPIRED", t("offline.expired", { until: fmtDate(pack.validUntil, true) }));
    await offline.reloadQueue();
    const sum = total();
    // The per-redemption cap is at most the PIN threshold, so it speaks first; the threshold is
    // checked too, in case it was lowered after the pack was issued.
    if (sum > pack.caps.perRedemption) throw new ApiError(409, "OFFLINE_CAP", t("offline.overRedemption", { cap: pack.caps.perRedemption, total: sum }));
    if (sum > threshold()) throw new ApiError(409, "OFFLINE_CAP", t("offline.overPin", { n: threshold() }));
    const left = Math.max(pack.caps.perDevice - spentOn(pack, offline.queue()), 0);
    if (sum > left) throw new ApiError(409, "OFFLINE_CAP", t("offline.overDevice", { left, total: sum }));
    const balance = balanceOffline(pack, offline.queue(), offline.seen(), c.cardNo);
    if (sum > balance) throw new ApiError(409, "INSUFFICIENT_POINTS", t("offline.notEnough", { balance }));
    const lines = basket().map((l) => ({ goodsId: l.goods.id, name: l.goods.name, points: l.goods.points, quantity: l.quantity }));
    const entry = await enqueue(pack.shopId, { packId: pack.packId, at: new Date().toISOString(), qr, cardNo: c.cardNo, householdNo: c.household.householdNo, headNameMasked: c.household.headName, items: lines, total: sum });
    await offline.reloadQueue();
    const u = user();
    setOfflineNo(`${entry.deviceId}-${entry.seq}`);
    setReceipt({
      id: entry.key,
      receiptNo: 0,
      shopId: pack.shopId,
      shop: { id: pack.shopId, name: shopName() },
      clerk: { id: u?.id ?? "", name: u?.name ?? "" },
      householdId: "",
      total: sum,
      balanceAfter: balance - sum,
      items: lines.map((l) => ({ ...l, subtotal: l.points * l.quantity })),
      createdAt: entry.at,
    });
    clearSavedBasket();
  }

  const confirm = createAction(async () => {
    const how = identity();
    if (!how) return;
    if (how.offline) return confirmOffline(how.qr);
    const items = basket().map((line) => ({ goodsId: line.goods.id, quantity: line.quantity }));
    const body = "cardNo" in how ? { cardNo: how.cardNo, pin: pin() || how.pin, items } : { qr: how.qr, items, pin: pin() || undefined };
    try {
      const done = await redemptions.create(key(), body);
      // The server's balance after this receipt: should the network drop before the next pack,
      // the offline counter starts from it, not from the pack's older one (docs/offline.md).
      const customer = card();
      if (customer) await offline.noteOnline({ householdNo: customer.household.householdNo, balance: done.balanceAfter, receiptNo: done.receiptNo, at: done.createdAt });
      setReceipt(done);
      setOfflineNo(null);
      offline.networkOk();
      clearSavedBasket();
      setToday([done, ...today()]);
      void refetchDay();
      setPinOpen(false);
      setPin("");
      void refetchGoods();
    } catch (err) {
      // No answer: the basket may or may not be booked. The same key retried online is safe;
      // redoing it offline is not, so the counter only says the network is down.
      if (isNetworkError(err)) offline.networkFailed();
      if (err instanceof ApiError && (err.code === "PIN_REQUIRED" || err.code === "PIN_WRONG")) {
        setPin("");
        setPinOpen(true);
      }
      throw counterError(err);
    }
  });

  function add(g: CounterGoods) {
    const lines = basket();
    const line = lines.find((l) => l.goods.id === g.id);
    if (line) {
      if (line.quantity >= Math.min(limits.basketQuantityMax, g.stock)) return;
      setBasket(lines.map((l) => (l === line ? { ...l, quantity: l.quantity + 1 } : l)));
    } else if (lines.length < limits.basketLinesMax && g.stock > 0) {
      setBasket([...lines, { goods: g, quantity: 1 }]);
    }
  }
  /** A product barcode read by the camera: its goods go into the basket, from the pack when offline. */
  function addByBarcode(code: string) {
    const g = shelf().find((s) => sameBarcode(s.barcode, code));
    if (!g) return setBarcodeNote({ ok: false, text: t("till.barcodeUnknown", { code }) });
    if (g.stock <= 0) return setBarcodeNote({ ok: false, text: t("till.barcodeSoldOut", { name: g.name }) });
    add(g);
    setBarcodeNote({ ok: true, text: t("till.barcodeAdded", { name: g.name }) });
  }
  /** A typed quantity: within 1 … the stock (and the basket's limit); 0 or less takes the line out. */
  function setQuantity(g: CounterGoods, quantity: number) {
    const most = Math.min(limits.basketQuantityMax, g.stock);
    setBasket(
      basket()
        .map((l) => (l.goods.id === g.id ? { ...l, quantity: Math.min(quantity, most) } : l))
        .filter((l) => l.quantity > 0),
    );
  }
  function remove(g: CounterGoods) {
    setBasket(
      basket()
        .map((l) => (l.goods.id === g.id ? { ...l, quantity: l.quantity - 1 } : l))
        .filter((l) => l.quantity > 0),
    );
  }
  function startConfirm() {
    const typed = identity() && "cardNo" in identity()!;
    if (!typed && !identity()?.offline && total() > threshold() && !pin()) setPinOpen(true);
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
    setOfflineNo(null);
    clearSavedBasket();
    setCard(null);
    setIdentity(null);
    setBasket([]);
    setPin("");
    setKey(newKey());
    setBarcodeNote(null);
    // The camera waits to be asked again: the last resident's card may still lie in front of it.
    setCamera(false);
    confirm.setError(null);
    queueMicrotask(() => scanInput?.focus());
  }
  const openSheet = (filter: SheetFilter) => setSearch({ sheet: filter.date, shopId: filter.shopId, clerkId: filter.clerkId }, { replace: !!search.sheet });
  const sheetFilter = (): SheetFilter | null => {
    const date = typeof search.sheet === "string" && /^\d{4}-\d{2}-\d{2}$/.test(search.sheet) ? search.sheet : null;
    if (!date) return null;
    return { date, shopId: typeof search.shopId === "string" ? search.shopId : undefined, clerkId: typeof search.clerkId === "string" ? search.clerkId : undefined };
  };

  onMount(() => {
    scanInput?.focus();
    // The user is known after the first render; restore once it is.
    const stop = setInterval(() => {
      if (!user()) return;
      clearInterval(stop);
      if (!card()) restoreBasket();
    }, 50);
  });

  return (
    <>
      <h1 class="no-print">
        <Icon name="cart" /> {sheetFilter() ? t("sheet.title") : t("clerk.title")}
      </h1>
      <Show when={!sheetFilter()}>
        <OfflineBanner counter={offline} />
      </Show>
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
                    {(c) => <Customer card={c()} basket={basket()} onAdd={add} onRemove={remove} onSet={setQuantity} offline={!!identity()?.offline} error={pinOpen() ? null : confirm.error()} />}
                  </Show>
                </section>
                <GoodsPanel
                  goods={shelf()}
                  error={offline.down() ? null : goodsList.error}
                  enabled={!!card()}
                  onAdd={add}
                  searchRef={(el) => (goodsSearch = el)}
                  camera={camera()}
                  onCamera={setCamera}
                  onBarcode={addByBarcode}
                  barcodeNote={barcodeNote()}
                />
                <Show when={card()}>
                  {(c) => <CounterBar total={total()} items={itemCount()} balance={c().balance} busy={confirm.busy()} onConfirm={startConfirm} onCancel={nextCustomer} />}
                </Show>
              </div>
            }>
              {(r) => <ReceiptSlip redemption={r()} customer={card()} offlineNo={offlineNo()} onNext={nextCustomer} />}
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
            <Show when={user()?.role === "clerk"}>
              <ShopStatements />
            </Show>
          </>
        }
      >
        {(u) => <DaySheetView user={u()} filter={sheetFilter()!} shops={ready(shopList)?.items ?? []} onFilter={openSheet} onBack={() => setSearch({ sheet: undefined, shopId: undefined, clerkId: undefined })} />}
      </Show>
    </>
  );
}
