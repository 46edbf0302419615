/**
 * 兑换小票: the shops' receipts by day (China time), with the day's totals. A mistaken redemption
 * is voided here, with a reason, by the admin only: the points go back to the household, the goods
 * back to stock, and the void and its reason go into the audit log. The receipt then shows voided.
 */
import { A } from "@solidjs/router";
import { createResource, createSignal, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { chinaDay } from "../../../../shared/time";
import { ApiError, redemptions, shops, type Redemption } from "../../api";
import { fmtPoints, t } from "../../i18n";
import { currentLang } from "../../i18n/lang";
import { createAction, ErrorBox, ready, Success } from "../../ui/common";
import { createCursorList, DataTable, type Column } from "../../ui/data-table";
import { Icon } from "../../ui/icon";

type Filter = { date: string; shopId?: string };

/** The time of day (the date is the list's). */
function time(iso: string): string {
  return new Date(iso).toLocaleTimeString(currentLang() === "en" ? "en-GB" : "zh-CN", { hour: "2-digit", minute: "2-digit" });
}

export default function ReceiptsPage() {
  const [filter, setFilter] = createSignal<Filter>({ date: chinaDay(new Date()) });
  const [shopList] = createResource(() => shops.list());
  const [totals, setTotals] = createSignal<{ count: number; points: number; voidedCount: number; voidedPoints: number; netPoints: number } | null>(null);
  const list = createCursorList(filter, async (f, cursor) => {
    const page = await redemptions.list({ date: f.date, shopId: f.shopId, cursor, limit: String(limits.listLimitDefault) });
    if (!cursor) setTotals(page.totals);
    return page;
  });
  const [voiding, setVoiding] = createSignal<Redemption | null>(null);
  const [done, setDone] = createSignal<Redemption | null>(null);
  const shopName = (id: string) => ready(shopList)?.items.find((s) => s.id === id)?.name ?? "";

  const columns: Column<Redemption>[] = [
    {
      header: () => t("receipts.receiptNo"),
      cell: (r) => (
        <>
          <b>{r.receiptNo}</b>
          <br />
          <span class="small muted">{time(r.createdAt)}</span>
        </>
      ),
      sortBy: (r) => r.receiptNo,
    },
    {
      header: () => `${t("receipts.shop")} / ${t("receipts.clerk")}`,
      cell: (r) => (
        <>
          {r.shop?.name ?? shopName(r.shopId)}
          <br />
          <span class="small">{r.clerk?.name ?? ""}</span>
        </>
      ),
      sortBy: (r) => r.clerk?.name ?? "",
    },
    {
      header: () => t("receipts.household"),
      cell: (r) => (
        <>
          {r.householdNo}
          <br />
          <span class="small">{r.headName}</span>
        </>
      ),
      sortBy: (r) => r.householdNo,
    },
    { header: () => t("receipts.goods"), cell: (r) => <span class="small">{r.items.map((i) => `${i.name}×${i.quantity}`).join("、")}</span> },
    { header: () => t("receipts.points"), cell: (r) => fmtPoints(r.total), sortBy: (r) => r.total },
    {
      header: () => t("receipts.status"),
      cell: (r) => (
        <Show when={r.void} fallback={<span class="badge ok">{t("receipts.valid")}</span>}>
          {(v) => (
            <span class="badge bad" data-testid="voided">
              {t("receipts.voided", { reason: v().reason ?? "" })}
            </span>
          )}
        </Show>
      ),
    },
    {
      header: () => t("hh.actions"),
      cell: (r) => (
        <Show when={!r.void}>
          <button type="button" class="secondary" style={{ "white-space": "nowrap" }} aria-label={t("receipts.voidLabel", { no: r.receiptNo })} onClick={() => setVoiding(r)} data-testid="void">
            {t("receipts.void")}
          </button>
        </Show>
      ),
    },
  ];

  return (
    <>
      <h1>
        <Icon name="file" /> {t("admin.receipts")}
      </h1>
      <p class="muted">{t("receipts.hint")}</p>
      <div class="row">
        <div>
          <label for="receipts-date">{t("receipts.date")}</label>
          <input id="receipts-date" type="date" value={filter().date} onChange={(e) => e.currentTarget.value && setFilter({ ...filter(), date: e.currentTarget.value })} data-testid="receipts-date" />
        </div>
        <div>
          <label for="receipts-shop">{t("receipts.shop")}</label>
          <select id="receipts-shop" value={filter().shopId ?? ""} onChange={(e) => setFilter({ ...filter(), shopId: e.currentTarget.value || undefined })}>
            <option value="">{t("receipts.allShops")}</option>
            {(ready(shopList)?.items ?? []).map((s) => (
              <option value={s.id}>{s.name}</option>
            ))}
          </select>
        </div>
        <A class="btn secondary" style={{ flex: "none", "align-self": "flex-end" }} href={`/shop?sheet=${filter().date}${filter().shopId ? `&shopId=${encodeURIComponent(filter().shopId!)}` : ""}`}>
          <Icon name="printer" /> {t("receipts.daySheet")}
        </A>
      </div>
      <Show when={totals()}>
        {(x) => (
          <p data-testid="receipts-totals">
            {t("receipts.totals", { n: x().count, points: fmtPoints(x().points), voided: x().voidedCount, voidedPoints: fmtPoints(x().voidedPoints), net: fmtPoints(x().netPoints) })}
          </p>
        )}
      </Show>
      <Show when={done()}>{(r) => <Success>{t("receipts.done", { no: r().receiptNo, points: fmtPoints(r().total) })}</Success>}</Show>
      <ErrorBox error={list.error()} />
      <DataTable rows={list.items()} columns={columns} label={t("admin.receipts")} testid="receipts" paging={list} />
      <Show when={voiding()}>
        {(r) => (
          <VoidDialog
            receipt={r()}
            onClose={() => setVoiding(null)}
            onVoided={(voided) => {
              setVoiding(null);
              setDone(voided);
              list.refetch();
            }}
          />
        )}
      </Show>
    </>
  );
}

/** Asks for the reason (required) before the void; nothing is sent without one. */
function VoidDialog(props: { receipt: Redemption; onClose: () => void; onVoided: (r: Redemption) => void }) {
  const [reason, setReason] = createSignal("");
  const [missing, setMissing] = createSignal(false);
  const run = createAction(async () => {
    const text = reason().trim();
    if (!text) {
      setMissing(true);
      return;
    }
    try {
      props.onVoided(await redemptions.void(props.receipt.id, text));
    } catch (err) {
      // Voids are never made offline (docs/offline.md): say so plainly, and void when online.
      if (err instanceof ApiError && err.status === 0) throw new ApiError(0, err.code, t("offline.voidRefused"));
      throw err;
    }
  });
  return (
    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="void-title" data-testid="void-dialog">
      <div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run.run();
        }}
      >
        <h2 id="void-title" style={{ "margin-top": 0 }}>
          <Icon name="alert" /> {t("receipts.voidTitle", { no: props.receipt.receiptNo })}
        </h2>
        <p>{t("receipts.voidText", { household: `${props.receipt.householdNo} ${props.receipt.headName}`, points: fmtPoints(props.receipt.total) })}</p>
        <label for="void-reason">{t("receipts.reason")}</label>
        <textarea
          id="void-reason"
          aria-required="true"
          maxlength={limits.reasonLengthMax}
          value={reason()}
          onInput={(e) => {
            setReason(e.currentTarget.value);
            setMissing(false);
          }}
          aria-invalid={missing()}
          data-testid="void-reason"
        />
        <Show when={missing()}>
          <div class="error" role="alert">
            <Icon name="alert" /> {t("receipts.reasonRequired")}
          </div>
        </Show>
        <ErrorBox error={run.error()} />
        <div class="row" style={{ "margin-top": "12px" }}>
          <button type="submit" disabled={run.busy()} data-testid="void-confirm">
            <Icon name="check" /> {t("receipts.confirm")}
          </button>
          <button type="button" class="plain" onClick={() => props.onClose()}>
            <Icon name="x" /> {t("common.cancel")}
          </button>
        </div>
      </form>
      </div>
    </div>
  );
}
