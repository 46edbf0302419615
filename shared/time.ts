/**
 * Days as a community in China counts them (UTC+8, no daylight saving), used by the server and
 * the browser alike: a clerk's "today" and the server's daily cap must be the same day even
 * between 00:00 and 08:00 Beijing time, when the UTC date is still yesterday's.
 */
export const chinaOffsetHours = 8;
const offsetMs = chinaOffsetHours * 3_600_000;
const dayMs = 24 * 3_600_000;

/** The calendar day in China of an instant (ISO text or Date), `YYYY-MM-DD`. */
export function chinaDay(at: string | Date): string {
  const ms = typeof at === "string" ? Date.parse(at) : at.getTime();
  return new Date(ms + offsetMs).toISOString().slice(0, 10);
}

/** `[start, end)` in UTC (ISO) of a calendar day in China, `YYYY-MM-DD`. */
export function chinaDayRange(date: string): { start: string; end: string } {
  const [y, m, d] = date.split("-").map(Number);
  const start = Date.UTC(y, m - 1, d) - offsetMs;
  return { start: new Date(start).toISOString(), end: new Date(start + dayMs).toISOString() };
}

/** The month in China of an instant, `YYYY-MM`. */
export function chinaMonth(at: string | Date): string {
  return chinaDay(at).slice(0, 7);
}
