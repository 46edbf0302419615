/**
 * The staff screens' table: sortable columns, a filter over the rows loaded so far, and cursor
 * paging ("load more", with a count of what is shown). Lists are read a page at a time with
 * `createCursorList`, which follows the API's `{ items, nextCursor }`.
 */
import { createMemo, createResource, createSignal, createUniqueId, For, Show, type Accessor, type JSX } from "solid-js";
import type { Page } from "../api";
import { t } from "../i18n";
import { createAction } from "./common";
import { Icon } from "./icon";

export interface Column<T> {
  /** The header's words (a function, so they follow the UI language). */
  header: () => string;
  /** Read only by screen readers (a checkbox column, say). */
  headerHidden?: boolean;
  cell: (row: T) => JSX.Element;
  /** Makes the column sortable by this value (sorts the rows loaded so far). */
  sortBy?: (row: T) => string | number;
}

export interface CursorList<T> {
  items: Accessor<T[]>;
  hasMore: Accessor<boolean>;
  loading: Accessor<boolean>;
  error: Accessor<unknown>;
  loadMore: () => void;
  /** Reads the first page again (after a change), dropping the pages loaded after it. */
  refetch: () => void;
}

/**
 * A list read page by page. `source` works as in `createResource`: when it changes the list
 * starts again from the first page; while it is `false`, `null` or `undefined` nothing is read.
 */
export function createCursorList<S, T>(
  source: Accessor<S | false | null | undefined>,
  fetchPage: (source: S, cursor: string | undefined) => Promise<Page<T>>,
): CursorList<T> {
  const [pages, setPages] = createSignal<Page<T>[]>([]);
  // Each first-page read gets a number, so an older answer arriving late cannot overwrite a newer one.
  let generation = 0;
  const [first, { refetch }] = createResource(source, async (value) => {
    const mine = ++generation;
    const page = await fetchPage(value, undefined);
    if (mine === generation) setPages([page]);
    return page;
  });
  const more = createAction(async () => {
    const value = source();
    const cursor = pages().at(-1)?.nextCursor;
    if (value === false || value === null || value === undefined || !cursor) return;
    const mine = generation;
    const page = await fetchPage(value, cursor);
    if (mine === generation) setPages([...pages(), page]);
  });
  return {
    items: createMemo(() => pages().flatMap((page) => page.items)),
    hasMore: () => !!pages().at(-1)?.nextCursor,
    loading: () => first.loading || more.busy(),
    error: () => first.error ?? more.error(),
    loadMore: () => void more.run(),
    refetch: () => void refetch(),
  };
}

type Sort = { column: number; ascending: boolean } | null;

function compare(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), "zh-CN", { numeric: true });
}

export function DataTable<T>(props: {
  rows: T[];
  columns: Column<T>[];
  /** What the table lists, for screen readers (the caption). */
  label: string;
  testid?: string;
  /** While true, an empty table is not yet "nothing matches". */
  loading?: boolean;
  /** Filters the rows loaded so far as the user types. */
  filter?: (row: T, text: string) => boolean;
  /** Cursor paging: the footer counts the rows shown and offers "load more" while there are more. */
  paging?: Pick<CursorList<T>, "hasMore" | "loading" | "loadMore">;
  /** Rows that stay below the sorted rows (a totals row), in a `<tfoot>`. */
  foot?: JSX.Element;
}) {
  const [sort, setSort] = createSignal<Sort>(null);
  const [filterText, setFilterText] = createSignal("");
  const shown = createMemo(() => {
    const text = filterText().trim().toLowerCase();
    const rows = text && props.filter ? props.rows.filter((row) => props.filter!(row, text)) : [...props.rows];
    const order = sort();
    const key = order ? props.columns[order.column]?.sortBy : undefined;
    if (order && key) rows.sort((a, b) => (order.ascending ? 1 : -1) * compare(key(a), key(b)));
    return rows;
  });
  const toggle = (column: number) => {
    const now = sort();
    setSort(now?.column === column ? { column, ascending: !now.ascending } : { column, ascending: true });
  };
  const ariaSort = (column: number) => {
    const now = sort();
    return now?.column === column ? (now.ascending ? "ascending" : "descending") : undefined;
  };
  const filterId = `filter-${createUniqueId()}`;
  return (
    <div class="data-table">
      <Show when={props.filter}>
        <label for={filterId} class="small">
          <Icon name="search" size={18} /> {t("table.filter")}
        </label>
        <input id={filterId} type="search" value={filterText()} onInput={(e) => setFilterText(e.currentTarget.value)} />
      </Show>
      <div class="table-wrap">
        <table data-testid={props.testid}>
          <caption class="sr-only">{props.label}</caption>
          <thead>
            <tr>
              <For each={props.columns}>
                {(column, i) => (
                  <th scope="col" aria-sort={ariaSort(i())}>
                    <Show when={column.sortBy} fallback={<span classList={{ "sr-only": column.headerHidden }}>{column.header()}</span>}>
                      <button type="button" class="sort" onClick={() => toggle(i())} title={t("table.sortBy", { column: column.header() })}>
                        {column.header()}
                        <span aria-hidden="true">{ariaSort(i()) === "ascending" ? "▲" : ariaSort(i()) === "descending" ? "▼" : "↕"}</span>
                      </button>
                    </Show>
                  </th>
                )}
              </For>
            </tr>
          </thead>
          <tbody>
            <For each={shown()}>{(row) => <tr>{props.columns.map((column) => <td>{column.cell(row)}</td>)}</tr>}</For>
          </tbody>
          <Show when={props.foot}>
            <tfoot>{props.foot}</tfoot>
          </Show>
        </table>
      </div>
      <Show when={!shown().length && !(props.loading ?? props.paging?.loading())}>
        <p class="muted">{t("table.empty")}</p>
      </Show>
      <Show when={props.paging}>{(paging) => <PagingFooter shown={shown().length} paging={paging()} testid={props.testid} />}</Show>
    </div>
  );
}

/** Under a paged list or table: how many rows are shown, and "load more" while the server has more. */
export function PagingFooter(props: { shown: number; paging: Pick<CursorList<unknown>, "hasMore" | "loading" | "loadMore">; testid?: string }) {
  return (
    <div class="row table-foot">
      <span class="muted small" role="status" data-testid={props.testid ? `${props.testid}-count` : undefined}>
        {props.paging.hasMore() ? t("table.shownMore", { n: props.shown }) : t("table.shown", { n: props.shown })}
      </span>
      <Show when={props.paging.hasMore()}>
        <button
          type="button"
          class="secondary"
          style={{ flex: "none" }}
          disabled={props.paging.loading()}
          onClick={() => props.paging.loadMore()}
          data-testid={props.testid ? `${props.testid}-more` : undefined}
        >
          <Icon name="plus" /> {t("table.more")}
        </button>
      </Show>
    </div>
  );
}
