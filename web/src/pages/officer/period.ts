/**
 * The dashboard's period, kept in the address (`?period=month&month=2026-03`, `quarter=2026-Q1`,
 * `year=2026`, `from=…&to=…`), so a drill-down, a reload and a shared link keep it. Periods are
 * whole China days, both ends inclusive, as the API takes them; none means all time.
 */
import { chinaDay } from "../../../../shared/time";
import type { PeriodQuery } from "../../api";

export const periodKinds = ["all", "month", "quarter", "year", "custom"] as const;
export type PeriodKind = (typeof periodKinds)[number];

/** The search parameters that make up a period. */
export type PeriodParams = { period?: string; month?: string; quarter?: string; year?: string; from?: string; to?: string };

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

export function today(): string {
  return chinaDay(new Date());
}

/** The last day of a month (`2026-02` → `2026-02-28`). */
function lastDayOf(year: number, month: number): string {
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

export function kindOf(params: PeriodParams): PeriodKind {
  return periodKinds.find((k) => k === params.period) ?? "all";
}

/** This month, this quarter and this year, as the pickers name them. */
export function current() {
  const [year, month] = today().split("-").map(Number);
  return { month: today().slice(0, 7), quarter: `${year}-Q${Math.ceil(month / 3)}`, year: String(year) };
}

/** The days the period covers; `null` for all time, or when the choice is not a period (shown as all time). */
export function rangeOf(params: PeriodParams): PeriodQuery {
  const now = current();
  switch (kindOf(params)) {
    case "month": {
      const [y, m] = (/^\d{4}-\d{2}$/.test(params.month ?? "") ? params.month! : now.month).split("-").map(Number);
      return { from: `${y}-${String(m).padStart(2, "0")}-01`, to: lastDayOf(y, m) };
    }
    case "quarter": {
      const match = /^(\d{4})-Q([1-4])$/.exec(params.quarter ?? "") ?? /^(\d{4})-Q([1-4])$/.exec(now.quarter)!;
      const y = Number(match[1]);
      const q = Number(match[2]);
      return { from: `${y}-${String(q * 3 - 2).padStart(2, "0")}-01`, to: lastDayOf(y, q * 3) };
    }
    case "year": {
      const y = /^\d{4}$/.test(params.year ?? "") ? params.year! : now.year;
      return { from: `${y}-01-01`, to: `${y}-12-31` };
    }
    case "custom": {
      const from = dayPattern.test(params.from ?? "") ? params.from : undefined;
      const to = dayPattern.test(params.to ?? "") ? params.to : undefined;
      if (from && to && to < from) return {};
      return { from, to };
    }
    default:
      return {};
  }
}

/** The last `count` quarters, newest first (`2026-Q4`, `2026-Q3`, …). */
export function recentQuarters(count = 8): string[] {
  const [year, month] = today().split("-").map(Number);
  let index = year * 4 + Math.ceil(month / 3) - 1;
  const out: string[] = [];
  for (let i = 0; i < count; i++, index--) out.push(`${Math.floor(index / 4)}-Q${(index % 4) + 1}`);
  return out;
}

/** The last `count` years, newest first. */
export function recentYears(count = 5): string[] {
  const year = Number(today().slice(0, 4));
  return Array.from({ length: count }, (_, i) => String(year - i));
}

/** The period's search parameters only, to carry across drill-down links. */
export function periodSearch(params: PeriodParams): string {
  const kept = new URLSearchParams();
  for (const key of ["period", "month", "quarter", "year", "from", "to"] as const) {
    const value = params[key];
    if (value) kept.set(key, value);
  }
  const text = kept.toString();
  return text ? `?${text}` : "";
}
