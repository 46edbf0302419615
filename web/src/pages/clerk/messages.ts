/**
 * The counter's own words for what the server refuses. A wrong PIN at the counter is not
 * "wrong card number or PIN" (the card is already in hand): it says how many tries are left;
 * a lock says until when; a typed number with no active card says to check the number.
 */
import { ApiError } from "../../api";
import { t } from "../../i18n";
import { currentLang } from "../../i18n/lang";

function timeOf(iso: unknown): string | null {
  if (typeof iso !== "string" || Number.isNaN(Date.parse(iso))) return null;
  return new Date(iso).toLocaleTimeString(currentLang() === "en" ? "en-GB" : "zh-CN", { hour: "2-digit", minute: "2-digit" });
}

/** An error as the counter says it; anything else goes through unchanged. */
export function counterError(error: unknown, typedCard = false): unknown {
  if (!(error instanceof ApiError)) return error;
  const details = error.details as { attemptsLeft?: unknown; retryAfter?: unknown };
  if (error.code === "PIN_WRONG" && typeof details.attemptsLeft === "number") {
    return new ApiError(error.status, error.code, details.attemptsLeft > 0 ? t("counter.pinWrong", { n: details.attemptsLeft }) : t("counter.pinWrongLast"), error.details);
  }
  if (error.code === "TOO_MANY_ATTEMPTS") {
    const until = timeOf(details.retryAfter);
    if (until) return new ApiError(error.status, error.code, t("counter.locked", { until }), error.details);
  }
  if (error.code === "CARD_INVALID" && typedCard) return new ApiError(error.status, error.code, t("counter.noSuchCard"), error.details);
  return error;
}

/** `123456789012` → `1234 5678 9012`, as printed on the card. */
export function groupCardNo(cardNo: string): string {
  return cardNo.replace(/(\d{4})(?=\d)/g, "$1 ");
}
