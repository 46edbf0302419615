/** Environment, parsed once with zod (Node and Workers read the same names). */
import { z } from "zod";

export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  DATABASE_URL: z.string().min(1).default("file:data/shuangfu.db"),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  SEED_DEMO: z.enum(["0", "1"]).default("1"),
  SEED_PASSWORD: z.string().min(10).default("shuangfu-demo-2026"),
  SEED_HOUSEHOLDS: z.coerce.number().int().min(0).max(100_000).default(60),
  PUBLIC_URL: z.string().url().optional(),
  CARD_SIGNING_KEY: z.string().min(16).default("dev-only-card-signing-key-change-me"),
  SECURE_COOKIES: z.enum(["0", "1"]).optional(),
  /** Behind a reverse proxy on Node: take the client address from X-Forwarded-For (else the socket's). */
  TRUST_PROXY: z.enum(["0", "1"]).default("0"),
  /** How often the Node process runs the scheduled job (publicity close + auto top-up). */
  JOB_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
});

export type Env = z.infer<typeof EnvSchema>;

export function parseEnv(source: Record<string, unknown>): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Bad environment: ${problems}`);
  }
  return parsed.data;
}
