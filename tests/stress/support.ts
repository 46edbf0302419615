/**
 * A Node server on a database file that the stress tests may kill (SIGKILL) and restart, and
 * a community built through the API whose households already hold points (through the real
 * seven procedures, not a shortcut).
 */
import { startNodeTarget, targetPassword, type NodeTarget } from "../../scripts/lib/server-target";

export type Server = NodeTarget;

/** The server as `npm start` runs it, on `databaseFile` (kept across restarts); no timer jobs. */
export function startServer(databaseFile: string): Promise<Server> {
  return startNodeTarget({ JOB_INTERVAL_SECONDS: "3600" }, { databaseFile, healthTimeoutMs: 60_000 });
}

export async function must(res: Promise<{ status: number; body: any }>, status: number) {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export interface Community {
  admin: string;
  reviewer: string;
  volunteer: string;
  clerks: string[];
  shopId: string;
  ruleId: string;
  households: Array<{ id: string; qr: string }>;
}

/** Staff, a shop, `households` households with cards, each credited `points` through a top-up. */
export async function buildCommunity(server: Server, households: number, points: number, clerks = 5): Promise<Community> {
  const call = server.call;
  const admin = (await must(call("POST", "/auth/login", { body: { username: "admin", password: targetPassword } }), 200)).token;
  await must(call("PATCH", "/community/settings", { token: admin, body: { minPublicityHours: 0, pinThreshold: 100_000 } }), 200);
  const shopId = (await must(call("POST", "/shops", { token: admin, body: { name: "驿站超市" } }), 201)).id;
  const password = "stress-password-1";
  const login = async (username: string, role: string) => {
    await must(call("POST", "/users", { token: admin, body: { username, password, name: username, role, ...(role === "clerk" ? { shopId } : {}) } }), 201);
    return (await must(call("POST", "/auth/login", { body: { username, password } }), 200)).token as string;
  };
  const reviewer = await login("reviewer", "reviewer");
  const volunteer = await login("volunteer", "volunteer");
  const clerkTokens = [];
  for (let i = 0; i < clerks; i++) clerkTokens.push(await login(`clerk${i}`, "clerk"));
  const ruleId = (await must(call("POST", "/rules", { token: admin, body: { category: "volunteer", title: "志愿服务", kind: "award", minPoints: 1, maxPoints: 10_000 } }), 201)).id;
  const list = [];
  for (let i = 0; i < households; i++) {
    const h = await must(call("POST", "/households", { token: admin, body: { householdNo: `S${String(i).padStart(5, "0")}`, headName: `住户${i}`, building: `${1 + (i % 20)}号楼`, members: [{ name: `住户${i}` }] } }), 201);
    const card = await must(call("POST", `/households/${h.id}/card`, { token: admin, body: { pin: "2468" } }), 201);
    list.push({ id: h.id, qr: card.qr });
  }
  await credit(server, { admin, reviewer, volunteer, ruleId }, list.map((h) => h.id), points);
  return { admin, reviewer, volunteer, clerks: clerkTokens, shopId, ruleId, households: list };
}

/** Applies, certifies, publicises (one second) and tops up `points` for each household. */
export async function credit(server: Server, who: { admin: string; reviewer: string; volunteer: string; ruleId: string }, householdIds: string[], points: number) {
  const call = server.call;
  for (const householdId of householdIds) {
    const app = await must(call("POST", "/applications", { token: who.volunteer, body: { householdId, ruleId: who.ruleId, description: "压力测试" } }), 201);
    await must(call("POST", `/applications/${app.id}/certify`, { token: who.reviewer, body: { decision: "approve", points } }), 200);
  }
  const batch = await must(call("POST", "/publicity", { token: who.admin, body: { endsAt: new Date(Date.now() + 1000).toISOString() } }), 201);
  await new Promise((r) => setTimeout(r, 1100));
  return must(call("POST", "/topups", { token: who.admin, body: { publicityId: batch.id } }), 201);
}

/** Runs `tasks` with at most `width` in flight. */
export async function pool<T>(width: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}
