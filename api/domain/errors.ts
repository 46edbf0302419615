/**
 * Domain errors: raised by the rules of the scheme, turned into the one HTTP error shape by
 * `api/http/middleware/errors.ts`. A failed assertion (`assert`) is a bug, never a user error.
 */
import type { ErrorCode } from "../../shared/errors";

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details?: Record<string, unknown>,
  ) {
    super(code);
    this.name = "DomainError";
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** The text of an error and of every error behind it (drivers wrap SQLite's message). */
function errorText(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 6; depth++) {
    if (current instanceof Error) {
      parts.push(current.message);
      current = (current as { cause?: unknown }).cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(" | ");
}

/**
 * Which constraint a failed statement violated: a CHECK's name (`account_balance_nonneg`) or a
 * UNIQUE's columns (`transfers.cause`); null when the error is not a constraint violation.
 */
export function violatedConstraint(err: unknown): string | null {
  const text = errorText(err);
  const check = /CHECK constraint failed: ([\w.]+)/.exec(text);
  if (check) return check[1];
  const unique = /UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)/.exec(text);
  if (unique) return unique[1];
  return null;
}

/**
 * The column whose NOT NULL a failed statement violated (`application_events.to_status`), or
 * null. Guarded statements use it to abort a whole batch when their condition does not hold.
 */
export function failedNotNull(err: unknown): string | null {
  return /NOT NULL constraint failed: ([\w.]+)/.exec(errorText(err))?.[1] ?? null;
}

/** Maps the money invariants the schema holds to the errors a clerk understands. */
export function invariantError(err: unknown): DomainError | null {
  const constraint = violatedConstraint(err);
  if (constraint === "account_balance_nonneg") return new DomainError("INSUFFICIENT_POINTS");
  if (constraint === "goods_stock_nonneg") return new DomainError("OUT_OF_STOCK");
  return null;
}
