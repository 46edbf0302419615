/**
 * The incremental ledger check (api/domain/ledger-check.ts): the same answer as the full pass,
 * reading only what came since the last verified point — and still not ok when a posting or a
 * transfer is changed behind the app's back (the test drops the append-only guard, edits the row
 * with SQL and puts the guard back, as someone editing the file would).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../db/migrate-node";
import { openSideReader } from "../db/side-reader";
import { checkLedger } from "../api/domain/ledger";
import { checkLedgerFull, checkLedgerIncremental } from "../api/domain/ledger-check";
import { runScheduledJobs } from "../api/domain/jobs";
import { addGoods, addHousehold, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, type TestApp, type TestCommunity } from "./support/harness";

/** Edits a row of an append-only table the way only someone with the file could. */
async function tamper(t: TestApp, table: "postings" | "transfers", set: string, where: string) {
  await t.db.run(sql.raw(`DROP TRIGGER ${table}_no_update`));
  await t.db.run(sql.raw(`UPDATE ${table} SET ${set} WHERE ${where}`));
  await t.db.run(sql.raw(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, 'append-only: ${table}'); END`));
}

/** Deletes a posting the way only someone with the file could. */
async function deletePosting(t: TestApp, where: string) {
  await t.db.run(sql.raw(`DROP TRIGGER postings_no_delete`));
  await t.db.run(sql.raw(`DELETE FROM postings WHERE ${where}`));
  await t.db.run(sql.raw(`CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings BEGIN SELECT RAISE(ABORT, 'append-only: postings'); END`));
}

/**
 * The pair test written the plain way — each transfer joined to the count and sum of its
 * postings — to hold the full pass's merge of two index streams to.
 */
async function unbalancedPlain(t: TestApp, communityId: string): Promise<string[]> {
  const rows = await t.db.all<{ id: string }>(sql`SELECT t.id FROM transfers t
    LEFT JOIN (SELECT transfer_id, COUNT(*) AS n, SUM(amount) AS total FROM postings WHERE community_id = ${communityId} GROUP BY transfer_id) p ON p.transfer_id = t.id
    WHERE t.community_id = ${communityId} AND (COALESCE(p.n, 0) <> 2 OR COALESCE(p.total, 1) <> 0) ORDER BY t.id`);
  return rows.map((r) => `transfer ${r.id}: postings do not balance`);
}

describe("the incremental ledger check", () => {
  let t: TestApp;
  let c: TestCommunity;
  let households: Array<{ id: string }>;
  let qr: string;
  let rice: { id: string };

  beforeEach(async () => {
    t = await createTestApp();
    c = await t.newCommunity();
    households = [await addHousehold(t, c), await addHousehold(t, c)];
    for (const h of households) await grantPoints(t.db, c.communityId, h.id, 500);
    ({ qr } = await issueCardFor(t, c, households[0].id));
    rice = await addGoods(t, c, { points: 10 });
  });
  afterEach(() => t.close());

  const redeemOnce = async (key: string, quantity = 1) => {
    const res = await t.call("POST", "/redemptions", { token: c.tokens.clerk, headers: { "idempotency-key": key }, body: { qr, items: [{ goodsId: rice.id, quantity }] } });
    expect(res.status).toBe(201);
  };
  const check = async () => (await t.call("GET", "/ledger/check", { token: c.tokens.admin })).body;

  it("answers what the full pass answers as transfers keep arriving, and moves its mark", async () => {
    expect(await check()).toEqual(await checkLedger(t.db, c.communityId)); // the first check is the full pass
    for (let i = 0; i < 3; i++) {
      await redeemOnce(`k${i}`, i + 1);
      await grantPoints(t.db, c.communityId, households[1].id, 7);
      const incremental = await check();
      expect(incremental).toEqual(await checkLedger(t.db, c.communityId));
      expect(incremental).toMatchObject({ ok: true, redeemed: 10 * (((i + 1) * (i + 2)) / 2) });
    }
    const [mark] = (await t.db.all<{ posting_seq: number }>(sql`SELECT posting_seq FROM ledger_check_marks WHERE community_id = ${c.communityId}`)) ?? [];
    const [max] = await t.db.all<{ seq: number }>(sql`SELECT MAX(seq) AS seq FROM postings`);
    expect(Number(mark?.posting_seq)).toBe(Number(max?.seq));
  });

  it("says not ok when a posting that arrived since the last check was changed", async () => {
    expect((await check()).ok).toBe(true);
    await redeemOnce("fresh");
    await tamper(t, "postings", "amount = amount + 1", `seq = (SELECT MAX(seq) FROM postings)`);
    const result = await check();
    expect(result.ok).toBe(false);
    expect(result.problems.join(" ")).toMatch(/postings (sum to|do not balance)/);
    // Not ok stays not ok: the mark did not move past the bad posting.
    expect((await check()).ok).toBe(false);
  });

  it("says not ok when an already verified posting was changed, and so does the full pass", async () => {
    await redeemOnce("old");
    expect((await check()).ok).toBe(true);
    await redeemOnce("new");
    expect((await check()).ok).toBe(true);
    // A posting verified two checks ago: its balance_after rewritten (the sums still agree).
    await tamper(t, "postings", "balance_after = balance_after + 5", `seq = (SELECT MIN(seq) FROM postings WHERE account_id = '${households[0].id}')`);
    let caught = false;
    for (let i = 0; i < 4 && !caught; i++) caught = !(await check()).ok; // two ranges (postings, transfers) take turns
    expect(caught).toBe(true);
    expect((await checkLedgerFull(t.db, t.clock, c.communityId)).ok).toBe(true); // the full pass checks sums, not balance_after…
    expect((await check()).ok).toBe(true); // …and rebuilds the proof from the ledger as it now is
  });

  it("says not ok when a verified transfer's amount was changed", async () => {
    await redeemOnce("t1");
    expect((await check()).ok).toBe(true);
    await tamper(t, "transfers", "amount = amount + 3", `rowid = (SELECT MIN(rowid) FROM transfers)`);
    let result = await check();
    for (let i = 0; i < 3 && result.ok; i++) result = await check();
    expect(result.ok).toBe(false);
    expect(result.problems.join(" ")).toMatch(/verified transfers in range 0 changed/);
  });

  it("keeps its checksums within safe integers when balances run into the trillions, and still catches a change", async () => {
    // The issuance account's balance after each grant is minus everything granted: weighted by
    // the row's number, plain sums of such values pass 2^53 (and soon SQLite's 64 bits).
    for (let i = 0; i < 6; i++) await grantPoints(t.db, c.communityId, households[i % 2].id, 700_000_000_000_000);
    const first = await checkLedgerIncremental(t.db, t.clock, c.communityId);
    expect(first.ok, first.problems.join("; ")).toBe(true);
    expect(await checkLedgerFull(t.db, t.clock, c.communityId)).toMatchObject({ ok: true });
    await grantPoints(t.db, c.communityId, households[0].id, 900_000_000_000_000);
    expect((await checkLedgerIncremental(t.db, t.clock, c.communityId)).ok).toBe(true);
    await tamper(t, "postings", "amount = amount + 1", `seq = (SELECT MIN(seq) FROM postings WHERE community_id = '${c.communityId}' AND amount > 100000000)`);
    expect((await checkLedgerFull(t.db, t.clock, c.communityId)).ok).toBe(false);
  });

  it("the scheduled job runs the full pass once a day per community", async () => {
    await runScheduledJobs(t.db, t.clock);
    const first = await t.db.all<{ full_at: string }>(sql`SELECT full_at FROM ledger_check_marks WHERE community_id = ${c.communityId}`);
    expect(first).toHaveLength(1);
    await runScheduledJobs(t.db, t.clock);
    expect(await t.db.all(sql`SELECT full_at FROM ledger_check_marks WHERE community_id = ${c.communityId}`)).toEqual(first);
    t.clock.advanceHours(25);
    await runScheduledJobs(t.db, t.clock);
    const [after] = await t.db.all<{ full_at: string }>(sql`SELECT full_at FROM ledger_check_marks WHERE community_id = ${c.communityId}`);
    expect(after?.full_at).toBe(t.clock.now().toISOString());
  });
});

describe("the full pass's pair test (each transfer exactly two postings summing to 0)", () => {
  let t: TestApp;
  let c: TestCommunity;
  let households: Array<{ id: string }>;

  beforeEach(async () => {
    t = await createTestApp();
    c = await t.newCommunity();
    households = [await addHousehold(t, c), await addHousehold(t, c)];
    for (const h of households) await grantPoints(t.db, c.communityId, h.id, 500);
    await grantPoints(t.db, c.communityId, households[0].id, 30);
  });
  afterEach(() => t.close());

  const transferOf = (householdId: string, nth: "MIN" | "MAX") =>
    `(SELECT ${nth}(transfer_id) FROM postings WHERE account_id = '${householdId}')`;

  const edits: Array<[string, (c: TestCommunity) => Promise<void>]> = [
    ["a posting is missing", async () => deletePosting(t, `seq = (SELECT MAX(seq) FROM postings)`)],
    ["a posting is extra", async () => {
      await t.db.run(sql`INSERT INTO postings (community_id, transfer_id, account_id, amount, balance_after, kind, ref, created_at)
        SELECT community_id, transfer_id, ${households[1].id}, 0, 0, kind, ref, created_at FROM postings WHERE account_id = ${households[0].id} ORDER BY seq DESC LIMIT 1`);
    }],
    ["a posting's amount changed", async () => tamper(t, "postings", "amount = amount + 1", `seq = (SELECT MIN(seq) FROM postings)`)],
    ["a posting moved to another transfer", async () =>
      tamper(t, "postings", `transfer_id = ${transferOf(households[0].id, "MIN")}`, `account_id = '${households[1].id}'`)],
    ["a posting moved to another community", async () => {
      const other = await t.newCommunity();
      await tamper(t, "postings", `community_id = '${other.communityId}'`, `seq = (SELECT MIN(seq) FROM postings WHERE account_id = '${households[1].id}')`);
    }],
    ["a transfer moved in from another community", async () => {
      const other = await t.newCommunity();
      const stranger = await addHousehold(t, other);
      await grantPoints(t.db, other.communityId, stranger.id, 9);
      await tamper(t, "transfers", `community_id = '${c.communityId}'`, `community_id = '${other.communityId}'`);
    }],
  ];

  it.each(edits)("lists what the plain join lists when %s", async (_, edit) => {
    expect(await checkLedgerFull(t.db, t.clock, c.communityId)).toMatchObject({ ok: true, problems: [] });
    await edit(c);
    const result = await checkLedgerFull(t.db, t.clock, c.communityId);
    expect(result.ok).toBe(false);
    const listed = result.problems.filter((p) => p.endsWith("postings do not balance"));
    expect(listed.length).toBeGreaterThan(0);
    expect(listed).toEqual(await unbalancedPlain(t, c.communityId));
  });
});

describe("the full pass with its verified ranges summed on a second connection (npm run ledger:check -- --full)", () => {
  it("answers and proves exactly what it does alone, and still says not ok when a posting was changed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shuangfu-side-reader-"));
    const file = join(dir, "ledger.db");
    const t = await createTestApp({ database: await openDatabase(`file:${file}`) });
    const side = openSideReader(file);
    try {
      const c = await t.newCommunity();
      const households = [await addHousehold(t, c), await addHousehold(t, c)];
      for (let i = 0; i < 40; i++) await grantPoints(t.db, c.communityId, households[i % 2].id, 10 + i);
      const proof = async () => t.db.all(sql`SELECT kind, bucket, rows, sum1, sum2, sum3, sum4, verified_round FROM ledger_check_ranges WHERE community_id = ${c.communityId} ORDER BY kind, bucket`);

      const alone = await checkLedgerFull(t.db, t.clock, c.communityId);
      const proofAlone = await proof();
      expect(alone.ok).toBe(true);
      expect(proofAlone.length).toBeGreaterThan(0);
      const beside = await checkLedgerFull(t.db, t.clock, c.communityId, { sideReader: side });
      expect(beside).toEqual(alone);
      expect(await proof()).toEqual(proofAlone);
      expect((await checkLedgerIncremental(t.db, t.clock, c.communityId)).ok).toBe(true);
      // The server's daily pass (api/node.ts) hands its side reader to the scheduled job.
      t.clock.advanceHours(25);
      await runScheduledJobs(t.db, t.clock, { sideReader: side });
      const [mark] = await t.db.all<{ full_at: string }>(sql`SELECT full_at FROM ledger_check_marks WHERE community_id = ${c.communityId}`);
      expect(mark?.full_at).toBe(t.clock.now().toISOString());
      expect(await proof()).toEqual(proofAlone);

      await tamper(t, "postings", "amount = amount + 1", `seq = (SELECT MIN(seq) FROM postings WHERE community_id = '${c.communityId}' AND amount > 0)`);
      expect((await checkLedgerFull(t.db, t.clock, c.communityId, { sideReader: side })).ok).toBe(false);
      // The incremental check re-sums one verified range per check: it meets the change within a round.
      let caught = false;
      for (let i = 0; i < 4 && !caught; i++) caught = !(await checkLedgerIncremental(t.db, t.clock, c.communityId)).ok;
      expect(caught).toBe(true);
    } finally {
      side.close();
      t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("only reads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shuangfu-side-reader-"));
    const file = join(dir, "x.db");
    const opened = await openDatabase(`file:${file}`);
    const side = openSideReader(file);
    try {
      await expect(side.start([{ sql: "DELETE FROM communities", params: [] }])).rejects.toThrow(/only reads/);
      const rows = await (await side.start([{ sql: "SELECT ? + 1 AS n", params: [41] }]))();
      expect(rows).toEqual([[{ n: 42 }]]);
    } finally {
      side.close();
      opened.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
