/**
 * Step 1's standing part, the rule catalogue (积分细则): what earns points in each of the seven
 * carriers, and what costs points (惩戒). Certification keeps points within a rule's range.
 */
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { rules } from "../../db/schema";
import { carriers, type Category, type RuleKind } from "../../shared/domain";
import type { Actor, RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { DomainError } from "./errors";

export interface NewRule {
  category: Category;
  title: string;
  kind: RuleKind;
  minPoints: number;
  maxPoints: number;
}

export interface RuleView extends NewRule {
  id: string;
  active: boolean;
}

export function toRuleView(r: typeof rules.$inferSelect): RuleView {
  return { id: r.id, category: r.category as Category, title: r.title, kind: r.kind, minPoints: r.minPoints, maxPoints: r.maxPoints, active: r.active };
}

/** Adds a rule. Awards belong to one of the seven carriers; a penalty may also use `penalty`. */
export async function createRule(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, input: NewRule): Promise<RuleView> {
  if (input.kind === "award" && !(carriers as readonly string[]).includes(input.category)) {
    throw new DomainError("VALIDATION_FAILED", { fields: { category: "an award rule belongs to one of the seven carriers" } });
  }
  if (input.maxPoints < input.minPoints) {
    throw new DomainError("VALIDATION_FAILED", { fields: { maxPoints: "must be at least minPoints" } });
  }
  const at = isoNow(clock);
  const row = { id: newId(), communityId: actor.communityId, ...input, active: true, createdAt: at };
  await db.batch([
    db.insert(rules).values(row),
    auditStatement(db, actor, meta, at, { action: "rule.create", targetType: "rule", targetId: row.id, details: { ...input } }),
  ]);
  return toRuleView(row);
}

/** Retires a rule (or brings it back): retired rules take no new applications. */
export async function setRuleActive(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, ruleId: string, active: boolean): Promise<RuleView> {
  const rule = await getRule(db, actor.communityId, ruleId);
  if (rule.active === active) return rule;
  const at = isoNow(clock);
  await db.batch([
    db.update(rules).set({ active }).where(and(eq(rules.id, ruleId), eq(rules.communityId, actor.communityId))),
    auditStatement(db, actor, meta, at, { action: active ? "rule.activate" : "rule.retire", targetType: "rule", targetId: ruleId }),
  ]);
  return { ...rule, active };
}

export async function getRule(db: Db, communityId: string, ruleId: string): Promise<RuleView> {
  const rule = await db.query.rules.findFirst({ where: and(eq(rules.id, ruleId), eq(rules.communityId, communityId)) });
  if (!rule) throw new DomainError("NOT_FOUND", { ruleId });
  return toRuleView(rule);
}

/** The community's rules, by category then title; retired ones only when asked for. */
export async function listRules(db: Db, communityId: string, includeRetired = false): Promise<RuleView[]> {
  const where = includeRetired ? eq(rules.communityId, communityId) : and(eq(rules.communityId, communityId), eq(rules.active, true));
  const rows = await db.query.rules.findMany({ where, orderBy: [asc(rules.kind), asc(rules.category), asc(rules.title)] });
  return rows.map(toRuleView);
}
