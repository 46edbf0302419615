/**
 * Words that only one lazily loaded area of the app needs (the county officer's pages, the new
 * community's checklist), kept in that area's chunk instead of `zh.ts`: `zh.ts` ships with the
 * resident's first screen, and a county dashboard's words have no business there. The English
 * dictionary is typed by the Chinese one, so a missing key fails the typecheck, as with en.ts.
 */
import * as i18n from "@solid-primitives/i18n";
import { currentLang } from "./lang";

export function localWords<D extends i18n.BaseRecordDict>(zh: D, en: NoInfer<D>) {
  const flatZh = i18n.flatten(zh);
  const flatEn = i18n.flatten(en) as typeof flatZh;
  return i18n.translator(() => (currentLang() === "en" ? flatEn : flatZh), i18n.resolveTemplate);
}
