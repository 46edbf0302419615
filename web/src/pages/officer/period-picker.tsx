/** 统计时段: all time, a month, a quarter, a year, or days of one's own choosing; kept in the address. */
import { useSearchParams } from "@solidjs/router";
import { For, Match, Show, Switch } from "solid-js";
import { current, kindOf, periodKinds, rangeOf, recentQuarters, recentYears, type PeriodKind, type PeriodParams } from "./period";
import { w } from "./words";

/** The period's parameters as plain strings (the router may hand over arrays). */
export function usePeriod() {
  const [search, setSearch] = useSearchParams();
  const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const params = (): PeriodParams => ({
    period: one(search.period),
    month: one(search.month),
    quarter: one(search.quarter),
    year: one(search.year),
    from: one(search.from),
    to: one(search.to),
  });
  return { params, range: () => rangeOf(params()), set: (next: PeriodParams) => setSearch(next, { replace: true }) };
}

export function PeriodPicker() {
  const period = usePeriod();
  const kind = () => kindOf(period.params());
  const now = current();
  const choose = (next: PeriodKind) => {
    const p = period.params();
    // A kind chosen anew starts at the present (this month, this quarter, this year).
    period.set({
      period: next,
      month: next === "month" ? p.month ?? now.month : undefined,
      quarter: next === "quarter" ? p.quarter ?? now.quarter : undefined,
      year: next === "year" ? p.year ?? now.year : undefined,
      from: next === "custom" ? p.from : undefined,
      to: next === "custom" ? p.to : undefined,
    });
  };
  const badRange = () => kind() === "custom" && !!period.params().from && !!period.params().to && period.params().to! < period.params().from!;
  return (
    <div class="row period-picker no-print" data-testid="period-picker">
      <div>
        <label for="period-kind">{w("period.label")}</label>
        <select id="period-kind" value={kind()} onChange={(e) => choose(e.currentTarget.value as PeriodKind)}>
          <For each={periodKinds}>{(k) => <option value={k}>{w(`period.${k}`)}</option>}</For>
        </select>
      </div>
      <Switch>
        <Match when={kind() === "month"}>
          <div>
            <label for="period-month">{w("period.monthPick")}</label>
            <input id="period-month" type="month" value={period.params().month ?? now.month} onChange={(e) => e.currentTarget.value && period.set({ month: e.currentTarget.value })} />
          </div>
        </Match>
        <Match when={kind() === "quarter"}>
          <div>
            <label for="period-quarter">{w("period.quarterPick")}</label>
            <select id="period-quarter" value={period.params().quarter ?? now.quarter} onChange={(e) => period.set({ quarter: e.currentTarget.value })}>
              <For each={recentQuarters()}>
                {(q) => <option value={q}>{w("period.quarterName", { year: q.slice(0, 4), q: q.slice(-1) })}</option>}
              </For>
            </select>
          </div>
        </Match>
        <Match when={kind() === "year"}>
          <div>
            <label for="period-year">{w("period.yearPick")}</label>
            <select id="period-year" value={period.params().year ?? now.year} onChange={(e) => period.set({ year: e.currentTarget.value })}>
              <For each={recentYears()}>{(y) => <option value={y}>{w("period.yearName", { year: y })}</option>}</For>
            </select>
          </div>
        </Match>
        <Match when={kind() === "custom"}>
          <div>
            <label for="period-from">{w("period.from")}</label>
            <input id="period-from" type="date" value={period.params().from ?? ""} onChange={(e) => period.set({ from: e.currentTarget.value || undefined })} />
          </div>
          <div>
            <label for="period-to">{w("period.to")}</label>
            <input id="period-to" type="date" value={period.params().to ?? ""} onChange={(e) => period.set({ to: e.currentTarget.value || undefined })} />
          </div>
        </Match>
      </Switch>
      <Show when={badRange()}>
        <p class="error" role="alert">
          {w("period.badRange")}
        </p>
      </Show>
    </div>
  );
}

/** The period in words, for the page and the printed sheet. */
export function periodWords(range: { from?: string; to?: string }): string {
  if (!range.from && !range.to) return w("period.showingAll");
  return w("period.showing", { from: range.from ?? "…", to: range.to ?? "…" });
}
