/**
 * The bench's top-up part (issue 16): one publicity batch of `households` awards, one per
 * household, credited by `POST /api/topups` over HTTP and timed from request to answer.
 *
 * The households and the applications behind the batch are written with SQL (as the ledger fill
 * is): a top-up needs its batch's publicity window to have passed, which a bench cannot wait for,
 * and the four procedures before it are measured elsewhere. Each application is publicised,
 * registered and numbered as the procedures leave it; the batch's window ended an hour ago.
 * After the top-up the bench checks what the households and the ledger must show.
 */
import { createClient } from "@libsql/client";
import type { NodeTarget } from "./server-target";

export interface TopUpBenchResult {
  households: number;
  ms: number;
  credited: number;
  points: number;
}

/** Writes the batch, tops it up over HTTP (timed), checks the answer and the balances. */
export async function benchTopUp(target: NodeTarget, adminToken: string, communityId: string, households: number, fail: (message: string) => never): Promise<TopUpBenchResult> {
  const client = createClient({ url: `file:${target.databaseFile}`, timeout: 30_000 });
  const publicityId = `bench-topup-${Date.now()}`;
  const now = Date.now();
  const at = new Date(now - 3 * 86_400_000).toISOString();
  const endsAt = new Date(now - 3_600_000).toISOString();
  const pointsEach = 5;
  try {
    const ruleId = `bench-rule-${publicityId}`;
    const [{ maxNo = 0 } = {}] = (await client.execute({ sql: "SELECT COALESCE(MAX(register_no), 0) AS maxNo FROM applications WHERE community_id = ?", args: [communityId] })).rows as unknown as Array<{ maxNo: number }>;
    const args = { cid: communityId, pid: publicityId, rule: ruleId, n: households, at, ends: endsAt, pts: pointsEach, base: Number(maxNo) };
    await client.batch(
      [
        { sql: "INSERT INTO rules (id, community_id, category, title, kind, min_points, max_points, active, created_at) VALUES (:rule, :cid, '志愿服务', '公益劳动（bench）', 'award', 1, 20, 1, :at)", args },
        {
          sql: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :n)
            INSERT INTO households (id, community_id, household_no, head_name, building, unit, room, phone, household_type, created_at, updated_at)
            SELECT :pid || '-h' || i, :cid, 'T' || printf('%06d', i), '户主' || i, (i % 40 + 1) || '栋', '1', '101', NULL, '一般户', :at, :at FROM n`,
          args,
        },
        { sql: "INSERT INTO accounts (id, community_id, kind, balance, score, created_at) SELECT id, community_id, 'household', 0, 0, :at FROM households WHERE id LIKE :pid || '-h%'", args },
        {
          sql: `INSERT INTO applications (id, community_id, household_id, member_id, rule_id, notice_id, kind, category, description, evidence, status, points, register_no, reason, submitted_by, submitted_by_role, decided_by, created_at, decided_at, deed_key)
            SELECT :pid || '-a' || substr(h.id, length(:pid) + 3), :cid, h.id, NULL, :rule, NULL, 'award', '志愿服务', '清扫楼道', '[]', 'publicised', :pts,
              :base + CAST(substr(h.id, length(:pid) + 3) AS INTEGER), NULL, 'user:bench', 'volunteer', 'user:bench', :at, :at, NULL
            FROM households h WHERE h.id LIKE :pid || '-h%'`,
          args,
        },
        { sql: "INSERT INTO publicity_batches (id, community_id, starts_at, ends_at, created_by, created_at) VALUES (:pid, :cid, :at, :ends, 'user:bench', :at)", args },
        { sql: "INSERT INTO publicity_items (id, community_id, publicity_id, application_id, created_at) SELECT id || '-p', :cid, :pid, id, :at FROM applications WHERE id LIKE :pid || '-a%'", args },
      ],
      "write",
    );
  } finally {
    client.close();
  }

  const t0 = performance.now();
  const res = await target.call("POST", "/topups", { token: adminToken, body: { publicityId } });
  const ms = performance.now() - t0;
  if (res.status !== 201) fail(`top-up of ${households} households: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  const body = res.body as { credited: number; points: number };
  if (body.credited !== households || body.points !== households * pointsEach) fail(`top-up credited ${body.credited} items / ${body.points} points, expected ${households} / ${households * pointsEach}`);

  const check = createClient({ url: `file:${target.databaseFile}` });
  try {
    const [row] = (await check.execute({
      sql: `SELECT COUNT(*) AS n, SUM(a.balance = :pts AND a.score = :pts) AS right FROM accounts a WHERE a.id LIKE :pid || '-h%'`,
      args: { pid: publicityId, pts: pointsEach },
    })).rows as unknown as Array<{ n: number; right: number }>;
    if (Number(row?.n) !== households || Number(row?.right) !== households) fail(`after the top-up ${row?.right} of ${row?.n} households hold ${pointsEach} points`);
  } finally {
    check.close();
  }
  const again = await target.call("POST", "/topups", { token: adminToken, body: { publicityId } });
  if (again.status !== 200 || (again.body as { alreadyCredited?: boolean }).alreadyCredited !== true) fail(`a repeated top-up answered ${again.status} ${JSON.stringify(again.body).slice(0, 200)}`);
  return { households, ms, credited: body.credited, points: body.points };
}
