/**
 * The counter's statements with fixed texts (`fixedSql`, db/sql.ts, issue 16): they run in
 * `db.batch` beside drizzle's own, answer as `db.run` does (rows of a RETURNING, rows changed),
 * fail their whole batch like any statement, and refuse SQL where a value belongs.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dbFromLibsql, type Db } from "../db/client";
import { createNodeClient, type NodeClient } from "../db/node-client";
import { fixedSql, readFixed, rowsOf } from "../db/sql";

describe("fixedSql", () => {
  let client: NodeClient;
  let db: Db;
  beforeEach(async () => {
    client = createNodeClient(":memory:");
    db = dbFromLibsql(client);
    await client.execute("CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0))");
    await client.execute("INSERT INTO accounts VALUES ('a', 100), ('b', 0)");
  });
  afterEach(() => client.close());

  const move = (amount: number) => [
    fixedSql`UPDATE accounts SET balance = balance - ${amount} WHERE id = ${"a"}`,
    fixedSql`UPDATE accounts SET balance = balance + ${amount} WHERE id = ${"b"} RETURNING balance`,
  ];

  it("runs in a batch beside drizzle's statements and answers rows and changes as db.run does", async () => {
    const [drizzleRun, debit, credit] = (await db.batch([db.run(sql`UPDATE accounts SET balance = balance WHERE id = ${"a"}`), ...move(30)] as never)) as unknown[];
    expect((drizzleRun as { rowsAffected: number }).rowsAffected).toBe(1);
    expect((debit as { rowsAffected: number }).rowsAffected).toBe(1);
    expect(rowsOf(credit)).toEqual([expect.objectContaining({ balance: 30 })]);
    expect(await readFixed(db, fixedSql`SELECT id, balance FROM accounts WHERE balance > ${0} ORDER BY id`)).toEqual([
      expect.objectContaining({ id: "a", balance: 70 }),
      expect.objectContaining({ id: "b", balance: 30 }),
    ]);
  });

  it("fails its whole batch when a guard fails: nothing of it is written", async () => {
    await expect(db.batch(move(101) as never)).rejects.toThrow(/CHECK constraint/);
    expect(await readFixed(db, fixedSql`SELECT balance FROM accounts WHERE id = ${"b"}`)).toEqual([expect.objectContaining({ balance: 0 })]);
  });

  it("binds every value as a parameter: text that looks like SQL stays text", async () => {
    const evil = "a' OR '1'='1";
    expect(await readFixed(db, fixedSql`SELECT id FROM accounts WHERE id = ${evil}`)).toEqual([]);
  });

  it("keeps one text per call site, whatever the values", () => {
    const texts = [1, 2, 3].map((n) => (fixedSql`SELECT ${n} AS n, ${String(n)} AS s` as unknown as { getQuery(): { sql: string; params: unknown[] } }).getQuery());
    expect(new Set(texts.map((t) => t.sql))).toEqual(new Set(["SELECT ? AS n, ? AS s"]));
    expect(texts.map((t) => t.params)).toEqual([[1, "1"], [2, "2"], [3, "3"]]);
  });

  it("refuses SQL where a value belongs (a programming error, caught before anything runs)", () => {
    expect(() => fixedSql`SELECT ${sql`1` as never}`).toThrow(/plain values/);
  });
});
