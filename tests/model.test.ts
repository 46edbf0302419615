/**
 * Model-based test (fast-check): random sequences of the seven procedures, objections,
 * redemptions, retries and voids, run against the real API and, step by step, against a small
 * in-memory model of balances, scores and stock. After every step the database must agree with
 * the model and the ledger check must hold. A failing sequence is shrunk to a minimal one.
 *
 * Issue 12 adds settlement with the shop (drafts, confirms, discards; voids after settlement,
 * which land in the next statement) and points expiry (six months, FIFO): the model keeps each
 * household's credits and what it spent, and works out the old unspent points lot by lot.
 */
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { runScheduledJobs } from "../api/domain/jobs";
import { checkLedger } from "../api/domain/ledger";
import { addGoods, addHousehold, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

type Action =
  | { do: "apply"; household: number; penalty: boolean }
  | { do: "certify"; pick: number; approve: boolean; points: number }
  | { do: "publicise" }
  | { do: "object"; pick: number }
  | { do: "resolve"; pick: number; upheld: boolean }
  | { do: "advance" }
  | { do: "topUp"; pick: number }
  | { do: "redeem"; household: number; goods: number; quantity: number; retries: number }
  | { do: "void"; pick: number }
  | { do: "settle" }
  | { do: "confirm" }
  | { do: "discard" }
  | { do: "age" }
  | { do: "expire" };

const apply = fc.record({ do: fc.constant("apply" as const), household: fc.nat(2), penalty: fc.boolean() });
const certify = fc.record({ do: fc.constant("certify" as const), pick: fc.nat(), approve: fc.boolean(), points: fc.integer({ min: 1, max: 10 }) });
const object = fc.record({ do: fc.constant("object" as const), pick: fc.nat() });
const resolve = fc.record({ do: fc.constant("resolve" as const), pick: fc.nat(), upheld: fc.boolean() });
const topUp = fc.record({ do: fc.constant("topUp" as const), pick: fc.nat() });
const redeem = fc.record({ do: fc.constant("redeem" as const), household: fc.nat(2), goods: fc.nat(1), quantity: fc.integer({ min: 1, max: 4 }), retries: fc.nat(2) });
const voidOne = fc.record({ do: fc.constant("void" as const), pick: fc.nat() });
const publicise = fc.constant({ do: "publicise" as const });
const advance = fc.constant({ do: "advance" as const });
const settle = fc.constant({ do: "settle" as const });
const confirm = fc.constant({ do: "confirm" as const });
const discard = fc.constant({ do: "discard" as const });
const age = fc.constant({ do: "age" as const });
const expire = fc.constant({ do: "expire" as const });

/**
 * A round of the scheme in its natural order, with everything else mixed in: deeds applied for
 * and certified, a publicity batch (perhaps objected to), usually the window passing, top-ups
 * (perhaps too early), and shopping and voids throughout and at the end. Any step may be refused; the model
 * says which.
 */
const round: fc.Arbitrary<Action[]> = fc
  .tuple(
    fc.array(fc.oneof(apply, apply, certify, certify, redeem), { minLength: 2, maxLength: 8 }),
    publicise,
    fc.array(fc.oneof(object, resolve, redeem), { maxLength: 3 }),
    fc.oneof({ weight: 4, arbitrary: fc.constant([{ do: "advance" as const }]) }, { weight: 1, arbitrary: fc.constant([]) }),
    fc.array(fc.oneof(topUp, topUp, resolve, redeem, voidOne, advance), { minLength: 1, maxLength: 5 }),
    fc.array(fc.oneof(redeem, redeem, voidOne), { maxLength: 5 }),
    // Settling with the shop: a draft, perhaps voids and sales meanwhile, confirmed (or discarded);
    // then months passing, expiry runs, voids after settlement and further statements.
    fc.tuple(
      settle,
      fc.array(fc.oneof(voidOne, redeem), { maxLength: 2 }),
      fc.oneof({ weight: 4, arbitrary: confirm }, { weight: 1, arbitrary: discard }),
      fc.array(fc.oneof(voidOne, redeem, age, age, expire, expire, settle, confirm), { maxLength: 6 }),
    ),
  )
  .map(([work, pub, objections, wait, after, shopping, [draft, meanwhile, decide, later]]) =>
    [...work, pub, ...objections, ...wait, ...after, ...shopping, draft, ...meanwhile, decide, ...later] as Action[],
  );

const scenario = fc.array(round, { minLength: 1, maxLength: 4 }).map((rounds) => rounds.flat());

interface ModelApp {
  id: string;
  household: number;
  kind: "award" | "penalty";
  status: "submitted" | "rejected" | "registered" | "publicised" | "cancelled" | "credited";
  points: number;
  batch: number | null;
  objection: string | null;
}

interface World {
  t: TestApp;
  c: TestCommunity;
  households: Array<{ id: string; qr: string }>;
  goods: Array<{ id: string; points: number }>;
  rules: { award: string; penalty: string };
}

async function setUp(): Promise<World> {
  const t = await createTestApp();
  const c = await t.newCommunity("MODEL");
  const set = await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { minPublicityHours: 0, pinThreshold: 100_000, expiryMonths: 6 } });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  const households = [];
  for (let i = 0; i < 3; i++) {
    const h = await addHousehold(t, c);
    households.push({ id: h.id, qr: (await issueCardFor(t, c, h.id)).qr });
    // Some points to start with (an adjustment: a credit, not a score), so shopping, settling and
    // expiry do not wait on a whole round of the procedures.
    await grantPoints(t.db, c.communityId, h.id, startingPoints, t.clock.now().toISOString());
  }
  const goods = [await addGoods(t, c, { name: "香皂", points: 3, stock: 6 }), await addGoods(t, c, { name: "大米", points: 7, stock: 4 })];
  const award = (await t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "volunteer", title: "志愿服务", kind: "award", minPoints: 1, maxPoints: 10 } })).body.id;
  const penalty = (await t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "penalty", title: "乱扔垃圾", kind: "penalty", minPoints: 1, maxPoints: 10 } })).body.id;
  return { t, c, households, goods, rules: { award, penalty } };
}

/** What the runs exercised, so a generator that never reaches a top-up or a redemption fails. */
const exercised = { awardsCredited: 0, penaltiesCredited: 0, redemptions: 0, refusals: 0, voids: 0, upheld: 0, settled: 0, voidsAfterSettlement: 0, expired: 0 };

/** What each household holds before the first step. */
const startingPoints = 30;

/** The China day (YYYY-MM-DD) of an instant. */
const chinaDayOf = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

/** The model's own cutoff: the start (China time) of the day `months` calendar months before today. */
function cutoffOf(nowMs: number, months: number): number {
  const [y, m, d] = chinaDayOf(nowMs).split("-").map(Number);
  const index = y * 12 + (m - 1) - months;
  const year = Math.floor(index / 12);
  const month = index % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(d, last)) - 8 * 3_600_000;
}

/** FIFO, lot by lot: what is left of each credit after `spent` points were taken oldest first. */
function lotsLeft(credits: Array<{ at: number; amount: number }>, spent: number) {
  let take = spent;
  return credits.map((lot) => {
    const used = Math.min(lot.amount, take);
    take -= used;
    return { at: lot.at, left: lot.amount - used };
  });
}

async function runSequence(actions: Action[]) {
  const w = await setUp();
  const { t, c } = w;
  const balance = [startingPoints, startingPoints, startingPoints];
  const score = [0, 0, 0];
  const stock = w.goods.map(() => 0);
  stock[0] = 6;
  stock[1] = 4;
  const apps: ModelApp[] = [];
  const batches: Array<{ id: string; endsAt: number; toppedUp?: boolean }> = [];
  const receipts: Array<{ id: string; household: number; goods: number; quantity: number; voided: boolean; at: number; total: number; settledIn: string | null; voidSettledIn: string | null }> = [];
  // Settlement: the shop's ledger balance, the settled account, the open draft.
  let shopBalance = 0;
  let settledPoints = 0;
  let draft: { id: string; points: number; receipts: string[]; voids: string[] } | null = null;
  // Expiry: each household's credits (oldest first) and what it has spent (redemptions net of
  // voids, penalties taken, expiries).
  const credits: Array<Array<{ at: number; amount: number }>> = w.households.map(() => [{ at: t.clock.now().getTime(), amount: startingPoints }]);
  const spent = [0, 0, 0];
  let keys = 0;
  const nth = <T>(list: T[], pick: number) => (list.length ? list[pick % list.length] : undefined);
  const now = () => t.clock.now().getTime();

  try {
    for (const a of actions) {
      if (a.do === "apply") {
        const res = await t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: w.households[a.household].id, ruleId: a.penalty ? w.rules.penalty : w.rules.award, description: "model" } });
        expect(res.status).toBe(201);
        apps.push({ id: res.body.id, household: a.household, kind: a.penalty ? "penalty" : "award", status: "submitted", points: 0, batch: null, objection: null });
      } else if (a.do === "certify") {
        const app = nth(apps.filter((x) => x.status === "submitted"), a.pick);
        if (!app) continue;
        const body = a.approve ? { decision: "approve", points: a.points } : { decision: "reject", reason: "不符合" };
        const res = await t.call("POST", `/applications/${app.id}/certify`, { token: c.tokens.reviewer, body });
        expect(res.status).toBe(200);
        app.status = a.approve ? "registered" : "rejected";
        app.points = a.approve ? a.points : 0;
      } else if (a.do === "publicise") {
        const waiting = apps.filter((x) => x.status === "registered");
        const res = await t.call("POST", "/publicity", { token: c.tokens.admin, body: { endsAt: new Date(now() + 3_600_000).toISOString() } });
        if (waiting.length === 0) {
          expect(res.body.error.code).toBe("NOTHING_TO_PUBLICISE");
          continue;
        }
        expect(res.status).toBe(201);
        expect(res.body.items).toHaveLength(waiting.length);
        batches.push({ id: res.body.id, endsAt: Date.parse(res.body.endsAt) });
        for (const x of waiting) Object.assign(x, { status: "publicised", batch: batches.length - 1 });
      } else if (a.do === "object") {
        const app = nth(apps.filter((x) => x.status === "publicised" && x.objection === null), a.pick);
        if (!app) continue;
        const open = batches[app.batch!].endsAt > now();
        const res = await t.call("POST", `/publicity/${batches[app.batch!].id}/objections`, { token: c.tokens.volunteer, body: { applicationId: app.id, reason: "有异议" } });
        if (!open) {
          expect(res.body.error.code).toBe("PUBLICITY_CLOSED");
          continue;
        }
        expect(res.status).toBe(201);
        app.objection = res.body.id;
      } else if (a.do === "resolve") {
        const app = nth(apps.filter((x) => x.objection !== null && x.status === "publicised"), a.pick);
        if (!app) continue;
        const res = await t.call("POST", `/objections/${app.objection}/resolve`, { token: c.tokens.reviewer, body: { upheld: a.upheld, note: "核实" } });
        expect(res.status).toBe(200);
        app.objection = null;
        if (a.upheld) {
          app.status = "cancelled";
          exercised.upheld++;
        }
      } else if (a.do === "advance") {
        t.clock.advanceHours(1.05);
      } else if (a.do === "topUp") {
        const batchIndex = batches.length ? a.pick % batches.length : -1;
        if (batchIndex < 0) continue;
        const batch = batches[batchIndex];
        const res = await t.call("POST", "/topups", { token: c.tokens.admin, body: { publicityId: batch.id } });
        if (batch.endsAt > now()) {
          expect(res.body.error.code).toBe("PUBLICITY_OPEN");
          continue;
        }
        const due = apps.filter((x) => x.batch === batchIndex && x.status === "publicised" && x.objection === null);
        // Contract change (issue 9): a repeat with nothing left writes no row and answers the batch's latest top-up (200).
        if (due.length === 0 && batch.toppedUp) {
          expect(res.status).toBe(200);
          expect(res.body.alreadyCredited).toBe(true);
          continue;
        }
        expect(res.status).toBe(201);
        batch.toppedUp = true;
        let awarded = 0;
        for (const x of due.filter((d) => d.kind === "award")) {
          balance[x.household] += x.points;
          credits[x.household].push({ at: now(), amount: x.points });
          score[x.household] += x.points;
          awarded += x.points;
          x.status = "credited";
          exercised.awardsCredited++;
        }
        for (const x of due.filter((d) => d.kind === "penalty")) {
          exercised.penaltiesCredited++;
          spent[x.household] += Math.min(x.points, balance[x.household]);
          balance[x.household] -= Math.min(x.points, balance[x.household]);
          score[x.household] -= x.points;
          x.status = "credited";
        }
        expect(res.body).toMatchObject({ credited: due.length, points: awarded });
      } else if (a.do === "redeem") {
        const g = w.goods[a.goods];
        const total = g.points * a.quantity;
        const key = `model-${++keys}`;
        const body = { qr: w.households[a.household].qr, items: [{ goodsId: g.id, quantity: a.quantity }] };
        const first = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": key }, body });
        for (let r = 0; r < a.retries; r++) {
          const again = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": key }, body });
          if (first.status === 201) expect(again.body).toEqual(first.body);
        }
        if (balance[a.household] < total || stock[a.goods] < a.quantity) exercised.refusals++;
        if (balance[a.household] < total) {
          expect(first.body.error.code).toBe("INSUFFICIENT_POINTS");
        } else if (stock[a.goods] < a.quantity) {
          expect(first.body.error.code).toBe("OUT_OF_STOCK");
        } else {
          expect(first.status).toBe(201);
          balance[a.household] -= total;
          spent[a.household] += total;
          shopBalance += total;
          stock[a.goods] -= a.quantity;
          expect(first.body.balanceAfter).toBe(balance[a.household]);
          exercised.redemptions++;
          receipts.push({ id: first.body.id, household: a.household, goods: a.goods, quantity: a.quantity, voided: false, at: now(), total, settledIn: null, voidSettledIn: null });
        }
      } else if (a.do === "void") {
        const receipt = nth(receipts, a.pick);
        if (!receipt) continue;
        const res = await t.call("POST", `/redemptions/${receipt.id}/void`, { token: c.tokens.admin, body: { reason: "退货" } });
        if (receipt.voided) {
          expect(res.body.error.code).toBe("ALREADY_VOIDED");
          continue;
        }
        if (shopBalance < receipt.total) {
          // Settled already and the shop holds too little unsettled to give the points back.
          expect(res.body.error.code).toBe("INSUFFICIENT_POINTS");
          continue;
        }
        expect(res.status).toBe(200);
        receipt.voided = true;
        exercised.voids++;
        if (receipt.settledIn) exercised.voidsAfterSettlement++;
        shopBalance -= receipt.total;
        spent[receipt.household] -= receipt.total;
        balance[receipt.household] += w.goods[receipt.goods].points * receipt.quantity;
        stock[receipt.goods] += receipt.quantity;
      } else if (a.do === "settle") {
        // A minute on, so the step's earlier sales lie before `to`.
        t.clock.advanceHours(1 / 60);
        const to = now();
        const res = await t.call("POST", "/settlements", { token: c.tokens.admin, body: { shopId: c.shopId, to: new Date(to).toISOString() } });
        if (draft) {
          expect(res.body.error.code).toBe("SETTLEMENT_PENDING");
          continue;
        }
        const inIt = receipts.filter((r) => r.settledIn === null && r.at < to);
        const ids = new Set(inIt.map((r) => r.id));
        const voids = receipts.filter((r) => r.voided && r.voidSettledIn === null && (r.settledIn !== null || ids.has(r.id)));
        if (inIt.length + voids.length === 0) {
          expect(res.body.error.code).toBe("NOTHING_TO_SETTLE");
          continue;
        }
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        const points = inIt.reduce((n, r) => n + r.total, 0) - voids.reduce((n, r) => n + r.total, 0);
        expect(res.body).toMatchObject({ status: "draft", points, amountFen: points * 100, redemptions: inIt.filter((r) => !(r.voided && voids.includes(r))).length });
        expect(res.body.lines.reduce((n: number, l: { points: number }) => n + l.points, 0)).toBe(points);
        draft = { id: res.body.id, points, receipts: inIt.map((r) => r.id), voids: voids.map((r) => r.id) };
        for (const r of inIt) r.settledIn = draft.id;
        for (const r of voids) r.voidSettledIn = draft.id;
      } else if (a.do === "confirm" || a.do === "discard") {
        if (!draft) continue;
        const open = draft;
        if (a.do === "discard") {
          expect((await t.call("DELETE", `/settlements/${open.id}`, { token: c.tokens.admin })).status).toBe(204);
          for (const r of receipts) {
            if (r.settledIn === open.id) r.settledIn = null;
            if (r.voidSettledIn === open.id) r.voidSettledIn = null;
          }
          draft = null;
          continue;
        }
        const res = await t.call("POST", `/settlements/${open.id}/confirm`, { token: c.tokens.admin });
        if (open.points > shopBalance) {
          // A void since the draft left the shop's account short of it.
          expect(res.body.error.code).toBe("SETTLEMENT_STALE");
          continue;
        }
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.status).toBe("confirmed");
        shopBalance -= open.points;
        settledPoints += open.points;
        draft = null;
        exercised.settled++;
        // Confirming twice moves nothing more.
        expect((await t.call("POST", `/settlements/${open.id}/confirm`, { token: c.tokens.admin })).status).toBe(200);
      } else if (a.do === "age") {
        // Three months pass: staff sign in again (sessions do not last that long).
        t.clock.advanceHours(92 * 24);
        for (const name of ["admin", "reviewer", "reviewer2", "volunteer", "clerk"] as const) c.tokens[name] = await t.login(`${name}-model`);
      } else if (a.do === "expire") {
        const cutoff = cutoffOf(now(), 6);
        const due = w.households.map((_, i) => lotsLeft(credits[i], spent[i]).filter((lot) => lot.at < cutoff).reduce((n, lot) => n + lot.left, 0));
        const res = await runScheduledJobs(t.db, t.clock);
        expect(res.pointsExpired).toBe(due.reduce((n, x) => n + x, 0));
        for (const [i, points] of due.entries()) {
          balance[i] -= points;
          spent[i] += points;
          if (points > 0) exercised.expired++;
        }
      }

      const accounts = await t.db.all<{ id: string; balance: number; score: number }>(sql`SELECT id, balance, score FROM accounts WHERE kind = 'household'`);
      const byId = new Map(accounts.map((x) => [x.id, x]));
      expect(w.households.map((h) => byId.get(h.id)!.balance)).toEqual(balance);
      expect(w.households.map((h) => byId.get(h.id)!.score)).toEqual(score);
      const shelf = await t.db.all<{ id: string; stock: number }>(sql`SELECT id, stock FROM goods`);
      expect(w.goods.map((g) => shelf.find((s) => s.id === g.id)!.stock)).toEqual(stock);
      // The full ledger check (as t.ledgerOk), and settlement: the shop's balance is what is not
      // yet settled, and redeemed = settled + unsettled.
      const check = await checkLedger(t.db, c.communityId);
      expect(check.ok, check.problems.join("; ")).toBe(true);
      const [shop] = await t.db.all<{ balance: number }>(sql`SELECT balance FROM accounts WHERE id = ${c.shopId}`);
      expect(Number(shop.balance)).toBe(shopBalance);
      expect(check).toMatchObject({ settled: settledPoints, unsettled: shopBalance });
      expect(check.redeemed).toBe(check.settled + check.unsettled);
      expect(check.redeemed).toBe(receipts.filter((r) => !r.voided).reduce((n, r) => n + r.total, 0));
    }
  } finally {
    t.close();
  }
}

describe("the seven procedures against a model", () => {
  it("agrees with the model of balances, scores and stock after every step of random sequences", async () => {
    await fc.assert(fc.asyncProperty(scenario, runSequence), { numRuns: Number(process.env.MODEL_RUNS ?? 25), seed: Number(process.env.MODEL_SEED ?? 20261126) });
    // The random sequences did reach every money path (a fixed seed keeps this stable; MODEL_SEED varies it).
    for (const [path, n] of Object.entries(exercised)) expect(n, path).toBeGreaterThan(0);
  }, 240_000);
});
