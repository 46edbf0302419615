/**
 * The points register (积分登记簿) as the office prints it (A4 landscape), for admins and
 * reviewers: the entries of a period in register-number order, cut into pages of
 * `rowsPerPage` entries. Every page is a <table> whose <thead> names the community's register
 * and the period (the browser repeats a <thead> on every printed page, should a page still
 * overflow), and whose <tfoot> carries the page's totals and the running total brought forward,
 * as a paper register book does. The XLSX of the same period is one click away.
 */
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import { books, type RegisterBook } from "../../api";
import { categoryName, fmtPoints, t } from "../../i18n";
import { chinaDay } from "../../../../shared/time";
import { ErrorBox, Loading, ready } from "../../ui/common";
import { Icon } from "../../ui/icon";

/** Entries per printed page: what fits an A4 landscape page at the print size below. */
export const rowsPerPage = 20;

type Entry = RegisterBook["items"][number];

export const bookPrintStyle = `
.book-tools { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; margin-bottom: 12px; }
.book-tools label { display: grid; gap: 4px; }
.book-page { background: #fff; color: #000; margin: 0 auto 12px; padding: 8mm; border: 1px solid var(--line); width: 100%; border-collapse: collapse; font-size: 10.5pt; }
.book-page caption { caption-side: top; text-align: left; padding: 0; }
.book-page th, .book-page td { border: 0.3mm solid #444; padding: 1mm 1.5mm; white-space: normal; }
.book-page thead th { background: #eee; }
.book-page .book-title th { background: #fff; border: 0; text-align: center; font-size: 14pt; padding-bottom: 1mm; }
.book-page .book-period th { background: #fff; border: 0; text-align: left; font-weight: normal; }
.book-page tfoot td { font-weight: bold; background: #f6f6f6; }
.book-page td:nth-child(-n+3), .book-page td:nth-child(8), .book-page td:nth-child(9), .book-page td:nth-child(12) { white-space: nowrap; }
.book-page td.num, .book-page th.num { text-align: right; font-variant-numeric: tabular-nums; }
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  .admin { display: block; }
  .book-page { margin: 0; border: 0; padding: 0; font-size: 9.5pt; break-after: page; }
  .book-page:last-of-type { break-after: auto; }
  .book-page thead { display: table-header-group; }
  .book-page tfoot { display: table-footer-group; }
  .book-page tr { break-inside: avoid; }
}`;

/** The first day of this month and today, in China. */
function thisMonth(): { from: string; to: string } {
  const today = chinaDay(new Date());
  return { from: `${today.slice(0, 8)}01`, to: today };
}

function pagesOf(items: Entry[]): Entry[][] {
  const pages: Entry[][] = [];
  for (let i = 0; i < items.length; i += rowsPerPage) pages.push(items.slice(i, i + rowsPerPage));
  return pages;
}

const sum = (items: Entry[]) => items.reduce((n, e) => n + e.points, 0);

export default function RegisterBookPage() {
  const initial = thisMonth();
  const [from, setFrom] = createSignal(initial.from);
  const [to, setTo] = createSignal(initial.to);
  const [asked, setAsked] = createSignal(initial);
  const [book] = createResource(asked, (p) => books.register(p.from, p.to));
  const pages = createMemo(() => pagesOf(ready(book)?.items ?? []));
  /** Running totals brought forward to the start of each page. */
  const broughtForward = createMemo(() => {
    let running = 0;
    return pages().map((page) => {
      const before = running;
      running += sum(page);
      return before;
    });
  });
  const period = () => t("books.period", { from: asked().from, to: asked().to });
  return (
    <>
      <style>{bookPrintStyle}</style>
      <h1 class="no-print">{t("books.registerTitle")}</h1>
      <form
        class="no-print book-tools"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked({ from: from(), to: to() });
        }}
      >
        <label>
          {t("books.from")}
          <input type="date" value={from()} onInput={(e) => setFrom(e.currentTarget.value)} data-testid="register-from" required />
        </label>
        <label>
          {t("books.to")}
          <input type="date" value={to()} onInput={(e) => setTo(e.currentTarget.value)} data-testid="register-to" required />
        </label>
        <button type="submit" style={{ flex: "none" }} data-testid="register-show">
          {t("books.show")}
        </button>
        <button type="button" style={{ flex: "none" }} onClick={() => window.print()} data-testid="register-print">
          <Icon name="printer" /> {t("books.print")}
        </button>
        <a class="btn plain" href={books.registerXlsxUrl(asked().from, asked().to)} download="" data-testid="register-xlsx">
          {t("books.xlsx")}
        </a>
      </form>
      <ErrorBox error={book.error} />
      <Show when={ready(book)} fallback={<Show when={!book.error}><Loading /></Show>}>
        {(b) => (
          <div data-testid="register-book" data-total={b().total}>
            <p class="no-print muted" data-testid="register-count">
              {t("books.count", { n: b().total, pages: pages().length })}
            </p>
            <Show when={b().total === 0}>
              <p data-testid="register-empty">{t("books.empty")}</p>
            </Show>
            <For each={pages()}>
              {(page, p) => (
                <table class="book-page" data-testid="register-page">
                  <thead>
                    <tr class="book-title">
                      <th colspan="12" scope="colgroup">{t("books.registerTitle")}</th>
                    </tr>
                    <tr class="book-period">
                      <th colspan="12" scope="colgroup" data-testid="register-period">
                        {period()} · {t("books.page", { n: p() + 1, of: pages().length })}
                      </th>
                    </tr>
                    <tr>
                      <For each={["no", "date", "householdNo", "head", "member", "category", "rule", "kind", "points", "certifier", "publicity", "outcome"] as const}>
                        {(key) => <th scope="col" classList={{ num: key === "points" || key === "no" }}>{t(`books.col.${key}`)}</th>}
                      </For>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={page}>
                      {(e) => (
                        <tr data-testid="register-row">
                          <td class="num">{e.registerNo}</td>
                          <td>{e.day}</td>
                          <td>{e.householdNo}</td>
                          <td>{e.headName}</td>
                          <td>{e.member ?? ""}</td>
                          <td>{categoryName(e.category)}</td>
                          <td>{e.rule}</td>
                          <td>{t(`books.kind.${e.kind}`)}</td>
                          <td class="num">{e.points > 0 ? `+${fmtPoints(e.points)}` : fmtPoints(e.points)}</td>
                          <td>{e.certifier}</td>
                          <td>{e.publicity ?? ""}</td>
                          <td>{t(`books.outcome.${e.outcome}`)}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                  <tfoot>
                    <tr>
                      <td colspan="8">{t("books.pageTotal", { n: page.length })}</td>
                      <td class="num" data-testid="register-page-total">{fmtPoints(sum(page))}</td>
                      <td colspan="3" data-testid="register-running-total">
                        {t("books.running", { before: fmtPoints(broughtForward()[p()]), after: fmtPoints(broughtForward()[p()] + sum(page)) })}
                      </td>
                    </tr>
                  </tfoot>
                </table>
              )}
            </For>
          </div>
        )}
      </Show>
    </>
  );
}
