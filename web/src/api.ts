/**
 * The one module that talks to the server. Every call goes through the typed Hono client
 * (`hc<AppType>`), so a route that changes shape on the server breaks the typecheck here.
 *
 * The session is the HttpOnly `sf_session` cookie set at sign-in (same origin), so no token is
 * kept in script-readable storage. Every request carries `Accept-Language` for the chosen UI
 * language, so API error messages come back in words the user reads.
 */
import { hc } from "hono/client";
import type { AppType } from "../../api/app";
// The procedure routes answer the server's own view types (type-only: no server code ships).
import type { ApplicationEvent, ApplicationView as Application } from "../../api/domain/applications";
import type { CommunitySettings as Settings } from "../../api/domain/community";
import type { NoticeView as Notice } from "../../api/domain/notices";
import type { ObjectionView as Objection, PublicityItemView as PublicityItem, PublicityView as Publicity } from "../../api/domain/publicity";
import type { TopUpView as TopUp } from "../../api/domain/topup";
import type { ApplicationStatus, Category, RuleKind } from "../../shared/domain";
import { currentLang } from "./i18n/lang";

/** A failed API call: the server's stable `code` and its message in the UI language. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const client = hc<AppType>(typeof location === "undefined" ? "http://localhost" : location.origin, {
  headers: () => ({ "Accept-Language": currentLang() === "en" ? "en" : "zh-CN" }),
  init: { credentials: "same-origin" },
});

/** The typed root: `api.auth.login.$post(...)`. */
export const api = client.api;

type Endpoint = {
  $get: (args?: unknown, options?: unknown) => Promise<Response>;
  $post: (args?: unknown, options?: unknown) => Promise<Response>;
  $patch: (args?: unknown, options?: unknown) => Promise<Response>;
  $url: (args?: unknown) => URL;
};

/**
 * Walks the typed client by path ("households/:id/ledger"). Each call stays in this file, with
 * its answer typed by the interfaces below; they follow the zod schemas of `api/routes/*.ts`
 * (the contract), so keep them in step when a route's answer changes.
 */
function at(path: string): Endpoint {
  let node: any = client.api;
  for (const segment of path.split("/")) node = node[segment];
  return node as Endpoint;
}

async function unwrap<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const error = body?.error;
    throw new ApiError(res.status, error?.code ?? "NETWORK", error?.message ?? `HTTP ${res.status}`, error?.details ?? {});
  }
  return body as T;
}

async function send<T>(call: () => Promise<Response>): Promise<T> {
  let res: Response;
  try {
    res = await call();
  } catch {
    throw new ApiError(0, "NETWORK", currentLang() === "en" ? "No network connection. Try again when online." : "网络连接不上，请联网后再试。");
  }
  return unwrap<T>(res);
}

type Args = { param?: Record<string, string>; query?: Record<string, string | undefined>; json?: unknown; form?: unknown };

function clean(args: Args): Args {
  if (!args.query) return args;
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(args.query)) if (v !== undefined && v !== "") query[k] = v;
  return { ...args, query };
}

const get = <T>(path: string, args: Args = {}) => send<T>(() => at(path).$get(clean(args)));
const post = <T>(path: string, args: Args = {}, headers?: Record<string, string>) =>
  send<T>(() => at(path).$post(clean(args), headers ? { headers } : undefined));
const patch = <T>(path: string, args: Args = {}) => send<T>(() => at(path).$patch(clean(args)));
/** A same-origin URL for an endpoint, for <img src> and downloads. */
const url = (path: string, args: Args = {}) => {
  const u = at(path).$url(clean(args));
  return u.pathname + u.search;
};

export type { Application, ApplicationEvent, Notice, Objection, Publicity, PublicityItem, Settings, TopUp };

// ---- Answers, as API.md describes them --------------------------------------------------

export interface List<T> {
  items: T[];
  nextCursor: string | null;
}
export interface StaffUser {
  id: string;
  username: string;
  name: string;
  role: "admin" | "reviewer" | "volunteer" | "clerk";
  communityId: string;
  shopId: string | null;
}
export interface Me {
  kind: "user" | "household";
  role: string;
  communityId: string;
  user?: StaffUser;
  household?: { id: string; householdNo: string; headName: string };
}
export interface Member {
  id: string;
  name: string;
  relation?: string | null;
}
export interface Household {
  id: string;
  householdNo: string;
  headName: string;
  building: string;
  unit?: string | null;
  room?: string | null;
  phone?: string | null;
  members: Member[];
  balance: number;
  score: number;
  rank?: number | null;
  card: { cardNo: string; status: string } | null;
}
export interface Rule {
  id: string;
  category: Category;
  title: string;
  kind: RuleKind;
  minPoints: number;
  maxPoints: number;
  /** Retired rules (false) take no new applications; GET /rules lists active ones unless `all=1`. */
  active?: boolean;
}
export interface Goods {
  id: string;
  shopId: string;
  name: string;
  points: number;
  stock: number;
  unit?: string | null;
}
export interface Shop {
  id: string;
  name: string;
}
export interface LedgerEntry {
  id: string;
  at: string;
  kind: "award" | "penalty" | "redemption" | "reversal" | "adjustment";
  amount: number;
  balanceAfter: number;
  ref?: unknown;
  description?: string;
}
export interface ResolvedCard {
  cardNo: string;
  household: { id: string; householdNo: string; headName: string; building: string };
  balance: number;
}
export interface Redemption {
  id: string;
  receiptNo: string | number;
  householdId: string;
  total: number;
  balanceAfter: number;
  items: { goodsId: string; name?: string; quantity: number; points?: number; subtotal?: number }[];
  createdAt?: string;
  headName?: string;
  householdNo?: string;
  void?: unknown;
  at?: string;
}
export interface Summary {
  households: number;
  participatingHouseholds: number;
  participationRate: number;
  pointsAwarded: number;
  pointsDeducted: number;
  pointsRedeemed: number;
  pointsOutstanding: number;
  byCategory: { category: Category; points: number; applications: number }[];
}
export interface RankingRow {
  householdId?: string;
  householdNo?: string;
  name?: string;
  headName?: string;
  building?: string;
  score: number;
  rank: number;
}
export interface AuditRow {
  id: string;
  at: string;
  actor?: string | null;
  action: string;
  target?: string | null;
  details?: unknown;
}

// ---- Calls ---------------------------------------------------------------------------------

export const auth = {
  login: (username: string, password: string) =>
    send<{ token: string; user: StaffUser }>(() => client.api.auth.login.$post({ json: { username, password } })),
  cardLogin: (cardNo: string, pin: string) =>
    send<{ token: string; household: { id: string; householdNo: string } }>(() =>
      client.api.auth["card-login"].$post({ json: { cardNo, pin } }),
    ),
  logout: () => send<{ ok: boolean }>(() => client.api.auth.logout.$post()),
  me: () => send<Me>(() => client.api.me.$get()),
};

export const households = {
  list: (q?: string, building?: string, limit = "50") => get<List<Household>>("households", { query: { q, building, limit } }),
  get: (id: string) => get<Household>("households/:id", { param: { id } }),
  create: (body: unknown) => post<Household>("households", { json: body }),
  update: (id: string, body: unknown) => patch<Household>("households/:id", { param: { id }, json: body }),
  ledger: (id: string) => get<List<LedgerEntry>>("households/:id/ledger", { param: { id } }),
  issueCard: (id: string, pin: string) =>
    post<{ cardNo: string; qr: string; status: string }>("households/:id/card", { param: { id }, json: { pin } }),
  /** All or nothing: a bad file answers IMPORT_INVALID with `details.rows` = [{line, field, column, problem}]. */
  import: (file: File) => post<{ imported: number }>("households/import", { form: { file } }),
  templateUrl: (format: "csv" | "xlsx") => url("households/import/template", { query: { format } }),
};

export const cards = {
  qrUrl: (cardNo: string) => url("cards/:cardNo/qr.svg", { param: { cardNo } }),
  revoke: (cardNo: string) => post<unknown>("cards/:cardNo/revoke", { param: { cardNo } }),
  resolve: (qr: string) => post<ResolvedCard>("cards/resolve", { json: { qr } }),
  /** A one-time code for the shop: valid `seconds`, pays once; `svg` is its QR code. */
  code: () => post<{ qr: string; expiresAt: string; seconds: number; svg: string }>("cards/code"),
};

export const rules = {
  list: () => get<List<Rule>>("rules"),
  create: (body: Omit<Rule, "id" | "active">) => post<Rule>("rules", { json: body }),
};

export const notices = {
  list: () => get<List<Notice>>("notices"),
  create: (body: { title: string; body: string; ruleIds?: string[] }) => post<Notice>("notices", { json: body }),
  publish: (id: string) => post<Notice>("notices/:id/publish", { param: { id } }),
};

export const applications = {
  /** `mine: "1"`: only what the signed-in staff member submitted. */
  list: (query: { status?: ApplicationStatus; householdId?: string; noticeId?: string; mine?: "1" } = {}) =>
    get<List<Application>>("applications", { query }),
  get: (id: string) => get<Application>("applications/:id", { param: { id } }),
  create: (body: {
    householdId: string;
    memberId?: string;
    ruleId: string;
    noticeId?: string;
    description: string;
    evidence?: string[];
  }) => post<Application>("applications", { json: body }),
  certify: (id: string, body: { decision: "approve" | "reject"; points?: number; reason?: string }) =>
    post<Application>("applications/:id/certify", { param: { id }, json: body }),
};

export const publicity = {
  /** The running batch, or null when none is open. */
  current: () => get<Publicity | null>("publicity/current"),
  list: () => get<List<Publicity>>("publicity"),
  get: (id: string) => get<Publicity>("publicity/:id", { param: { id } }),
  create: (endsAt?: string) => post<Publicity>("publicity", { json: endsAt ? { endsAt } : {} }),
  object: (id: string, applicationId: string, reason: string) =>
    post<Objection>("publicity/:id/objections", { param: { id }, json: { applicationId, reason } }),
};

export const objections = {
  list: (status: Objection["status"] = "open") => get<List<Objection>>("objections", { query: { status } }),
  resolve: (id: string, upheld: boolean, note: string) =>
    post<Objection>("objections/:id/resolve", { param: { id }, json: { upheld, note } }),
};

export const topups = {
  list: () => get<List<TopUp>>("topups"),
  create: (publicityId: string) => post<TopUp>("topups", { json: { publicityId } }),
};

export const shops = {
  list: () => get<List<Shop>>("shops"),
  create: (name: string) => post<Shop>("shops", { json: { name } }),
};

export const goods = {
  list: (shopId?: string) => get<List<Goods>>("goods", { query: { shopId } }),
  create: (body: { shopId: string; name: string; points: number; stock: number; unit?: string }) =>
    post<Goods>("goods", { json: body }),
  stock: (id: string, delta: number, reason: string) =>
    post<Goods>("goods/:id/stock", { param: { id }, json: { delta, reason } }),
};

export const redemptions = {
  /** One `idempotencyKey` per basket: a retry with the same key never charges twice. */
  create: (idempotencyKey: string, body: { qr: string; items: { goodsId: string; quantity: number }[]; pin?: string }) =>
    post<Redemption>("redemptions", { json: body }, { "Idempotency-Key": idempotencyKey }),
  /** `date` (YYYY-MM-DD) adds the day's totals. */
  list: (query: { date?: string; shopId?: string; householdId?: string; limit?: string } = {}) =>
    get<List<Redemption> & { totals: { count: number; points: number; netPoints: number } | null }>("redemptions", { query }),
  void: (id: string) => post<unknown>("redemptions/:id/void", { param: { id } }),
};

export const users = {
  list: () => get<List<StaffUser>>("users"),
  create: (body: { username: string; password: string; name: string; role: string; shopId?: string }) =>
    post<StaffUser>("users", { json: body }),
};

export const settings = {
  get: () => get<Settings>("community/settings"),
  update: (body: Partial<Omit<Settings, "id" | "code">>) => patch<Settings>("community/settings", { json: body }),
};

export const reports = {
  summary: () => get<Summary>("reports/summary"),
  ranking: () => get<List<RankingRow>>("reports/ranking"),
  ledgerCheck: () => get<Record<string, unknown>>("ledger/check"),
};

export const audit = {
  list: () => get<List<AuditRow>>("audit"),
};
