/**
 * The forms' own checks, from the same limits the server's schemas use (shared/limits.ts), so
 * a form says what is wrong in the user's words before sending, and never disagrees with the
 * server about a length or a range. The server still checks everything.
 */
import { limits } from "../../../shared/limits";
import { t } from "../i18n";

/** A problem the form found in what was typed; shown like an API error. */
export class FormProblem extends Error {}

/** Throws the first problem found, for a form's action to show. */
export function check(...problems: (string | null)[]): void {
  const first = problems.find((problem) => problem !== null);
  if (first) throw new FormProblem(first);
}

export function pinProblem(pin: string): string | null {
  const digits = new RegExp(`^\\d{${limits.pinDigitsMin},${limits.pinDigitsMax}}$`);
  return digits.test(pin) ? null : t("check.pin", { min: limits.pinDigitsMin, max: limits.pinDigitsMax });
}

export function isPin(pin: string): boolean {
  return pinProblem(pin) === null;
}

export function lengthProblem(field: string, value: string | null | undefined, max: number): string | null {
  return (value ?? "").trim().length > max ? t("check.tooLong", { field, max }) : null;
}

export function rangeProblem(field: string, value: number, min: number, max: number): string | null {
  return Number.isInteger(value) && value >= min && value <= max ? null : t("check.range", { field, min, max });
}

export function passwordProblem(password: string): string | null {
  return password.length >= limits.passwordLengthMin && password.length <= limits.passwordLengthMax
    ? null
    : t("check.password", { min: limits.passwordLengthMin, max: limits.passwordLengthMax });
}

export function usernameProblem(username: string): string | null {
  const length = username.trim().length;
  return length >= limits.usernameLengthMin && length <= limits.usernameLengthMax
    ? null
    : t("check.username", { min: limits.usernameLengthMin, max: limits.usernameLengthMax });
}
