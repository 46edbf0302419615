/**
 * The shop counter: scan the card (camera, or a USB scanner typing into the focused field and
 * pressing Enter), build the basket by tapping goods, enter the PIN when the basket is over the
 * community's threshold, confirm, and show or print the receipt.
 *
 * One Idempotency-Key per basket: it is made when the card is scanned and kept until the basket
 * is done, so a double tap or a retry after a lost answer never charges twice.
 */
import { createMemo, createResource, createSignal, For, onMount, Show } from "solid-js";
import { limits } from "../../../shared/limits";
import { chinaDay } from "../../../shared/time";
import { ApiError, cards, goods, redemptions, settings, type Goods, type Receipt, type Redemption, type ResolvedCard } from "../api";
import { fmtDate, fmtPoints, t } from "../i18n";
import { CameraToggle } from "../ui/camera-toggle";
import { createAction, ErrorBox, newKey, ready } from "../ui/common";
import { useStaffRole } from "../ui/guard";
import { Icon } from "../ui/icon";

type Line = { goods: Goods; quantity: number };
/** A receipt in the day's list: one just made at this counter, or one the server listed. */
type DayRow = Pick<Redemption, "id" | "receiptNo" | "total" | "createdAt">;

export default function Clerk() {
  const user = useStaffRole("clerk", "admin");
  const [goodsList, { refetch: refetchGoods }] = createResource(user, (u) => goods.list(u.shopId ?? undefined));
  const [communitySettings] = createResource(user, () => settings.get().catch(() => null));
  const [today, setToday] = createSignal<DayRow[]>([]);
  const [card, setCard] = createSignal<ResolvedCard | null>(null);
  const [qr, setQr] = createSignal("");
  const [scanText, setScanText] = createSignal("");
  const [camera, setCamera] = createSignal(false);
  const [basket, setBasket] = createSignal<Line[]>([]);
  const [key, setKey] = createSignal(newKey());
  const [pinOpen, setPinOpen] = createSignal(false);
  const [pin, setPin] = createSignal("");
  const [receipt, setReceipt] = createSignal<Receipt | null>(null);
  let scanInput!: HTMLInputElement;

  // The server counts a community's days in China time (`?date=YYYY-MM-DD`); so does the counter,
  // or from 00:00 to 08:00 Beijing time "today" would be yesterday's UTC date.
  const [dayList, { refetch: refetchDay }] = createResource(user, () => redemptions.list({ date: chinaDay(new Date()) }).catch(() => null));
  const listed = () => ready(dayList)?.items ?? [];
  const dayItems = (): DayRow[] => [...today().filter((r) => !listed().some((x) => x.id === r.id)), ...listed()];

  const total = createMemo(() => basket().reduce((sum, line) => sum + line.goods.points * line.quantity, 0));
  const threshold = () => ready(communitySettings)?.pinThreshold ?? limits.pinThresholdDefault;

  const resolve = createAction(async (text: string) => {
    const resolved = await cards.resolve(text.trim());
    setQr(text.trim());
    setCard(resolved);
    setBasket([]);
    setKey(newKey());
    setCamera(false);
    setScanText("");
  });

  const confirm = createAction(async () => {
    const body = {
      qr: qr(),
      items: basket().map((line) => ({ goodsId: line.goods.id, quantity: line.quantity })),
      pin: pin() || undefined,
    };
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
      throw err;
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
    if (total() > threshold() && !pin()) setPinOpen(true);
    else void confirm.run();
  }
  function nextCustomer() {
    setReceipt(null);
    setCard(null);
    setQr("");
    setBasket([]);
    setPin("");
    setKey(newKey());
    confirm.setError(null);
    queueMicrotask(() => scanInput?.focus());
  }

  onMount(() => scanInput?.focus());

  return (
    <>
      <h1 class="no-print">
        <Icon name="cart" /> {t("clerk.title")}
      </h1>
      <Show when={receipt()} fallback={
        <div class="counter">
          <section class="panel">
            <Show
              when={card()}
              fallback={
                <>
                  <h2 style={{ "margin-top": 0 }}>{t("clerk.scanCard")}</h2>
                  <form
                    onSubmit={(e) => {
                      e.preventDefault();
                      if (scanText().trim()) void resolve.run(scanText());
                    }}
                  >
                    <label for="scan">{t("clerk.scanField")}</label>
                    <input
                      id="scan"
                      ref={scanInput}
                      autocomplete="off"
                      data-testid="scan-input"
                      value={scanText()}
                      onInput={(e) => setScanText(e.currentTarget.value)}
                    />
                    <p class="muted small">{t("clerk.usbHint")}</p>
                  </form>
                  <ErrorBox error={resolve.error()} />
                  <CameraToggle open={camera()} onOpenChange={setCamera} onCode={(text) => void resolve.run(text)} />
                </>
              }
            >
              {(c) => (
                <div data-testid="customer">
                  <h2 style={{ "margin-top": 0 }}>
                    <Icon name="user" /> {c().household.headName}
                  </h2>
                  <div class="muted">
                    {t("home.household", { no: c().household.householdNo })} · {c().household.building}
                  </div>
                  <div>
                    {t("home.balance")}: <span class="total" data-testid="customer-balance">{fmtPoints(c().balance)}</span>
                  </div>
                  <h3>{t("clerk.basket")}</h3>
                  <ul class="list basket" data-testid="basket">
                    <For each={basket()} fallback={<li class="muted">{t("clerk.basketEmpty")}</li>}>
                      {(line) => (
                        <li>
                          <span class="name">
                            {line.goods.name} × {line.quantity}
                          </span>
                          <b>{fmtPoints(line.goods.points * line.quantity)}</b>
                          <button class="plain" aria-label={t("clerk.less", { name: line.goods.name })} onClick={() => remove(line.goods)}>
                            <Icon name="minus" />
                          </button>
                          <button class="plain" aria-label={t("clerk.more", { name: line.goods.name })} onClick={() => add(line.goods)}>
                            <Icon name="plus" />
                          </button>
                        </li>
                      )}
                    </For>
                  </ul>
                  <p>
                    {t("clerk.total")}: <span class="total" data-testid="basket-total">{fmtPoints(total())}</span>
                  </p>
                  <Show when={total() > c().balance}>
                    <div class="error" role="alert">
                      <Icon name="alert" /> {t("clerk.notEnough")}
                    </div>
                  </Show>
                  <ErrorBox error={pinOpen() ? null : confirm.error()} />
                  <div class="row">
                    <button class="big ok" disabled={!basket().length || confirm.busy() || total() > c().balance} onClick={startConfirm} data-testid="confirm">
                      <Icon name="check" /> {t("clerk.confirm")}
                    </button>
                    <button class="plain" onClick={nextCustomer}>
                      <Icon name="x" /> {t("common.cancel")}
                    </button>
                  </div>
                </div>
              )}
            </Show>
          </section>
          <section class="panel" aria-labelledby="goods-title">
            <h2 id="goods-title" style={{ "margin-top": 0 }}>
              <Icon name="gift" /> {t("clerk.goods")}
            </h2>
            <ErrorBox error={goodsList.error} />
            <div class="goods-grid">
              <For each={ready(goodsList)?.items ?? []}>
                {(g) => (
                  <button disabled={!card() || g.stock <= 0} onClick={() => add(g)} data-testid="goods-button">
                    <span>{g.name}</span>
                    <span class="gp">{t("goods.points", { n: g.points })}</span>
                    <span class="small muted">{g.stock > 0 ? t("goods.stock", { n: g.stock, unit: g.unit ?? "" }) : t("goods.soldOut")}</span>
                  </button>
                )}
              </For>
            </div>
          </section>
        </div>
      }>
        {(r) => <ReceiptSlip redemption={r()} customer={card()} onNext={nextCustomer} />}
      </Show>
      <Show when={pinOpen()}>
        <PinPad
          value={pin()}
          onInput={setPin}
          error={confirm.error()}
          busy={confirm.busy()}
          onCancel={() => {
            setPinOpen(false);
            setPin("");
          }}
          onOk={() => void confirm.run()}
        />
      </Show>
      <section class="panel no-print" aria-labelledby="day-title">
        <h2 id="day-title" style={{ "margin-top": 0 }}>
          <Icon name="list" /> {t("clerk.today")}
        </h2>
        <p>
          {t("clerk.todayTotals", { n: dayItems().length, points: fmtPoints(dayItems().reduce((s, r) => s + r.total, 0)) })}
        </p>
        <ul class="list" data-testid="today">
          <For each={dayItems()}>
            {(r) => (
              <li class="item-head">
                <span>
                  {t("clerk.receiptNo", { no: r.receiptNo })} <span class="muted small">{fmtDate(r.createdAt, true)}</span>
                </span>
                <b>{fmtPoints(r.total)}</b>
              </li>
            )}
          </For>
        </ul>
      </section>
    </>
  );
}

function PinPad(props: { value: string; onInput: (v: string) => void; onOk: () => void; onCancel: () => void; error: unknown; busy: boolean }) {
  const press = (d: string) => props.value.length < limits.pinDigitsMax && props.onInput(props.value + d);
  return (
    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="pin-title" data-testid="pinpad">
      <div>
        <h2 id="pin-title" style={{ "margin-top": 0 }}>
          <Icon name="lock" /> {t("clerk.pinTitle")}
        </h2>
        <p class="muted">{t("clerk.pinHint")}</p>
        <div class="pin-dots" aria-live="polite" aria-label={t("clerk.pinEntered", { n: props.value.length })}>
          {"●".repeat(props.value.length) || "\u00a0"}
        </div>
        <ErrorBox error={props.error} />
        <div class="pinpad">
          <For each={["1", "2", "3", "4", "5", "6", "7", "8", "9"]}>
            {(d) => (
              <button type="button" onClick={() => press(d)}>
                {d}
              </button>
            )}
          </For>
          <button type="button" aria-label={t("clerk.pinDelete")} onClick={() => props.onInput(props.value.slice(0, -1))}>
            <Icon name="back" />
          </button>
          <button type="button" onClick={() => press("0")}>
            0
          </button>
          <button type="button" class="ok" aria-label={t("clerk.pinOk")} disabled={props.value.length < limits.pinDigitsMin || props.busy} onClick={props.onOk} data-testid="pin-ok">
            <Icon name="check" />
          </button>
        </div>
        <button class="plain big" style={{ "margin-top": "12px" }} onClick={props.onCancel}>
          <Icon name="x" /> {t("common.cancel")}
        </button>
      </div>
    </div>
  );
}

function ReceiptSlip(props: { redemption: Receipt; customer: ResolvedCard | null; onNext: () => void }) {
  const r = () => props.redemption;
  return (
    <>
      {/* A 58 mm thermal printer prints about 48 mm wide; only the receipt is printed. */}
      <style>{"@media print { @page { size: 58mm auto; margin: 2mm; } .receipt { width: 54mm; max-width: none; border: 0; padding: 0; font-size: 9pt; } .counter, .panel { display: none !important; } }"}</style>
      <div class="success no-print" role="status">
        <Icon name="check" /> {t("clerk.done")}
      </div>
      <article class="receipt" data-testid="receipt" aria-label={t("clerk.receipt")}>
        <h2 style={{ "text-align": "center", margin: "0 0 6px" }}>{t("app.name")}</h2>
        <div>{t("clerk.receiptNo", { no: r().receiptNo })}</div>
        <div>{fmtDate(r().createdAt, true)}</div>
        <Show when={props.customer}>
          <div>
            {t("home.household", { no: props.customer!.household.householdNo })} {props.customer!.household.headName}
          </div>
        </Show>
        <hr />
        <For each={r().items}>
          {(i) => (
            <div class="line">
              <span>
                {i.name} ×{i.quantity}
              </span>
              <span>{fmtPoints(i.subtotal)}</span>
            </div>
          )}
        </For>
        <hr />
        <div class="line">
          <b>{t("clerk.total")}</b>
          <b data-testid="receipt-total">{fmtPoints(r().total)}</b>
        </div>
        <div class="line">
          <span>{t("clerk.balanceAfter")}</span>
          <span data-testid="receipt-balance">{fmtPoints(r().balanceAfter)}</span>
        </div>
      </article>
      <div class="row no-print" style={{ "margin-top": "12px" }}>
        <button class="big secondary" onClick={() => window.print()}>
          <Icon name="printer" /> {t("clerk.print")}
        </button>
        <button class="big" onClick={props.onNext} data-testid="next-customer">
          <Icon name="user" /> {t("clerk.next")}
        </button>
      </div>
    </>
  );
}
