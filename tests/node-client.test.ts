/**
 * The embedded database's Node client (db/node-client.ts, issue 16): statements prepared once,
 * batches that arrive together committed together — and still every batch all or nothing, each
 * answered only once it is on disk.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { violatedConstraint } from "../api/domain/errors";
import { createNodeClient, embeddedPath, type NodeClient } from "../db/node-client";

describe("the Node client of the embedded file", () => {
  let dir: string;
  let file: string;
  let client: NodeClient;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "shuangfu-node-client-"));
    file = join(dir, "x.db");
    client = createNodeClient(file);
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA synchronous = FULL");
    await client.execute("CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL, CONSTRAINT balance_nonneg CHECK (balance >= 0))");
    await client.batch([
      { sql: "INSERT INTO accounts VALUES (?, ?)", args: ["a", 100] },
      { sql: "INSERT INTO accounts VALUES (?, ?)", args: ["b", 0] },
    ]);
  });
  afterEach(() => {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The balances as another connection (the stock client) reads them from the file. */
  async function balancesOnDisk(): Promise<Record<string, number>> {
    const other = createClient({ url: `file:${file}` });
    try {
      const rs = await other.execute("SELECT id, balance FROM accounts ORDER BY id");
      return Object.fromEntries(rs.rows.map((r) => [String(r.id), Number(r.balance)]));
    } finally {
      other.close();
    }
  }

  const move = (amount: number, from = "a", to = "b") => [
    { sql: "UPDATE accounts SET balance = balance - ? WHERE id = ?", args: [amount, from] },
    { sql: "UPDATE accounts SET balance = balance + ? WHERE id = ?", args: [amount, to] },
  ];

  it("reads rows by column name and by index, as the stock client does", async () => {
    const rs = await client.execute({ sql: "SELECT id, balance, balance * 2 AS twice, id FROM accounts WHERE id = :id", args: { ":id": "a" } });
    const row = rs.rows[0]!;
    expect(rs.columns).toEqual(["id", "balance", "twice", "id"]);
    expect(row.id).toBe("a");
    expect(row.twice).toBe(200);
    expect([row[0], row[1], row[2], row[3], row.length]).toEqual(["a", 100, 200, "a", 4]);
    expect(Object.keys(row)).toEqual(["id", "balance", "twice"]);
    expect(JSON.parse(JSON.stringify(row))).toEqual({ id: "a", balance: 100, twice: 200 });
  });

  it("prepares a statement once and answers it again with new arguments", async () => {
    const read = (id: string) => client.execute({ sql: "SELECT balance FROM accounts WHERE id = ?", args: [id] });
    const before = client.preparedStatements;
    expect((await read("a")).rows[0]!.balance).toBe(100);
    expect((await read("b")).rows[0]!.balance).toBe(0);
    expect((await read("a")).rows[0]!.balance).toBe(100);
    expect(client.preparedStatements).toBe(before + 1);
  });

  it("refuses an integer JavaScript cannot hold exactly, as the stock client does", async () => {
    await expect(client.execute("SELECT 9007199254740993 AS big")).rejects.toThrow(/cannot be safely represented/);
  });

  it("commits batches that arrive together in one transaction, each answered after it is on disk", async () => {
    const groupsBefore = client.stats.groups;
    const answers = await Promise.all([client.batch(move(10)), client.batch(move(20)), client.batch(move(30))]);
    expect(answers).toHaveLength(3);
    expect(client.stats.groups).toBe(groupsBefore + 1);
    expect(await balancesOnDisk()).toEqual({ a: 40, b: 60 });
  });

  it("rolls back a failing batch of a group alone, with the constraint it broke", async () => {
    const results = await Promise.allSettled([client.batch(move(30)), client.batch(move(500)), client.batch(move(50))]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const failure = (results[1] as PromiseRejectedResult).reason;
    expect(violatedConstraint(failure)).toBe("balance_nonneg");
    // The failed batch's first statement (a debit that fit) was undone with it: no points lost.
    expect(await balancesOnDisk()).toEqual({ a: 20, b: 80 });
  });

  it("runs every batch of a group again on its own when SQLite ends the group's transaction", async () => {
    const results = await Promise.allSettled([
      client.batch(move(10)),
      client.batch([{ sql: "ROLLBACK" }, ...move(5)]),
      client.batch(move(20)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/rolled back/);
    expect(client.stats.reruns).toBeGreaterThan(0);
    // The batch that ended the transaction wrote nothing; the others moved exactly once.
    expect(await balancesOnDisk()).toEqual({ a: 70, b: 30 });
  });

  it("answers a batch of reads at once: it never waits for the next group's commit", async () => {
    const write = client.batch(move(10));
    const [read] = await client.batch([{ sql: "SELECT balance FROM accounts WHERE id = ?", args: ["a"] }]);
    // The write is queued for the next group and not yet answered; the read saw the file as it was.
    expect(read!.rows[0]!.balance).toBe(100);
    await write;
    expect(await balancesOnDisk()).toEqual({ a: 90, b: 10 });
    // One read or several, each batch reads one snapshot: both balances from the same moment.
    const [a, b] = await client.batch([
      { sql: "SELECT balance FROM accounts WHERE id = ?", args: ["a"] },
      { sql: "SELECT balance FROM accounts WHERE id = ?", args: ["b"] },
    ]);
    expect(Number(a!.rows[0]!.balance) + Number(b!.rows[0]!.balance)).toBe(100);
    const [one] = await client.batch([{ sql: "SELECT SUM(balance) AS total FROM accounts", args: [] }]);
    expect(one!.rows[0]!.total).toBe(100);
  });

  it("answers a repeated key with its own error and keeps the rest of the group", async () => {
    await client.execute("CREATE TABLE keys (key TEXT PRIMARY KEY)");
    const once = (key: string, amount: number) => client.batch([{ sql: "INSERT INTO keys VALUES (?)", args: [key] }, ...move(amount)]);
    const results = await Promise.allSettled([once("k1", 10), once("k1", 10), once("k2", 5)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(violatedConstraint((results[1] as PromiseRejectedResult).reason)).toBe("keys.key");
    expect(await balancesOnDisk()).toEqual({ a: 85, b: 15 });
  });

  it("reads file URLs as the stock client does", () => {
    expect(embeddedPath("file:data/x.db")).toBe("data/x.db");
    expect(embeddedPath("file:/srv/x.db")).toBe("/srv/x.db");
    expect(embeddedPath("file:///srv/x.db")).toBe("/srv/x.db");
    expect(() => embeddedPath("file:x.db?mode=ro")).toThrow(/takes no options/);
  });
});
