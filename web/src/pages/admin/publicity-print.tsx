/**
 * One publicity batch as the notice an office posts on the board (A4 portrait): the community,
 * the issuing body (its 认定小组), the supervision phone, the posting date and the period in
 * China time, the items with masked names as on the public board (penalties as deductions), how
 * to object, and the lines for the group leader's signature, the community's seal and the date.
 * On paper only the sheet prints: the shell, the menu and the buttons stay on screen.
 */
import { createResource, For, Show } from "solid-js";
import { publicity, settings } from "../../api";
import { currentLang, fmtPoints, t } from "../../i18n";
import { BackLink, ErrorBox, Loading, ready } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { BatchItemCells } from "./publicity";

const printStyle = `
.paper { background: #fff; color: #000; max-width: 210mm; margin: 12px auto; padding: 14mm 15mm; border: 1px solid var(--line); }
.paper h1 { text-align: center; font-size: 20pt; margin: 0 0 4mm; letter-spacing: 0.1em; }
.paper .paper-meta { display: grid; grid-template-columns: 1fr 1fr; gap: 1mm 8mm; margin-bottom: 4mm; }
.paper .paper-meta p { margin: 0; }
.paper .paper-meta .wide { grid-column: 1 / -1; }
.paper-tools { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; }
.paper table { font-size: 11pt; }
.paper th, .paper td { border: 0.3mm solid #444; padding: 1.5mm 2mm; white-space: normal; }
.paper th { background: #eee; }
.paper .signatures { display: grid; grid-template-columns: 1fr 1fr; gap: 10mm 8mm; margin-top: 14mm; }
.paper .signatures p { margin: 0; white-space: nowrap; }
.paper .seal { text-align: right; }
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  .admin { display: block; }
  .paper { margin: 0; padding: 0; border: 0; max-width: none; font-size: 12pt; }
  .paper tr { break-inside: avoid; }
  .paper .pts.plus, .paper .pts.minus { color: #000; }
}`;

/** A moment as a day in China, whatever the computer's own time zone. */
function chinaDate(iso: string, withTime = false): string {
  return new Date(iso).toLocaleString(currentLang() === "en" ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "long",
    day: "numeric",
    ...(withTime ? { hour: "2-digit", minute: "2-digit", hour12: false } : {}),
  });
}

export default function PrintSheet(props: { id: string }) {
  const [batch] = createResource(() => props.id, (id) => publicity.get(id));
  const [community] = createResource(() => settings.get());
  const items = () => ready(batch)?.items ?? [];
  const awards = () => items().filter((i) => i.kind !== "penalty" && i.status !== "cancelled");
  const penalties = () => items().filter((i) => i.kind === "penalty" && i.status !== "cancelled");
  const sum = (list: typeof awards) => list().reduce((n, i) => n + Math.abs(i.points), 0);
  return (
    <>
      <style>{printStyle}</style>
      <div class="no-print paper-tools">
        <BackLink href="/admin/publicity" />
        <button style={{ flex: "none" }} onClick={() => window.print()} data-testid="print-now">
          <Icon name="printer" /> {t("pubPrint.print")}
        </button>
        <span class="muted small">{t("pubPrint.hint")}</span>
      </div>
      <ErrorBox error={batch.error ?? community.error} />
      <Show when={ready(batch)} fallback={<Show when={!batch.error}><Loading /></Show>}>
        {(b) => (
          <article class="paper" data-testid="publicity-print" data-batch-id={b().id}>
            <header data-testid="print-header">
              <h1>{t("pubPrint.title", { community: b().communityName })}</h1>
              <div class="paper-meta">
                <p class="wide" data-testid="print-issuer">{t("pubPrint.issuer", { community: b().communityName })}</p>
                <p data-testid="print-phone">{t("pubPrint.phone", { phone: ready(community)?.supervisionPhone ?? "＿＿＿＿＿＿＿＿" })}</p>
                <p data-testid="print-posted">{t("pubPrint.postedOn", { date: chinaDate(b().startsAt) })}</p>
                <p class="wide" data-testid="print-period">{t("pubPrint.period", { from: chinaDate(b().startsAt, true), to: chinaDate(b().endsAt, true) })}</p>
              </div>
            </header>
            <p>{t("pubPrint.intro", { n: items().length })}</p>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("pubPrint.no")}</th>
                  <th scope="col">{t("pubPrint.regNo")}</th>
                  <th scope="col">{t("pub.name")}</th>
                  <th scope="col">{t("hh.building")}</th>
                  <th scope="col">{t("rules.category")}</th>
                  <th scope="col">{t("rules.title")}</th>
                  <th scope="col">{t("pub.points")}</th>
                  <th scope="col">{t("pubPrint.remark")}</th>
                </tr>
              </thead>
              <tbody>
                <For each={items()}>
                  {(i, n) => (
                    <tr>
                      <td>{n() + 1}</td>
                      <BatchItemCells item={i} />
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
            <p data-testid="print-summary">
              {t("pubPrint.summary", { awards: awards().length, plus: fmtPoints(sum(awards)), penalties: penalties().length, minus: fmtPoints(sum(penalties)) })}
            </p>
            <section data-testid="print-how-to-object">
              <h2 style={{ "font-size": "13pt", margin: "4mm 0 1mm" }}>{t("board.howToObject")}</h2>
              <p style={{ margin: 0 }}>
                {t("pubPrint.howToObject", { to: chinaDate(b().endsAt, true), phone: ready(community)?.supervisionPhone ?? t("pubPrint.phoneBlank") })}
              </p>
            </section>
            <footer class="signatures" data-testid="print-signatures">
              <p>{t("pubPrint.signLeader")}＿＿＿＿＿＿</p>
              <p class="seal">{t("pubPrint.seal")}</p>
              <p>{t("pubPrint.signDate")}</p>
              <p class="seal">{t("pubPrint.sealDate")}</p>
            </footer>
          </article>
        )}
      </Show>
    </>
  );
}
