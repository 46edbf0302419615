/**
 * What the read-aloud button (朗读) says, in plain sentences: pure functions from the page's
 * figures to text, so they are tested without a browser. Numbers are spoken as words — in
 * Chinese "一千二百三十分", not "1,230" read digit by digit by some voices — with nzh, a small
 * library (5 KB) that does only this.
 */
import nzh from "nzh/cn";
import type { Lang } from "../i18n/lang";

/** An integer in spoken Chinese: 1230 → 一千二百三十, 10 → 十, −5 → 负五. */
export function chineseNumber(n: number): string {
  return nzh.encodeS(Math.trunc(n));
}

/** Points as spoken: 一千二百三十分 / 1,230 points. */
export function spokenPoints(n: number, lang: Lang): string {
  if (lang === "zh") return `${chineseNumber(n)}分`;
  return `${n.toLocaleString("en-GB")} ${Math.abs(n) === 1 ? "point" : "points"}`;
}

/** A day as spoken: 12月1日 / 1 December. */
export function spokenDay(iso: string, lang: Lang): string {
  const d = new Date(iso);
  // The community lives in China: days are China days whatever the phone's own zone.
  return d.toLocaleDateString(lang === "zh" ? "zh-CN" : "en-GB", { month: "long", day: "numeric", timeZone: "Asia/Shanghai" });
}

/** The balance sentence: 您家现在有一千二百三十分。 */
export function balanceSentence(balance: number, lang: Lang): string {
  return lang === "zh" ? `您家现在有${spokenPoints(balance, lang)}。` : `Your household has ${spokenPoints(balance, lang)}.`;
}

export interface SpokenEntry {
  at: string;
  amount: number;
  /** The sentence the API gives for the entry (which deed, which purchase). */
  description: string;
}

/** How many entries the button reads. */
export const spokenEntriesMax = 5;

/** One entry: 12月1日，积分奖励：打扫楼道，加十分。 */
export function entrySentence(entry: SpokenEntry, lang: Lang): string {
  const points = spokenPoints(Math.abs(entry.amount), lang);
  if (lang === "zh") {
    const moved = entry.amount < 0 ? `减${points}` : entry.amount > 0 ? `加${points}` : "积分不变";
    return `${spokenDay(entry.at, lang)}，${entry.description}，${moved}。`;
  }
  const moved = entry.amount < 0 ? `minus ${points}` : entry.amount > 0 ? `plus ${points}` : "no change";
  return `${spokenDay(entry.at, lang)}: ${entry.description}, ${moved}.`;
}

/** The last entries (at most five), newest first, with a lead-in; a sentence for none. */
export function entriesText(entries: SpokenEntry[], lang: Lang): string {
  const shown = entries.slice(0, spokenEntriesMax);
  if (shown.length === 0) return lang === "zh" ? "还没有积分记录。" : "There are no entries yet.";
  const lead = lang === "zh" ? `最近${chineseNumber(shown.length)}笔记录：` : `The last ${shown.length === 1 ? "entry" : `${shown.length} entries`}: `;
  return lead + shown.map((e) => entrySentence(e, lang)).join(" ");
}

/** A notice: its title, then its body. */
export function noticeText(notice: { title: string; body: string }, lang: Lang): string {
  return lang === "zh" ? `通知：${notice.title}。${notice.body}` : `Notice: ${notice.title}. ${notice.body}`;
}

/** One item of the public board: who (masked), which deed, how many points. */
export function boardItemText(item: { name: string; building?: string | null; rule: string; points: number; penalty: boolean }, lang: Lang): string {
  const points = spokenPoints(Math.abs(item.points), lang);
  const where = item.building ? (lang === "zh" ? `${item.building}，` : `${item.building}, `) : "";
  if (lang === "zh") return `${item.name}，${where}${item.rule}，${item.penalty ? "扣" : "加"}${points}。`;
  return `${item.name}, ${where}${item.rule}, ${item.penalty ? "minus" : "plus"} ${points}.`;
}
