/**
 * 结算 with the partner shops (admin): each shop's unsettled points, a statement drafted up to a
 * day, its lines reviewed, confirmed (the points move from the shop's account to the community's
 * settled account) and its payment recorded. One statement at `/admin/settlements/<id>`; its
 * printable A4 sheet at `/admin/settlements/print/<id>` (./settlement-print.tsx).
 */
import { A, useParams } from "@solidjs/router";
import { createResource, createSignal, For, lazy, Show } from "solid-js";
import { chinaDay, chinaDayRange } from "../../../../shared/time";
import { isId, settlements, type Settlement } from "../../api";
import { fmtDate, fmtPoints, t } from "../../i18n";
import { BackLink, createAction, ErrorBox, Loading, ready, Success } from "../../ui/common";
import { Icon } from "../../ui/icon";

const PrintSheet = lazy(() => import("./settlement-print"));

/** Fen as yuan with two decimals: 7200 → "72.00". */
export function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}

/** The statement's period in words: from the previous statement's end (or the start) to its end. */
export function periodText(s: { from: string | null; to: string }): string {
  return t("settle.period", { from: s.from ? fmtDate(s.from, true) : t("settle.fromStart"), to: fmtDate(s.to, true) });
}

export function statusText(status: Settlement["status"]): string {
  return t(`settle.status.${status}`);
}

/** `settlements/<id>` → the statement; `settlements/print/<id>` → its printable sheet. */
function route(section: string | undefined): { kind: "list" } | { kind: "one" | "print"; id: string } {
  const print = /^settlements\/print\/([^/]+)$/.exec(section ?? "");
  if (print && isId(print[1])) return { kind: "print", id: print[1] };
  const one = /^settlements\/([^/]+)$/.exec(section ?? "");
  if (one && isId(one[1])) return { kind: "one", id: one[1] };
  return { kind: "list" };
}

export default function SettlementsPage() {
  const params = useParams();
  const here = () => route(params.section);
  return (
    <Show when={here().kind === "list"} fallback={<Show when={here()} keyed>{(r) => (r.kind === "print" ? <PrintSheet id={r.id} /> : r.kind === "one" ? <Statement id={r.id} /> : null)}</Show>}>
      <Desk />
    </Show>
  );
}

/** The instant a statement "up to `day`" ends: the next day's start (China), or now for today. */
function toOf(day: string): string {
  const today = chinaDay(new Date());
  if (day >= today) return new Date().toISOString();
  return chinaDayRange(day).end;
}

function Desk() {
  const [shops, { refetch }] = createResource(() => settlements.shops());
  const [list, listControl] = createResource(() => settlements.list());
  const [day, setDay] = createSignal(chinaDay(new Date()));
  const [drafted, setDrafted] = createSignal<Settlement | null>(null);
  const draft = createAction(async (shopId: string) => {
    const made = await settlements.create(shopId, toOf(day()));
    setDrafted(made);
    void refetch();
    void listControl.refetch();
  });
  return (
    <>
      <h1>
        <Icon name="file" /> {t("admin.settlements")}
      </h1>
      <p class="muted">{t("settle.hint")}</p>
      <div class="row">
        <div>
          <label for="settle-day">{t("settle.upTo")}</label>
          <input id="settle-day" type="date" value={day()} max={chinaDay(new Date())} onChange={(e) => e.currentTarget.value && setDay(e.currentTarget.value)} data-testid="settle-day" />
        </div>
      </div>
      <ErrorBox error={shops.error ?? draft.error()} />
      <Show when={drafted()}>
        {(d) => (
          <Success>
            {t("settle.drafted", { shop: d().shopName, points: fmtPoints(d().points) })} <A href={`/admin/settlements/${d().id}`}>{t("settle.review")}</A>
          </Success>
        )}
      </Show>
      <Show when={ready(shops)} fallback={<Loading />}>
        {(rows) => (
          <table data-testid="settle-shops">
            <thead>
              <tr>
                <th>{t("settle.shop")}</th>
                <th>{t("settle.pointValue")}</th>
                <th>{t("settle.unsettled")}</th>
                <th>{t("settle.lastTo")}</th>
                <th>{t("hh.actions")}</th>
              </tr>
            </thead>
            <tbody>
              <For each={rows().items}>
                {(s) => (
                  <tr data-testid="settle-shop" data-shop-id={s.shopId}>
                    <td>{s.name}</td>
                    <td>{t("settle.perPoint", { yuan: yuan(s.pointValueFen) })}</td>
                    <td data-testid="settle-unsettled">{fmtPoints(s.unsettled)}</td>
                    <td>{s.lastTo ? fmtDate(s.lastTo, true) : "—"}</td>
                    <td>
                      <Show
                        when={s.draftId}
                        fallback={
                          <button type="button" disabled={draft.busy()} onClick={() => void draft.run(s.shopId)} data-testid="settle-draft">
                            <Icon name="plus" /> {t("settle.draft")}
                          </button>
                        }
                      >
                        {(id) => (
                          <A class="btn secondary" href={`/admin/settlements/${id()}`} data-testid="settle-open-draft">
                            {t("settle.openDraft")}
                          </A>
                        )}
                      </Show>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        )}
      </Show>
      <h2>{t("settle.statements")}</h2>
      <ErrorBox error={list.error} />
      <Show when={ready(list)} fallback={<Loading />}>
        {(l) => <StatementList items={l().items} base="/admin/settlements" />}
      </Show>
    </>
  );
}

/** Statements as a table; each opens at `${base}/<id>`. Shared with the clerk's section. */
export function StatementList(props: { items: Settlement[]; base?: string }) {
  return (
    <Show when={props.items.length > 0} fallback={<p class="muted">{t("settle.none")}</p>}>
      <table data-testid="settle-list">
        <thead>
          <tr>
            <th>{t("settle.shop")}</th>
            <th>{t("settle.periodHead")}</th>
            <th>{t("settle.points")}</th>
            <th>{t("settle.amount")}</th>
            <th>{t("settle.statusHead")}</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.items}>
            {(s) => (
              <tr data-testid="settle-row" data-status={s.status}>
                <td>{props.base ? <A href={`${props.base}/${s.id}`}>{s.shopName}</A> : s.shopName}</td>
                <td class="small">{periodText(s)}</td>
                <td>{fmtPoints(s.points)}</td>
                <td>¥{yuan(s.amountFen)}</td>
                <td>
                  <span class={`badge ${s.status === "paid" ? "ok" : s.status === "draft" ? "" : "ok"}`}>{statusText(s.status)}</span>
                  <Show when={s.reference}>{(r) => <span class="small muted"> {r()}</span>}</Show>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </Show>
  );
}

/** A statement's lines and totals (also printed). */
export function StatementLines(props: { s: Settlement }) {
  return (
    <table data-testid="settle-lines">
      <thead>
        <tr>
          <th>{t("settle.goods")}</th>
          <th>{t("settle.quantity")}</th>
          <th>{t("settle.points")}</th>
        </tr>
      </thead>
      <tbody>
        <For each={props.s.lines}>
          {(l) => (
            <tr data-testid="settle-line" data-kind={l.kind}>
              <td>
                {l.name}
                <Show when={l.kind === "void"}>
                  <span class="small muted"> {t("settle.voidLine")}</span>
                </Show>
              </td>
              <td>{l.quantity}</td>
              <td>{fmtPoints(l.points)}</td>
            </tr>
          )}
        </For>
        <tr>
          <th>{t("settle.total", { n: props.s.redemptions })}</th>
          <th />
          <th data-testid="settle-total">{fmtPoints(props.s.points)}</th>
        </tr>
      </tbody>
    </table>
  );
}

function Statement(props: { id: string }) {
  const [s, { mutate }] = createResource(() => props.id, (id) => settlements.get(id));
  const [reference, setReference] = createSignal("");
  const [gone, setGone] = createSignal(false);
  const confirm = createAction(async () => mutate(await settlements.confirm(props.id)));
  const pay = createAction(async () => mutate(await settlements.pay(props.id, reference().trim())));
  const discard = createAction(async () => {
    await settlements.discard(props.id);
    setGone(true);
  });
  return (
    <>
      <BackLink href="/admin/settlements" />
      <Show when={!gone()} fallback={<Success>{t("settle.discarded")}</Success>}>
        <ErrorBox error={s.error ?? confirm.error() ?? pay.error() ?? discard.error()} />
        <Show when={ready(s)} fallback={<Show when={!s.error}><Loading /></Show>}>
          {(x) => (
            <section data-testid="settle-statement" data-status={x().status}>
              <h1>{t("settle.title", { shop: x().shopName })}</h1>
              <p>{periodText(x())}</p>
              <p>
                <span class="badge" data-testid="settle-status">{statusText(x().status)}</span>
                <Show when={x().reference}>{(r) => <span> {t("settle.referenceIs", { reference: r() })}</span>}</Show>
              </p>
              <StatementLines s={x()} />
              <p data-testid="settle-amount">{t("settle.amountIs", { points: fmtPoints(x().points), per: yuan(x().pointValueFen), yuan: yuan(x().amountFen) })}</p>
              <div class="row">
                <Show when={x().status === "draft"}>
                  <button type="button" disabled={confirm.busy()} onClick={() => void confirm.run()} data-testid="settle-confirm">
                    <Icon name="check" /> {t("settle.confirm")}
                  </button>
                  <button type="button" class="secondary" disabled={discard.busy()} onClick={() => void discard.run()} data-testid="settle-discard">
                    <Icon name="x" /> {t("settle.discard")}
                  </button>
                </Show>
                <A class="btn secondary" href={`/admin/settlements/print/${x().id}`} data-testid="settle-print">
                  <Icon name="printer" /> {t("settle.print")}
                </A>
                <a class="btn secondary" href={settlements.xlsxUrl(x().id)} download="settlement.xlsx" data-testid="settle-xlsx">
                  <Icon name="file" /> {t("settle.xlsx")}
                </a>
              </div>
              <Show when={x().status === "draft"}>
                <p class="muted small">{t("settle.confirmHint")}</p>
              </Show>
              <Show when={x().status === "confirmed"}>
                <form
                  class="row"
                  onSubmit={(e) => {
                    e.preventDefault();
                    if (reference().trim()) void pay.run();
                  }}
                >
                  <div>
                    <label for="settle-reference">{t("settle.reference")}</label>
                    <input id="settle-reference" value={reference()} onInput={(e) => setReference(e.currentTarget.value)} required data-testid="settle-reference" />
                  </div>
                  <button type="submit" style={{ "align-self": "flex-end" }} disabled={pay.busy() || !reference().trim()} data-testid="settle-pay">
                    <Icon name="check" /> {t("settle.pay")}
                  </button>
                </form>
              </Show>
            </section>
          )}
        </Show>
      </Show>
    </>
  );
}
