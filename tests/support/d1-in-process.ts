/**
 * Cloudflare D1 in this process (Miniflare's D1, the same SQLite the worker target's local D1
 * runs), migrated with the committed SQL as `wrangler d1 migrations apply` does, and wrapped as
 * the worker wraps it (`dbFromD1`). For tests that need to look at what the app sends to D1
 * (tests/round-trips.test.ts counts its round trips); the journey runs the whole worker.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import type { Db } from "../../db/client";
import { dbFromD1, type D1Binding } from "../../db/d1";
import { migrationsFolder } from "../../db/migrate-node";

export interface InProcessD1 {
  db: Db;
  close(): Promise<void>;
}

export async function inProcessD1(wrap: (binding: D1Binding) => D1Binding = (b) => b): Promise<InProcessD1> {
  const mf = new Miniflare({ modules: true, script: "export default { fetch() { return new Response(''); } }", d1Databases: ["DB"], compatibilityDate: "2026-04-20" });
  const binding = (await mf.getD1Database("DB")) as unknown as D1Binding & { prepare(sql: string): { run(): Promise<unknown> } };
  for (const file of readdirSync(migrationsFolder).filter((f) => f.endsWith(".sql")).sort()) {
    const statements = readFileSync(join(migrationsFolder, file), "utf8").split("--> statement-breakpoint").map((s) => s.trim()).filter(Boolean);
    await binding.batch(statements.map((s) => binding.prepare(s) as never));
  }
  return { db: dbFromD1(wrap(binding)), close: () => mf.dispose() };
}
