/**
 * 住户与积分卡: the whole register a page at a time ("已显示 200 / 共 2,749 户", 加载更多), searched
 * (户号, name, member, phone) and filtered (building, card in use / none / lost, household type);
 * households picked (ticked, all shown, or all that match) get a card each with a random PIN, in
 * batches, printed at once as PIN slips and a handover register; 挂失 and 补卡 per card; add or
 * change a household; import the office's file.
 */
import { A, useBeforeLeave, useNavigate } from "@solidjs/router";
import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { cardDesk, cards, householdDesk, households, type HouseholdPageQuery, type HouseholdRow, type IssuedCardBatch } from "../../api";
import { fmtPoints, t } from "../../i18n";
import { isPin } from "../../ui/checks";
import { createAction, ErrorBox, ready, Success } from "../../ui/common";
import { createCursorList, DataTable, type Column } from "../../ui/data-table";
import { Icon } from "../../ui/icon";
import { CardBatchSheets, type SheetBatch } from "./card-print";
import { HouseholdForm } from "./household-form";
import { HouseholdImport } from "./household-import";

type CardFilter = NonNullable<HouseholdPageQuery["card"]>;
interface Filter {
  q: string;
  building: string;
  householdType: string;
  card: CardFilter | "";
}
const noFilter: Filter = { q: "", building: "", householdType: "", card: "" };
const cardFilters: CardFilter[] = ["active", "none", "lost"];
const isCardFilter = (value: string): value is CardFilter => cardFilters.some((f) => f === value);

/** A household picked for a bulk issue or the card sheet: whether it has a card in use decides what it gets. */
type Picked = { id: string; active: boolean };

/** The register's query for a filter: pages as large as the API gives, so 2,749 households are 14 pages. */
function queryOf(filter: Filter, cursor?: string): HouseholdPageQuery {
  return {
    q: filter.q || undefined,
    building: filter.building || undefined,
    householdType: filter.householdType || undefined,
    card: filter.card || undefined,
    cursor,
    limit: String(limits.listLimitMax),
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** An issue's answer as the print views take it: the card's last four digits and its PIN (in memory only). */
function sheetCards(batch: IssuedCardBatch): SheetBatch["cards"] {
  return batch.cards.map(({ cardNo, ...card }) => ({ ...card, cardNoLast4: cardNo.slice(-4) }));
}

export default function HouseholdsPage() {
  const navigate = useNavigate();
  const [filter, setFilter] = createSignal<Filter>({ ...noFilter });
  const [total, setTotal] = createSignal<number | null>(null);
  const [facets, { refetch: refetchFacets }] = createResource(() => householdDesk.facets());
  const list = createCursorList(filter, async (f, cursor) => {
    const page = await householdDesk.page(queryOf(f, cursor));
    setTotal(page.total);
    return page;
  });
  const refresh = () => {
    list.refetch();
    void refetchFacets();
  };
  const [picked, setPicked] = createSignal<ReadonlyMap<string, Picked>>(new Map());
  const [editing, setEditing] = createSignal<HouseholdRow | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const [pins, setPins] = createSignal<Record<string, string>>({});
  const pinOf = (id: string) => pins()[id] ?? "";
  // The cards just issued, with their PINs: held here only, gone when the page is left.
  const [issued, setIssued] = createSignal<{ batch: SheetBatch; left: number } | null>(null);
  const [progress, setProgress] = createSignal<{ done: number; n: number } | null>(null);

  useBeforeLeave((e) => {
    if (issued() && !e.defaultPrevented && !confirm(t("cardPrint.leaveConfirm"))) e.preventDefault();
  });
  const keepPins = (e: BeforeUnloadEvent) => {
    if (!issued()) return;
    e.preventDefault();
    e.returnValue = "";
  };
  window.addEventListener("beforeunload", keepPins);
  onCleanup(() => window.removeEventListener("beforeunload", keepPins));

  const pick = (h: HouseholdRow, on: boolean) => {
    const next = new Map(picked());
    if (on) next.set(h.id, { id: h.id, active: h.card?.status === "active" });
    else next.delete(h.id);
    setPicked(next);
  };
  const pickShown = () => {
    const next = new Map(picked());
    for (const h of list.items()) next.set(h.id, { id: h.id, active: h.card?.status === "active" });
    setPicked(next);
  };
  const pickAll = createAction(async () => {
    const next = new Map(picked());
    let cursor: string | undefined;
    do {
      const page = await householdDesk.page(queryOf(filter(), cursor));
      for (const h of page.items) next.set(h.id, { id: h.id, active: h.card?.status === "active" });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    setPicked(next);
  });
  const withoutCard = () => [...picked().values()].filter((p) => !p.active);

  const issueBatch = createAction(async () => {
    const ids = withoutCard().map((p) => p.id);
    if (ids.length === 0 || !confirm(t("hhDesk.issueConfirm", { n: ids.length }))) return;
    setNotice(null);
    const cardsIssued: SheetBatch["cards"] = [];
    let createdAt = "";
    setProgress({ done: 0, n: ids.length });
    try {
      // One request per `cardBatchHouseholdsMax` households (each PIN is hashed at full strength);
      // each batch is all or nothing, and what was issued before a failure stays shown to print.
      for (const chunk of chunks(ids, limits.cardBatchHouseholdsMax)) {
        const answer = await cardDesk.issueBatch(chunk);
        createdAt ||= answer.createdAt;
        cardsIssued.push(...sheetCards(answer));
        setIssued({ batch: { kind: "issue", createdAt, createdByName: answer.createdBy.name, cards: [...cardsIssued] }, left: ids.length - cardsIssued.length });
        setProgress({ done: cardsIssued.length, n: ids.length });
      }
    } finally {
      setProgress(null);
      setPicked(new Map());
      refresh();
    }
  });
  const issue = createAction(async (h: HouseholdRow) => {
    const result = await households.issueCard(h.id, pinOf(h.id));
    setNotice(t("hh.cardIssued", { no: result.cardNo, name: h.headName }));
    setPins({ ...pins(), [h.id]: "" });
    refresh();
  });
  const revoke = createAction(async (h: HouseholdRow) => {
    if (!h.card || !confirm(t("hh.revokeConfirm", { no: h.card.cardNo }))) return;
    await cards.revoke(h.card.cardNo);
    setNotice(t("hh.revoked", { no: h.card.cardNo }));
    refresh();
  });
  const reportLost = createAction(async (h: HouseholdRow) => {
    const card = h.card;
    if (card?.status !== "active") return;
    const reporter = prompt(`${t("hhDesk.lostConfirm", { no: card.cardNo, name: h.headName })}\n\n${t("hhDesk.lostReporter")}`, "");
    if (reporter === null) return;
    const who = reporter.trim().slice(0, limits.nameLengthMax);
    await cardDesk.reportLost(card.cardNo, who ? { reporter: who } : {});
    setNotice(t("hhDesk.lostDone", { no: card.cardNo }));
    refresh();
  });
  const reissue = createAction(async (h: HouseholdRow) => {
    const card = h.card;
    if (card?.status !== "lost" || !confirm(t("hhDesk.reissueConfirm", { name: h.headName }))) return;
    const answer = await cardDesk.reissue(card.cardNo);
    setNotice(null);
    setIssued({ batch: { kind: "reissue", createdAt: answer.createdAt, createdByName: answer.createdBy.name, cards: sheetCards(answer) }, left: 0 });
    refresh();
  });
  const closeIssued = () => {
    if (confirm(t("cardPrint.leaveConfirm"))) setIssued(null);
  };

  const columns: Column<HouseholdRow>[] = [
    {
      header: () => t("hh.pick"),
      headerHidden: true,
      cell: (h) => <input type="checkbox" aria-label={t("hh.pickOne", { name: h.headName })} checked={picked().has(h.id)} onChange={(e) => pick(h, e.currentTarget.checked)} />,
    },
    { header: () => t("hh.no"), cell: (h) => h.householdNo, sortBy: (h) => h.householdNo },
    { header: () => t("hh.head"), cell: (h) => h.headName, sortBy: (h) => h.headName },
    { header: () => t("hh.building"), cell: (h) => [h.building, h.unit, h.room].filter(Boolean).join(" "), sortBy: (h) => `${h.building} ${h.unit ?? ""} ${h.room ?? ""}` },
    { header: () => t("home.balance"), cell: (h) => fmtPoints(h.balance), sortBy: (h) => h.balance },
    { header: () => t("hh.card"), cell: (h) => <CardCell household={h} />, sortBy: (h) => h.card?.status ?? "none" },
    {
      header: () => t("hh.actions"),
      cell: (h) => (
        <div class="row" style={{ gap: "6px" }}>
          <label class="sr-only" for={`pin-${h.id}`}>
            {t("hh.pin")}
          </label>
          <input
            id={`pin-${h.id}`}
            style={{ width: "90px", flex: "none" }}
            inputmode="numeric"
            placeholder={t("hh.pin")}
            maxlength={limits.pinDigitsMax}
            value={pinOf(h.id)}
            onInput={(e) => setPins({ ...pins(), [h.id]: e.currentTarget.value })}
          />
          <button class="secondary" style={{ flex: "none" }} disabled={!isPin(pinOf(h.id)) || issue.busy()} onClick={() => void issue.run(h)} data-testid="issue-card">
            <Icon name="card" /> {h.card?.status === "active" ? t("hh.reissue") : t("hh.issue")}
          </button>
          <Show when={h.card?.status === "active"}>
            <button class="plain" style={{ flex: "none" }} onClick={() => void reportLost.run(h)} data-testid="report-lost">
              <Icon name="lock" /> {t("hhDesk.lost")}
            </button>
            <button class="plain" style={{ flex: "none" }} onClick={() => void revoke.run(h)}>
              <Icon name="x" /> {t("hh.revoke")}
            </button>
          </Show>
          <Show when={h.card?.status === "lost"}>
            <button class="secondary" style={{ flex: "none" }} disabled={reissue.busy()} onClick={() => void reissue.run(h)} data-testid="reissue-card">
              <Icon name="card" /> {t("hhDesk.reissue")}
            </button>
          </Show>
          <button class="plain" style={{ flex: "none" }} onClick={() => setEditing(h)}>
            <Icon name="file" /> {t("hh.edit")}
          </button>
          <A class="btn plain" style={{ flex: "none" }} href={`/admin/household/${h.id}`} data-testid="household-care">
            <Icon name="users" /> {t("inclusion.helpers.title")} · {t("inclusion.statement.open")}
          </A>
        </div>
      ),
    },
  ];
  const setField = (key: keyof Filter, value: string) => setFilter({ ...filter(), [key]: value });
  return (
    <div classList={{ "with-batch-print": !!issued() }}>
      <h1>
        <Icon name="home" /> {t("admin.households")}
      </h1>
      <Show when={issued()}>
        {(shown) => (
          <>
            <Success>{shown().batch.kind === "reissue" ? t("cardPrint.reissued", { name: shown().batch.cards[0]?.headName ?? "" }) : t("cardPrint.issued", { n: shown().batch.cards.length })}</Success>
            <p class="error" role="alert">
              <Icon name="alert" /> {t("cardPrint.pinsOnce")}
            </p>
            <Show when={shown().left > 0}>
              <p class="muted">{t("cardPrint.partly", { n: shown().left })}</p>
            </Show>
            <CardBatchSheets
              batch={shown().batch}
              actions={
                <>
                  <a class="btn plain" style={{ flex: "none" }} target="_blank" href={`/admin/cards?${new URLSearchParams({ ids: shown().batch.cards.map((c) => c.householdId).join(",") })}`}>
                    <Icon name="card" /> {t("cardPrint.printCards")}
                  </a>
                  <button type="button" class="plain" style={{ flex: "none" }} onClick={closeIssued} data-testid="close-batch">
                    <Icon name="check" /> {t("cardPrint.done")}
                  </button>
                </>
              }
            />
          </>
        )}
      </Show>
      <Show when={notice()}>
        <Success>{notice()}</Success>
      </Show>
      <form
        class="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setField("q", String(new FormData(e.currentTarget).get("q") ?? "").trim());
        }}
      >
        <label for="hh-q" class="sr-only">
          {t("common.search")}
        </label>
        <input id="hh-q" name="q" placeholder={t("hh.searchHint")} maxlength={limits.searchLengthMax} />
        <button type="submit" style={{ flex: "none" }}>
          <Icon name="search" /> {t("common.search")}
        </button>
      </form>
      <div class="row" style={{ "margin-top": "8px" }}>
        <label class="small" style={{ flex: "none" }}>
          {t("hhDesk.building")}{" "}
          <select id="hh-building" value={filter().building} onChange={(e) => setField("building", e.currentTarget.value)} data-testid="filter-building">
            <option value="">{t("hhDesk.allBuildings")}</option>
            <For each={ready(facets)?.buildings ?? []}>{(b) => <option value={b.name}>{`${b.name}（${b.households}）`}</option>}</For>
          </select>
        </label>
        <label class="small" style={{ flex: "none" }}>
          {t("hhDesk.card")}{" "}
          <select id="hh-card" value={filter().card} onChange={(e) => setField("card", isCardFilter(e.currentTarget.value) ? e.currentTarget.value : "")} data-testid="filter-card">
            <option value="">{t("hhDesk.cardAny")}</option>
            <option value="active">{`${t("hhDesk.cardActive")}（${ready(facets)?.cards.active ?? "…"}）`}</option>
            <option value="none">{`${t("hhDesk.cardNone")}（${ready(facets)?.cards.none ?? "…"}）`}</option>
            <option value="lost">{`${t("hhDesk.cardLost")}（${ready(facets)?.cards.lost ?? "…"}）`}</option>
          </select>
        </label>
        <label class="small" style={{ flex: "none" }}>
          {t("hhDesk.type")}{" "}
          <select id="hh-type" value={filter().householdType} onChange={(e) => setField("householdType", e.currentTarget.value)} data-testid="filter-type">
            <option value="">{t("hhDesk.allTypes")}</option>
            <For each={ready(facets)?.householdTypes ?? []}>{(type) => <option value={type.name}>{`${type.name}（${type.households}）`}</option>}</For>
          </select>
        </label>
        <Show when={JSON.stringify(filter()) !== JSON.stringify(noFilter)}>
          <button
            type="button"
            class="plain"
            style={{ flex: "none" }}
            onClick={() => {
              const search = document.getElementById("hh-q");
              if (search instanceof HTMLInputElement) search.value = "";
              setFilter({ ...noFilter });
            }}
          >
            <Icon name="x" /> {t("hhDesk.clear")}
          </button>
        </Show>
      </div>
      <div class="row" style={{ "margin-top": "8px" }} data-testid="pick-bar">
        <span class="muted small" style={{ flex: "none" }} data-testid="picked-count">
          {t("hhDesk.picked", { n: picked().size })}
        </span>
        <button type="button" class="plain" style={{ flex: "none" }} disabled={!list.items().length} onClick={pickShown} data-testid="pick-shown">
          {t("hhDesk.pickShown", { n: list.items().length })}
        </button>
        <Show when={(total() ?? 0) > list.items().length}>
          <button type="button" class="plain" style={{ flex: "none" }} disabled={pickAll.busy()} onClick={() => void pickAll.run()} data-testid="pick-all">
            {pickAll.busy() ? t("hhDesk.readingAll") : t("hhDesk.pickAll", { n: fmtPoints(total() ?? 0) })}
          </button>
        </Show>
        <Show when={picked().size}>
          <button type="button" class="plain" style={{ flex: "none" }} onClick={() => setPicked(new Map())}>
            {t("hhDesk.unpick")}
          </button>
        </Show>
        <button type="button" style={{ flex: "none" }} disabled={!withoutCard().length || issueBatch.busy() || !!issued()} onClick={() => void issueBatch.run()} data-testid="issue-batch">
          <Icon name="card" /> {t("hhDesk.issueBatch", { n: withoutCard().length })}
        </button>
        <button
          type="button"
          class="secondary"
          style={{ flex: "none" }}
          disabled={!picked().size}
          onClick={() => navigate(`/admin/cards?${new URLSearchParams({ ids: [...picked().keys()].join(",") })}`)}
          data-testid="print-cards"
        >
          <Icon name="printer" /> {t("hh.printCards", { n: picked().size })}
        </button>
      </div>
      <Show when={picked().size > withoutCard().length && withoutCard().length > 0}>
        <p class="muted small">{t("hhDesk.pickedWithCard", { n: picked().size - withoutCard().length })}</p>
      </Show>
      <Show when={progress()}>{(p) => <p role="status">{t("hhDesk.issuing", { done: p().done, n: p().n })}</p>}</Show>
      <ErrorBox error={list.error() ?? facets.error ?? pickAll.error() ?? issueBatch.error() ?? issue.error() ?? revoke.error() ?? reportLost.error() ?? reissue.error()} />
      <DataTable rows={list.items()} columns={columns} label={t("admin.households")} testid="households" loading={list.loading()} />
      <div class="row table-foot">
        <span class="muted small" role="status" data-testid="households-count">
          <Show when={total() !== null}>{t("hhDesk.shown", { shown: fmtPoints(list.items().length), total: fmtPoints(total() ?? 0) })}</Show>
        </span>
        <Show when={list.hasMore()}>
          <button type="button" class="secondary" style={{ flex: "none" }} disabled={list.loading()} onClick={() => list.loadMore()} data-testid="households-more">
            <Icon name="plus" /> {t("hhDesk.more")}
          </button>
        </Show>
      </div>
      <HouseholdForm
        editing={editing()}
        onCancel={() => setEditing(null)}
        onSaved={(name) => {
          setNotice(t("hh.saved", { name }));
          setEditing(null);
          refresh();
        }}
      />
      <HouseholdImport onStart={() => setNotice(null)} onImported={refresh} />
    </div>
  );
}

function CardCell(props: { household: HouseholdRow }) {
  const state = () => props.household.card?.status ?? "none";
  return (
    <>
      <span class={`badge ${state() === "active" ? "ok" : state() === "lost" ? "bad" : ""}`} data-testid="card-state">
        {t(`hhDesk.state_${state()}`)}
      </span>{" "}
      <Show when={props.household.card}>{(card) => <span class="small">{card().cardNo}</span>}</Show>
    </>
  );
}
