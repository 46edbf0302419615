/**
 * Who may call what: every endpoint × every kind of caller. tests/access.test.ts checks each
 * row against the running app, and renders the table that docs/security.md publishes
 * (`npm run docs:access` rewrites it there).
 */
export type Caller = "anonymous" | "resident" | "otherResident" | "admin" | "reviewer" | "volunteer" | "clerk" | "foreignAdmin" | "officer";
export const callers: Caller[] = ["anonymous", "resident", "otherResident", "admin", "reviewer", "volunteer", "clerk", "foreignAdmin", "officer"];
export const callerTitles: Record<Caller, string> = {
  anonymous: "anonymous",
  resident: "resident (own household)",
  otherResident: "resident of another household",
  admin: "admin",
  reviewer: "reviewer",
  volunteer: "volunteer",
  clerk: "clerk",
  foreignAdmin: "admin of another community",
  officer: "county officer (over the community)",
};

export interface Ids {
  household: string;
  otherHousehold: string;
  cardNo: string;
  spareHousehold: string;
  spareCardNo: string;
  application: string;
  rule: string;
  notice: string;
  publicity: string;
  objection: string;
  goods: string;
  redemption: string;
  /** The county the community lies in, and the community itself (the officer's rows). */
  region: string;
  community: string;
}

export interface AccessRow {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  /** Roles let through; "public" needs no sign-in. */
  allow: Array<"resident" | "admin" | "reviewer" | "volunteer" | "clerk" | "officer"> | "public";
  /** The resource belongs to one household: another household's resident is refused. */
  household?: boolean;
  /** The path names a record of the community: another community's admin gets 404. */
  owned?: boolean;
  /** Sign in afresh for this call (signing out ends the session). */
  freshToken?: boolean;
  call: (ids: Ids) => { path: string; body?: unknown; headers?: Record<string, string> };
}

const staff = ["admin", "reviewer", "volunteer", "clerk"] as const;
const everyone = ["resident", ...staff] as const;
/** Officers are signed in but are no community's staff: they pass only their own rows and these. */
const signedIn = [...everyone, "officer"] as const;

export const accessRows: AccessRow[] = [
  { method: "POST", path: "/auth/login", allow: "public", call: () => ({ path: "/auth/login", body: {} }) },
  { method: "POST", path: "/auth/card-login", allow: "public", call: () => ({ path: "/auth/card-login", body: {} }) },
  { method: "POST", path: "/auth/helper-login", allow: "public", call: () => ({ path: "/auth/helper-login", body: {} }) },
  { method: "POST", path: "/auth/logout", allow: [...signedIn], freshToken: true, call: () => ({ path: "/auth/logout" }) },
  { method: "GET", path: "/me", allow: [...signedIn], call: () => ({ path: "/me" }) },
  { method: "POST", path: "/users", allow: ["admin", "officer"], call: () => ({ path: "/users", body: {} }) },
  { method: "GET", path: "/users", allow: ["admin"], call: () => ({ path: "/users" }) },
  // Unknown account ids: the gates are what is tested here, and no real account is disabled.
  { method: "PATCH", path: "/users/{id}", allow: ["admin"], call: () => ({ path: "/users/no-such-user", body: { active: true } }) },
  { method: "POST", path: "/users/{id}/password", allow: ["admin"], call: () => ({ path: "/users/no-such-user/password", body: { password: "a-new-password-1" } }) },
  { method: "POST", path: "/users/{id}/sessions/end", allow: ["admin"], call: () => ({ path: "/users/no-such-user/sessions/end" }) },
  { method: "GET", path: "/shops", allow: [...everyone], call: () => ({ path: "/shops" }) },
  { method: "POST", path: "/shops", allow: ["admin"], call: () => ({ path: "/shops", body: {} }) },
  { method: "POST", path: "/households", allow: ["admin"], call: () => ({ path: "/households", body: {} }) },
  { method: "GET", path: "/households", allow: ["admin", "reviewer", "volunteer"], call: () => ({ path: "/households" }) },
  { method: "GET", path: "/households/facets", allow: ["admin", "reviewer", "volunteer"], call: () => ({ path: "/households/facets" }) },
  { method: "GET", path: "/households/import/template", allow: ["admin"], call: () => ({ path: "/households/import/template" }) },
  { method: "POST", path: "/households/import", allow: ["admin"], call: () => ({ path: "/households/import", body: {} }) },
  { method: "GET", path: "/households/{id}", allow: [...everyone], household: true, owned: true, call: (i) => ({ path: `/households/${i.household}` }) },
  { method: "PATCH", path: "/households/{id}", allow: ["admin"], owned: true, call: (i) => ({ path: `/households/${i.household}`, body: { room: "101" } }) },
  { method: "GET", path: "/households/{id}/ledger", allow: [...everyone], household: true, owned: true, call: (i) => ({ path: `/households/${i.household}/ledger` }) },
  { method: "GET", path: "/households/{id}/statement", allow: [...everyone], household: true, owned: true, call: (i) => ({ path: `/households/${i.household}/statement` }) },
  { method: "GET", path: "/households/{id}/helpers", allow: ["resident", "admin"], household: true, owned: true, call: (i) => ({ path: `/households/${i.household}/helpers` }) },
  { method: "POST", path: "/households/{id}/helpers", allow: ["admin"], owned: true, call: (i) => ({ path: `/households/${i.household}/helpers`, body: { name: "张小明", relation: "儿子" } }) },
  { method: "DELETE", path: "/households/{id}/helpers/{helperId}", allow: ["admin"], owned: true, call: (i) => ({ path: `/households/${i.household}/helpers/no-such-helper` }) },
  { method: "POST", path: "/households/{id}/card", allow: ["admin"], owned: true, call: (i) => ({ path: `/households/${i.spareHousehold}/card`, body: { pin: "1357" } }) },
  { method: "GET", path: "/cards/{cardNo}/qr.svg", allow: ["admin", "resident"], household: true, owned: true, call: (i) => ({ path: `/cards/${i.cardNo}/qr.svg` }) },
  { method: "POST", path: "/cards/{cardNo}/revoke", allow: ["admin"], owned: true, call: (i) => ({ path: `/cards/${i.spareCardNo}/revoke` }) },
  { method: "GET", path: "/cards/locked", allow: ["admin"], call: () => ({ path: "/cards/locked" }) },
  { method: "POST", path: "/cards/{cardNo}/unlock", allow: ["admin"], owned: true, call: (i) => ({ path: `/cards/${i.cardNo}/unlock` }) },
  { method: "POST", path: "/cards/resolve", allow: [...staff], call: () => ({ path: "/cards/resolve", body: {} }) },
  // Card batches: the spare household has a card in use (409 for its admin, 404 for another
  // community's); the spare card is revoked by then (409 to report it lost or reissue it).
  { method: "POST", path: "/card-batches", allow: ["admin"], owned: true, call: (i) => ({ path: "/card-batches", body: { householdIds: [i.spareHousehold] } }) },
  { method: "GET", path: "/card-batches", allow: ["admin"], call: () => ({ path: "/card-batches" }) },
  { method: "GET", path: "/card-batches/{id}", allow: ["admin"], call: () => ({ path: "/card-batches/no-such-batch" }) },
  { method: "POST", path: "/cards/{cardNo}/lost", allow: ["admin"], owned: true, call: (i) => ({ path: `/cards/${i.spareCardNo}/lost`, body: {} }) },
  { method: "POST", path: "/cards/{cardNo}/reissue", allow: ["admin"], owned: true, call: (i) => ({ path: `/cards/${i.spareCardNo}/reissue` }) },
  { method: "POST", path: "/cards/code", allow: ["resident"], call: () => ({ path: "/cards/code" }) },
  { method: "GET", path: "/rules", allow: [...everyone], call: () => ({ path: "/rules" }) },
  { method: "POST", path: "/rules", allow: ["admin"], call: () => ({ path: "/rules", body: {} }) },
  { method: "PATCH", path: "/rules/{id}", allow: ["admin"], owned: true, call: (i) => ({ path: `/rules/${i.rule}`, body: { active: true } }) },
  { method: "GET", path: "/notices", allow: [...everyone], call: () => ({ path: "/notices" }) },
  { method: "POST", path: "/notices", allow: ["admin"], call: () => ({ path: "/notices", body: {} }) },
  { method: "GET", path: "/notices/{id}", allow: [...everyone], owned: true, call: (i) => ({ path: `/notices/${i.notice}` }) },
  { method: "POST", path: "/notices/{id}/publish", allow: ["admin"], owned: true, call: (i) => ({ path: `/notices/${i.notice}/publish` }) },
  { method: "POST", path: "/applications", allow: ["resident", "volunteer", "admin"], call: () => ({ path: "/applications", body: {} }) },
  { method: "GET", path: "/applications", allow: [...everyone], call: () => ({ path: "/applications" }) },
  { method: "GET", path: "/applications/{id}", allow: [...everyone], household: true, owned: true, call: (i) => ({ path: `/applications/${i.application}` }) },
  { method: "POST", path: "/applications/{id}/certify", allow: ["reviewer"], call: (i) => ({ path: `/applications/${i.application}/certify`, body: {} }) },
  { method: "POST", path: "/publicity", allow: ["admin"], call: () => ({ path: "/publicity", body: { endsAt: 5 } }) },
  { method: "GET", path: "/publicity", allow: "public", call: () => ({ path: "/publicity" }) },
  { method: "GET", path: "/publicity/current", allow: "public", call: () => ({ path: "/publicity/current" }) },
  { method: "GET", path: "/publicity/{id}", allow: "public", call: (i) => ({ path: `/publicity/${i.publicity}` }) },
  { method: "POST", path: "/publicity/{id}/objections", allow: [...everyone], owned: true, call: (i) => ({ path: `/publicity/${i.publicity}/objections`, body: { applicationId: i.application, reason: "核实一下" } }) },
  { method: "GET", path: "/objections", allow: [...everyone], call: () => ({ path: "/objections" }) },
  { method: "POST", path: "/objections/{id}/resolve", allow: ["reviewer"], call: (i) => ({ path: `/objections/${i.objection}/resolve`, body: {} }) },
  { method: "POST", path: "/topups", allow: ["admin"], call: () => ({ path: "/topups", body: {} }) },
  { method: "GET", path: "/topups", allow: ["admin"], call: () => ({ path: "/topups" }) },
  { method: "GET", path: "/topups/preview", allow: ["admin"], owned: true, call: (i) => ({ path: `/topups/preview?publicityId=${i.publicity}` }) },
  { method: "GET", path: "/goods", allow: [...everyone], call: () => ({ path: "/goods" }) },
  { method: "POST", path: "/goods", allow: ["admin"], call: () => ({ path: "/goods", body: {} }) },
  { method: "POST", path: "/goods/{id}/stock", allow: ["admin"], owned: true, call: (i) => ({ path: `/goods/${i.goods}/stock`, body: { delta: 1, reason: "盘点" } }) },
  { method: "POST", path: "/goods/{id}/stock-in", allow: ["admin"], owned: true, call: (i) => ({ path: `/goods/${i.goods}/stock-in`, body: { quantity: 1, supplier: "access" } }) },
  { method: "GET", path: "/goods/stock-ledger", allow: ["admin", "clerk"], call: () => ({ path: "/goods/stock-ledger" }) },
  { method: "POST", path: "/redemptions", allow: ["clerk"], call: () => ({ path: "/redemptions", body: {}, headers: { "idempotency-key": "access" } }) },
  { method: "GET", path: "/redemptions", allow: ["admin", "clerk", "resident"], call: () => ({ path: "/redemptions" }) },
  { method: "GET", path: "/redemptions/day-sheet", allow: ["admin", "clerk"], call: () => ({ path: "/redemptions/day-sheet?date=2026-03-01" }) },
  { method: "GET", path: "/redemptions/{id}", allow: ["admin", "clerk", "resident"], household: true, owned: true, call: (i) => ({ path: `/redemptions/${i.redemption}` }) },
  // The offline counter (issue 14). The table has no shop id: the clerk's answer is 404 (no such shop), never 401/403.
  { method: "GET", path: "/shops/{id}/offline-pack", allow: ["clerk"], call: () => ({ path: "/shops/no-such-shop/offline-pack?deviceId=access-1" }) },
  { method: "PATCH", path: "/goods/{id}/barcode", allow: ["admin"], owned: true, call: (i) => ({ path: `/goods/${i.goods}/barcode`, body: { barcode: "4006381333931" } }) },
  { method: "GET", path: "/redemptions/shortfalls", allow: ["admin"], call: () => ({ path: "/redemptions/shortfalls" }) },
  { method: "POST", path: "/redemptions/shortfalls/{id}/resolve", allow: ["admin"], call: () => ({ path: "/redemptions/shortfalls/no-such-item/resolve", body: { action: "write-off", note: "核销" } }) },
  { method: "POST", path: "/redemptions/{id}/void", allow: ["admin"], owned: true, call: (i) => ({ path: `/redemptions/${i.redemption}/void`, body: { reason: "退货" } }) },
  { method: "GET", path: "/ledger/check", allow: ["admin"], call: () => ({ path: "/ledger/check" }) },
  // Settlement with the shops (issue 12). The table has no statement id: the allowed roles' answer is 404, never 401/403.
  { method: "PATCH", path: "/shops/{id}", allow: ["admin"], call: () => ({ path: "/shops/no-such-shop", body: { pointValueFen: 90 } }) },
  { method: "GET", path: "/settlements", allow: ["admin", "clerk"], call: () => ({ path: "/settlements" }) },
  { method: "GET", path: "/settlements/shops", allow: ["admin"], call: () => ({ path: "/settlements/shops" }) },
  { method: "POST", path: "/settlements", allow: ["admin"], call: () => ({ path: "/settlements", body: {} }) },
  { method: "GET", path: "/settlements/{id}", allow: ["admin", "clerk"], call: () => ({ path: "/settlements/no-such-statement" }) },
  { method: "GET", path: "/settlements/{id}.xlsx", allow: ["admin", "clerk"], call: () => ({ path: "/settlements/no-such-statement.xlsx" }) },
  { method: "DELETE", path: "/settlements/{id}", allow: ["admin"], call: () => ({ path: "/settlements/no-such-statement" }) },
  { method: "POST", path: "/settlements/{id}/confirm", allow: ["admin"], call: () => ({ path: "/settlements/no-such-statement/confirm" }) },
  { method: "POST", path: "/settlements/{id}/pay", allow: ["admin"], call: () => ({ path: "/settlements/no-such-statement/pay", body: { reference: "BANK-1" } }) },
  { method: "GET", path: "/reports/summary", allow: ["admin", "reviewer"], call: () => ({ path: "/reports/summary" }) },
  { method: "GET", path: "/reports/ranking", allow: [...everyone], call: () => ({ path: "/reports/ranking" }) },
  { method: "GET", path: "/reports/monthly", allow: ["admin"], call: () => ({ path: "/reports/monthly?month=2026-11" }) },
  { method: "GET", path: "/reports/monthly.xlsx", allow: ["admin"], call: () => ({ path: "/reports/monthly.xlsx?month=2026-11" }) },
  { method: "GET", path: "/register", allow: ["admin", "reviewer"], call: () => ({ path: "/register" }) },
  { method: "GET", path: "/register.xlsx", allow: ["admin", "reviewer"], call: () => ({ path: "/register.xlsx" }) },
  { method: "GET", path: "/audit", allow: ["admin"], call: () => ({ path: "/audit" }) },
  { method: "GET", path: "/community/settings", allow: [...everyone], call: () => ({ path: "/community/settings" }) },
  { method: "PATCH", path: "/community/settings", allow: ["admin"], call: () => ({ path: "/community/settings", body: { publicityDays: 5 } }) },
  // The officer's own (issue 11): aggregates of the communities in its region; nobody else's.
  { method: "GET", path: "/regions", allow: ["officer"], call: () => ({ path: "/regions" }) },
  { method: "POST", path: "/regions", allow: ["officer"], call: () => ({ path: "/regions", body: {} }) },
  { method: "GET", path: "/regions/{id}/overview", allow: ["officer"], call: (i) => ({ path: `/regions/${i.region}/overview` }) },
  { method: "GET", path: "/regions/{id}/overview.xlsx", allow: ["officer"], call: (i) => ({ path: `/regions/${i.region}/overview.xlsx` }) },
  { method: "GET", path: "/regions/{id}/trend", allow: ["officer"], call: (i) => ({ path: `/regions/${i.region}/trend` }) },
  { method: "GET", path: "/regions/{id}/audit", allow: ["officer"], call: (i) => ({ path: `/regions/${i.region}/audit` }) },
  { method: "GET", path: "/officers", allow: ["officer"], call: () => ({ path: "/officers" }) },
  { method: "PATCH", path: "/officers/{id}", allow: ["officer"], call: () => ({ path: "/officers/no-such-officer", body: { active: false } }) },
  { method: "POST", path: "/officers/{id}/password", allow: ["officer"], call: () => ({ path: "/officers/no-such-officer/password", body: {} }) },
  { method: "POST", path: "/communities", allow: ["officer"], call: () => ({ path: "/communities", body: {} }) },
  { method: "GET", path: "/communities/{id}/summary", allow: ["officer"], call: (i) => ({ path: `/communities/${i.community}/summary` }) },
  { method: "PATCH", path: "/communities/{id}", allow: ["officer"], call: (i) => ({ path: `/communities/${i.community}`, body: { regionId: i.region } }) },
  { method: "GET", path: "/community/onboarding", allow: ["admin"], call: () => ({ path: "/community/onboarding" }) },
];

export type Expect = "ok" | 401 | 403 | 404 | "403/404";

/** What each caller should get from a row: let through ("ok"), or refused with a status. */
export function expected(row: AccessRow, caller: Caller): Expect {
  if (row.allow === "public") return "ok";
  if (caller === "anonymous") return 401;
  const role = caller === "otherResident" ? "resident" : caller === "foreignAdmin" ? "admin" : caller;
  if (!row.allow.includes(role)) return 403;
  if (caller === "otherResident" && row.household) return "403/404";
  if (caller === "foreignAdmin" && row.owned) return 404;
  return "ok";
}

/** The markdown table docs/security.md publishes. */
export function renderAccessTable(): string {
  const cell = (e: Expect) => (e === "ok" ? "✓" : `✗ ${e}`);
  const lines = [
    `| endpoint | ${callers.map((c) => callerTitles[c]).join(" | ")} |`,
    `|---|${callers.map(() => "---").join("|")}|`,
    ...accessRows.map((row) => `| \`${row.method} ${row.path}\` | ${callers.map((c) => cell(expected(row, c))).join(" | ")} |`),
  ];
  return lines.join("\n");
}
