/**
 * Test harness: every test gets its own freshly migrated in-memory database, its own community,
 * a movable clock and a helper to call the API as any role.
 */
import type { Client } from "@libsql/client";
import { migrate } from "drizzle-orm/libsql/migrator";
import { eq } from "drizzle-orm";
import { openAccountStatement } from "../../api/domain/ledger";
import { dbFromLibsql, type Db } from "../../db/client";
import { migrationsFolder } from "../../db/migrate-node";
import { createNodeClient } from "../../db/node-client";
import { shops, users } from "../../db/schema";
import { createApp } from "../../api/app";
import type { Clock } from "../../api/domain/clock";
import { newId } from "../../api/domain/clock";
import type { ApiResponse, CallOptions, Caller } from "../../scripts/lib/server-target";
export type { ApiResponse, CallOptions, Caller };
import { checkLedger } from "../../api/domain/ledger";
import { createCommunity } from "../../api/domain/community";
import { hashSecret } from "../../api/domain/crypto";
import type { StaffRole } from "../../shared/domain";

export const testPassword = "correct-horse-battery";
let passwordHashCache: Promise<string> | null = null;
/** PBKDF2 at full strength is slow on purpose; tests hash the shared password once. */
export function testPasswordHash(): Promise<string> {
  passwordHashCache ??= hashSecret(testPassword);
  return passwordHashCache;
}

export class TestClock implements Clock {
  constructor(private at = new Date("2026-11-02T02:00:00.000Z")) {}
  now() {
    return new Date(this.at);
  }
  advanceHours(hours: number) {
    this.at = new Date(this.at.getTime() + hours * 3_600_000);
  }
  set(at: Date) {
    this.at = new Date(at);
  }
}

export interface TestCommunity {
  communityId: string;
  shopId: string;
  /** Tokens of the standard staff: admin, reviewer, reviewer2, volunteer, clerk. */
  tokens: Record<"admin" | "reviewer" | "reviewer2" | "volunteer" | "clerk", string>;
  userIds: Record<"admin" | "reviewer" | "reviewer2" | "volunteer" | "clerk", string>;
}

export interface TestApp {
  db: Db;
  clock: TestClock;
  call: Caller;
  /** Creates a community with a shop and the five standard staff, all signed in. */
  newCommunity(code?: string): Promise<TestCommunity>;
  login(username: string, password?: string): Promise<string>;
  ledgerOk(communityId: string): Promise<void>;
  close(): void;
}

/** `publicityFloorHours`: the deployment's PUBLICITY_FLOOR_HOURS (0 unless a test sets one). */
/** `wrapClient`: wraps the libSQL client the app uses (tests/round-trips.test.ts counts its calls). */
/** `database`: an already migrated database to use instead (tests/support/d1-in-process.ts: D1). */
export async function createTestApp(options: { publicityFloorHours?: number; wrapClient?: (client: Client) => Client; database?: { db: Db; close(): unknown } } = {}): Promise<TestApp> {
  const client = options.database ? null : createNodeClient(":memory:");
  const db = options.database?.db ?? dbFromLibsql(options.wrapClient ? options.wrapClient(client!) : client!);
  if (!options.database) await migrate(db, { migrationsFolder });
  const clock = new TestClock();
  const app = createApp({
    db: () => db,
    clock,
    // In process there is no socket: addresses come as on Workers (CF-Connecting-IP).
    // Publicity floor 0 unless a test sets one: tests move the clock past one-hour windows.
    config: () => ({ publicUrl: "http://localhost:8787", cardSigningKey: "test-card-signing-key-0123456789", secureCookies: false, publicityFloorHours: options.publicityFloorHours ?? 0, addressFrom: "cloudflare" }),
  });

  const call: Caller = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: BodyInit | undefined = options.rawBody;
    if (options.body !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(options.body);
    }
    const res = await app.request(`/api${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON (an SVG, a CSV): keep the text */
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };

  const login = async (username: string, password = testPassword) => {
    const res = await call("POST", "/auth/login", { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  };

  const newCommunity = async (code = `T${Math.random().toString(36).slice(2, 8).toUpperCase()}`): Promise<TestCommunity> => {
    const suffix = code.toLowerCase();
    const { communityId, adminId } = await createCommunity(db, clock, {
      name: `测试社区${code}`,
      code,
      admin: { username: `admin-${suffix}`, password: testPassword, name: "管理员" },
    });
    const shopId = newId();
    const at = clock.now().toISOString();
    await db.insert(shops).values({ id: shopId, communityId, name: "驿站超市", createdAt: at });
    await db.batch([openAccountStatement(db, { id: shopId, communityId, kind: "shop", at })]);
    const hash = await testPasswordHash();
    const staff: Array<[keyof TestCommunity["tokens"], StaffRole]> = [
      ["reviewer", "reviewer"],
      ["reviewer2", "reviewer"],
      ["volunteer", "volunteer"],
      ["clerk", "clerk"],
    ];
    const userIds = { admin: adminId } as TestCommunity["userIds"];
    for (const [name, role] of staff) {
      const id = newId();
      userIds[name] = id;
      await db.insert(users).values({
        id,
        communityId,
        username: `${name}-${suffix}`,
        passwordHash: hash,
        name: `${name}`,
        role,
        shopId: role === "clerk" ? shopId : null,
        createdAt: at,
      });
    }
    const tokens = {} as TestCommunity["tokens"];
    for (const name of ["admin", "reviewer", "reviewer2", "volunteer", "clerk"] as const) {
      tokens[name] = await login(`${name}-${suffix}`);
    }
    return { communityId, shopId, tokens, userIds };
  };

  return {
    db,
    clock,
    call,
    newCommunity,
    login,
    async ledgerOk(communityId: string) {
      const result = await checkLedger(db, communityId);
      if (!result.ok) throw new Error(`ledger check failed: ${result.problems.join("; ")}`);
    },
    close: () => {
      if (client) client.close();
      else void options.database?.close();
    },
  };
}

export { eq };
