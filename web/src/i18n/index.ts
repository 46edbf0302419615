/**
 * Translation: one dictionary per language (zh.ts, en.ts). Chinese ships with the first screen;
 * English is fetched only when someone switches to it.
 */
import * as i18n from "@solid-primitives/i18n";
import { createSignal } from "solid-js";
import type { Category } from "../../../shared/domain";
import { zh, type Dictionary } from "./zh";
import { currentLang, storeLang, type Lang } from "./lang";

export { currentLang, type Lang };

const flatZh = i18n.flatten(zh);
type Flat = typeof flatZh;
const [dict, setDict] = createSignal<Flat>(flatZh);

async function load(next: Lang): Promise<Flat> {
  if (next === "zh") return flatZh;
  const { en } = await import("./en");
  return i18n.flatten(en as Dictionary) as Flat;
}

export async function setLang(next: Lang) {
  const loaded = await load(next);
  setDict(() => loaded);
  storeLang(next);
}

if (typeof window !== "undefined" && currentLang() === "en") void setLang("en");

export const t = i18n.translator(dict, i18n.resolveTemplate);

export function categoryName(category: Category | string): string {
  return t(`category.${category}` as keyof Flat) as string ?? category;
}

export function fmtDate(iso: string | null | undefined, withTime = false): string {
  if (!iso) return "";
  const d = new Date(iso);
  const locale = currentLang() === "en" ? "en-GB" : "zh-CN";
  return d.toLocaleString(locale, withTime
    ? { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }
    : { year: "numeric", month: "short", day: "numeric" });
}

export function fmtPoints(n: number): string {
  return n.toLocaleString(currentLang() === "en" ? "en-GB" : "zh-CN");
}
