/**
 * Test fixtures that build data through the real domain code: households with accounts, cards
 * with PINs, points moved by real ledger transfers. Additive: add helpers, do not change these.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { applications, goods, rules, stockMovements } from "../../db/schema";
import type { Actor } from "../../api/domain/actor";
import { issueCard } from "../../api/domain/cards";
import { newId } from "../../api/domain/clock";
import { createHousehold } from "../../api/domain/households";
import { issuanceAccountId, scoreStatement, transferStatements, type Statement } from "../../api/domain/ledger";
import type { Category } from "../../shared/domain";
import type { TestApp, TestCommunity } from "./harness";

/** The text with one character changed, always to a different one (a forged or mistyped scan). */
export function alter(text: string, index: number): string {
  const ch = text[index];
  const replacement = /\d/.test(ch) ? String((Number(ch) + 1) % 10) : ch === "A" ? "B" : "A";
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

export const testConfig = { publicUrl: "http://localhost:8787", cardSigningKey: "test-card-signing-key-0123456789" };

export { grantPoints } from "../../scripts/lib/points";

/** The community's admin as a domain actor (for calling domain functions directly). */
export function adminActor(community: TestCommunity): Actor {
  return { kind: "user", id: community.userIds.admin, communityId: community.communityId, role: "admin", shopId: null, name: "管理员", sessionId: "fixture" };
}

let householdCounter = 0;

export interface HouseholdOptions {
  householdNo?: string;
  headName?: string;
  building?: string;
  phone?: string;
  members?: Array<{ name: string; relation?: string }>;
}

/** Creates a household (with its ledger account) through `createHousehold`. */
export async function addHousehold(t: TestApp, community: TestCommunity, options: HouseholdOptions = {}) {
  householdCounter += 1;
  const prepared = await createHousehold(t.db, t.clock, adminActor(community), null, {
    householdNo: options.householdNo ?? `H${String(householdCounter).padStart(5, "0")}`,
    headName: options.headName ?? `张${householdCounter}华`,
    building: options.building ?? "1",
    phone: options.phone ?? null,
    members: options.members ?? [{ name: `张${householdCounter}华`, relation: "户主" }],
  });
  return { id: prepared.id, householdNo: prepared.householdNo, members: prepared.members };
}

/** Issues the household a card through `issueCard`; answers the QR text and the PIN. */
export async function issueCardFor(t: TestApp, community: TestCommunity, householdId: string, pin = "1234") {
  const card = await issueCard(t.db, t.clock, adminActor(community), null, testConfig, householdId, pin);
  return { cardId: card.id, cardNo: card.cardNo, qr: card.qr, pin };
}

/**
 * Moves `amount` points from the community's issuance account to the household with a real
 * ledger transfer (kind `adjustment`), in one batch.
 */
export interface GoodsOptions {
  shopId?: string;
  name?: string;
  points?: number;
  stock?: number;
  unit?: string | null;
}

/** Puts goods on a shop's shelf directly (with the opening stock movement). */
export async function addGoods(t: TestApp, community: TestCommunity, options: GoodsOptions = {}) {
  const id = newId();
  const at = t.clock.now().toISOString();
  const stock = options.stock ?? 100;
  await t.db.batch([
    t.db.insert(goods).values({
      id,
      communityId: community.communityId,
      shopId: options.shopId ?? community.shopId,
      name: options.name ?? "大米",
      points: options.points ?? 10,
      stock,
      unit: options.unit ?? "袋",
      createdAt: at,
    }),
    t.db.insert(stockMovements).values({ communityId: community.communityId, goodsId: id, delta: stock, reason: "opening stock", createdBy: "fixture", createdAt: at }),
  ]);
  return { id, name: options.name ?? "大米", points: options.points ?? 10, stock };
}

export interface CreditOptions {
  kind?: "award" | "penalty";
  category?: Category;
  points: number;
  ruleTitle?: string;
  at?: string;
}

/**
 * Stands in for steps 2–6 (apply … top-up) for reports and ledger views: a rule, a credited
 * application, its `credits` row, the ledger transfer (`application:<id>`) and the score, in
 * one batch. A penalty takes at most the balance, as the real top-up does.
 */
export async function creditApplication(t: TestApp, community: TestCommunity, householdId: string, options: CreditOptions) {
  const { communityId } = community;
  const kind = options.kind ?? "award";
  const category = options.category ?? (kind === "penalty" ? "penalty" : "environment");
  const at = options.at ?? t.clock.now().toISOString();
  const ruleId = newId();
  const applicationId = newId();
  const transferId = newId();
  const issuance = issuanceAccountId(communityId);
  const amount = kind === "award" ? options.points : sql`MIN(${options.points}, (SELECT balance FROM accounts WHERE id = ${householdId}))`;
  const statements: Statement[] = [
    t.db.insert(rules).values({ id: ruleId, communityId, category, title: options.ruleTitle ?? `细则${category}`, kind, minPoints: 1, maxPoints: Math.max(1, options.points), createdAt: at }),
    t.db.insert(applications).values({
      id: applicationId,
      communityId,
      householdId,
      ruleId,
      kind,
      category,
      description: "fixture",
      evidence: [],
      status: "credited",
      points: options.points,
      submittedBy: `user:${community.userIds.volunteer}`,
      submittedByRole: "volunteer",
      createdAt: at,
    }),
    ...transferStatements(t.db, {
      id: transferId,
      communityId,
      debitAccountId: kind === "award" ? issuance : householdId,
      creditAccountId: kind === "award" ? householdId : issuance,
      amount,
      kind,
      cause: `application:${applicationId}`,
      ref: applicationId,
      createdBy: "system",
      at,
    }),
    t.db.run(sql`INSERT INTO credits (application_id, community_id, top_up_id, household_id, kind, category, points, amount, score_delta, created_at)
      VALUES (${applicationId}, ${communityId}, 'fixture', ${householdId}, ${kind}, ${category}, ${options.points},
        COALESCE((SELECT amount FROM transfers WHERE id = ${transferId}), 0), ${kind === "award" ? options.points : -options.points}, ${at})`),
    scoreStatement(t.db, householdId, kind === "award" ? options.points : -options.points),
  ];
  await t.db.batch(statements as [Statement, ...Statement[]]);
  return { applicationId, ruleId, transferId };
}

/** The household's materialised balance and score. */
export async function accountOf(db: Db, accountId: string) {
  const rows = await db.all<{ balance: number; score: number }>(sql`SELECT balance, score FROM accounts WHERE id = ${accountId}`);
  return rows[0];
}

/** Rows in a table (to prove a failed write left no trace). */
export async function countRows(db: Db, table: string, where = sql`1 = 1`) {
  const rows = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM ${sql.raw(table)} WHERE ${where}`);
  return Number(rows[0]?.n ?? 0);
}
