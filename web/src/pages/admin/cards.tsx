/** A4 sheet of cards to cut out: QR, 户号, 户主, building and room; corner cut marks. */
import { useSearchParams } from "@solidjs/router";
import { createResource, For, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { cards, households, isId, type Household } from "../../api";
import { t } from "../../i18n";
import { ErrorBox, ready } from "../../ui/common";
import { Icon } from "../../ui/icon";

/** The household ids of `?ids=a,b,c`: only well-formed ids, each once, at most a list's worth. */
function idsOf(text: string): { ids: string[]; ignored: number } {
  const parts = text.split(",").map((part) => part.trim()).filter(Boolean);
  const ids = [...new Set(parts.filter(isId))].slice(0, limits.listLimitMax);
  return { ids, ignored: parts.length - parts.filter(isId).length };
}

export default function CardSheet() {
  // The router's search params, not window.location: navigating here from the households page
  // renders this page before the browser's address changes.
  const [search] = useSearchParams();
  const picked = () => idsOf(typeof search.ids === "string" ? search.ids : "");
  const [list] = createResource(
    () => picked().ids.join(","),
    () => Promise.all(picked().ids.map((id) => households.get(id))),
  );
  const withCard = () => (ready(list) ?? []).flatMap((h) => (h.card?.status === "active" ? [{ household: h, cardNo: h.card.cardNo }] : []));
  return (
    <>
      <style>{"@media print { @page { size: A4; margin: 10mm; } .admin { display: block; } }"}</style>
      <div class="no-print">
        <h1>
          <Icon name="printer" /> {t("cards.title")}
        </h1>
        <p class="muted">{t("cards.hint")}</p>
        <button onClick={() => window.print()}>
          <Icon name="printer" /> {t("cards.print")}
        </button>
        <Show when={picked().ignored}>
          <p class="muted small">{t("check.badIds", { n: picked().ignored })}</p>
        </Show>
      </div>
      <ErrorBox error={list.error} />
      <div class="sheet" data-testid="card-sheet" style={{ "margin-top": "12px" }}>
        <For each={withCard()}>{(c) => <IdCard household={c.household} cardNo={c.cardNo} />}</For>
      </div>
    </>
  );
}

function IdCard(props: { household: Household; cardNo: string }) {
  const h = () => props.household;
  return (
    <div class="idcard">
      <img src={cards.qrUrl(props.cardNo)} alt={t("home.qrAlt", { no: props.cardNo })} />
      <div>
        <div class="t">{t("cards.heading")}</div>
        <div>
          {t("hh.no")}：{h().householdNo}
        </div>
        <div>
          {t("hh.head")}：{h().headName}
        </div>
        <div>{[h().building, h().unit, h().room].filter(Boolean).join(" ")}</div>
        <div class="small">
          {t("login.cardNo")}：{props.cardNo}
        </div>
      </div>
    </div>
  );
}
