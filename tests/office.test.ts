/**
 * The procedures as an office runs them (issue 13 items 1–2, issue 9 item 3): one deed, one
 * application; every open batch keeps its own window; a top-up preview that writes nothing and
 * repeats that write no empty rows; the deployment's publicity floor.
 */
import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { parseEnv } from "../api/process-env";
import { accountOf, addHousehold, countRows, grantPoints } from "./support/fixtures";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

let t: TestApp;
afterEach(() => t?.close());

async function ok<T = any>(res: Promise<{ status: number; body: any }>, status = 200): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body as T;
}

const hour = 3_600_000;
const codes = new WeakMap<TestCommunity, string>();

async function newCommunity(): Promise<TestCommunity> {
  const code = `O${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
  const c = await t.newCommunity(code);
  codes.set(c, code.toLowerCase());
  return c;
}

/** Moves the clock on and signs every staff member in again (staff sessions idle out after 12 hours). */
async function later(c: TestCommunity, hours: number) {
  t.clock.advanceHours(hours);
  for (const name of Object.keys(c.tokens) as Array<keyof TestCommunity["tokens"]>) c.tokens[name] = await t.login(`${name}-${codes.get(c)}`);
}

/** A community with an award and a penalty rule and a published activity notice for the award. */
async function community(floorHours = 0) {
  t = await createTestApp({ publicityFloorHours: floorHours });
  const c = await newCommunity();
  await ok(t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { minPublicityHours: floorHours } }));
  const clean = await ok(t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "environment", title: "打扫楼道", kind: "award", minPoints: 5, maxPoints: 20 } }), 201);
  const litter = await ok(t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "penalty", title: "乱扔垃圾", kind: "penalty", minPoints: 2, maxPoints: 10 } }), 201);
  const notice = await ok(t.call("POST", "/notices", { token: c.tokens.admin, body: { title: "周六大扫除", body: "9点集合", ruleIds: [clean.id] } }), 201);
  await ok(t.call("POST", `/notices/${notice.id}/publish`, { token: c.tokens.admin }));
  return { c, clean, litter, notice };
}

function apply(c: TestCommunity, body: Record<string, unknown>, token = c.tokens.volunteer) {
  return t.call("POST", "/applications", { token, body: { description: "参加大扫除", ...body } });
}

async function approve(c: TestCommunity, id: string, points?: number) {
  return ok(t.call("POST", `/applications/${id}/certify`, { token: c.tokens.reviewer, body: { decision: "approve", ...(points ? { points } : {}) } }));
}

async function publicise(c: TestCommunity, hours: number) {
  return ok(t.call("POST", "/publicity", { token: c.tokens.admin, body: { endsAt: new Date(t.clock.now().getTime() + hours * hour).toISOString() } }), 201);
}

describe("one deed, one application", () => {
  it("refuses a second application for the same notice, rule and member (or household), naming the first", async () => {
    const { c, clean, notice } = await community();
    const h = await addHousehold(t, c, { members: [{ name: "张三", relation: "户主" }, { name: "张小三", relation: "子" }] });
    const other = await addHousehold(t, c);
    const first = await ok(apply(c, { householdId: h.id, memberId: h.members[0].id, ruleId: clean.id, noticeId: notice.id }), 201);
    const again = await apply(c, { householdId: h.id, memberId: h.members[0].id, ruleId: clean.id, noticeId: notice.id });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "DUPLICATE_APPLICATION", message: expect.stringContaining("不能重复申请"), details: { applicationId: first.id } });
    const english = await t.call("POST", "/applications", {
      token: c.tokens.admin,
      headers: { "accept-language": "en" },
      body: { householdId: h.id, memberId: h.members[0].id, ruleId: clean.id, noticeId: notice.id, description: "again" },
    });
    expect(english.status).toBe(409);
    expect(english.body.error.message).toContain("cannot apply twice");
    // Another member of the household, another household, and the household itself (no member) are other deeds.
    await ok(apply(c, { householdId: h.id, memberId: h.members[1].id, ruleId: clean.id, noticeId: notice.id }), 201);
    await ok(apply(c, { householdId: other.id, ruleId: clean.id, noticeId: notice.id }), 201);
    const household = await ok(apply(c, { householdId: h.id, ruleId: clean.id, noticeId: notice.id }), 201);
    const householdAgain = await apply(c, { householdId: h.id, ruleId: clean.id, noticeId: notice.id });
    expect(householdAgain.body.error).toMatchObject({ code: "DUPLICATE_APPLICATION", details: { applicationId: household.id } });
    expect(await countRows(t.db, "applications")).toBe(4);
    expect(await countRows(t.db, "audit_log", sql`action = 'application.submit'`)).toBe(4);
  });

  it("keeps one of two identical submissions sent at once", async () => {
    const { c, clean, notice } = await community();
    const households = [await addHousehold(t, c), await addHousehold(t, c), await addHousehold(t, c)];
    const results = await Promise.all(
      households.flatMap((h) => [0, 1, 2].map(() => apply(c, { householdId: h.id, ruleId: clean.id, noticeId: notice.id }))),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(6);
    const firsts = new Set(results.filter((r) => r.status === 201).map((r) => r.body.id));
    for (const r of refused) {
      expect(r.body.error.code).toBe("DUPLICATE_APPLICATION");
      expect(firsts.has(r.body.error.details.applicationId)).toBe(true);
    }
    expect(await countRows(t.db, "applications")).toBe(3);
    expect(await countRows(t.db, "application_events")).toBe(3);
  });

  it("lets a deed be applied for again once its application was rejected or cancelled by an upheld objection", async () => {
    const { c, clean, notice } = await community();
    const h = await addHousehold(t, c);
    const first = await ok(apply(c, { householdId: h.id, ruleId: clean.id, noticeId: notice.id }), 201);
    await ok(t.call("POST", `/applications/${first.id}/certify`, { token: c.tokens.reviewer, body: { decision: "reject", reason: "照片看不清" } }));
    const second = await ok(apply(c, { householdId: h.id, ruleId: clean.id, noticeId: notice.id }), 201);
    // Registered, publicised and credited applications keep holding the deed.
    await approve(c, second.id);
    expect((await apply(c, { householdId: h.id, ruleId: clean.id, noticeId: notice.id })).body.error.details.applicationId).toBe(second.id);
    const batch = await publicise(c, 1);
    expect((await apply(c, { householdId: h.id, ruleId: clean.id, noticeId: notice.id })).status).toBe(409);
    const objection = await ok(t.call("POST", `/publicity/${batch.id}/objections`, { token: c.tokens.volunteer, body: { applicationId: second.id, reason: "当天不在" } }), 201);
    await ok(t.call("POST", `/objections/${objection.id}/resolve`, { token: c.tokens.reviewer, body: { upheld: true, note: "核实不在" } }));
    const third = await ok(apply(c, { householdId: h.id, ruleId: clean.id, noticeId: notice.id }), 201);
    await approve(c, third.id);
    await publicise(c, 1);
    t.clock.advanceHours(1);
    for (const b of (await ok(t.call("GET", "/publicity", { token: c.tokens.admin }))).items) await t.call("POST", "/topups", { token: c.tokens.admin, body: { publicityId: b.id } });
    expect(await accountOf(t.db, h.id)).toEqual({ balance: 5, score: 5 });
    expect((await apply(c, { householdId: h.id, ruleId: clean.id, noticeId: notice.id })).body.error.details.applicationId).toBe(third.id);
  });

  it("keys only the first of older duplicates when migration 0005 runs, so the index holds and the rest are marked", async () => {
    const { c, clean, notice } = await community();
    const h = await addHousehold(t, c);
    const deed = { householdId: h.id, memberId: h.members[0].id, ruleId: clean.id, noticeId: notice.id };
    // Two live applications for one deed, as the data may hold them from before the index.
    const older = await ok(apply(c, deed), 201);
    await t.db.run(sql`UPDATE applications SET deed_key = NULL`);
    t.clock.advanceHours(0.1);
    const newer = await ok(apply(c, deed), 201);
    await approve(c, older.id);
    await t.db.run(sql`UPDATE applications SET deed_key = NULL`);
    const migration = readFileSync(new URL("../db/migrations/0005_one_deed_one_application.sql", import.meta.url), "utf8");
    const backfill = migration.split("--> statement-breakpoint").find((part) => part.includes("UPDATE `applications`"));
    expect(backfill).toBeTruthy();
    await t.db.run(sql.raw(backfill!));
    const keys = await t.db.all<{ id: string; deed_key: string | null }>(sql`SELECT id, deed_key FROM applications ORDER BY created_at`);
    expect(keys).toEqual([
      { id: older.id, deed_key: `${notice.id}:${clean.id}:m:${h.members[0].id}` },
      { id: newer.id, deed_key: null },
    ]);
    const again = await apply(c, deed);
    expect(again.body.error).toMatchObject({ code: "DUPLICATE_APPLICATION", details: { applicationId: older.id } });
    const queue = await ok(t.call("GET", "/applications", { token: c.tokens.reviewer }));
    expect(queue.items.map((a: any) => [a.id, a.likelyDuplicateOf])).toEqual([
      [newer.id, [older.id]],
      [older.id, [newer.id]],
    ]);
  });

  it("marks likely duplicates in the reviewer's queue: same household, rule and China day without a notice", async () => {
    const { c, clean, litter, notice } = await community();
    const h = await addHousehold(t, c, { members: [{ name: "李四", relation: "户主" }] });
    const other = await addHousehold(t, c);
    // 2026-11-02T02:00Z is 10:00 in China; 13:30Z is 21:30 the same China day; 16:30Z is 00:30 the next.
    expect(t.clock.now().toISOString()).toBe("2026-11-02T02:00:00.000Z");
    const morning = await ok(apply(c, { householdId: h.id, ruleId: clean.id }), 201);
    const otherRule = await ok(apply(c, { householdId: h.id, ruleId: litter.id }), 201);
    const otherHousehold = await ok(apply(c, { householdId: other.id, ruleId: clean.id }), 201);
    await later(c, 11.5);
    const evening = await ok(apply(c, { householdId: h.id, ruleId: clean.id }), 201);
    await later(c, 3);
    const nextDay = await ok(apply(c, { householdId: h.id, ruleId: clean.id }), 201);
    // Answering a notice: the household and its member for the same notice and rule look alike.
    const byMember = await ok(apply(c, { householdId: h.id, memberId: h.members[0].id, ruleId: clean.id, noticeId: notice.id }), 201);
    const byHousehold = await ok(apply(c, { householdId: h.id, ruleId: clean.id, noticeId: notice.id }), 201);

    const queue = await ok(t.call("GET", "/applications?status=submitted", { token: c.tokens.reviewer }));
    const marks = Object.fromEntries(queue.items.map((a: any) => [a.id, [...a.likelyDuplicateOf].sort()]));
    expect(marks[morning.id]).toEqual([evening.id]);
    expect(marks[evening.id]).toEqual([morning.id]);
    expect(marks[nextDay.id]).toEqual([]);
    expect(marks[otherRule.id]).toEqual([]);
    expect(marks[otherHousehold.id]).toEqual([]);
    expect(marks[byMember.id]).toEqual([byHousehold.id]);
    expect(marks[byHousehold.id]).toEqual([byMember.id]);
    expect((await ok(t.call("GET", `/applications/${morning.id}`, { token: c.tokens.reviewer }))).likelyDuplicateOf).toEqual([evening.id]);

    // Rejecting one of the pair clears the mark on the other.
    await ok(t.call("POST", `/applications/${evening.id}/certify`, { token: c.tokens.reviewer, body: { decision: "reject", reason: "重复申报" } }));
    const after = await ok(t.call("GET", `/applications/${morning.id}`, { token: c.tokens.reviewer }));
    expect(after.likelyDuplicateOf).toEqual([]);
  });
});

describe("every open batch keeps its window", () => {
  it("takes objections on two open batches until each one's own end, and credits the older at its end", async () => {
    const { c, clean } = await community();
    const [a, b] = [await addHousehold(t, c), await addHousehold(t, c)];
    const older = await ok(apply(c, { householdId: a.id, ruleId: clean.id }), 201);
    const olderToo = await ok(apply(c, { householdId: b.id, ruleId: clean.id }), 201);
    await approve(c, older.id, 10);
    await approve(c, olderToo.id, 6);
    const first = await publicise(c, 48);
    await later(c, 1);
    const newer = await ok(apply(c, { householdId: b.id, ruleId: clean.id, description: "第二批" }), 201);
    await approve(c, newer.id, 7);
    const second = await publicise(c, 96);

    const board = await ok(t.call("GET", "/publicity/current"));
    expect(board.batches.map((x: any) => [x.id, x.endsAt, x.status])).toEqual([
      [second.id, second.endsAt, "open"],
      [first.id, first.endsAt, "open"],
    ]);
    expect(board.items.map((i: any) => [i.applicationId, i.batchId, i.batchEndsAt])).toEqual([
      [newer.id, second.id, second.endsAt],
      [older.id, first.id, first.endsAt],
      [olderToo.id, first.id, first.endsAt],
    ]);
    // The one-batch fields stay, naming the newest open batch.
    expect(board).toMatchObject({ id: second.id, startsAt: second.startsAt, endsAt: second.endsAt, status: "open" });
    expect(JSON.stringify(board)).not.toContain(a.id);

    await ok(t.call("POST", `/publicity/${first.id}/objections`, { token: c.tokens.volunteer, body: { applicationId: olderToo.id, reason: "核实一下" } }), 201);
    await ok(t.call("POST", `/publicity/${second.id}/objections`, { token: c.tokens.volunteer, body: { applicationId: newer.id, reason: "核实一下" } }), 201);
    for (const o of (await ok(t.call("GET", "/objections?status=open", { token: c.tokens.reviewer }))).items) {
      await ok(t.call("POST", `/objections/${o.id}/resolve`, { token: c.tokens.reviewer, body: { upheld: false, note: "属实" } }));
    }

    await later(c, 47); // the first batch's end
    const late = await t.call("POST", `/publicity/${first.id}/objections`, { token: c.tokens.volunteer, body: { applicationId: older.id, reason: "晚了" } });
    expect(late.body.error.code).toBe("PUBLICITY_CLOSED");
    await ok(t.call("POST", `/publicity/${second.id}/objections`, { token: c.tokens.volunteer, body: { applicationId: newer.id, reason: "还在公示期" } }), 201);
    const credited = await ok(t.call("POST", "/topups", { token: c.tokens.admin, body: { publicityId: first.id } }), 201);
    expect(credited).toMatchObject({ credited: 2, points: 16, heldBack: 0, alreadyCredited: false });
    expect((await t.call("POST", "/topups", { token: c.tokens.admin, body: { publicityId: second.id } })).body.error.code).toBe("PUBLICITY_OPEN");
    expect(await accountOf(t.db, a.id)).toEqual({ balance: 10, score: 10 });
    expect(await accountOf(t.db, b.id)).toEqual({ balance: 6, score: 6 });
    const now = await ok(t.call("GET", "/publicity/current"));
    expect(now.batches.map((x: any) => x.id)).toEqual([second.id]);
    expect(now.items.map((i: any) => i.status)).toEqual(["objected"]);

    await later(c, 49); // past the second batch's end
    const none = await ok(t.call("GET", "/publicity/current"));
    expect(none).toMatchObject({ items: [], batches: [], id: null, startsAt: null, endsAt: null, status: null });
    await t.ledgerOk(c.communityId);
  });
});

describe("top-up preview and repeats", () => {
  it("previews what a top-up will do without writing, and the top-up then does exactly that", async () => {
    const { c, clean, litter } = await community();
    const [a, b, poor] = [await addHousehold(t, c), await addHousehold(t, c), await addHousehold(t, c)];
    await grantPoints(t.db, c.communityId, b.id, 4);
    const ids = {
      a1: (await ok(apply(c, { householdId: a.id, ruleId: clean.id }), 201)).id,
      a2: (await ok(apply(c, { householdId: a.id, ruleId: clean.id, description: "又一次" }), 201)).id,
      bPenalty: (await ok(apply(c, { householdId: b.id, ruleId: litter.id }), 201)).id,
      poorPenalty: (await ok(apply(c, { householdId: poor.id, ruleId: litter.id }), 201)).id,
      poorAward: (await ok(apply(c, { householdId: poor.id, ruleId: clean.id }), 201)).id,
      held: (await ok(apply(c, { householdId: b.id, ruleId: clean.id, description: "有异议" }), 201)).id,
    };
    await approve(c, ids.a1, 10);
    await approve(c, ids.a2, 8);
    await approve(c, ids.bPenalty, 6); // b has 4: takes 4
    await approve(c, ids.poorPenalty, 9); // poor gets 5 first in the same top-up: takes 5
    await approve(c, ids.poorAward, 5);
    await approve(c, ids.held, 12);
    const batch = await publicise(c, 1);
    await ok(t.call("POST", `/publicity/${batch.id}/objections`, { token: c.tokens.volunteer, body: { applicationId: ids.held, reason: "那天在外地" } }), 201);

    const tables = ["top_ups", "transfers", "postings", "credits", "application_events", "audit_log"];
    const counts = async () => Object.fromEntries(await Promise.all(tables.map(async (name) => [name, await countRows(t.db, name)])));
    const before = await counts();
    const early = await ok(t.call("GET", `/topups/preview?publicityId=${batch.id}`, { token: c.tokens.admin }));
    expect(early).toMatchObject({ publicityId: batch.id, status: "open", lastTopUp: null });
    t.clock.advanceHours(1);
    const preview = await ok(t.call("GET", `/topups/preview?publicityId=${batch.id}`, { token: c.tokens.admin }));
    expect(await counts()).toEqual(before);
    expect(preview).toMatchObject({ status: "closed", credited: 5, households: 3, points: 23, deducted: 9, lastTopUp: null });
    expect(preview.heldBack).toEqual([expect.objectContaining({ applicationId: ids.held, points: 12, kind: "award", objection: "那天在外地" })]);
    expect(preview.items.map((i: any) => i.applicationId)).toEqual([ids.a1, ids.a2, ids.poorAward, ids.bPenalty, ids.poorPenalty]);

    const done = await ok(t.call("POST", "/topups", { token: c.tokens.admin, body: { publicityId: batch.id } }), 201);
    expect(done).toMatchObject({ credited: preview.credited, points: preview.points, deducted: preview.deducted, heldBack: preview.heldBack.length });
    const credited = await t.db.all<{ n: number }>(sql`SELECT COUNT(DISTINCT household_id) AS n FROM credits WHERE top_up_id = ${done.id}`);
    expect(Number(credited[0].n)).toBe(preview.households);
    const after = await ok(t.call("GET", `/topups/preview?publicityId=${batch.id}`, { token: c.tokens.admin }));
    expect(after).toMatchObject({ credited: 0, points: 0, lastTopUp: { id: done.id } });

    for (const bad of ["", "?publicityId=nope"]) expect((await t.call("GET", `/topups/preview${bad}`, { token: c.tokens.admin })).status).toBeGreaterThanOrEqual(400);
    expect((await t.call("GET", `/topups/preview?publicityId=${batch.id}`, { token: c.tokens.reviewer })).status).toBe(403);
    await t.ledgerOk(c.communityId);
  });

  it("answers a repeated top-up with the earlier one (200) and writes no row; says when and by whom a batch was credited", async () => {
    const { c, clean } = await community();
    const [a, b] = [await addHousehold(t, c), await addHousehold(t, c)];
    const appA = (await ok(apply(c, { householdId: a.id, ruleId: clean.id }), 201)).id;
    const appB = (await ok(apply(c, { householdId: b.id, ruleId: clean.id }), 201)).id;
    await approve(c, appA, 10);
    await approve(c, appB, 7);
    const batch = await publicise(c, 1);
    const objection = await ok(t.call("POST", `/publicity/${batch.id}/objections`, { token: c.tokens.volunteer, body: { applicationId: appB, reason: "核实" } }), 201);
    const publicView = await ok(t.call("GET", `/publicity/${batch.id}`));
    expect(publicView).not.toHaveProperty("topUp");
    expect((await ok(t.call("GET", `/publicity/${batch.id}`, { token: c.tokens.admin }))).topUp).toBeNull();
    t.clock.advanceHours(1);

    const first = await ok(t.call("POST", "/topups", { token: c.tokens.admin, body: { publicityId: batch.id } }), 201);
    expect(first).toMatchObject({ credited: 1, points: 10, heldBack: 1, alreadyCredited: false });
    const rows = async () => [await countRows(t.db, "top_ups"), await countRows(t.db, "audit_log", sql`action = 'topup.run'`)];
    expect(await rows()).toEqual([1, 1]);
    t.clock.advanceHours(2);
    const repeats = await Promise.all([0, 1, 2].map(() => t.call("POST", "/topups", { token: c.tokens.admin, body: { publicityId: batch.id } })));
    for (const r of repeats) {
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: first.id, createdAt: first.createdAt, createdBy: first.createdBy, credited: 1, alreadyCredited: true });
    }
    expect(await rows()).toEqual([1, 1]);
    const staffView = await ok(t.call("GET", `/publicity/${batch.id}`, { token: c.tokens.reviewer }));
    expect(staffView.topUp).toEqual({ id: first.id, at: first.createdAt, by: first.createdBy, byName: "管理员", credited: 1, points: 10 });
    expect(first.createdBy).toBe(`user:${c.userIds.admin}`);
    // Another community's staff see only the public view.
    const foreign = await t.newCommunity();
    expect(await ok(t.call("GET", `/publicity/${batch.id}`, { token: foreign.tokens.admin }))).not.toHaveProperty("topUp");

    // A dismissed objection releases the held item: a new top-up credits it, then repeats answer that one.
    await ok(t.call("POST", `/objections/${objection.id}/resolve`, { token: c.tokens.reviewer, body: { upheld: false, note: "属实" } }));
    const racing = await Promise.all([0, 1, 2, 3].map(() => t.call("POST", "/topups", { token: c.tokens.admin, body: { publicityId: batch.id } })));
    const fresh = racing.filter((r) => r.status === 201);
    expect(fresh).toHaveLength(1);
    expect(fresh[0].body).toMatchObject({ credited: 1, points: 7, heldBack: 0, alreadyCredited: false });
    for (const r of racing.filter((x) => x.status !== 201)) expect(r).toMatchObject({ status: 200, body: { id: fresh[0].body.id, alreadyCredited: true } });
    expect(await rows()).toEqual([2, 2]);
    expect((await ok(t.call("GET", `/publicity/${batch.id}`, { token: c.tokens.admin }))).topUp.id).toBe(fresh[0].body.id);
    // The list of batches says the same to staff, and nothing of it to the public.
    const listed = (await ok(t.call("GET", "/publicity", { token: c.tokens.admin }))).items;
    expect(listed.map((b: any) => [b.id, b.topUp?.id, b.topUp?.byName])).toEqual([[batch.id, fresh[0].body.id, "管理员"]]);
    const code = (await ok(t.call("GET", "/community/settings", { token: c.tokens.admin }))).code;
    expect((await ok(t.call("GET", `/publicity?community=${code}`))).items[0]).not.toHaveProperty("topUp");
    expect(await accountOf(t.db, b.id)).toEqual({ balance: 7, score: 7 });
    await t.ledgerOk(c.communityId);
  });

  it("writes one row for a batch whose first top-up finds everything held back, and none for its repeats", async () => {
    const { c, clean } = await community();
    const h = await addHousehold(t, c);
    const app = (await ok(apply(c, { householdId: h.id, ruleId: clean.id }), 201)).id;
    await approve(c, app);
    const batch = await publicise(c, 1);
    await ok(t.call("POST", `/publicity/${batch.id}/objections`, { token: c.tokens.volunteer, body: { applicationId: app, reason: "核实" } }), 201);
    t.clock.advanceHours(1);
    const results = await Promise.all([0, 1, 2].map(() => t.call("POST", "/topups", { token: c.tokens.admin, body: { publicityId: batch.id } })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    const first = results.find((r) => r.status === 201)!.body;
    expect(first).toMatchObject({ credited: 0, heldBack: 1 });
    for (const r of results.filter((x) => x.status === 200)) expect(r.body.id).toBe(first.id);
    expect(await countRows(t.db, "top_ups")).toBe(1);
  });
});

describe("the publicity floor", () => {
  it("reads PUBLICITY_FLOOR_HOURS from the environment: 24 by default, 0 allowed, nothing negative", () => {
    expect(parseEnv({}).PUBLICITY_FLOOR_HOURS).toBe(24);
    expect(parseEnv({ PUBLICITY_FLOOR_HOURS: "0" }).PUBLICITY_FLOOR_HOURS).toBe(0);
    expect(parseEnv({ PUBLICITY_FLOOR_HOURS: "72" }).PUBLICITY_FLOOR_HOURS).toBe(72);
    for (const bad of ["-1", "1.5", "721", "day"]) expect(() => parseEnv({ PUBLICITY_FLOOR_HOURS: bad }), bad).toThrow(/PUBLICITY_FLOOR_HOURS/);
  });

  it("refuses minPublicityHours and publicityDays below the floor, naming the field, and audits every change", async () => {
    t = await createTestApp({ publicityFloorHours: 48 });
    const c = await newCommunity();
    const settings = await ok(t.call("GET", "/community/settings", { token: c.tokens.clerk }));
    expect(settings).toMatchObject({ minPublicityHours: 72, publicityFloorHours: 48 });
    const audits = () => countRows(t.db, "audit_log", sql`action = 'settings.update'`);
    for (const [body, field] of [
      [{ minPublicityHours: 0 }, "minPublicityHours"],
      [{ minPublicityHours: 47 }, "minPublicityHours"],
      [{ publicityDays: 1 }, "publicityDays"],
      [{ publicityDays: 5, minPublicityHours: 2 }, "minPublicityHours"],
    ] as const) {
      const res = await t.call("PATCH", "/community/settings", { token: c.tokens.admin, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(Object.keys(res.body.error.details.fields)).toEqual([field]);
      expect(res.body.error.details.publicityFloorHours).toBe(48);
    }
    expect(await audits()).toBe(0);
    expect((await ok(t.call("GET", "/community/settings", { token: c.tokens.admin }))).minPublicityHours).toBe(72);

    await ok(t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { minPublicityHours: 48, publicityDays: 2 } }));
    await ok(t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { pinThreshold: 80 } }));
    await ok(t.call("PATCH", "/community/settings", { token: c.tokens.admin, body: { pinThreshold: 80 } })); // no change: nothing to audit
    const rows = await t.db.all<{ actor: string; details: string }>(sql`SELECT actor, details FROM audit_log WHERE action = 'settings.update' ORDER BY seq`);
    expect(rows.map((r) => JSON.parse(r.details))).toEqual([
      { before: { minPublicityHours: 72, publicityDays: 5 }, after: { minPublicityHours: 48, publicityDays: 2 } },
      { before: { pinThreshold: 50 }, after: { pinThreshold: 80 } },
    ]);
    expect(rows.every((r) => r.actor === `user:${c.userIds.admin}`)).toBe(true);
  });

  it("refuses a publicity window shorter than the floor, even where the community's own minimum is lower", async () => {
    t = await createTestApp({ publicityFloorHours: 24 });
    const c = await newCommunity();
    const rule = await ok(t.call("POST", "/rules", { token: c.tokens.admin, body: { category: "environment", title: "打扫楼道", kind: "award", minPoints: 5, maxPoints: 20 } }), 201);
    const h = await addHousehold(t, c);
    await approve(c, (await ok(apply(c, { householdId: h.id, ruleId: rule.id }), 201)).id);
    // A setting written before the floor existed (or by hand) does not lower it.
    await t.db.run(sql`UPDATE communities SET min_publicity_hours = 0, publicity_days = 1 WHERE id = ${c.communityId}`);
    const now = t.clock.now().getTime();
    for (const hours of [0.001, 1, 23.9]) {
      const res = await t.call("POST", "/publicity", { token: c.tokens.admin, body: { endsAt: new Date(now + hours * hour).toISOString() } });
      expect(res.status, String(hours)).toBe(400);
      expect(res.body.error).toMatchObject({ code: "PUBLICITY_TOO_SHORT", details: { minPublicityHours: 24, publicityFloorHours: 24, earliestEndsAt: new Date(now + 24 * hour).toISOString() } });
      expect(res.body.error.details.fields.endsAt).toBeTruthy();
    }
    expect(await countRows(t.db, "publicity_batches")).toBe(0);
    const batch = await ok(t.call("POST", "/publicity", { token: c.tokens.admin, body: { endsAt: new Date(now + 24 * hour).toISOString() } }), 201);
    expect(batch.items).toHaveLength(1);
    // With no endsAt the window is publicityDays long, and never shorter than the floor.
    await t.db.run(sql`UPDATE communities SET publicity_days = 1 WHERE id = ${c.communityId}`);
    await approve(c, (await ok(apply(c, { householdId: h.id, ruleId: rule.id, description: "再一次" }), 201)).id);
    const byDefault = await ok(t.call("POST", "/publicity", { token: c.tokens.admin, body: {} }), 201);
    expect(Date.parse(byDefault.endsAt) - now).toBe(24 * hour);
  });
});
