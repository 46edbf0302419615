/**
 * Retries and races over HTTP against the running server (docs/reliability.md, item 1–2):
 * 50 concurrent clerk clients make 10,000 redemptions; every request is sent up to three times
 * with the same Idempotency-Key, some copies concurrently with the original. Afterwards: one
 * debit per distinct key, every copy got the first answer, balances and stock match the
 * receipts, and the ledger check holds.
 */
import { createClient } from "@libsql/client";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { targetPassword } from "../../scripts/lib/server-target";
import { buildCommunity, credit, must, pool, startServer, type Community, type Server } from "./support";

const redemptions = Number(process.env.STRESS_REDEMPTIONS ?? 10_000);
const clients = Number(process.env.STRESS_CLIENTS ?? 50);
const householdCount = 200;
const startPoints = 1000;

let dir: string;
let server: Server;
let community: Community;
const goods: Array<{ id: string; points: number; stock: number }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "shuangfu-stress-"));
  server = await startServer(join(dir, "stress.db"));
  community = await buildCommunity(server, householdCount, startPoints);
  for (const [name, points, stock] of [["香皂", 1, 1_000_000], ["大米", 5, 1_000_000], ["食用油", 20, 300]] as const) {
    const g = await must(server.call("POST", "/goods", { token: community.admin, body: { shopId: community.shopId, name, points, stock } }), 201);
    goods.push({ id: g.id, points, stock });
  }
}, 600_000);

afterAll(async () => {
  await server?.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

describe(`${redemptions} redemptions from ${clients} clients, each sent up to 3 times`, () => {
  it("debits once per key, answers every copy with the first answer, and keeps the ledger whole", async () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const baskets = Array.from({ length: redemptions }, (_, i) => {
      const lines = new Map<string, number>();
      for (let l = 0; l <= random(2); l++) lines.set(goods[random(3)].id, 1 + random(3));
      return {
        key: `stress-${i}`,
        household: random(householdCount),
        mode: i % 3,
        body: { qr: "", items: [...lines].map(([goodsId, quantity]) => ({ goodsId, quantity })) },
      };
    });
    for (const b of baskets) b.body.qr = community.households[b.household].qr;

    const answers = new Map<string, Array<{ status: number; body: any }>>();
    const send = (b: (typeof baskets)[number], i: number) =>
      server.call("POST", "/redemptions", { token: community.clerks[i % community.clerks.length], headers: { "idempotency-key": b.key }, body: b.body });
    const started = Date.now();
    await pool(
      clients,
      baskets.map((b, i) => async () => {
        const got = [];
        if (b.mode === 1) got.push(...(await Promise.all([send(b, i), send(b, i + 1)])), await send(b, i + 2));
        else if (b.mode === 2) for (let r = 0; r < 3; r++) got.push(await send(b, i + r));
        else got.push(await send(b, i));
        answers.set(b.key, got);
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const requests = [...answers.values()].reduce((n, a) => n + a.length, 0);
    console.log(`${redemptions} baskets, ${requests} requests in ${seconds.toFixed(1)} s (${(requests / seconds).toFixed(0)} requests/s)`);

    // Every answer is the error shape or a receipt; every copy of a key answers as the first did.
    const receipts = new Map<string, any>();
    for (const [key, got] of answers) {
      for (const res of got) {
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
        if (res.status !== 201) expect(["INSUFFICIENT_POINTS", "OUT_OF_STOCK"]).toContain(res.body.error.code);
      }
      const ok = got.filter((r) => r.status === 201);
      if (ok.length > 0) {
        expect(ok.length, `${key}: every copy answered with the receipt`).toBe(got.length);
        for (const r of ok) expect(r.body).toEqual(ok[0].body);
        receipts.set(key, ok[0].body);
      }
    }
    expect(receipts.size).toBeGreaterThan(redemptions / 4);
    expect(receipts.size).toBeLessThanOrEqual(redemptions);

    // A key used again with a different basket is refused and moves nothing.
    const [firstKey, firstReceipt] = [...receipts][0];
    const reused = await server.call("POST", "/redemptions", { token: community.clerks[0], headers: { "idempotency-key": firstKey }, body: { qr: community.households[0].qr, items: [{ goodsId: goods[0].id, quantity: 99 }] } });
    expect(reused.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(firstReceipt.id).toBeTruthy();

    const check = await must(server.call("GET", "/ledger/check", { token: community.admin }), 200);
    expect(check.ok, JSON.stringify(check.problems)).toBe(true);
    const spent = [...receipts.values()].reduce((n, r) => n + r.total, 0);
    expect(check.redeemed).toBe(spent);

    // Balances and stock match the receipts exactly.
    const households = await must(server.call("GET", `/households?limit=${householdCount}`, { token: community.admin }), 200);
    const spentBy = new Map<string, number>();
    for (const r of receipts.values()) spentBy.set(r.householdId, (spentBy.get(r.householdId) ?? 0) + r.total);
    for (const h of households.items) expect(h.balance, h.householdNo).toBe(startPoints - (spentBy.get(h.id) ?? 0));
    const shelf = (await must(server.call("GET", "/goods", { token: community.admin }), 200)).items;
    for (const g of goods) {
      const sold = [...receipts.values()].flatMap((r) => r.items).filter((l: any) => l.goodsId === g.id).reduce((n: number, l: any) => n + l.quantity, 0);
      expect(shelf.find((s: any) => s.id === g.id).stock).toBe(g.stock - sold);
    }

    // In the database: one redemption and one key per acknowledged receipt, nothing else.
    await server.kill("SIGTERM");
    const db = createClient({ url: `file:${join(dir, "stress.db")}` });
    const count = async (q: string) => Number((await db.execute(q)).rows[0].n);
    expect(await count("SELECT COUNT(*) AS n FROM redemptions")).toBe(receipts.size);
    expect(await count("SELECT COUNT(*) AS n FROM idempotency_keys")).toBe(receipts.size);
    expect(await count("SELECT COUNT(*) AS n FROM transfers WHERE kind = 'redemption'")).toBe(receipts.size);
    db.close();
  });

  it("never overdraws: 200 concurrent 10-point baskets against 1,000 points, and 200 against 50 in stock", async () => {
    if (!server) throw new Error("the server is gone");
    // A fresh server on the same file (the first test stopped it to read the file).
    server = await startServer(join(dir, "stress.db"));
    const rich = community.households[0];
    const admin = (await must(server.call("POST", "/auth/login", { body: { username: "admin", password: targetPassword } }), 200)).token;
    const tenner = await must(server.call("POST", "/goods", { token: admin, body: { shopId: community.shopId, name: "洗衣粉", points: 10, stock: 1_000_000 } }), 201);
    const scarce = await must(server.call("POST", "/goods", { token: admin, body: { shopId: community.shopId, name: "电饭煲", points: 1, stock: 50 } }), 201);
    const start = (await must(server.call("GET", `/households/${rich.id}`, { token: admin }), 200)).balance;
    // Top the household up to exactly 1,000 points through the procedures if it has spent some.
    expect(start).toBeLessThanOrEqual(1000);
    if (start < 1000) await credit(server, { admin, reviewer: community.reviewer, volunteer: community.volunteer, ruleId: community.ruleId }, [rich.id], 1000 - start);
    expect((await must(server.call("GET", `/households/${rich.id}`, { token: admin }), 200)).balance).toBe(1000);
    const baskets = await Promise.all(
      Array.from({ length: 200 }, (_, i) => server.call("POST", "/redemptions", { token: community.clerks[i % community.clerks.length], headers: { "idempotency-key": `overdraft-${i}` }, body: { qr: rich.qr, items: [{ goodsId: tenner.id, quantity: 1 }] } })),
    );
    expect(baskets.filter((r) => r.status === 201)).toHaveLength(100);
    expect(baskets.filter((r) => r.status !== 201).every((r) => r.body.error.code === "INSUFFICIENT_POINTS")).toBe(true);
    expect(Math.min(...baskets.filter((r) => r.status === 201).map((r) => r.body.balanceAfter))).toBe(0);
    expect((await must(server.call("GET", `/households/${rich.id}`, { token: admin }), 200)).balance).toBe(0);

    const buyers = community.households.slice(1, 201);
    const stock = await Promise.all(
      buyers.map((h, i) => server.call("POST", "/redemptions", { token: community.clerks[i % community.clerks.length], headers: { "idempotency-key": `stock-${i}` }, body: { qr: h.qr, items: [{ goodsId: scarce.id, quantity: 1 }] } })),
    );
    const sold = stock.filter((r) => r.status === 201).length;
    const refused = stock.filter((r) => r.status !== 201);
    expect(sold).toBeLessThanOrEqual(50);
    expect(refused.every((r) => ["OUT_OF_STOCK", "INSUFFICIENT_POINTS"].includes(r.body.error.code))).toBe(true);
    const left = (await must(server.call("GET", "/goods", { token: admin }), 200)).items.find((g: any) => g.id === scarce.id).stock;
    expect(left).toBe(50 - sold);
    expect(left).toBeGreaterThanOrEqual(0);
    const check = await must(server.call("GET", "/ledger/check", { token: admin }), 200);
    expect(check.ok).toBe(true);
  });
});
