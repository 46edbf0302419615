/**
 * Checks a form with the server's own body schema (shared/forms.ts) before sending, and says
 * the first problem in the user's words (the same `check.*` messages as ./checks.ts). Only the
 * admin's forms import this, so zod stays out of the resident's first load.
 */
import type { z } from "zod";
import { t } from "../i18n";
import { FormProblem } from "./checks";

type Labels<T> = Partial<Record<Extract<keyof T, string>, string>>;

interface Bounds {
  minValue?: number | null;
  maxValue?: number | null;
}

/** The parsed (trimmed) body when the values pass; else throws a FormProblem for the form to show. */
export function checkWith<S extends z.ZodObject>(schema: S, value: z.input<S>, labels: Labels<z.input<S>>): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = String(issue.path[0] ?? "");
  const field = (labels as Record<string, string | undefined>)[key] ?? key;
  throw new FormProblem(messageOf(issue, field, schema.shape[key] as Bounds | undefined));
}

function messageOf(issue: z.core.$ZodIssue, field: string, bounds: Bounds | undefined): string {
  if (issue.code === "custom" && typeof issue.params?.check === "string") return t(`check.${issue.params.check}` as "check.minOverMax");
  const isText = (issue.code === "too_big" || issue.code === "too_small") && issue.origin === "string";
  if (issue.code === "too_big" && isText) return t("check.tooLong", { field, max: Number(issue.maximum) });
  if (issue.code === "too_small" && isText) return t("check.required", { field });
  if (bounds?.minValue != null && bounds.maxValue != null) return t("check.range", { field, min: bounds.minValue, max: bounds.maxValue });
  return `${field}: ${issue.message}`;
}
