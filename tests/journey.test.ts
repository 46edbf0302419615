/**
 * The journey of ../shared/API.md over real HTTP, with the same assertions on both deployments:
 * the Node server on an embedded libSQL file and the worker in workerd on local D1. Each target
 * starts empty (only the community and its admin) and the suite builds everything through the
 * API, then walks an award and a penalty through all seven procedures, retries and races
 * top-ups and redemptions, and checks the ledger after every step that moves points.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiResponse } from "./support/harness";
import type { Target } from "../scripts/lib/server-target";
import { targets } from "./support/targets";

const password = "journey-password-2026";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(targets)("the seven procedures on $name", ({ start }) => {
  let target: Target;
  const token: Record<string, string> = {};
  let shopId = "";
  const rule: Record<string, any> = {};
  const hh: Record<"a" | "b" | "c", { id: string; memberId: string; cardNo: string; qr: string }> = {} as never;
  let residentA = "";
  const goods: Record<string, any> = {};
  let batchId = "";
  let objectedApp = "";

  async function call(method: string, path: string, who: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    return target.call(method, path, { token: who ? (token[who] ?? who) : null, body, headers });
  }
  async function ok(method: string, path: string, who: string | null, body?: unknown, status = method === "POST" ? 201 : 200, headers: Record<string, string> = {}) {
    const res = await call(method, path, who, body, headers);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  async function balance(key: "a" | "b" | "c") {
    const h = await ok("GET", `/households/${hh[key].id}`, "admin");
    return { balance: h.balance, score: h.score };
  }
  async function ledgerOk() {
    const check = await ok("GET", "/ledger/check", "admin");
    expect(check.ok, JSON.stringify(check)).toBe(true);
    expect(check.sumOfBalances).toBe(0);
    return check;
  }

  /**
   * The journey's steps build on each other (a top-up needs the batch the step before opened), so
   * each test runs every earlier step that has not run yet, in order, then its own: the tests
   * pass in any order vitest picks, and each step's assertions run exactly once. A failed step
   * is run (and fails) again by every test after it.
   */
  const steps: Array<() => Promise<void>> = [];
  let stepsRun = 0;
  function step(name: string, run: () => Promise<void>) {
    const index = steps.push(run) - 1;
    it(name, async () => {
      while (stepsRun <= index) {
        await steps[stepsRun]();
        stepsRun += 1;
      }
    }, 120_000);
  }

  beforeAll(async () => {
    target = await start();
    token.admin = (await ok("POST", "/auth/login", null, { username: "admin", password: target.adminPassword }, 200)).token;
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  });

  step("sets up a community: settings, shop, staff, rules, a published notice, households with cards", async () => {
    const settings = await ok("PATCH", "/community/settings", "admin", { minPublicityHours: 0, pinThreshold: 30 });
    expect(settings).toMatchObject({ minPublicityHours: 0, pinThreshold: 30 });
    shopId = (await ok("POST", "/shops", "admin", { name: "双扶驿站便民超市" })).id;
    for (const [username, role] of [["reviewer", "reviewer"], ["reviewer2", "reviewer"], ["volunteer", "volunteer"], ["clerk", "clerk"]] as const) {
      await ok("POST", "/users", "admin", { username: `${username}-j`, password, name: username, role, ...(role === "clerk" ? { shopId } : {}) });
      token[username] = (await ok("POST", "/auth/login", null, { username: `${username}-j`, password }, 200)).token;
    }
    rule.clean = await ok("POST", "/rules", "admin", { category: "environment", title: "打扫楼道", kind: "award", minPoints: 5, maxPoints: 50 });
    rule.help = await ok("POST", "/rules", "admin", { category: "neighbour", title: "照顾独居老人", kind: "award", minPoints: 10, maxPoints: 30 });
    rule.litter = await ok("POST", "/rules", "admin", { category: "penalty", title: "乱扔垃圾", kind: "penalty", minPoints: 5, maxPoints: 20 });
    const notice = await ok("POST", "/notices", "admin", { title: "周六12号楼大扫除", body: "9点集合，每人5分起", ruleIds: [rule.clean.id] });
    await ok("POST", `/notices/${notice.id}/publish`, "admin", undefined, 200);
    rule.notice = notice;
    for (const [key, no, head, building] of [["a", "J-001", "张三华", "12号楼"], ["b", "J-002", "李秀英", "12号楼"], ["c", "J-003", "王建国", "15号楼"]] as const) {
      const h = await ok("POST", "/households", "admin", { householdNo: no, headName: head, building, room: "101", phone: "13800000000", members: [{ name: head, relation: "户主" }] });
      const card = await ok("POST", `/households/${h.id}/card`, "admin", { pin: "2468" });
      hh[key] = { id: h.id, memberId: h.members[0].id, cardNo: card.cardNo, qr: card.qr };
    }
    residentA = (await ok("POST", "/auth/card-login", null, { cardNo: hh.a.cardNo, pin: "2468" }, 200)).token;
    token.residentA = residentA;
  });

  step("walks an award and a penalty through apply, certify and register, with register numbers in order", async () => {
    const own = await ok("POST", "/applications", "residentA", { householdId: hh.a.id, memberId: hh.a.memberId, ruleId: rule.clean.id, noticeId: rule.notice.id, description: "打扫了12号楼2单元楼道" });
    expect(own.status).toBe("submitted");
    expect((await call("POST", "/applications", "residentA", { householdId: hh.b.id, ruleId: rule.clean.id, description: "x" })).status).toBe(403);
    const forB = await ok("POST", "/applications", "volunteer", { householdId: hh.b.id, ruleId: rule.help.id, description: "每天给独居老人送饭" });
    const forC = await ok("POST", "/applications", "volunteer", { householdId: hh.c.id, ruleId: rule.clean.id, description: "参加大扫除" });
    const penalty = await ok("POST", "/applications", "volunteer", { householdId: hh.c.id, ruleId: rule.litter.id, description: "从楼上往下扔垃圾" });
    const rejected = await ok("POST", "/applications", "volunteer", { householdId: hh.b.id, ruleId: rule.clean.id, description: "无照片" });
    expect((await call("POST", `/applications/${forB.id}/certify`, "volunteer", { decision: "approve" })).status).toBe(403);
    const out = await call("POST", `/applications/${own.id}/certify`, "reviewer", { decision: "approve", points: 51 });
    expect(out.body.error.code).toBe("POINTS_OUT_OF_RANGE");
    expect(await ok("POST", `/applications/${own.id}/certify`, "reviewer", { decision: "approve", points: 50 }, 200)).toMatchObject({ status: "registered", registerNo: 1, points: 50 });
    expect(await ok("POST", `/applications/${forB.id}/certify`, "reviewer2", { decision: "approve", points: 30 }, 200)).toMatchObject({ registerNo: 2 });
    expect(await ok("POST", `/applications/${forC.id}/certify`, "reviewer", { decision: "approve" }, 200)).toMatchObject({ registerNo: 3, points: 5 });
    expect(await ok("POST", `/applications/${penalty.id}/certify`, "reviewer", { decision: "approve", points: 20 }, 200)).toMatchObject({ registerNo: 4, points: 20, kind: "penalty" });
    expect(await ok("POST", `/applications/${rejected.id}/certify`, "reviewer", { decision: "reject", reason: "没有照片" }, 200)).toMatchObject({ status: "rejected", registerNo: null });
    const again = await call("POST", `/applications/${own.id}/certify`, "reviewer2", { decision: "reject", reason: "x" });
    expect(again.status).toBe(409);
    objectedApp = forB.id;
    const mine = await ok("GET", "/applications", "residentA");
    expect(mine.items.map((a: any) => a.id)).toEqual([own.id]);
  });

  step("publicises the registered items on a public board with masked names, and takes an objection", async () => {
    const batch = await ok("POST", "/publicity", "admin", { endsAt: new Date(Date.now() + 2500).toISOString() });
    batchId = batch.id;
    expect(batch.items).toHaveLength(4);
    const board = await ok("GET", "/publicity/current", null);
    expect(board.id).toBe(batchId);
    expect(board.items.map((i: any) => [i.registerNo, i.name, i.building, i.points, i.kind])).toEqual([
      [1, "张*华", "12号楼", 50, "award"],
      [2, "李*英", "12号楼", 30, "award"],
      [3, "王*国", "15号楼", 5, "award"],
      [4, "王*国", "15号楼", 20, "penalty"],
    ]);
    const text = JSON.stringify(board);
    for (const secret of ["13800000000", hh.a.cardNo, hh.a.id, "张三华", "J-001"]) expect(text).not.toContain(secret);
    const objection = await ok("POST", `/publicity/${batchId}/objections`, "residentA", { applicationId: objectedApp, reason: "那几天她不在家" });
    expect(objection.status).toBe("open");
    expect((await call("POST", "/topups", "admin", { publicityId: batchId })).body.error.code).toBe("PUBLICITY_OPEN");
  });

  step("tops up once the window ends: awards first, the penalty takes what is there, the objected item waits", async () => {
    await sleep(2600);
    const late = await call("POST", `/publicity/${batchId}/objections`, "residentA", { applicationId: objectedApp, reason: "x" });
    expect(late.body.error.code).toBe("PUBLICITY_CLOSED");
    const [first, retry] = await Promise.all([call("POST", "/topups", "admin", { publicityId: batchId }), call("POST", "/topups", "admin", { publicityId: batchId })]);
    const credited = [first, retry].filter((r) => r.status === 201).reduce((sum, r) => sum + r.body.credited, 0);
    expect(credited).toBe(3);
    // A retry that finds everything credited answers that top-up (200) and writes nothing.
    expect([first, retry].every((r) => r.status === 201 || r.status === 200 || r.status === 409)).toBe(true);
    expect(await balance("a")).toEqual({ balance: 50, score: 50 });
    expect(await balance("b")).toEqual({ balance: 0, score: 0 });
    expect(await balance("c")).toEqual({ balance: 0, score: -15 });
    await ledgerOk();
    const objections = await ok("GET", "/objections?status=open", "reviewer");
    expect(objections.items).toHaveLength(1);
    await ok("POST", `/objections/${objections.items[0].id}/resolve`, "reviewer", { upheld: false, note: "邻居证明属实" }, 200);
    const released = await ok("POST", "/topups", "admin", { publicityId: batchId });
    expect(released).toMatchObject({ credited: 1, points: 30, heldBack: 0 });
    // Contract change (issue 9): a repeat with nothing left answers the latest top-up, 200, and writes no row.
    expect(await ok("POST", "/topups", "admin", { publicityId: batchId }, 200)).toMatchObject({ id: released.id, credited: 1, alreadyCredited: true });
    expect(await balance("b")).toEqual({ balance: 30, score: 30 });
    const summary = await ok("GET", "/reports/summary", "admin");
    expect(summary).toMatchObject({ households: 3, participatingHouseholds: 3, participationRate: 1, pointsAwarded: 85, pointsDeducted: 5, pointsRedeemed: 0, pointsOutstanding: 80 });
    await ledgerOk();
  });

  step("redeems once per Idempotency-Key, needs the PIN over the threshold, and refuses forged cards", async () => {
    goods.rice = await ok("POST", "/goods", "admin", { shopId, name: "大米", points: 10, stock: 3, unit: "袋" });
    goods.soap = await ok("POST", "/goods", "admin", { shopId, name: "香皂", points: 1, stock: 500, unit: "块" });
    const basket = { qr: hh.a.qr, items: [{ goodsId: goods.rice.id, quantity: 2 }] };
    const [r1, r2] = await Promise.all([
      call("POST", "/redemptions", "clerk", basket, { "idempotency-key": "basket-1" }),
      call("POST", "/redemptions", "clerk", basket, { "idempotency-key": "basket-1" }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([201, 201]);
    expect(r1.body.id).toBe(r2.body.id);
    const r3 = await ok("POST", "/redemptions", "clerk", basket, 201, { "idempotency-key": "basket-1" });
    expect(r3).toEqual(r1.body);
    expect(r1.body).toMatchObject({ total: 20, balanceAfter: 30 });
    const reused = await call("POST", "/redemptions", "clerk", { ...basket, items: [{ goodsId: goods.rice.id, quantity: 1 }] }, { "idempotency-key": "basket-1" });
    expect(reused.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    const big = { qr: hh.a.qr, items: [{ goodsId: goods.soap.id, quantity: 31 }] };
    expect((await call("POST", "/redemptions", "clerk", big, { "idempotency-key": "big" })).body.error.code).toBe("PIN_REQUIRED");
    expect((await call("POST", "/redemptions", "clerk", { ...big, pin: "0000" }, { "idempotency-key": "big2" })).body.error.code).toBe("PIN_WRONG");
    const stock = await call("POST", "/redemptions", "clerk", { qr: hh.b.qr, items: [{ goodsId: goods.rice.id, quantity: 2 }] }, { "idempotency-key": "stock" });
    expect(stock.body.error.code).toBe("OUT_OF_STOCK");
    const forged = hh.a.qr.slice(0, -3) + (hh.a.qr.endsWith("AAA") ? "BBB" : "AAA");
    for (const qr of [forged, hh.a.cardNo]) {
      const res = await call("POST", "/redemptions", "clerk", { qr, items: [{ goodsId: goods.soap.id, quantity: 1 }] }, { "idempotency-key": `forged-${qr.length}` });
      expect(res.body.error.code).toBe("CARD_INVALID");
    }
    expect(await balance("a")).toEqual({ balance: 30, score: 50 });
    await ledgerOk();
  });

  step("lets racing baskets spend a balance exactly once: 40 one-point baskets against 30 points", async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => call("POST", "/redemptions", "clerk", { qr: hh.b.qr, items: [{ goodsId: goods.soap.id, quantity: 1 }] }, { "idempotency-key": `race-${i}` })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(30);
    expect(results.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.body.error.code === "INSUFFICIENT_POINTS")).toBe(true);
    expect(await balance("b")).toEqual({ balance: 0, score: 30 });
    const soap = (await ok("GET", `/goods?shopId=${shopId}`, "admin")).items.find((g: any) => g.id === goods.soap.id);
    expect(soap.stock).toBe(500 - 30);
    const check = await ledgerOk();
    expect(check).toMatchObject({ issued: 85, deducted: 5, redeemed: 50, outstanding: 30 });
  });

  step("voids a redemption with new entries and gives back points and stock, once", async () => {
    const receipts = await ok("GET", `/redemptions?householdId=${hh.a.id}`, "admin");
    const id = receipts.items[0].id;
    await ok("POST", `/redemptions/${id}/void`, "admin", { reason: "顾客退货" }, 200);
    expect((await call("POST", `/redemptions/${id}/void`, "admin", { reason: "again" })).status).toBe(409);
    expect(await balance("a")).toEqual({ balance: 50, score: 50 });
    const ledger = await ok("GET", `/households/${hh.a.id}/ledger`, "residentA");
    expect(ledger.items.map((e: any) => [e.kind, e.amount, e.balanceAfter])).toEqual([
      ["reversal", 20, 50],
      ["redemption", -20, 30],
      ["award", 50, 50],
    ]);
    const check = await ledgerOk();
    expect(check).toMatchObject({ redeemed: 30, outstanding: 50 });
  });

  step("lists a page of more than 100 receipts with their lines (D1 binds at most 100 values per statement)", async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await ok("POST", "/applications", "volunteer", { householdId: hh.c.id, ruleId: rule.clean.id, description: `第${i + 1}次清扫` })).id);
    for (const id of ids) await ok("POST", `/applications/${id}/certify`, "reviewer", { decision: "approve", points: 50 }, 200);
    const batch = await ok("POST", "/publicity", "admin", { endsAt: new Date(Date.now() + 1500).toISOString() });
    await sleep(1600);
    await ok("POST", "/topups", "admin", { publicityId: batch.id });
    const before = (await balance("c")).balance;
    for (let round = 0; round < 12; round++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => ok("POST", "/redemptions", "clerk", { qr: hh.c.qr, items: [{ goodsId: goods.soap.id, quantity: 1 }] }, 201, { "idempotency-key": `page-${round}-${i}` })));
    }
    const receipts = await ok("GET", `/redemptions?householdId=${hh.c.id}&limit=200`, "admin");
    expect(receipts.items).toHaveLength(120);
    expect(receipts.items.every((r: any) => r.items.length === 1 && r.items[0].name === "香皂")).toBe(true);
    const history = await ok("GET", `/households/${hh.c.id}/ledger?limit=200`, "admin");
    expect(history.items.filter((e: any) => e.kind === "redemption")).toHaveLength(120);
    expect(history.items[0].description).toContain("香皂");
    expect((await balance("c")).balance).toBe(before - 120);
    await ledgerOk();
  });

  step("keeps every community's data to itself and every write to its role", async () => {
    expect((await call("GET", "/applications", null)).status).toBe(401);
    expect((await call("POST", "/publicity", "reviewer", {})).status).toBe(403);
    expect((await call("POST", "/topups", "clerk", { publicityId: batchId })).status).toBe(403);
    expect((await call("PATCH", "/community/settings", "volunteer", { pinThreshold: 0 })).status).toBe(403);
    expect((await call("POST", "/rules", "residentA", { category: "policy", title: "x", kind: "award", minPoints: 1, maxPoints: 1 })).status).toBe(403);
    const malformed = await target.call("POST", "/applications", { token: token.volunteer, rawBody: "{not json", headers: { "content-type": "application/json" } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBeTruthy();
  });
});
