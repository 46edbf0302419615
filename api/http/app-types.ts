/** What every request handler can reach: injected dependencies, never module globals. */
import type { Db } from "../../db/client";
import type { Lang } from "../../shared/domain";

export type { Lang };
import type { Actor, OfficerActor, RequestMeta } from "../domain/actor";
import type { Clock } from "../domain/clock";
import type { HouseholdFileParser } from "../domain/import";

export interface AppConfig {
  /** Public base URL of the web app; card QR codes point here (`<publicUrl>/c/<payload>`). */
  publicUrl: string;
  /** Deployment secret mixed into every community's card-signing key. */
  cardSigningKey: string;
  /** Mark cookies `Secure` (true behind HTTPS). */
  secureCookies: boolean;
  /**
   * Where the client's address comes from: the socket (Node, the default), X-Forwarded-For
   * (Node behind a proxy that sets it, `TRUST_PROXY=1`) or CF-Connecting-IP (Workers, where
   * Cloudflare sets it). A header no one vouches for is never read: a client could forge it.
   */
  addressFrom?: "socket" | "forwarded" | "cloudflare";
  /**
   * The least publicity window and `minPublicityHours` any community may set
   * (`PUBLICITY_FLOOR_HOURS`); absent: 24 hours. Tests build their app with 0.
   */
  publicityFloorHours?: number;
}

export interface AppDeps {
  /** The database for this request: one per process on Node, one per request on Workers. */
  db: (env: unknown) => Db | Promise<Db>;
  clock: Clock;
  config: (env: unknown) => AppConfig;
  /** Reads and checks an import file; Node passes one that runs in a worker thread. Default: in line. */
  parseHouseholdFile?: HouseholdFileParser;
}



export interface AppEnv {
  Bindings: Record<string, unknown>;
  Variables: {
    db: Db;
    clock: Clock;
    config: AppConfig;
    actor: Actor | null;
    /** A signed-in county or township officer (then `actor` is null: officers reach no community route). */
    officer: OfficerActor | null;
    lang: Lang;
    meta: RequestMeta;
    requestId: string;
    parseHouseholdFile: HouseholdFileParser;
  };
}
