/**
 * The one module that talks to the server. Every call goes through the typed Hono client
 * (`hc<AppType>`), and every answer type below is inferred from the server's own route
 * definitions (their zod schemas), so a route that changes shape breaks the typecheck here and
 * in the pages that read it. Only types cross over from `api/`: no server code is bundled.
 *
 * The session is the HttpOnly `sf_session` cookie set at sign-in (same origin), so no token is
 * kept in script-readable storage. Every request carries `Accept-Language` for the chosen UI
 * language, so API error messages come back in words the user reads.
 */
import { hc, type ClientResponse } from "hono/client";
import type { AppType } from "../../api/app";
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
const api = client.api;

// ---- Sending ---------------------------------------------------------------------------------

type SuccessStatus = 200 | 201;
/** What a call answers when it succeeds (the JSON of its 200 or 201 response). */
type Success<R> = R extends ClientResponse<infer T, infer S, infer _F> ? (S extends SuccessStatus ? T : never) : never;
type AnyResponse = ClientResponse<unknown, number, "json" | "text" | string>;

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = body.error;
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string";
}

function networkError(): ApiError {
  return new ApiError(0, "NETWORK", currentLang() === "en" ? "No network connection. Try again when online." : "网络连接不上，请联网后再试。");
}

/** Sends one request; a failure becomes an `ApiError` (status 0 when the network failed). */
async function send<R extends AnyResponse>(request: () => Promise<R>): Promise<Success<R>> {
  let res: R;
  let text: string;
  try {
    res = await request();
    text = await res.text();
  } catch {
    throw networkError();
  }
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON (a proxy's error page): keep the text */
  }
  if (!res.ok) {
    if (isErrorBody(body)) throw new ApiError(res.status, body.error.code, body.error.message, body.error.details ?? {});
    throw new ApiError(res.status, res.status >= 500 ? "SERVER" : "HTTP", `HTTP ${res.status}`);
  }
  return body as Success<R>;
}

// ---- Ids in paths ----------------------------------------------------------------------------

/** The server's ids (UUIDs, card numbers, cursors): letters, digits, `_` and `-`, at most 100. */
const idPattern = /^[A-Za-z0-9_-]{1,100}$/;

/** Whether `text` (read from a URL, a form or a scan) can be an id; check before using it. */
export function isId(text: unknown): text is string {
  return typeof text === "string" && idPattern.test(text);
}

/**
 * An id as one path segment. The typed client pastes parameters into the path as they are, so
 * an id is checked and escaped here: `../users` must never turn into another endpoint.
 */
function segment(id: string): string {
  if (!isId(id)) throw new ApiError(400, "VALIDATION_FAILED", currentLang() === "en" ? "Not a valid id." : "编号格式不对。", { fields: { id } });
  return encodeURIComponent(id);
}

/** Leaves out empty query values, so `?q=` is not sent as a search for nothing. */
function query<Q extends Record<string, string | undefined>>(values: Q): Q {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== "") kept[key] = value;
  return kept as Q;
}

/** A same-origin path for <img src> and downloads. */
function pathOf(url: URL): string {
  return url.pathname + url.search;
}

// ---- Calls -----------------------------------------------------------------------------------

export const auth = {
  login: (username: string, password: string) => send(() => api.auth.login.$post({ json: { username, password } })),
  cardLogin: (cardNo: string, pin: string) => send(() => api.auth["card-login"].$post({ json: { cardNo, pin } })),
  logout: () => send(() => api.auth.logout.$post()),
  me: () => send(() => api.me.$get()),
};

export type HouseholdQuery = { q?: string; building?: string; cursor?: string; limit?: string };
type NewHousehold = Parameters<typeof api.households.$post>[0]["json"];
type HouseholdPatch = Parameters<(typeof api.households)[":id"]["$patch"]>[0]["json"];

export const households = {
  /** One page of the register, by 户号. */
  list: (search: HouseholdQuery = {}) => send(() => api.households.$get({ query: query(search) })),
  get: (id: string) => send(() => api.households[":id"].$get({ param: { id: segment(id) } })),
  create: (body: NewHousehold) => send(() => api.households.$post({ json: body })),
  update: (id: string, body: HouseholdPatch) => send(() => api.households[":id"].$patch({ param: { id: segment(id) }, json: body })),
  ledger: (id: string, cursor?: string) =>
    send(() => api.households[":id"].ledger.$get({ param: { id: segment(id) }, query: query({ cursor }) })),
  issueCard: (id: string, pin: string) => send(() => api.households[":id"].card.$post({ param: { id: segment(id) }, json: { pin } })),
  /** All or nothing: a bad file answers IMPORT_INVALID with `details.rows` = [{line, field, column, problem}]. */
  import: (file: File) => send(() => api.households.import.$post({ form: { file }, query: {} })),
  templateUrl: (format: "csv" | "xlsx") => pathOf(api.households.import.template.$url({ query: { format } })),
};

export const cards = {
  qrUrl: (cardNo: string) => pathOf(api.cards[":cardNo"]["qr.svg"].$url({ param: { cardNo: segment(cardNo) } })),
  /**
   * The card's QR as SVG text, for the resident's phone to keep for offline use. The route
   * answers `c.body(svg)`, which the client types as a Response; `send` hands over the text.
   */
  qrSvg: (cardNo: string) =>
    send(() => api.cards[":cardNo"]["qr.svg"].$get({ param: { cardNo: segment(cardNo) } })).then((body: unknown) => (typeof body === "string" ? body : "")),
  revoke: (cardNo: string) => send(() => api.cards[":cardNo"].revoke.$post({ param: { cardNo: segment(cardNo) } })),
  resolve: (qr: string) => send(() => api.cards.resolve.$post({ json: { qr } })),
  /** The counter's fallback: a typed card number with the card's PIN (always checked). */
  resolveTyped: (cardNo: string, pin: string) => send(() => api.cards.resolve.$post({ json: { cardNo, pin } })),
  /** A one-time code for the shop: valid `seconds`, pays once; `svg` is its QR code. */
  code: () => send(() => api.cards.code.$post()),
};

type NewRule = Parameters<typeof api.rules.$post>[0]["json"];

export const rules = {
  list: () => send(() => api.rules.$get({ query: {} })),
  create: (body: NewRule) => send(() => api.rules.$post({ json: body })),
};

type NewNotice = Parameters<typeof api.notices.$post>[0]["json"];

export const notices = {
  list: () => send(() => api.notices.$get({ query: {} })),
  create: (body: NewNotice) => send(() => api.notices.$post({ json: body })),
  publish: (id: string) => send(() => api.notices[":id"].publish.$post({ param: { id: segment(id) } })),
};

type ApplicationQuery = Parameters<typeof api.applications.$get>[0]["query"];
type NewApplication = Parameters<typeof api.applications.$post>[0]["json"];
type Certification = Parameters<(typeof api.applications)[":id"]["certify"]["$post"]>[0]["json"];

export const applications = {
  /** `mine: "1"`: only what the signed-in staff member submitted. */
  list: (filter: ApplicationQuery = {}) => send(() => api.applications.$get({ query: filter })),
  get: (id: string) => send(() => api.applications[":id"].$get({ param: { id: segment(id) } })),
  create: (body: NewApplication) => send(() => api.applications.$post({ json: body })),
  certify: (id: string, body: Certification) => send(() => api.applications[":id"].certify.$post({ param: { id: segment(id) }, json: body })),
};

export const publicity = {
  /** The running batch, or null when none is open. */
  current: () => send(() => api.publicity.current.$get({ query: {} })),
  list: () => send(() => api.publicity.$get({ query: {} })),
  get: (id: string) => send(() => api.publicity[":id"].$get({ param: { id: segment(id) } })),
  create: (endsAt?: string) => send(() => api.publicity.$post({ json: endsAt ? { endsAt } : {} })),
  object: (id: string, applicationId: string, reason: string) =>
    send(() => api.publicity[":id"].objections.$post({ param: { id: segment(id) }, json: { applicationId, reason } })),
};

type ObjectionStatus = NonNullable<Parameters<typeof api.objections.$get>[0]["query"]["status"]>;

export const objections = {
  list: (status: ObjectionStatus = "open") => send(() => api.objections.$get({ query: { status } })),
  resolve: (id: string, upheld: boolean, note: string) =>
    send(() => api.objections[":id"].resolve.$post({ param: { id: segment(id) }, json: { upheld, note } })),
  /** Every objection to one batch (open and resolved), newest first. */
  ofBatch: (publicityId: string) => send(() => api.objections.$get({ query: { publicityId, limit: "200" } })),
};

export const topups = {
  list: () => send(() => api.topups.$get({ query: {} })),
  create: (publicityId: string) => send(() => api.topups.$post({ json: { publicityId } })),
  /** What a top-up of the batch would credit now; writes nothing. */
  preview: (publicityId: string) => send(() => api.topups.preview.$get({ query: { publicityId } })),
};

export const shops = {
  list: () => send(() => api.shops.$get()),
  create: (name: string) => send(() => api.shops.$post({ json: { name } })),
  /** The offline pack for this counter device (issue 14): caps, cards by QR hash, goods. */
  offlinePack: (shopId: string, deviceId: string) => send(() => api.shops[":id"]["offline-pack"].$get({ param: { id: segment(shopId) }, query: { deviceId } })),
};

/** A shop's statement (结算单) as the server answers it. */
export type Settlement = Success<Awaited<ReturnType<(typeof api.settlements)[":id"]["$get"]>>>;

/** 结算 with the partner shops (issue 12): the admin's desk; a clerk lists its own shop's. */
export const settlements = {
  shops: () => send(() => api.settlements.shops.$get()),
  list: (filter: { shopId?: string; status?: "draft" | "confirmed" | "paid" } = {}) => send(() => api.settlements.$get({ query: query(filter) })),
  get: (id: string) => send(() => api.settlements[":id"].$get({ param: { id: segment(id) } })),
  create: (shopId: string, to: string) => send(() => api.settlements.$post({ json: { shopId, to } })),
  confirm: (id: string) => send(() => api.settlements[":id"].confirm.$post({ param: { id: segment(id) } })),
  pay: (id: string, reference: string) => send(() => api.settlements[":id"].pay.$post({ param: { id: segment(id) }, json: { reference } })),
  discard: (id: string) => send(() => api.settlements[":id"].$delete({ param: { id: segment(id) } })),
  /** The statement as a workbook, for a download link. */
  xlsxUrl: (id: string) => `/api/settlements/${segment(id)}.xlsx`,
};

type NewGoods = Parameters<typeof api.goods.$post>[0]["json"];
type StockInBody = Parameters<(typeof api.goods)[":id"]["stock-in"]["$post"]>[0]["json"];
export type StockLedgerQuery = { from?: string; to?: string; goodsId?: string; shopId?: string };

export const goods = {
  list: (shopId?: string) => send(() => api.goods.$get({ query: query({ shopId }) })),
  create: (body: NewGoods) => send(() => api.goods.$post({ json: body })),
  stock: (id: string, delta: number, reason: string) => send(() => api.goods[":id"].stock.$post({ param: { id: segment(id) }, json: { delta, reason } })),
  /** 进货: one delivery; the same `idempotencyKey` on a retry answers the first record. */
  stockIn: (id: string, body: StockInBody, idempotencyKey: string) =>
    send(() => api.goods[":id"]["stock-in"].$post({ param: { id: segment(id) }, json: body, header: { "idempotency-key": idempotencyKey } })),
  /** The product barcode (EAN-13 / UPC), checked by the server; null clears it. */
  setBarcode: (id: string, barcode: string | null) => send(() => api.goods[":id"].barcode.$patch({ param: { id: segment(id) }, json: { barcode } })),
  /** 库存台账 and 进货台账 over a period of China days (`YYYY-MM-DD`). */
  ledger: (filter: StockLedgerQuery = {}) => send(() => api.goods["stock-ledger"].$get({ query: query(filter) })),
};

type Basket = Parameters<typeof api.redemptions.$post>[0]["json"];
export type RedemptionQuery = { date?: string; shopId?: string; householdId?: string; cursor?: string; limit?: string };

export const redemptions = {
  /** One `idempotencyKey` per basket: a retry with the same key never charges twice. */
  create: (idempotencyKey: string, basket: Basket) =>
    send(() => api.redemptions.$post({ json: basket, header: { "idempotency-key": idempotencyKey } })),
  /** `date` (YYYY-MM-DD, a day in China) adds the day's totals. */
  list: (filter: RedemptionQuery = {}) => send(() => api.redemptions.$get({ query: query(filter) })),
  /** Admin only; the reason is required and kept on the void and in the audit log. */
  void: (id: string, reason: string) => send(() => api.redemptions[":id"].void.$post({ param: { id: segment(id) }, json: { reason } })),
  /** The end-of-day sheet (日结单) of a day in China, for a shop and optionally one clerk. */
  daySheet: (filter: { date: string; shopId?: string; clerkId?: string }) => send(() => api.redemptions["day-sheet"].$get({ query: query(filter) })),
  /** Admin: what offline redemptions left (shortfalls, stock discrepancies, flagged cards). */
  shortfalls: (status: "open" | "all" = "open") => send(() => api.redemptions.shortfalls.$get({ query: { status } })),
  resolveShortfall: (id: string, action: "write-off" | "recover", note: string) =>
    send(() => api.redemptions.shortfalls[":id"].resolve.$post({ param: { id: segment(id) }, json: { action, note } })),
};

type NewUser = Parameters<typeof api.users.$post>[0]["json"];

export const users = {
  list: () => send(() => api.users.$get({ query: {} })),
  create: (body: NewUser) => send(() => api.users.$post({ json: body })),
};

type SettingsPatch = Parameters<typeof api.community.settings.$patch>[0]["json"];

export const settings = {
  get: () => send(() => api.community.settings.$get()),
  update: (body: SettingsPatch) => send(() => api.community.settings.$patch({ json: body })),
};

export const reports = {
  summary: () => send(() => api.reports.summary.$get({ query: {} })),
  ranking: () => send(() => api.reports.ranking.$get({ query: {} })),
  ledgerCheck: () => send(() => api.ledger.check.$get()),
};

export type AuditQuery = { action?: string; actor?: string; actorRole?: "admin" | "reviewer" | "volunteer" | "clerk" | "resident" | "system"; from?: string; to?: string; cursor?: string; limit?: string };

export const audit = {
  list: (filter: AuditQuery = {}) => send(() => api.audit.$get({ query: query(filter) })),
};

// ---- Answers, as the server defines them -----------------------------------------------------

type Answer<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
type ItemOf<F extends (...args: never[]) => Promise<{ items: unknown[] }>> = Answer<F>["items"][number];

/** One page of a list: `{ items, nextCursor }`. */
export type Page<T> = { items: T[]; nextCursor: string | null };
export type Me = Answer<typeof auth.me>;
export type StaffUser = ItemOf<typeof users.list>;
export type Household = Answer<typeof households.get>;
export type HouseholdRow = ItemOf<typeof households.list>;
export type LedgerEntry = ItemOf<typeof households.ledger>;
export type ResolvedCard = Answer<typeof cards.resolve>;
export type Rule = ItemOf<typeof rules.list>;
export type Notice = ItemOf<typeof notices.list>;
export type Application = ItemOf<typeof applications.list>;
export type Publicity = ItemOf<typeof publicity.list>;
export type PublicityItem = Publicity["items"][number];
export type Objection = ItemOf<typeof objections.list>;
export type TopUp = Answer<typeof topups.create>;
export type TopUpPreview = Answer<typeof topups.preview>;
export type Shop = ItemOf<typeof shops.list>;
export type Goods = ItemOf<typeof goods.list>;
export type StockLedger = Answer<typeof goods.ledger>;
export type Receipt = Answer<typeof redemptions.create>;
export type Redemption = ItemOf<typeof redemptions.list>;
export type DaySheet = Answer<typeof redemptions.daySheet>;
export type OfflinePack = Answer<typeof shops.offlinePack>;
export type OfflineReceipt = Receipt;
export type Shortfall = ItemOf<typeof redemptions.shortfalls>;
export type Settings = Answer<typeof settings.get>;
export type Summary = Answer<typeof reports.summary>;
export type RankingRow = ItemOf<typeof reports.ranking>;
export type AuditEntry = ItemOf<typeof audit.list>;

// ---- The office's register at scale, card batches and staff accounts (issue 13.5) ----------

/** The household register's filters: `card` is active (a card in use), none (no card in use) or lost (reported lost). */
export type HouseholdPageQuery = { q?: string; building?: string; householdType?: string; card?: "active" | "none" | "lost"; cursor?: string; limit?: string };
/** What an import does with a 户号 the community already has. */
export type OnExisting = "refuse" | "skip" | "update";

export const householdDesk = {
  /** One page of the register with `total`, how many households the filter matches in all. */
  page: (filter: HouseholdPageQuery) => send(() => api.households.$get({ query: query(filter) })),
  /** Buildings and household types with their counts, and how many households have a card. */
  facets: () => send(() => api.households.facets.$get()),
  /** A 户号 that exists is refused (the default), skipped, or updated from the file. */
  import: (file: File, onExisting: OnExisting) => send(() => api.households.import.$post({ form: { file }, query: { onExisting } })),
};

export const cardDesk = {
  /** Issues a card with a random PIN to each household (at most `cardBatchHouseholdsMax`); the PINs come back this once. */
  issueBatch: (householdIds: string[]) => send(() => api["card-batches"].$post({ json: { householdIds } })),
  batches: (cursor?: string) => send(() => api["card-batches"].$get({ query: query({ cursor }) })),
  /** A batch for its handover register: households and each card's last four digits, never a PIN. */
  batch: (id: string) => send(() => api["card-batches"][":id"].$get({ param: { id: segment(id) } })),
  /** 挂失: the card stops at once everywhere. */
  reportLost: (cardNo: string, body: { reporter?: string; note?: string }) => send(() => api.cards[":cardNo"].lost.$post({ param: { cardNo: segment(cardNo) }, json: body })),
  /** 补卡 for a card reported lost: a new number and PIN (this once). */
  reissue: (cardNo: string) => send(() => api.cards[":cardNo"].reissue.$post({ param: { cardNo: segment(cardNo) } })),
  /** Cards whose sign-in is locked by wrong PINs, and until when. */
  locked: () => send(() => api.cards.locked.$get()),
  unlock: (cardNo: string) => send(() => api.cards[":cardNo"].unlock.$post({ param: { cardNo: segment(cardNo) } })),
};

export const staffDesk = {
  /** Disabling ends the account's sessions at once. */
  setActive: (id: string, active: boolean) => send(() => api.users[":id"].$patch({ param: { id: segment(id) }, json: { active } })),
  /** The account's sessions end at once. */
  resetPassword: (id: string, password: string) => send(() => api.users[":id"].password.$post({ param: { id: segment(id) }, json: { password } })),
  endSessions: (id: string) => send(() => api.users[":id"].sessions.end.$post({ param: { id: segment(id) } })),
};

export type HouseholdPage = Answer<typeof householdDesk.page>;
export type HouseholdFacets = Answer<typeof householdDesk.facets>;
export type ImportResult = Answer<typeof householdDesk.import>;
export type IssuedCardBatch = Answer<typeof cardDesk.issueBatch>;
export type CardBatchSummary = ItemOf<typeof cardDesk.batches>;
export type CardBatch = Answer<typeof cardDesk.batch>;
export type LockedCard = ItemOf<typeof cardDesk.locked>;

// ---- The county: regions, the officer's overview, communities, the onboarding checklist (issue 11) --

/** A period of China days (`YYYY-MM-DD`, both inclusive); none = all time. */
export type PeriodQuery = { from?: string; to?: string };
type NewCommunity = Parameters<typeof api.communities.$post>[0]["json"];

export const county = {
  /** The officer's region first, then the townships in it. */
  regions: () => send(() => api.regions.$get()),
  addTownship: (name: string) => send(() => api.regions.$post({ json: { name } })),
  overview: (regionId: string, period: PeriodQuery) => send(() => api.regions[":id"].overview.$get({ param: { id: segment(regionId) }, query: query(period) })),
  /** The overview as a workbook, for a download link. */
  workbookUrl: (regionId: string, period: PeriodQuery) => pathOf(api.regions[":id"]["overview.xlsx"].$url({ param: { id: segment(regionId) }, query: query(period) })),
  trend: (regionId: string) => send(() => api.regions[":id"].trend.$get({ param: { id: segment(regionId) }, query: {} })),
  summary: (communityId: string, period: PeriodQuery) => send(() => api.communities[":id"].summary.$get({ param: { id: segment(communityId) }, query: query(period) })),
  /** The community and its first admin, in one go; a taken code or username → 409 and neither. */
  createCommunity: (body: NewCommunity) => send(() => api.communities.$post({ json: body })),
  moveCommunity: (communityId: string, regionId: string) => send(() => api.communities[":id"].$patch({ param: { id: segment(communityId) }, json: { regionId } })),
  officers: () => send(() => api.officers.$get()),
  addOfficer: (body: { username: string; password: string; name: string; regionId: string }) => send(() => api.users.$post({ json: { ...body, role: "officer" } })),
};

export const onboarding = {
  /** The admin's checklist for a new community, each step ticked from its records. */
  get: () => send(() => api.community.onboarding.$get()),
};

export type Region = ItemOf<typeof county.regions>;
export type RegionOverview = Answer<typeof county.overview>;
export type CommunityFigures = RegionOverview["communities"][number];
export type RegionTrend = Answer<typeof county.trend>;
export type Officer = ItemOf<typeof county.officers>;
export type OnboardingChecklist = Answer<typeof onboarding.get>;

// ---- Books that leave the system: the register book and the monthly report (issue 12) -------

export const books = {
  /** The register of a period (China days, both inclusive) for the printable view. */
  register: (from: string, to: string) => send(() => api.register.$get({ query: query({ from, to }) })),
  /** The same period's register as XLSX, for a download link. */
  registerXlsxUrl: (from: string, to: string) => pathOf(api["register.xlsx"].$url({ query: query({ from, to }) })),
  /** The monthly report of a China month `YYYY-MM`. */
  monthly: (month: string) => send(() => api.reports.monthly.$get({ query: { month } })),
  monthlyXlsxUrl: (month: string) => pathOf(api.reports["monthly.xlsx"].$url({ query: { month } })),
};

export type RegisterBook = Answer<typeof books.register>;
export type MonthlyReport = Answer<typeof books.monthly>;

// ---- Every resident can use it (issue 15): statements and family helpers ---------------------

type HelperBody = Parameters<(typeof api.households)[":id"]["helpers"]["$post"]>[0]["json"];

export const inclusion = {
  /** The household statement over China days `from`..`to` (both inclusive). */
  statement: (householdId: string, period: { from?: string; to?: string }) =>
    send(() => api.households[":id"].statement.$get({ param: { id: segment(householdId) }, query: query(period) })),
  /** Active helpers and the latest helper sign-ins (admin; the household itself). */
  helpers: (householdId: string) => send(() => api.households[":id"].helpers.$get({ param: { id: segment(householdId) } })),
  /** Answers the helper's sign-in code this once. */
  addHelper: (householdId: string, body: HelperBody) => send(() => api.households[":id"].helpers.$post({ param: { id: segment(householdId) }, json: body })),
  /** Ends the helper at once: its phone is signed out. */
  endHelper: (householdId: string, helperId: string) =>
    send(() => api.households[":id"].helpers[":helperId"].$delete({ param: { id: segment(householdId), helperId: segment(helperId) } })),
  helperLogin: (code: string) => send(() => api.auth["helper-login"].$post({ json: { code } })),
};

export type HouseholdStatement = Answer<typeof inclusion.statement>;
export type Helper = ItemOf<typeof inclusion.helpers>;
