/**
 * Households (户) and their members. A household owns a ledger account, opened in the same
 * batch that creates it, so no household ever exists without one.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts, cards, households, members } from "../../db/schema";
import type { Actor, RequestMeta } from "./actor";
import { auditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { DomainError, violatedConstraint } from "./errors";
import { openAccountStatement, type Statement } from "./ledger";

export interface NewHousehold {
  householdNo: string;
  headName: string;
  building: string;
  unit?: string | null;
  room?: string | null;
  phone?: string | null;
  householdType?: string | null;
  members: Array<{ name: string; relation?: string | null }>;
}

export interface PreparedHousehold {
  id: string;
  householdNo: string;
  members: Array<{ id: string; name: string; relation: string | null }>;
  statements: Statement[];
}

/** Builds the statements that create one household, its members and its account (no audit). */
export function prepareHousehold(db: Db, communityId: string, at: string, input: NewHousehold): PreparedHousehold {
  const id = newId();
  const memberRows = input.members.map((m) => ({ id: newId(), communityId, householdId: id, name: m.name, relation: m.relation ?? null, createdAt: at }));
  const statements: Statement[] = [
    db.insert(households).values({
      id,
      communityId,
      householdNo: input.householdNo,
      headName: input.headName,
      building: input.building,
      unit: input.unit ?? null,
      room: input.room ?? null,
      phone: input.phone ?? null,
      householdType: input.householdType ?? null,
      createdAt: at,
      updatedAt: at,
    }),
    openAccountStatement(db, { id, communityId, kind: "household", at }),
  ];
  if (memberRows.length > 0) statements.push(db.insert(members).values(memberRows));
  return { id, householdNo: input.householdNo, members: memberRows.map(({ id, name, relation }) => ({ id, name, relation })), statements };
}

/** Creates a household with its members and account; a duplicate 户号 is a 409. */
export async function createHousehold(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, input: NewHousehold) {
  const at = isoNow(clock);
  const prepared = prepareHousehold(db, actor.communityId, at, input);
  try {
    await db.batch([
      ...(prepared.statements as [Statement, ...Statement[]]),
      auditStatement(db, actor, meta, at, { action: "household.create", targetType: "household", targetId: prepared.id, details: { householdNo: input.householdNo } }),
    ]);
  } catch (err) {
    if (violatedConstraint(err)?.startsWith("households.")) throw new DomainError("DUPLICATE", { householdNo: input.householdNo });
    throw err;
  }
  return prepared;
}

/** A household of the actor's community, with members, balance, score and current card. */
export async function getHousehold(db: Db, communityId: string, householdId: string) {
  const household = await db.query.households.findFirst({ where: and(eq(households.id, householdId), eq(households.communityId, communityId)) });
  if (!household) throw new DomainError("NOT_FOUND", { householdId });
  const [memberRows, account, card] = await Promise.all([
    db.query.members.findMany({ where: eq(members.householdId, householdId) }),
    db.query.accounts.findFirst({ where: eq(accounts.id, householdId) }),
    db.query.cards.findFirst({ where: and(eq(cards.householdId, householdId), eq(cards.status, "active")) }),
  ]);
  return {
    id: household.id,
    householdNo: household.householdNo,
    headName: household.headName,
    building: household.building,
    unit: household.unit,
    room: household.room,
    phone: household.phone,
    householdType: household.householdType,
    members: memberRows.map((m) => ({ id: m.id, name: m.name, relation: m.relation })),
    balance: account?.balance ?? 0,
    score: account?.score ?? 0,
    card: card ? { cardNo: card.cardNo, status: card.status } : null,
    createdAt: household.createdAt,
  };
}
