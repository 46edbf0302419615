/**
 * Hostile input against every endpoint in the generated OpenAPI document: malformed JSON, wrong
 * types, huge and negative numbers, unicode oddities, oversized bodies, bad ids and queries, bad
 * QR payloads, as a stranger, a resident, a clerk and an admin. Never a 5xx, always the one error
 * shape, and nothing written by a request that was refused.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addGoods, addHousehold, grantPoints, issueCardFor } from "./support/fixtures";
import { createTestApp, type ApiResponse, type TestApp, type TestCommunity } from "./support/harness";
import { limits } from "../shared/limits";

let t: TestApp;
let c: TestCommunity;
let resident = "";
let operations: Array<{ method: string; path: string; schema: any }> = [];

/**
 * Tables that refused requests legitimately touch: sign-in counters and sessions, and the ledger
 * check's proof (ledger_check_*), which `GET /ledger/check` keeps of what it verified: derived
 * from the ledger, never a record of its own.
 */
const counterTables = new Set(["sessions", "sign_in_attempts", "users", "cards", "__drizzle_migrations", "ledger_check_accounts", "ledger_check_marks", "ledger_check_ranges"]);

async function rowCounts(): Promise<Record<string, number>> {
  const tables = await t.db.all<{ name: string }>(sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    if (counterTables.has(name)) continue;
    const [row] = await t.db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM ${sql.identifier(name)}`);
    counts[name] = Number(row.n);
  }
  return counts;
}

/** Every account and community value a refused request could change. */
async function moneyState() {
  return t.db.all(sql`SELECT id, balance, score FROM accounts UNION ALL SELECT id, stock, points FROM goods ORDER BY 1`);
}

function expectErrorShape(res: ApiResponse, what: string) {
  expect(res.status, `${what} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.body?.error?.code, `${what}: error shape`).toMatch(/^[A-Z_]+$/);
    expect(typeof res.body.error.message, `${what}: message`).toBe("string");
    expect(res.body.error.message.length).toBeGreaterThan(0);
  }
}

const hostileIds = ["does-not-exist", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "x".repeat(300), "%F0%9F%99%82", "'%20OR%201%3D1%20--", "%00"];

/** Values of the wrong type for any field: none of these can pass a schema. */
const wrongTypes: unknown[] = [{ nested: { deeper: [1, 2, 3] } }, [[["x"]]], true];

function bodyWith(schema: any, value: unknown): Record<string, unknown> {
  const props = Object.keys(schema?.properties ?? {});
  const body: Record<string, unknown> = {};
  for (const key of props.length ? props : ["anything"]) body[key] = value;
  return body;
}

beforeAll(async () => {
  t = await createTestApp();
  c = await t.newCommunity("FUZZ");
  const h = await addHousehold(t, c);
  const card = await issueCardFor(t, c, h.id, "2468");
  await grantPoints(t.db, c.communityId, h.id, 500);
  await addGoods(t, c, { stock: 10 });
  resident = (await t.call("POST", "/auth/card-login", { body: { cardNo: card.cardNo, pin: "2468" } })).body.token;
  const doc = (await t.call("GET", "/openapi.json")).body;
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      // Signing out ends the session the rest of the run uses; the resident's one-time code is a write by design.
      if (path === "/auth/logout" || path === "/cards/code") continue;
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      operations.push({ method: method.toUpperCase(), path, schema: schema?.$ref ? doc.components.schemas[schema.$ref.split("/").pop()] : schema });
    }
  }
}, 60_000);
afterAll(() => t.close());

describe("hostile input on every endpoint", () => {
  it("covers the whole API", () => {
    expect(operations.length).toBeGreaterThan(45);
  });

  it("never answers 5xx and writes nothing for bodies that cannot be valid", async () => {
    const before = await rowCounts();
    const money = await moneyState();
    const tokens = { stranger: null, resident, clerk: c.tokens.clerk, admin: c.tokens.admin };
    let requests = 0;
    for (const op of operations) {
      for (const id of hostileIds) {
        const path = op.path.replace(/\{[^}]+\}/g, id);
        const bodies: Array<{ raw?: string; body?: unknown; type?: string }> = [
          { raw: "{not json", type: "application/json" },
          { raw: "", type: "application/json" },
          { raw: '{"a":1,"a":', type: "application/json" },
          { body: [] },
          { body: "just a string" },
          { body: null },
          { raw: "\u0000\u0001\u0002", type: "text/plain" },
          { raw: "<xml/>", type: "application/xml" },
          ...wrongTypes.map((v) => ({ body: bodyWith(op.schema, v) })),
        ];
        // Ids are hostile in every path with a parameter; paths without one get each body once.
        if (!op.path.includes("{") && id !== hostileIds[0]) continue;
        for (const [who, token] of Object.entries(tokens)) {
          for (const b of op.method === "GET" ? [{}] : bodies) {
            const headers: Record<string, string> = { "idempotency-key": `fuzz-${requests}` };
            if (b.type) headers["content-type"] = b.type;
            const res = await t.call(op.method, `${path}?limit=-5&cursor=%ff%fe&status=%00&date=2026-13-45&q=${"%E2%80%AE".repeat(20)}`, {
              token,
              headers,
              ...(b.raw !== undefined ? { rawBody: b.raw } : b.body !== undefined ? { body: b.body } : {}),
            });
            requests++;
            expectErrorShape(res, `${who} ${op.method} ${path} ${JSON.stringify(b).slice(0, 80)}`);
          }
        }
      }
    }
    expect(requests).toBeGreaterThan(1000);
    expect(await rowCounts()).toEqual(before);
    expect(await moneyState()).toEqual(money);
    await t.ledgerOk(c.communityId);
  }, 300_000);

  it("refuses oversized bodies on every write with 413 in the error shape", async () => {
    const big = JSON.stringify({ padding: "x".repeat(limits.importBytesMax + 1024) });
    const writes = operations.filter((op) => op.method !== "GET");
    for (const op of writes) {
      const res = await t.call(op.method, op.path.replace(/\{[^}]+\}/g, "does-not-exist"), { token: c.tokens.admin, rawBody: big, headers: { "content-type": "application/json", "idempotency-key": "big" } });
      expect(res.status, `${op.method} ${op.path}`).toBe(413);
      expect(res.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    }
  }, 120_000);

  it("handles huge, negative and fractional numbers and odd unicode without a 5xx", async () => {
    const values: unknown[] = [1e308, -1e308, -1, 0, 0.5, Number.MAX_SAFE_INTEGER + 2, "9".repeat(400), "\ud800", "\u202e\u0000\u200b", "🙂".repeat(3000), "ｆｕｌｌｗｉｄｔｈ", "\n\r\t"];
    for (const op of operations.filter((o) => o.method !== "GET" && o.schema)) {
      for (const value of values) {
        const res = await t.call(op.method, op.path.replace(/\{[^}]+\}/g, "does-not-exist"), { token: c.tokens.admin, body: bodyWith(op.schema, value), headers: { "idempotency-key": `num-${Math.random()}` } });
        expectErrorShape(res, `${op.method} ${op.path} ${String(value).slice(0, 20)}`);
      }
    }
    await t.ledgerOk(c.communityId);
  }, 120_000);

  it("answers CARD_INVALID for every bad QR payload a scanner could produce", async () => {
    const payloads = ["", " ", "http://localhost:8787/c/", "http://localhost:8787/c/123.1.short", "http://evil.example/c/123456789012.1.AAAAAAAAAAAAAAAAAAAAAA", "123456789012", "javascript:alert(1)", "\u0000".repeat(50), "http://localhost:8787/d/" + "A".repeat(22), "WIFI:S:home;T:WPA;P:secret;;", "x".repeat(limits.qrLengthMax)];
    for (const qr of payloads) {
      const res = await t.call("POST", "/cards/resolve", { token: c.tokens.clerk, body: { qr } });
      expect(res.status, JSON.stringify(qr)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      if (qr.trim()) expect(res.body.error.code).toBe("CARD_INVALID");
    }
  });
});
