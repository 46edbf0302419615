/**
 * Round trips to the database per redemption (issue 16): on D1 or Turso every call to the driver
 * is a network round trip, so the counter's everyday redemption — a printed card scanned, a
 * basket under the PIN threshold — makes one read batch and one write batch, no more. The test
 * wraps the app's libSQL client, and the D1 binding (Miniflare's D1 in this process, wrapped as
 * the worker wraps it), and counts every call that reaches the database.
 */
import type { Client } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../api/domain/actor";
import { redeem } from "../api/domain/redemption";
import { addGoods, addHousehold, grantPoints, issueCardFor, testConfig } from "./support/fixtures";
import type { D1Binding } from "../db/d1";
import { inProcessD1 } from "./support/d1-in-process";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

/** The client's methods that send something to the database. */
const databaseCalls = new Set(["execute", "batch", "executeMultiple", "transaction", "migrate"]);

function countingClient(client: Client, counter: { on: boolean; calls: string[] }): Client {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (counter.on && databaseCalls.has(String(prop))) counter.calls.push(String(prop));
        return value.apply(target, args);
      };
    },
  });
}

/** The D1 calls that go to the database: a batch, and a statement's first/all/run/raw; exec and dump. */
const d1Calls = new Set(["batch", "exec", "dump", "first", "all", "run", "raw"]);

function countingD1(binding: D1Binding, counter: { on: boolean; calls: string[] }): D1Binding {
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (counter.on && d1Calls.has(String(prop))) counter.calls.push(String(prop));
          const result = value.apply(obj, args);
          // A prepared or bound statement is wrapped too: its first/all/run/raw are the round trips.
          return prop === "prepare" || prop === "bind" ? wrap(result as object) : result;
        };
      },
    });
  return wrap(binding);
}

const drivers: Array<[string, (counter: { on: boolean; calls: string[] }) => Promise<TestApp>]> = [
  ["libSQL", (counter) => createTestApp({ wrapClient: (client) => countingClient(client, counter) })],
  ["D1", async (counter) => createTestApp({ database: await inProcessD1((binding) => countingD1(binding, counter)) })],
];

describe.each(drivers)("round trips per redemption (%s)", (_driver, makeApp) => {
  const counter = { on: false, calls: [] as string[] };
  let t: TestApp;
  let c: TestCommunity;
  let qr: string;
  let rice: { id: string };
  let oil: { id: string };

  beforeEach(async () => {
    t = await makeApp(counter);
    c = await t.newCommunity();
    const household = await addHousehold(t, c);
    ({ qr } = await issueCardFor(t, c, household.id));
    await grantPoints(t.db, c.communityId, household.id, 1_000);
    rice = await addGoods(t, c, { name: "大米", points: 10 });
    oil = await addGoods(t, c, { name: "食用油", points: 15 });
  });
  afterEach(() => t.close());

  async function counted<T>(work: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
    counter.calls = [];
    counter.on = true;
    try {
      return { result: await work(), calls: [...counter.calls] };
    } finally {
      counter.on = false;
    }
  }

  it("a scanned printed card: one read batch and one write batch, and the receipt comes back whole", async () => {
    const clerk: Actor = { kind: "user", id: c.userIds.clerk, communityId: c.communityId, role: "clerk", shopId: c.shopId, name: "clerk", sessionId: "test" };
    const items = [
      { goodsId: rice.id, quantity: 1 },
      { goodsId: oil.id, quantity: 2 },
    ];
    const { result: receipt, calls } = await counted(() => redeem(t.db, t.clock, clerk, null, testConfig, { card: { qr }, items, idempotencyKey: "trips-1" }));
    expect(calls).toEqual(["batch", "batch"]);
    expect(receipt).toMatchObject({ receiptNo: 1, total: 40, balanceAfter: 960, shop: { id: c.shopId, name: "驿站超市" }, clerk: { id: c.userIds.clerk, name: "clerk" } });
    expect(receipt.items.map((l) => [l.name, l.quantity, l.subtotal])).toEqual([
      ["大米", 1, 10],
      ["食用油", 2, 30],
    ]);
    // The receipt built from the batch is the one a replay of the key reads back.
    const replay = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": "trips-1" }, body: { qr, items } });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(receipt);
    await t.ledgerOk(c.communityId);
  });

  it("over HTTP: the session's one read on top of those two", async () => {
    const { result: res, calls } = await counted(() =>
      t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": "trips-http" }, body: { qr, items: [{ goodsId: rice.id, quantity: 2 }] } }),
    );
    expect(res.status).toBe(201);
    expect(res.body.balanceAfter).toBe(980);
    expect(calls.length).toBeLessThanOrEqual(3);
  });
});
