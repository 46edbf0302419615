/**
 * One statement (结算单) on A4 paper: the community, the shop, the period, the status and payment
 * reference, the lines by goods (voids of earlier statements' redemptions as negative lines), the
 * totals, the amount in yuan, and the lines for the shop's and the station's signatures and the
 * date. On paper only the sheet prints: the shell, the menu and the buttons stay on screen.
 */
import { createResource, Show } from "solid-js";
import { settings, settlements } from "../../api";
import { fmtPoints, t } from "../../i18n";
import { BackLink, ErrorBox, Loading, ready } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { periodText, StatementLines, statusText, yuan } from "./settlements";

const printStyle = `
.paper { background: #fff; color: #000; max-width: 210mm; margin: 12px auto; padding: 14mm 15mm; border: 1px solid var(--line); }
.paper h1 { text-align: center; font-size: 20pt; margin: 0 0 4mm; letter-spacing: 0.1em; }
.paper .paper-meta p { margin: 0 0 1mm; }
.paper-tools { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; }
.paper table { font-size: 11pt; width: 100%; }
.paper th, .paper td { border: 0.3mm solid #444; padding: 1.5mm 2mm; white-space: normal; }
.paper th { background: #eee; }
.paper .signatures { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 8mm; margin-top: 16mm; }
.paper .signatures p { margin: 0; white-space: nowrap; }
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  .admin { display: block; }
  .paper { margin: 0; padding: 0; border: 0; max-width: none; font-size: 12pt; }
  .paper tr { break-inside: avoid; }
}`;

export default function SettlementPrint(props: { id: string }) {
  const [s] = createResource(() => props.id, (id) => settlements.get(id));
  const [community] = createResource(() => settings.get());
  return (
    <>
      <style>{printStyle}</style>
      <div class="no-print paper-tools">
        <BackLink href={`/admin/settlements/${props.id}`} />
        <button style={{ flex: "none" }} onClick={() => window.print()} data-testid="print-now">
          <Icon name="printer" /> {t("settle.printNow")}
        </button>
      </div>
      <ErrorBox error={s.error ?? community.error} />
      <Show when={ready(s)} fallback={<Show when={!s.error}><Loading /></Show>}>
        {(x) => (
          <article class="paper" data-testid="settle-paper">
            <h1>{t("settle.paperTitle", { community: ready(community)?.name ?? "" })}</h1>
            <div class="paper-meta">
              <p>{t("settle.shopIs", { shop: x().shopName })}</p>
              <p>{periodText(x())}</p>
              <p>
                {statusText(x().status)}
                <Show when={x().reference}>{(r) => <span> · {t("settle.referenceIs", { reference: r() })}</span>}</Show>
              </p>
            </div>
            <StatementLines s={x()} />
            <p data-testid="paper-amount">{t("settle.amountIs", { points: fmtPoints(x().points), per: yuan(x().pointValueFen), yuan: yuan(x().amountFen) })}</p>
            <div class="signatures" data-testid="paper-signatures">
              <p>{t("settle.signShop")}</p>
              <p>{t("settle.signStation")}</p>
              <p>{t("settle.signDate")}</p>
            </div>
          </article>
        )}
      </Show>
    </>
  );
}
