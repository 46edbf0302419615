/** Environment, parsed once with zod (Node and Workers read the same names). */
import { z } from "zod";

/** `PUBLICITY_FLOOR_HOURS` when it is not set, and for an app built without it in its config. */
export const publicityFloorHoursDefault = 24;

/** The published development defaults: fine on a laptop, never behind a public https address. */
export const seedPasswordDefault = "shuangfu-demo-2026";
export const cardSigningKeyDefault = "dev-only-card-signing-key-change-me";

export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  DATABASE_URL: z.string().min(1).default("file:data/shuangfu.db"),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  SEED_DEMO: z.enum(["0", "1"]).default("1"),
  SEED_PASSWORD: z.string().min(10).default(seedPasswordDefault),
  SEED_HOUSEHOLDS: z.coerce.number().int().min(0).max(100_000).default(60),
  PUBLIC_URL: z.string().url().optional(),
  CARD_SIGNING_KEY: z.string().min(16).default(cardSigningKeyDefault),
  SECURE_COOKIES: z.enum(["0", "1"]).optional(),
  /** Behind a reverse proxy on Node: take the client address from X-Forwarded-For (else the socket's). */
  TRUST_PROXY: z.enum(["0", "1"]).default("0"),
  /** How often the Node process runs the scheduled job (publicity close + auto top-up). */
  JOB_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
  /**
   * The least publicity window (and `minPublicityHours`) any community of the deployment may set:
   * one admin alone must not be able to open a batch nobody has time to object to (issue 9).
   * Tests and a local demo may set 0.
   */
  PUBLICITY_FLOOR_HOURS: z.coerce.number().int().min(0).max(720).default(publicityFloorHoursDefault),
});

export type Env = z.infer<typeof EnvSchema>;

/** The deployment's publicity floor in hours (see `PUBLICITY_FLOOR_HOURS`). */
export function publicityFloorHours(config: { publicityFloorHours?: number }): number {
  return config.publicityFloorHours ?? publicityFloorHoursDefault;
}

export function parseEnv(source: Record<string, unknown>): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Bad environment: ${problems}`);
  }
  return parsed.data;
}

/**
 * What keeps a deployment with a public https address from starting: the published default
 * password of the seeded accounts, or the development card-signing key (anyone could then forge
 * card QR codes). Each problem names its variable.
 */
export function productionProblems(env: Env): string[] {
  if (!env.PUBLIC_URL?.startsWith("https:")) return [];
  const problems: string[] = [];
  if (env.SEED_PASSWORD === seedPasswordDefault) problems.push("SEED_PASSWORD is the published default: set your own (at least 10 characters) before the first start");
  if (env.CARD_SIGNING_KEY === cardSigningKeyDefault) problems.push("CARD_SIGNING_KEY is the development key: set a long random secret and keep it (printed cards depend on it)");
  return problems;
}
