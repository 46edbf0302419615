/** The chosen UI language: Simplified Chinese by default, English on request, kept across visits. */
import { createSignal } from "solid-js";

export type Lang = "zh" | "en";
const storageKey = "sf-lang";

function storedLang(): Lang {
  try {
    return localStorage.getItem(storageKey) === "en" ? "en" : "zh";
  } catch {
    return "zh";
  }
}

const [lang, setLangSignal] = createSignal<Lang>(typeof window === "undefined" ? "zh" : storedLang());

export const currentLang = lang;

export function storeLang(next: Lang) {
  try {
    localStorage.setItem(storageKey, next);
  } catch {
    /* private mode: the choice lasts for this visit only */
  }
  document.documentElement.lang = next === "en" ? "en" : "zh-CN";
  setLangSignal(next);
}
