/**
 * The bodies of the forms people fill in, as zod schemas the server validates with and the web
 * app checks with before sending (web/src/ui/form-schema.ts turns an issue into the user's words).
 * One schema per form, so the browser and the server can never disagree about a length, a range
 * or a rule between fields. Custom issues carry `params.check`: the key of their message under
 * `check.` in the web app's dictionaries.
 */
import { z } from "zod";
import { categories, ruleKinds } from "./domain";
import { limits } from "./limits";

const rulePoints = z.number().int().min(1).max(limits.pointsPerItemMax);

/** A new rule of the catalogue (积分细则). */
export const NewRuleBody = z
  .object({
    category: z.enum(categories),
    title: z.string().trim().min(1).max(limits.titleLengthMax),
    kind: z.enum(ruleKinds),
    minPoints: rulePoints,
    maxPoints: rulePoints,
  })
  .refine((r) => r.maxPoints >= r.minPoints, { message: "must be at least minPoints", path: ["maxPoints"], params: { check: "minOverMax" } })
  .refine((r) => r.kind === "penalty" || r.category !== "penalty", {
    message: "an award rule belongs to one of the seven carriers",
    path: ["category"],
    params: { check: "awardCarrier" },
  });

/** A new notice (通知), step 1 of the seven procedures. */
export const NewNoticeBody = z.object({
  title: z.string().trim().min(1).max(limits.titleLengthMax),
  body: z.string().trim().min(1).max(limits.textLengthMax),
  ruleIds: z.array(z.string().min(1).max(100)).max(limits.ruleIdsMax).optional(),
  startsAt: z.iso.datetime({ offset: true }).nullish(),
  endsAt: z.iso.datetime({ offset: true }).nullish(),
});
