/**
 * Crashes (docs/reliability.md, item 3): SIGKILL the server at random moments under load, 20
 * times. After each restart every acknowledged redemption and top-up is there, nothing
 * half-written is, retried requests debit once, and the ledger check holds. The database runs
 * in WAL mode with synchronous=FULL (db/migrate-node.ts).
 */
import { createClient } from "@libsql/client";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildCommunity, credit, must, startServer, type Server } from "./support";

const cycles = Number(process.env.STRESS_CRASHES ?? 20);
const dir = mkdtempSync(join(tmpdir(), "shuangfu-crash-"));
const file = join(dir, "crash.db");
let server: Server | null = null;

afterAll(async () => {
  await server?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Consistency of what is on disk, read while the server is down. */
async function halfWritten(): Promise<Record<string, number>> {
  const db = createClient({ url: `file:${file}` });
  const count = async (q: string) => Number((await db.execute(q)).rows[0].n);
  const problems = {
    redemptionsWithoutTransfer: await count(`SELECT COUNT(*) AS n FROM redemptions r WHERE NOT EXISTS (SELECT 1 FROM transfers t WHERE t.cause = 'redemption:' || r.id)`),
    redemptionsWithoutLines: await count(`SELECT COUNT(*) AS n FROM redemptions r WHERE NOT EXISTS (SELECT 1 FROM redemption_lines l WHERE l.redemption_id = r.id)`),
    keysWithoutRedemption: await count(`SELECT COUNT(*) AS n FROM idempotency_keys k WHERE NOT EXISTS (SELECT 1 FROM redemptions r WHERE r.id = k.ref_id)`),
    transfersWithoutPostings: await count(`SELECT COUNT(*) AS n FROM transfers t WHERE (SELECT COUNT(*) FROM postings p WHERE p.transfer_id = t.id) <> 2`),
    creditedWithoutCredit: await count(`SELECT COUNT(*) AS n FROM applications a WHERE a.status = 'credited' AND NOT EXISTS (SELECT 1 FROM credits c WHERE c.application_id = a.id)`),
    creditsWithoutStatus: await count(`SELECT COUNT(*) AS n FROM credits c JOIN applications a ON a.id = c.application_id WHERE a.status <> 'credited'`),
    integrity: (await db.execute("PRAGMA integrity_check")).rows[0].integrity_check === "ok" ? 0 : 1,
  };
  db.close();
  return problems;
}

describe(`${cycles} crashes under load`, () => {
  it("keeps every acknowledged redemption and top-up, and nothing half-written", async () => {
    server = await startServer(file);
    const community = await buildCommunity(server, 50, 1000, 10);
    const soap = await must(server.call("POST", "/goods", { token: community.admin, body: { shopId: community.shopId, name: "香皂", points: 1, stock: 1_000_000 } }), 201);
    const acknowledged = new Map<string, any>();
    const unanswered = new Map<string, any>();
    const topUps: any[] = [];
    let keyCounter = 0;

    for (let cycle = 0; cycle < cycles; cycle++) {
      // A publicity batch that ends during the load, topped up while baskets are in flight.
      const due = credit(server, community, community.households.slice(0, 3).map((h) => h.id), 5);
      let running = true;
      const load = Array.from({ length: 20 }, async (_, client) => {
        while (running) {
          const key = `crash-${++keyCounter}`;
          const body = { qr: community.households[keyCounter % 50].qr, items: [{ goodsId: soap.id, quantity: 1 }] };
          unanswered.set(key, body);
          try {
            const res = await server!.call("POST", "/redemptions", { token: community.clerks[client % 10], headers: { "idempotency-key": key }, body });
            if (res.status === 201) {
              acknowledged.set(key, res.body);
              unanswered.delete(key);
            } else if (res.status < 500) unanswered.delete(key);
          } catch {
            return; // the server is gone; this request may or may not have committed
          }
        }
      });
      const topUp = due.then((t) => topUps.push(t)).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 400 + Math.floor(Math.random() * 2200)));
      await server.kill("SIGKILL");
      running = false;
      await Promise.all([...load, topUp]);

      expect(await halfWritten(), `cycle ${cycle}`).toEqual({
        redemptionsWithoutTransfer: 0,
        redemptionsWithoutLines: 0,
        keysWithoutRedemption: 0,
        transfersWithoutPostings: 0,
        creditedWithoutCredit: 0,
        creditsWithoutStatus: 0,
        integrity: 0,
      });
      server = await startServer(file);
      const check = await must(server.call("GET", "/ledger/check", { token: community.admin }), 200);
      expect(check.ok, JSON.stringify(check.problems)).toBe(true);
      // Requests whose answer was lost are sent again: each debits at most once, in all.
      for (const [key, body] of unanswered) {
        const res = await server.call("POST", "/redemptions", { token: community.clerks[0], headers: { "idempotency-key": key }, body });
        expect(res.status).toBe(201);
        acknowledged.set(key, res.body);
      }
      unanswered.clear();
      // The next cycle's top-up needs nothing of this one's batch: finish it now if the crash cut it short.
      const batches = (await must(server.call("GET", "/publicity", { token: community.admin }), 200)).items;
      for (const b of batches.filter((x: any) => x.status === "closed" && x.items.some((i: any) => i.status === "publicised"))) {
        await must(server.call("POST", "/topups", { token: community.admin, body: { publicityId: b.id } }), 201);
      }
    }

    const listed = (await must(server.call("GET", "/topups?limit=200", { token: community.admin }), 200)).items;
    for (const t of topUps) expect(listed.find((l: any) => l.id === t.id)?.credited).toBe(t.credited);
    for (const [key, receipt] of acknowledged) {
      const stored = await server.call("GET", `/redemptions/${receipt.id}`, { token: community.admin });
      expect(stored.status, key).toBe(200);
      expect(stored.body.total).toBe(receipt.total);
    }
    const check = await must(server.call("GET", "/ledger/check", { token: community.admin }), 200);
    expect(check.ok).toBe(true);
    expect(check.redeemed).toBe(acknowledged.size);
    const summary = await must(server.call("GET", "/reports/summary", { token: community.admin }), 200);
    expect(summary.pointsAwarded).toBe(listed.reduce((n: number, t: any) => n + t.points, 0));
    console.log(`${cycles} SIGKILLs, ${acknowledged.size} redemptions and ${listed.length} top-ups survived intact`);
  });
});

