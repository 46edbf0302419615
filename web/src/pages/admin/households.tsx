/**
 * 住户与积分卡: the register, read page by page with search; add or change a household; issue,
 * reissue or revoke cards; pick households for the A4 card sheet; import the office's file.
 */
import { useNavigate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { cards, households, type HouseholdRow } from "../../api";
import { fmtPoints, t } from "../../i18n";
import { isPin } from "../../ui/checks";
import { createAction, ErrorBox, Success } from "../../ui/common";
import { createCursorList, DataTable, type Column } from "../../ui/data-table";
import { Icon } from "../../ui/icon";
import { HouseholdForm } from "./household-form";
import { HouseholdImport } from "./household-import";

export default function HouseholdsPage() {
  const navigate = useNavigate();
  const [q, setQ] = createSignal("");
  const list = createCursorList(q, (search, cursor) => households.list({ q: search, cursor, limit: String(limits.listLimitDefault) }));
  const [picked, setPicked] = createSignal<ReadonlySet<string>>(new Set());
  const [editing, setEditing] = createSignal<HouseholdRow | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const [pins, setPins] = createSignal<Record<string, string>>({});
  const pinOf = (id: string) => pins()[id] ?? "";
  const issue = createAction(async (h: HouseholdRow) => {
    const result = await households.issueCard(h.id, pinOf(h.id));
    setNotice(t("hh.cardIssued", { no: result.cardNo, name: h.headName }));
    list.refetch();
  });
  const revoke = createAction(async (h: HouseholdRow) => {
    if (!h.card || !confirm(t("hh.revokeConfirm", { no: h.card.cardNo }))) return;
    await cards.revoke(h.card.cardNo);
    setNotice(t("hh.revoked", { no: h.card.cardNo }));
    list.refetch();
  });
  const pick = (id: string, on: boolean) => {
    const next = new Set(picked());
    if (on) next.add(id);
    else next.delete(id);
    setPicked(next);
  };
  const columns: Column<HouseholdRow>[] = [
    {
      header: () => t("hh.pick"),
      headerHidden: true,
      cell: (h) => (
        <input
          type="checkbox"
          aria-label={t("hh.pickOne", { name: h.headName })}
          disabled={h.card?.status !== "active"}
          checked={picked().has(h.id)}
          onChange={(e) => pick(h.id, e.currentTarget.checked)}
        />
      ),
    },
    { header: () => t("hh.no"), cell: (h) => h.householdNo, sortBy: (h) => h.householdNo },
    { header: () => t("hh.head"), cell: (h) => h.headName, sortBy: (h) => h.headName },
    { header: () => t("hh.building"), cell: (h) => [h.building, h.unit, h.room].filter(Boolean).join(" "), sortBy: (h) => `${h.building} ${h.unit ?? ""} ${h.room ?? ""}` },
    { header: () => t("home.balance"), cell: (h) => fmtPoints(h.balance), sortBy: (h) => h.balance },
    { header: () => t("hh.card"), cell: (h) => <CardCell household={h} /> },
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
            <Icon name="card" /> {h.card ? t("hh.reissue") : t("hh.issue")}
          </button>
          <Show when={h.card?.status === "active"}>
            <button class="plain" style={{ flex: "none" }} onClick={() => void revoke.run(h)}>
              <Icon name="x" /> {t("hh.revoke")}
            </button>
          </Show>
          <button class="plain" style={{ flex: "none" }} onClick={() => setEditing(h)}>
            <Icon name="file" /> {t("hh.edit")}
          </button>
        </div>
      ),
    },
  ];
  return (
    <>
      <h1>
        <Icon name="home" /> {t("admin.households")}
      </h1>
      <Show when={notice()}>
        <Success>{notice()}</Success>
      </Show>
      <form
        class="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(String(new FormData(e.currentTarget).get("q") ?? "").trim());
        }}
      >
        <label for="hh-q" class="sr-only">
          {t("common.search")}
        </label>
        <input id="hh-q" name="q" placeholder={t("hh.searchHint")} maxlength={limits.searchLengthMax} />
        <button type="submit" style={{ flex: "none" }}>
          <Icon name="search" /> {t("common.search")}
        </button>
        <button
          type="button"
          class="secondary"
          style={{ flex: "none" }}
          disabled={!picked().size}
          onClick={() => navigate(`/admin/cards?${new URLSearchParams({ ids: [...picked()].join(",") })}`)}
          data-testid="print-cards"
        >
          <Icon name="printer" /> {t("hh.printCards", { n: picked().size })}
        </button>
      </form>
      <ErrorBox error={list.error() ?? issue.error() ?? revoke.error()} />
      <DataTable rows={list.items()} columns={columns} label={t("admin.households")} testid="households" paging={list} />
      <HouseholdForm
        editing={editing()}
        onCancel={() => setEditing(null)}
        onSaved={(name) => {
          setNotice(t("hh.saved", { name }));
          setEditing(null);
          list.refetch();
        }}
      />
      <HouseholdImport
        onImported={(n) => {
          setNotice(t("hh.imported", { n }));
          list.refetch();
        }}
      />
    </>
  );
}

function CardCell(props: { household: HouseholdRow }) {
  return (
    <Show when={props.household.card} fallback={<span class="muted">{t("common.none")}</span>}>
      {(card) => (
        <>
          {card().cardNo} <span class={`badge ${card().status === "active" ? "ok" : "bad"}`}>{card().status === "active" ? t("hh.card_active") : t("hh.card_revoked")}</span>
        </>
      )}
    </Show>
  );
}
