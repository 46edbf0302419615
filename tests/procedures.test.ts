/**
 * The seven procedures over the in-process API: rules, notices, applications, certification
 * and the register, publicity and objections, top-ups and settings. The same journey over real
 * HTTP on both deployments is in journey.test.ts.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runScheduledJobs } from "../api/domain/jobs";
import { accountOf, addHousehold, countRows, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

async function ok<T = any>(res: Promise<{ status: number; body: any }>, status = 200): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body as T;
}

/** A community whose publicity may be short (so tests can move past it without sessions expiring). */
async function community(code?: string) {
  const c = await t.newCommunity(code);
  await ok(t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { minPublicityHours: 0 } }));
  const clean = await ok(t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "environment", title: "打扫楼道", kind: "award", minPoints: 5, maxPoints: 20 } }), 201);
  const litter = await ok(t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "penalty", title: "乱扔垃圾", kind: "penalty", minPoints: 2, maxPoints: 10 } }), 201);
  return { c, clean, litter };
}

async function apply(c: TestCommunity, householdId: string, ruleId: string, token = c.tokens.volunteer, extra: Record<string, unknown> = {}) {
  return ok(t.call("POST", "/applications", { token, body: { householdId, ruleId, description: "参加大扫除", ...extra } }), 201);
}

async function approve(c: TestCommunity, id: string, points?: number, token = c.tokens.reviewer) {
  return ok(t.call("POST", `/applications/${id}/certify`, { token, body: { decision: "approve", ...(points ? { points } : {}) } }));
}

/** Publicises everything registered with a one-hour window. */
async function publicise(c: TestCommunity) {
  const endsAt = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
  return ok(t.call("POST", "/publicity", { token: c.tokens.admin, body: { endsAt } }), 201);
}

async function topUp(c: TestCommunity, publicityId: string, status = 201) {
  return ok(t.call("POST", "/topups", { token: c.tokens.admin, body: { publicityId } }), status);
}

describe("rules and notices", () => {
  it("keeps award rules in the seven carriers and ranges sane; only the admin adds rules", async () => {
    const { c } = await community();
    const bad = [
      { category: "penalty", title: "x", kind: "award", minPoints: 1, maxPoints: 2 },
      { category: "environment", title: "x", kind: "award", minPoints: 5, maxPoints: 2 },
      { category: "environment", title: "x", kind: "award", minPoints: 0, maxPoints: 2 },
      { category: "sports", title: "x", kind: "award", minPoints: 1, maxPoints: 2 },
      { category: "environment", title: "", kind: "award", minPoints: 1, maxPoints: 2 },
    ];
    for (const body of bad) {
      const res = await t.call("POST", "/rules", { token: c.tokens.admin, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
    }
    for (const role of ["reviewer", "volunteer", "clerk"] as const) {
      expect((await t.call("POST", "/rules", { token: c.tokens[role], body: { category: "policy", title: "x", kind: "award", minPoints: 1, maxPoints: 2 } })).status).toBe(403);
    }
    expect((await t.call("GET", "/rules")).status).toBe(401);
    const list = await ok(t.call("GET", "/rules", { token: c.tokens.clerk }));
    expect(list.items.map((r: any) => r.title).sort()).toEqual(["乱扔垃圾", "打扫楼道"]);
  });

  it("retires a rule so it takes no new applications", async () => {
    const { c, clean } = await community();
    const h = await addHousehold(t, c);
    await ok(t.call("PATCH", `/rules/${clean.id}`, { token: c.tokens.admin, body: { active: false } }));
    expect((await ok(t.call("GET", "/rules", { token: c.tokens.admin }))).items).toHaveLength(1);
    expect((await ok(t.call("GET", "/rules?all=1", { token: c.tokens.admin }))).items).toHaveLength(2);
    const res = await t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: h.id, ruleId: clean.id, description: "x" } });
    expect(res.status).toBe(400);
  });

  it("shows residents only published notices, and refuses rules of another community", async () => {
    const { c, clean } = await community();
    const other = await community();
    const h = await addHousehold(t, c);
    const card = await issueCardFor(t, c, h.id);
    const resident = (await ok(t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: card.pin } }))).token;
    expect((await t.call("POST", "/notices", { token: c.tokens.admin, body: { title: "t", body: "b", ruleIds: [other.clean.id] } })).status).toBe(400);
    const draft = await ok(t.call("POST", "/notices", { token: c.tokens.admin, body: { title: "周六大扫除", body: "9点集合", ruleIds: [clean.id] } }), 201);
    expect(draft.status).toBe("draft");
    expect((await ok(t.call("GET", "/notices", { token: resident }))).items).toHaveLength(0);
    expect((await t.call("GET", `/notices/${draft.id}`, { token: resident })).status).toBe(404);
    expect((await t.call("POST", `/notices/${draft.id}/publish`, { token: c.tokens.volunteer })).status).toBe(403);
    const published = await ok(t.call("POST", `/notices/${draft.id}/publish`, { token: c.tokens.admin }));
    expect(published.status).toBe("published");
    expect((await ok(t.call("POST", `/notices/${draft.id}/publish`, { token: c.tokens.admin }))).publishedAt).toBe(published.publishedAt);
    expect((await ok(t.call("GET", "/notices", { token: resident }))).items.map((n: any) => n.title)).toEqual(["周六大扫除"]);
    expect((await t.call("GET", `/notices/${draft.id}`, { token: other.c.tokens.admin })).status).toBe(404);
  });
});

describe("apply, certify and register", () => {
  it("lets a resident apply for their own household's awards only", async () => {
    const { c, clean, litter } = await community();
    const mine = await addHousehold(t, c, { members: [{ name: "张三", relation: "户主" }, { name: "张小三", relation: "子" }] });
    const theirs = await addHousehold(t, c);
    const card = await issueCardFor(t, c, mine.id);
    const resident = (await ok(t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: card.pin } }))).token;
    const app = await apply(c, mine.id, clean.id, resident, { memberId: mine.members[1].id, evidence: ["data:image/jpeg;base64,/9j/4AAQ"] });
    expect(app).toMatchObject({ status: "submitted", kind: "award", category: "environment", memberName: "张小三", submittedByRole: "resident" });
    expect((await t.call("POST", "/applications", { token: resident, body: { householdId: theirs.id, ruleId: clean.id, description: "x" } })).status).toBe(403);
    const penalty = await t.call("POST", "/applications", { token: resident, body: { householdId: mine.id, ruleId: litter.id, description: "x" } });
    expect(penalty.status).toBe(403);
    expect(penalty.body.error.code).toBe("PENALTY_NOT_ALLOWED");
    for (const role of ["reviewer", "clerk"] as const) {
      expect((await t.call("POST", "/applications", { token: c.tokens[role], body: { householdId: mine.id, ruleId: clean.id, description: "x" } })).status).toBe(403);
    }
    const wrongMember = await t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: theirs.id, memberId: mine.members[0].id, ruleId: clean.id, description: "x" } });
    expect(wrongMember.status).toBe(400);
    expect(wrongMember.body.error.details.fields.memberId).toBeTruthy();
    expect((await t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: "nope", ruleId: clean.id, description: "x" } })).status).toBe(404);
    expect((await t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: mine.id, ruleId: "nope", description: "x" } })).status).toBe(404);
    const mineList = await ok(t.call("GET", "/applications", { token: resident }));
    expect(mineList.items.map((a: any) => a.id)).toEqual([app.id]);
    expect((await t.call("GET", `/applications?householdId=${theirs.id}`, { token: resident })).status).toBe(403);
    expect((await countRows(t.db, "applications"))).toBe(1);
  });

  it("takes applications against a notice only for the rules the notice names", async () => {
    const { c, clean, litter } = await community();
    const h = await addHousehold(t, c);
    const notice = await ok(t.call("POST", "/notices", { token: c.tokens.admin, body: { title: "大扫除", body: "b", ruleIds: [clean.id] } }), 201);
    expect((await t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: h.id, ruleId: clean.id, noticeId: notice.id, description: "x" } })).status).toBe(404);
    await ok(t.call("POST", `/notices/${notice.id}/publish`, { token: c.tokens.admin }));
    const wrong = await t.call("POST", "/applications", { token: c.tokens.volunteer, body: { householdId: h.id, ruleId: litter.id, noticeId: notice.id, description: "x" } });
    expect(wrong.body.error.code).toBe("RULE_NOT_IN_NOTICE");
    const app = await apply(c, h.id, clean.id, c.tokens.volunteer, { noticeId: notice.id });
    expect(app.noticeId).toBe(notice.id);
    const byNotice = await ok(t.call("GET", `/applications?noticeId=${notice.id}&mine=1`, { token: c.tokens.volunteer }));
    expect(byNotice.items).toHaveLength(1);
  });

  it("registers approvals with sequential register numbers and keeps points in the rule's range", async () => {
    const { c, clean } = await community();
    const h = await addHousehold(t, c);
    const a1 = await apply(c, h.id, clean.id);
    const a2 = await apply(c, h.id, clean.id);
    const a3 = await apply(c, h.id, clean.id);
    for (const points of [4, 21]) {
      const res = await t.call("POST", `/applications/${a1.id}/certify`, { token: c.tokens.reviewer, body: { decision: "approve", points } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "POINTS_OUT_OF_RANGE", details: { minPoints: 5, maxPoints: 20 } });
    }
    const r1 = await approve(c, a1.id);
    expect(r1).toMatchObject({ status: "registered", points: 5, registerNo: 1 });
    const noReason = await t.call("POST", `/applications/${a2.id}/certify`, { token: c.tokens.reviewer, body: { decision: "reject", reason: "  " } });
    expect(noReason.body.error.code).toBe("REASON_REQUIRED");
    const rejected = await ok(t.call("POST", `/applications/${a2.id}/certify`, { token: c.tokens.reviewer, body: { decision: "reject", reason: "照片看不清" } }));
    expect(rejected).toMatchObject({ status: "rejected", reason: "照片看不清", registerNo: null });
    const r3 = await approve(c, a3.id, 20, c.tokens.reviewer2);
    expect(r3).toMatchObject({ registerNo: 2, points: 20 });
    const again = await t.call("POST", `/applications/${a1.id}/certify`, { token: c.tokens.reviewer2, body: { decision: "reject", reason: "x" } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("ALREADY_DECIDED");
    const detail = await ok(t.call("GET", `/applications/${a1.id}`, { token: c.tokens.admin }));
    expect(detail.history.map((e: any) => [e.from, e.to])).toEqual([[null, "submitted"], ["submitted", "registered"]]);
    expect(detail.history[1].by).toMatch(/^user:/);
    const register = await t.db.all<any>(sql`SELECT register_no, entry_kind, points FROM register_entries WHERE community_id = ${c.communityId} ORDER BY register_no`);
    expect(register).toEqual([{ register_no: 1, entry_kind: "award", points: 5 }, { register_no: 2, entry_kind: "award", points: 20 }]);
  });

  it("does not let whoever submitted an application certify it, nor anyone but a reviewer", async () => {
    const { c, clean } = await community();
    const h = await addHousehold(t, c);
    const app = await apply(c, h.id, clean.id, c.tokens.admin);
    for (const role of ["admin", "volunteer", "clerk"] as const) {
      expect((await t.call("POST", `/applications/${app.id}/certify`, { token: c.tokens[role], body: { decision: "approve" } })).status).toBe(403);
    }
    // A reviewer account that submitted (through the database, as reviewers cannot apply) is refused too.
    const reviewerApp = await apply(c, h.id, clean.id);
    await t.db.run(sql`UPDATE applications SET submitted_by = ${`user:${c.userIds.reviewer}`} WHERE id = ${reviewerApp.id}`);
    const self = await t.call("POST", `/applications/${reviewerApp.id}/certify`, { token: c.tokens.reviewer, body: { decision: "approve" } });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe("SELF_CERTIFICATION");
    const other = await t.newCommunity();
    expect((await t.call("POST", `/applications/${app.id}/certify`, { token: other.tokens.reviewer, body: { decision: "approve" } })).status).toBe(404);
    expect((await t.call("GET", `/applications/${app.id}`, { token: other.tokens.admin })).status).toBe(404);
  });

  it("decides an application once when two reviewers race, and numbers the register without gaps", async () => {
    const { c, clean } = await community();
    const h = await addHousehold(t, c);
    const apps = [];
    for (let i = 0; i < 6; i++) apps.push(await apply(c, h.id, clean.id));
    const results = await Promise.all(
      apps.flatMap((a) => [
        t.call("POST", `/applications/${a.id}/certify`, { token: c.tokens.reviewer, body: { decision: "approve", points: 6 } }),
        t.call("POST", `/applications/${a.id}/certify`, { token: c.tokens.reviewer2, body: { decision: "approve", points: 7 } }),
      ]),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(6);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === "ALREADY_DECIDED")).toBe(true);
    const numbers = await t.db.all<{ register_no: number }>(sql`SELECT register_no FROM register_entries WHERE community_id = ${c.communityId} ORDER BY register_no`);
    expect(numbers.map((n) => n.register_no)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await countRows(t.db, "application_events", sql`to_status = 'registered'`)).toBe(6);
  });

  it("pages the list with a cursor and refuses a made-up one", async () => {
    const { c, clean } = await community();
    const h = await addHousehold(t, c);
    for (let i = 0; i < 5; i++) {
      await apply(c, h.id, clean.id);
      t.clock.advanceHours(0.01);
    }
    const first = await ok(t.call("GET", "/applications?limit=2", { token: c.tokens.admin }));
    const second = await ok(t.call("GET", `/applications?limit=2&cursor=${first.nextCursor}`, { token: c.tokens.admin }));
    const third = await ok(t.call("GET", `/applications?limit=2&cursor=${second.nextCursor}`, { token: c.tokens.admin }));
    const ids = [...first.items, ...second.items, ...third.items].map((a: any) => a.id);
    expect(new Set(ids).size).toBe(5);
    expect(third.nextCursor).toBeNull();
    expect((await t.call("GET", "/applications?cursor=garbage", { token: c.tokens.admin })).status).toBe(400);
    expect((await t.call("GET", "/applications?status=paid", { token: c.tokens.admin })).status).toBe(400);
  });
});

describe("publicity, objections and top-up", () => {
  it("refuses a window shorter than the community's minimum, and an empty batch", async () => {
    const { c, clean } = await community();
    expect((await t.call("POST", "/publicity", { token: c.tokens.admin, body: {} })).body.error.code).toBe("NOTHING_TO_PUBLICISE");
    await ok(t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { minPublicityHours: 72, publicityDays: 5 } }));
    const h = await addHousehold(t, c);
    await approve(c, (await apply(c, h.id, clean.id)).id);
    const short = await t.call("POST", "/publicity", { token: c.tokens.admin, body: { endsAt: new Date(t.clock.now().getTime() + 71 * 3_600_000).toISOString() } });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe("PUBLICITY_TOO_SHORT");
    const batch = await ok(t.call("POST", "/publicity", { token: c.tokens.admin, body: {} }), 201);
    expect(Date.parse(batch.endsAt) - t.clock.now().getTime()).toBe(5 * 86_400_000);
    expect(batch.items).toHaveLength(1);
  });

  it("shows the board to anyone with masked names and nothing that identifies a person", async () => {
    const { c, clean } = await community("BOARD");
    const h = await addHousehold(t, c, { headName: "张三华", building: "12号楼", members: [{ name: "张三华", relation: "户主" }, { name: "欧阳小明", relation: "子" }] });
    await issueCardFor(t, c, h.id);
    await approve(c, (await apply(c, h.id, clean.id, c.tokens.volunteer, { memberId: h.members[1].id })).id, 8);
    await approve(c, (await apply(c, h.id, clean.id)).id);
    // Contract v2 ("The office's procedures"): the board answers every open batch, none → empty lists (was null).
    expect(await ok(t.call("GET", "/publicity/current?community=BOARD"))).toMatchObject({ items: [], batches: [], id: null });
    const batch = await publicise(c);
    const board = await ok(t.call("GET", "/publicity/current?community=BOARD"));
    expect(board.id).toBe(batch.id);
    expect(board.status).toBe("open");
    expect(board.items.map((i: any) => [i.name, i.building, i.rule, i.points, i.status, i.registerNo])).toEqual([
      ["欧**明", "12号楼", "打扫楼道", 8, "publicised", 1],
      ["张*华", "12号楼", "打扫楼道", 5, "publicised", 2],
    ]);
    const text = JSON.stringify(await ok(t.call("GET", `/publicity/${batch.id}`)));
    expect(text).not.toContain(h.id);
    expect(text).not.toContain("张三华");
    expect(text).not.toContain(h.householdNo);
    expect((await ok(t.call("GET", "/publicity?community=BOARD"))).items).toHaveLength(1);
    expect((await t.call("GET", "/publicity/current?community=NOPE")).status).toBe(404);
    expect((await t.call("GET", "/publicity/unknown-id")).status).toBe(404);
  });

  it("tops up only after the window: awards before penalties, a penalty never below zero but in full on the score", async () => {
    const { c, clean, litter } = await community();
    const rich = await addHousehold(t, c);
    const poor = await addHousehold(t, c);
    // poor: an award of 5 and a penalty of 8 in the same top-up → balance 0, score −3.
    await approve(c, (await apply(c, poor.id, litter.id)).id, 8);
    await approve(c, (await apply(c, poor.id, clean.id)).id, 5);
    await approve(c, (await apply(c, rich.id, clean.id)).id, 20);
    await approve(c, (await apply(c, rich.id, litter.id)).id, 3);
    const batch = await publicise(c);
    const early = await t.call("POST", "/topups", { token: c.tokens.admin, body: { publicityId: batch.id } });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("PUBLICITY_OPEN");
    expect((await t.call("POST", "/topups", { token: c.tokens.reviewer, body: { publicityId: batch.id } })).status).toBe(403);
    t.clock.advanceHours(1);
    const done = await topUp(c, batch.id);
    expect(done).toMatchObject({ credited: 4, points: 25, deducted: 8, heldBack: 0 });
    expect(await accountOf(t.db, poor.id)).toEqual({ balance: 0, score: -3 });
    expect(await accountOf(t.db, rich.id)).toEqual({ balance: 17, score: 17 });
    // Contract change (issue 9, issue 13): a repeat with nothing left writes nothing and answers the first top-up, 200.
    const again = await topUp(c, batch.id, 200);
    expect(again).toMatchObject({ id: done.id, credited: 4, points: 25, alreadyCredited: true });
    expect(await accountOf(t.db, rich.id)).toEqual({ balance: 17, score: 17 });
    const board = await ok(t.call("GET", `/publicity/${batch.id}`));
    expect(board.status).toBe("closed");
    expect(board.items.every((i: any) => i.status === "credited")).toBe(true);
    const summary = await ok(t.call("GET", "/reports/summary", { token: c.tokens.admin }));
    expect(summary).toMatchObject({ households: 2, participatingHouseholds: 2, pointsAwarded: 25, pointsDeducted: 8, pointsOutstanding: 17 });
    const check = await ok(t.call("GET", "/ledger/check", { token: c.tokens.admin }));
    expect(check).toMatchObject({ ok: true, issued: 25, deducted: 8, outstanding: 17 });
    const history = await ok(t.call("GET", `/applications?householdId=${poor.id}&status=credited`, { token: c.tokens.admin }));
    expect(history.items).toHaveLength(2);
  });

  it("credits many awards of one household in one top-up with each posting's running balance, then the penalties", async () => {
    const { c, clean, litter } = await community();
    const busy = await addHousehold(t, c);
    const other = await addHousehold(t, c);
    await grantPoints(t.db, c.communityId, busy.id, 7);
    const apps = [];
    for (const points of [5, 10, 15]) apps.push(await apply(c, busy.id, clean.id).then((a) => approve(c, a.id, points).then(() => a)));
    await approve(c, (await apply(c, other.id, clean.id)).id, 6);
    await approve(c, (await apply(c, busy.id, litter.id)).id, 9);
    const batch = await publicise(c);
    t.clock.advanceHours(1);
    const done = await topUp(c, batch.id);
    expect(done).toMatchObject({ credited: 5, points: 36, deducted: 9 });
    expect(await accountOf(t.db, busy.id)).toEqual({ balance: 7 + 30 - 9, score: 30 - 9 });
    expect(await accountOf(t.db, other.id)).toEqual({ balance: 6, score: 6 });
    // Every account's postings run: each balance_after is the one before plus its amount, the last is the balance.
    const walk = await t.db.all<{ account_id: string; amount: number; balance_after: number }>(sql`SELECT account_id, amount, balance_after FROM postings WHERE community_id = ${c.communityId} ORDER BY account_id, seq`);
    const running = new Map<string, number>();
    for (const p of walk) {
      const next = (running.get(p.account_id) ?? 0) + Number(p.amount);
      expect(Number(p.balance_after)).toBe(next);
      running.set(p.account_id, next);
    }
    expect(running.get(busy.id)).toBe(28);
    // The busy household's history reads in register order: 7, then +5, +10, +15, then −9.
    const mine = walk.filter((p) => p.account_id === busy.id).map((p) => Number(p.amount));
    expect(mine).toEqual([7, 5, 10, 15, -9]);
    expect(await countRows(t.db, "application_events", sql`to_status = 'credited'`)).toBe(5);
    expect(await countRows(t.db, "credits", sql`top_up_id = ${done.id}`)).toBe(5);
    const board = await ok(t.call("GET", `/publicity/${batch.id}`));
    expect(board.items.every((i: any) => i.status === "credited")).toBe(true);
    await t.ledgerOk(c.communityId);
  });

  it("never credits twice when top-ups race", async () => {
    const { c, clean } = await community();
    const households = [];
    for (let i = 0; i < 10; i++) households.push(await addHousehold(t, c));
    for (const h of households) await approve(c, (await apply(c, h.id, clean.id)).id, 10);
    const batch = await publicise(c);
    t.clock.advanceHours(2);
    const results = await Promise.all(Array.from({ length: 8 }, () => t.call("POST", "/topups", { token: c.tokens.admin, body: { publicityId: batch.id } })));
    // A racing repeat that finds the items credited answers that top-up (200) instead of writing an empty one.
    expect(results.every((r) => r.status === 201 || r.status === 200 || (r.status === 409 && r.body.error.code === "CONFLICT"))).toBe(true);
    expect(await countRows(t.db, "top_ups")).toBe(results.filter((r) => r.status === 201).length);
    expect(results.filter((r) => r.status === 201).reduce((sum, r) => sum + r.body.credited, 0)).toBe(10);
    for (const h of households) expect(await accountOf(t.db, h.id)).toEqual({ balance: 10, score: 10 });
    expect(await countRows(t.db, "transfers", sql`kind = 'award'`)).toBe(10);
    await t.ledgerOk(c.communityId);
  });

  it("holds back an item under objection; upheld cancels it for good, dismissed lets a later top-up credit it", async () => {
    const { c, clean } = await community();
    const a = await addHousehold(t, c);
    const b = await addHousehold(t, c);
    const card = await issueCardFor(t, c, a.id);
    const resident = (await ok(t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: card.pin } }))).token;
    const appA = await apply(c, a.id, clean.id);
    const appB = await apply(c, b.id, clean.id);
    const appB2 = await apply(c, b.id, clean.id);
    for (const app of [appA, appB, appB2]) await approve(c, app.id, 10);
    const batch = await publicise(c);
    expect((await t.call("POST", `/publicity/${batch.id}/objections`, { body: { applicationId: appB.id, reason: "x" } })).status).toBe(401);
    expect((await t.call("POST", `/publicity/${batch.id}/objections`, { token: resident, body: { applicationId: "nope", reason: "不属实" } })).status).toBe(404);
    const o1 = await ok(t.call("POST", `/publicity/${batch.id}/objections`, { token: resident, body: { applicationId: appB.id, reason: "那天没看到他打扫" } }), 201);
    expect(o1.status).toBe("open");
    const o2 = await ok(t.call("POST", `/publicity/${batch.id}/objections`, { token: c.tokens.volunteer, body: { applicationId: appB2.id, reason: "重复申报" } }), 201);
    expect((await ok(t.call("GET", `/publicity/${batch.id}`))).items.filter((i: any) => i.status === "objected")).toHaveLength(2);
    const mine = await ok(t.call("GET", "/objections", { token: resident }));
    expect(mine.items.map((o: any) => o.id)).toEqual([o1.id]);
    expect(mine.items[0].item.householdNo).toBe("");
    t.clock.advanceHours(1);
    const late = await t.call("POST", `/publicity/${batch.id}/objections`, { token: resident, body: { applicationId: appA.id, reason: "x" } });
    expect(late.body.error.code).toBe("PUBLICITY_CLOSED");
    const first = await topUp(c, batch.id);
    expect(first).toMatchObject({ credited: 1, points: 10, heldBack: 2 });
    expect(await accountOf(t.db, b.id)).toEqual({ balance: 0, score: 0 });
    expect((await t.call("POST", `/objections/${o1.id}/resolve`, { token: c.tokens.admin, body: { upheld: true, note: "x" } })).status).toBe(403);
    await ok(t.call("POST", `/objections/${o1.id}/resolve`, { token: c.tokens.reviewer, body: { upheld: true, note: "经核实未参加" } }));
    const twice = await t.call("POST", `/objections/${o1.id}/resolve`, { token: c.tokens.reviewer, body: { upheld: false, note: "x" } });
    expect(twice.body.error.code).toBe("ALREADY_DECIDED");
    await ok(t.call("POST", `/objections/${o2.id}/resolve`, { token: c.tokens.reviewer2, body: { upheld: false, note: "不是重复" } }));
    const second = await topUp(c, batch.id);
    expect(second).toMatchObject({ credited: 1, points: 10, heldBack: 0 });
    expect(await accountOf(t.db, b.id)).toEqual({ balance: 10, score: 10 });
    expect((await ok(t.call("GET", `/applications/${appB.id}`, { token: c.tokens.admin }))).status).toBe("cancelled");
    const cancellation = await t.db.all<any>(sql`SELECT r.entry_kind, r.points, o.register_no AS corrects FROM register_entries r JOIN register_entries o ON o.id = r.corrects_entry_id WHERE r.application_id = ${appB.id} AND r.entry_kind = 'cancellation'`);
    expect(cancellation).toEqual([{ entry_kind: "cancellation", points: 10, corrects: 2 }]);
    // Contract change: nothing left → the latest top-up, 200, no new row (was a 201 with credited 0).
    expect(await topUp(c, batch.id, 200)).toMatchObject({ id: second.id, credited: 1, alreadyCredited: true });
    await t.ledgerOk(c.communityId);
  });

  it("tops up ended batches on schedule where the settings ask for it, once", async () => {
    const { c, clean } = await community();
    const h = await addHousehold(t, c);
    await approve(c, (await apply(c, h.id, clean.id)).id, 12);
    await publicise(c);
    t.clock.advanceHours(2);
    expect(await runScheduledJobs(t.db, t.clock)).toEqual({ toppedUp: 0, pointsExpired: 0 });
    expect(await accountOf(t.db, h.id)).toEqual({ balance: 0, score: 0 });
    await ok(t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { autoTopUp: true } }));
    expect(await runScheduledJobs(t.db, t.clock)).toEqual({ toppedUp: 1, pointsExpired: 0 });
    expect(await runScheduledJobs(t.db, t.clock)).toEqual({ toppedUp: 0, pointsExpired: 0 });
    expect(await accountOf(t.db, h.id)).toEqual({ balance: 12, score: 12 });
    const audit = await t.db.all<any>(sql`SELECT actor FROM audit_log WHERE action = 'topup.run'`);
    expect(audit).toEqual([{ actor: "system" }]);
  });

  it("spends topped-up points at the shop and the ledger still holds", async () => {
    const { c, clean } = await community();
    const h = await addHousehold(t, c);
    const card = await issueCardFor(t, c, h.id);
    await approve(c, (await apply(c, h.id, clean.id)).id, 20);
    const batch = await publicise(c);
    t.clock.advanceHours(1);
    await topUp(c, batch.id);
    const goods = await ok(t.call("POST", "/goods", { token: c.tokens.admin, body: { shopId: c.shopId, name: "香皂", points: 6, stock: 5 } }), 201);
    const receipt = await ok(t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": "k1" }, body: { qr: card.qr, items: [{ goodsId: goods.id, quantity: 3 }] } }), 201);
    expect(receipt).toMatchObject({ total: 18, balanceAfter: 2 });
    await grantPoints(t.db, c.communityId, h.id, 1);
    const check = await ok(t.call("GET", "/ledger/check", { token: c.tokens.admin }));
    expect(check).toMatchObject({ ok: true, sumOfBalances: 0, issued: 20, redeemed: 18, outstanding: 3 });
  });
});

describe("settings", () => {
  it("lets the admin change settings within limits, audited; others only read them", async () => {
    const c = await t.newCommunity();
    const current = await ok(t.call("GET", "/community/settings", { token: c.tokens.clerk }));
    expect(current).toMatchObject({ publicityDays: 5, minPublicityHours: 72, pinThreshold: 50, dailyRedemptionCap: null, autoTopUp: false });
    for (const body of [{ publicityDays: 0 }, { minPublicityHours: 721 }, { pinThreshold: -1 }, { publicityDays: "5" }, { color: "red" }, { dailyRedemptionCap: 0 }]) {
      const res = await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.call("PATCH", "/community/settings", { token: c.tokens.reviewer, body: { publicityDays: 3 } })).status).toBe(403);
    const updated = await ok(t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { publicityDays: 3, dailyRedemptionCap: 200 } }));
    expect(updated).toMatchObject({ publicityDays: 3, dailyRedemptionCap: 200 });
    const audit = await ok(t.call("GET", "/audit", { token: c.tokens.admin }));
    expect(JSON.stringify(audit.items)).toContain("settings.update");
  });
});
