/**
 * The database schema. Every table carries `community_id`: staff only ever see their own
 * community. Money tables (transfers, postings, register, audit) are append-only; triggers in
 * the migrations refuse UPDATE and DELETE on them. Invariants live here as CHECK and UNIQUE
 * constraints so that one failing statement rolls back a whole money batch.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const id = () => text("id").primaryKey();
const communityId = () => text("community_id").notNull();
const createdAt = () => text("created_at").notNull();

/**
 * Regions: a county (县) and its townships or streets (乡镇 / 街道), two levels. Communities sit
 * in one (or in none: a deployment that predates regions keeps working); an officer belongs to
 * one and sees, in aggregate, every community at and below it.
 */
export const regions = sqliteTable(
  "regions",
  {
    id: id(),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["county", "township"] }).notNull(),
    /** The county a township lies in; null for a county. */
    parentId: text("parent_id"),
    createdAt: createdAt(),
  },
  (t) => [
    index("regions_parent_idx").on(t.parentId),
    uniqueIndex("regions_sibling_name_uq").on(t.parentId, t.name),
    uniqueIndex("regions_county_name_uq").on(t.name).where(sql`parent_id IS NULL`),
    check("regions_kind_parent", sql`(${t.kind} = 'county' AND ${t.parentId} IS NULL) OR (${t.kind} = 'township' AND ${t.parentId} IS NOT NULL)`),
  ],
);

export const communities = sqliteTable("communities", {
  id: id(),
  name: text("name").notNull(),
  code: text("code").notNull().unique(),
  /** The county or township it lies in; null for a community no officer oversees (yet). */
  regionId: text("region_id"),
  publicityDays: integer("publicity_days").notNull(),
  minPublicityHours: integer("min_publicity_hours").notNull(),
  pinThreshold: integer("pin_threshold").notNull(),
  /** Points one household may redeem per calendar day (UTC+8); null means no cap. */
  dailyRedemptionCap: integer("daily_redemption_cap"),
  /** When true, the scheduled job tops up a publicity batch as soon as its window ends. */
  autoTopUp: integer("auto_top_up", { mode: "boolean" }).notNull().default(false),
  /** Random per-community secret that signs card QR codes (with the deployment's key). */
  cardSecret: text("card_secret").notNull(),
  /** 监督电话 printed on the posted 公示, as the office writes it; null until set. */
  supervisionPhone: text("supervision_phone"),
  /**
   * Points credited more than this many months ago and still unspent expire at the scheduled
   * run (FIFO, docs/decisions/009-points-expiry-fifo.md); null = never (the default).
   */
  expiryMonths: integer("expiry_months"),
  /** The offline counter (issue 14, docs/offline.md): how long a pack is good for, in hours (at most 72). */
  offlineWindowHours: integer("offline_window_hours").notNull().default(24),
  /** Points one offline redemption may take; the pack takes the smaller of this and pin_threshold. */
  offlinePerRedemptionMax: integer("offline_per_redemption_max").notNull().default(50),
  /** Points one device may redeem offline per pack; 0 (the default) turns the offline counter off. */
  offlinePerDeviceMax: integer("offline_per_device_max").notNull().default(0),
  createdAt: createdAt(),
}, (t) => [index("communities_region_idx").on(t.regionId)]);

export const users = sqliteTable(
  "users",
  {
    id: id(),
    /** The community of a staff account; null for an officer, who belongs to a region instead. */
    communityId: text("community_id"),
    username: text("username").notNull(),
    passwordHash: text("password_hash").notNull(),
    name: text("name").notNull(),
    role: text("role", { enum: ["admin", "reviewer", "volunteer", "clerk", "officer"] }).notNull(),
    shopId: text("shop_id"),
    /** The region of an officer (县乡村振兴局, 乡镇); null for community staff. */
    regionId: text("region_id"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("users_username_uq").on(t.username),
    index("users_community_idx").on(t.communityId),
    index("users_region_idx").on(t.regionId),
    // An account belongs to a community or (an officer) to a region, never both, never neither.
    check(
      "users_scope",
      sql`(${t.role} = 'officer' AND ${t.communityId} IS NULL AND ${t.regionId} IS NOT NULL) OR (${t.role} <> 'officer' AND ${t.communityId} IS NOT NULL AND ${t.regionId} IS NULL)`,
    ),
  ],
);

export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 of the bearer token, hex: a stolen database does not yield usable tokens. */
    id: id(),
    /** Null for an officer's session (an officer belongs to a region, not a community). */
    communityId: text("community_id"),
    role: text("role", { enum: ["admin", "reviewer", "volunteer", "clerk", "resident", "officer"] }).notNull(),
    userId: text("user_id"),
    householdId: text("household_id"),
    cardId: text("card_id"),
    /** A family helper's session (亲情代理): ending the helper revokes it. */
    helperId: text("helper_id"),
    createdAt: createdAt(),
    lastSeenAt: text("last_seen_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_household_idx").on(t.householdId), index("sessions_helper_idx").on(t.helperId)],
);

/**
 * Family helpers (亲情代理): a family member's phone that signs in for a household with a code
 * the admin gave (only its SHA-256 is kept). An active helper holds one of the household's
 * slots 1..helpersPerHouseholdMax; the partial UNIQUE index makes a fourth impossible.
 */
export const householdHelpers = sqliteTable(
  "household_helpers",
  {
    id: id(),
    communityId: communityId(),
    householdId: text("household_id").notNull(),
    slot: integer("slot").notNull(),
    name: text("name").notNull(),
    relation: text("relation").notNull(),
    codeHash: text("code_hash").notNull(),
    createdAt: createdAt(),
    createdBy: text("created_by").notNull(),
    endedAt: text("ended_at"),
    endedBy: text("ended_by"),
    lastSignInAt: text("last_sign_in_at"),
  },
  (t) => [
    uniqueIndex("household_helpers_code_uq").on(t.codeHash),
    uniqueIndex("household_helpers_slot_uq").on(t.householdId, t.slot).where(sql`ended_at IS NULL`),
    index("household_helpers_household_idx").on(t.householdId),
    check("household_helpers_slot_range", sql`${t.slot} BETWEEN 1 AND 3`),
  ],
);

export const households = sqliteTable(
  "households",
  {
    id: id(),
    communityId: communityId(),
    householdNo: text("household_no").notNull(),
    headName: text("head_name").notNull(),
    building: text("building").notNull(),
    unit: text("unit"),
    room: text("room"),
    phone: text("phone"),
    /** Office category as kept in the source file (脱贫户, 低保户, 一般户 …). */
    householdType: text("household_type"),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("households_no_uq").on(t.communityId, t.householdNo),
    index("households_building_idx").on(t.communityId, t.building),
    index("households_created_idx").on(t.communityId, t.createdAt),
  ],
);

export const members = sqliteTable(
  "members",
  {
    id: id(),
    communityId: communityId(),
    householdId: text("household_id").notNull(),
    name: text("name").notNull(),
    relation: text("relation"),
    createdAt: createdAt(),
  },
  (t) => [index("members_household_idx").on(t.householdId)],
);

export const cards = sqliteTable(
  "cards",
  {
    id: id(),
    communityId: communityId(),
    householdId: text("household_id").notNull(),
    cardNo: text("card_no").notNull(),
    /** Bumped on every issue; the QR signs it, so an old printout stops working. */
    version: integer("version").notNull(),
    pinHash: text("pin_hash").notNull(),
    /**
     * `revoked` (作废: replaced or withdrawn by the office) and `lost` (挂失: reported lost) both
     * stop the card everywhere; neither ever returns to `active` (a trigger refuses it).
     */
    status: text("status", { enum: ["active", "revoked", "lost"] }).notNull(),
    issuedAt: text("issued_at").notNull(),
    /** When the card stopped working: revoked, or reported lost. */
    revokedAt: text("revoked_at"),
    /** The card batch (bulk issue or reissue, with its handover register) it came in; null for a card issued alone. */
    batchId: text("batch_id"),
  },
  (t) => [
    uniqueIndex("cards_no_uq").on(t.cardNo),
    uniqueIndex("cards_one_active_uq").on(t.householdId).where(sql`status = 'active'`),
    index("cards_household_idx").on(t.householdId),
    index("cards_batch_idx").on(t.batchId),
  ],
);

/**
 * A card batch: cards issued together with random PINs (bulk issue, or the reissue after 挂失),
 * printed as PIN slips and a handover register (发卡签收表). The PINs are answered once and never
 * kept; the batch lets the register be printed again.
 */
export const cardBatches = sqliteTable(
  "card_batches",
  {
    id: id(),
    communityId: communityId(),
    kind: text("kind", { enum: ["issue", "reissue"] }).notNull(),
    cardCount: integer("card_count").notNull(),
    /** Who issued it (`user:<id>`). */
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("card_batches_community_idx").on(t.communityId, t.createdAt), check("card_batches_count_positive", sql`${t.cardCount} > 0`)],
);

export const rules = sqliteTable(
  "rules",
  {
    id: id(),
    communityId: communityId(),
    category: text("category").notNull(),
    title: text("title").notNull(),
    kind: text("kind", { enum: ["award", "penalty"] }).notNull(),
    minPoints: integer("min_points").notNull(),
    maxPoints: integer("max_points").notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    index("rules_community_idx").on(t.communityId),
    check("rules_points_range", sql`${t.minPoints} >= 1 AND ${t.maxPoints} >= ${t.minPoints}`),
  ],
);

export const notices = sqliteTable(
  "notices",
  {
    id: id(),
    communityId: communityId(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    ruleIds: text("rule_ids", { mode: "json" }).$type<string[]>().notNull(),
    startsAt: text("starts_at"),
    endsAt: text("ends_at"),
    status: text("status", { enum: ["draft", "published"] }).notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    publishedAt: text("published_at"),
  },
  (t) => [index("notices_community_idx").on(t.communityId, t.status)],
);

export const applications = sqliteTable(
  "applications",
  {
    id: id(),
    communityId: communityId(),
    householdId: text("household_id").notNull(),
    memberId: text("member_id"),
    ruleId: text("rule_id").notNull(),
    noticeId: text("notice_id"),
    kind: text("kind", { enum: ["award", "penalty"] }).notNull(),
    category: text("category").notNull(),
    description: text("description").notNull(),
    evidence: text("evidence", { mode: "json" }).$type<string[]>().notNull(),
    status: text("status", {
      enum: ["submitted", "rejected", "registered", "publicised", "cancelled", "credited"],
    }).notNull(),
    /** Points decided at certification (always positive; `kind` says which way they go). */
    points: integer("points"),
    registerNo: integer("register_no"),
    reason: text("reason"),
    /** `user:<id>` or `household:<id>`: who applied. */
    submittedBy: text("submitted_by").notNull(),
    submittedByRole: text("submitted_by_role").notNull(),
    decidedBy: text("decided_by"),
    createdAt: createdAt(),
    decidedAt: text("decided_at"),
    /**
     * One deed, one application (docs/decisions/005): `<notice>:<rule>:m:<member>` or
     * `<notice>:<rule>:h:<household>` for an application answering a notice, else null. UNIQUE
     * among live applications (a rejected or cancelled one leaves the index), so two identical
     * submissions at once leave one. Migration 0005 keyed only the first of any older duplicates.
     */
    deedKey: text("deed_key"),
  },
  (t) => [
    index("applications_status_idx").on(t.communityId, t.status),
    index("applications_created_idx").on(t.communityId, t.createdAt),
    index("applications_household_idx").on(t.householdId),
    uniqueIndex("applications_one_deed_uq").on(t.deedKey).where(sql`status NOT IN ('rejected', 'cancelled')`),
  ],
);

/** Every step an application takes: who moved it, when, from where to where, and why. */
export const applicationEvents = sqliteTable(
  "application_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    communityId: communityId(),
    applicationId: text("application_id").notNull(),
    fromStatus: text("from_status"),
    toStatus: text("to_status").notNull(),
    actor: text("actor").notNull(),
    note: text("note"),
    at: text("at").notNull(),
  },
  (t) => [index("application_events_app_idx").on(t.applicationId)],
);

/**
 * The points register (积分登记簿): append-only, numbered 1, 2, 3 … per community.
 * A cancellation is a new entry that names the entry it corrects.
 */
export const registerEntries = sqliteTable(
  "register_entries",
  {
    id: id(),
    communityId: communityId(),
    registerNo: integer("register_no").notNull(),
    entryKind: text("entry_kind", { enum: ["award", "penalty", "cancellation"] }).notNull(),
    applicationId: text("application_id").notNull(),
    householdId: text("household_id").notNull(),
    memberId: text("member_id"),
    ruleId: text("rule_id").notNull(),
    category: text("category").notNull(),
    points: integer("points").notNull(),
    correctsEntryId: text("corrects_entry_id"),
    note: text("note"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("register_no_uq").on(t.communityId, t.registerNo),
    uniqueIndex("register_application_uq").on(t.applicationId, t.entryKind),
  ],
);

export const publicityBatches = sqliteTable(
  "publicity_batches",
  {
    id: id(),
    communityId: communityId(),
    startsAt: text("starts_at").notNull(),
    endsAt: text("ends_at").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("publicity_community_idx").on(t.communityId, t.endsAt)],
);

export const publicityItems = sqliteTable(
  "publicity_items",
  {
    id: id(),
    communityId: communityId(),
    publicityId: text("publicity_id").notNull(),
    applicationId: text("application_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("publicity_items_application_uq").on(t.applicationId),
    index("publicity_items_batch_idx").on(t.publicityId),
  ],
);

export const objections = sqliteTable(
  "objections",
  {
    id: id(),
    communityId: communityId(),
    publicityId: text("publicity_id").notNull(),
    applicationId: text("application_id").notNull(),
    reason: text("reason").notNull(),
    raisedBy: text("raised_by").notNull(),
    raisedByRole: text("raised_by_role").notNull(),
    status: text("status", { enum: ["open", "upheld", "dismissed"] }).notNull(),
    resolvedBy: text("resolved_by"),
    resolutionNote: text("resolution_note"),
    createdAt: createdAt(),
    resolvedAt: text("resolved_at"),
  },
  (t) => [index("objections_application_idx").on(t.applicationId, t.status), index("objections_created_idx").on(t.communityId, t.createdAt)],
);

export const topUps = sqliteTable(
  "top_ups",
  {
    id: id(),
    communityId: communityId(),
    publicityId: text("publicity_id").notNull(),
    credited: integer("credited").notNull(),
    points: integer("points").notNull(),
    heldBack: integer("held_back").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("top_ups_publicity_idx").on(t.publicityId)],
);

/**
 * One row per application credited at top-up: the cause that can be credited only once.
 * `amount` is what actually moved (a penalty takes the balance no lower than zero);
 * `scoreDelta` is what counted towards the score (+points for awards, −points for penalties).
 */
export const credits = sqliteTable(
  "credits",
  {
    applicationId: text("application_id").primaryKey(),
    communityId: communityId(),
    topUpId: text("top_up_id").notNull(),
    householdId: text("household_id").notNull(),
    kind: text("kind", { enum: ["award", "penalty"] }).notNull(),
    category: text("category").notNull(),
    points: integer("points").notNull(),
    amount: integer("amount").notNull(),
    scoreDelta: integer("score_delta").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("credits_household_idx").on(t.householdId, t.createdAt),
    index("credits_community_idx").on(t.communityId, t.createdAt),
    check("credits_amount_range", sql`${t.amount} >= 0 AND ${t.amount} <= ${t.points}`),
  ],
);

/**
 * Ledger accounts. The balance is materialised (O(1) to read) and kept equal to the sum of
 * the account's postings; the issuance account goes negative as points are issued, so that
 * all balances always sum to zero. Households and shops can never go below zero.
 */
export const accounts = sqliteTable(
  "accounts",
  {
    /**
     * The owner's id for household and shop accounts; `issuance:<communityId>` for issuance and
     * `settled:<communityId>` for the points the community has settled with its shops (结算).
     */
    id: id(),
    communityId: communityId(),
    kind: text("kind", { enum: ["issuance", "household", "shop", "settled"] }).notNull(),
    balance: integer("balance").notNull().default(0),
    /** 累计积分: awards minus penalties in full; only meaningful for households. */
    score: integer("score").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    index("accounts_community_idx").on(t.communityId, t.kind),
    check("account_balance_nonneg", sql`${t.kind} = 'issuance' OR ${t.balance} >= 0`),
  ],
);

/** The journal: one row per movement of points, each with a cause that is unique. */
export const transfers = sqliteTable(
  "transfers",
  {
    id: id(),
    communityId: communityId(),
    debitAccountId: text("debit_account_id").notNull(),
    creditAccountId: text("credit_account_id").notNull(),
    amount: integer("amount").notNull(),
    kind: text("kind", { enum: ["award", "penalty", "redemption", "reversal", "adjustment", "settlement", "expiry"] }).notNull(),
    /** Why the points moved, e.g. `application:<id>`; UNIQUE, so no cause moves points twice. */
    cause: text("cause").notNull(),
    ref: text("ref"),
    reversesTransferId: text("reverses_transfer_id"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("transfers_cause_uq").on(t.cause),
    uniqueIndex("transfers_reverses_uq").on(t.reversesTransferId),
    // amount too: the totals by kind (the ledger check) read the index alone, never the journal.
    index("transfers_community_idx").on(t.communityId, t.kind, t.createdAt, t.amount),
    // A community's transfer ids in order: the other side of the full ledger check's pair test.
    index("transfers_pair_idx").on(t.communityId, t.id),
    check("transfer_amount_positive", sql`${t.amount} > 0`),
    check("transfer_distinct_accounts", sql`${t.debitAccountId} <> ${t.creditAccountId}`),
  ],
);

/** The entries of each transfer, one per account, with the account's balance after it. */
export const postings = sqliteTable(
  "postings",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    communityId: communityId(),
    transferId: text("transfer_id").notNull(),
    accountId: text("account_id").notNull(),
    amount: integer("amount").notNull(),
    balanceAfter: integer("balance_after").notNull(),
    kind: text("kind").notNull(),
    ref: text("ref"),
    createdAt: createdAt(),
  },
  (t) => [
    // amount too: an account's sum (the ledger check) reads the index alone, never the postings.
    index("postings_account_idx").on(t.accountId, t.seq, t.amount),
    uniqueIndex("postings_transfer_account_uq").on(t.transferId, t.accountId),
    // A community's postings in transfer order with their amounts: the full ledger check's pair
    // test (two postings summing to 0 per transfer) streams this index, no sort, no table read.
    index("postings_transfer_pair_idx").on(t.communityId, t.transferId, t.amount),
  ],
);

export const shops = sqliteTable("shops", {
  id: id(),
  communityId: communityId(),
  name: text("name").notNull(),
  /** What the community pays the shop per point, in fen (分); 100 = ¥1 a point. */
  pointValueFen: integer("point_value_fen").notNull().default(100),
  createdAt: createdAt(),
});

/**
 * 结算单: a statement settling a shop's redemptions up to `to_at` (draft → confirmed → paid).
 * Confirming moves its points from the shop's ledger account to the community's settled account
 * (transfer cause `settlement:<id>`). One draft per shop at a time (partial unique index).
 */
export const settlements = sqliteTable(
  "settlements",
  {
    id: id(),
    communityId: communityId(),
    shopId: text("shop_id").notNull(),
    /** The previous statement's `to_at`; null for the shop's first. */
    fromAt: text("from_at"),
    toAt: text("to_at").notNull(),
    status: text("status", { enum: ["draft", "confirmed", "paid"] }).notNull(),
    /** Redemptions in it net of those voided in it; null only inside the drafting batch. */
    redemptions: integer("redemptions").notNull(),
    /** Net points (a void of an earlier statement's redemption counts negative). */
    points: integer("points").notNull(),
    pointValueFen: integer("point_value_fen").notNull(),
    amountFen: integer("amount_fen").notNull(),
    reference: text("reference"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    confirmedBy: text("confirmed_by"),
    confirmedAt: text("confirmed_at"),
    paidBy: text("paid_by"),
    paidAt: text("paid_at"),
  },
  (t) => [
    index("settlements_shop_idx").on(t.communityId, t.shopId, t.toAt),
    uniqueIndex("settlements_one_draft_uq").on(t.shopId).where(sql`status = 'draft'`),
    check("settlements_period", sql`${t.fromAt} IS NULL OR ${t.toAt} >= ${t.fromAt}`),
  ],
);

/**
 * What a statement settles: each redemption once (`entry` = 'redemption', its total) and each
 * void once (`entry` = 'void', minus the total) — UNIQUE, so no redemption or void lies in two
 * statements.
 */
export const settlementEntries = sqliteTable(
  "settlement_entries",
  {
    settlementId: text("settlement_id").notNull(),
    communityId: communityId(),
    redemptionId: text("redemption_id").notNull(),
    entry: text("entry", { enum: ["redemption", "void"] }).notNull(),
    points: integer("points").notNull(),
  },
  (t) => [uniqueIndex("settlement_entries_once_uq").on(t.redemptionId, t.entry), index("settlement_entries_settlement_idx").on(t.settlementId)],
);

export const goods = sqliteTable(
  "goods",
  {
    id: id(),
    communityId: communityId(),
    shopId: text("shop_id").notNull(),
    name: text("name").notNull(),
    points: integer("points").notNull(),
    stock: integer("stock").notNull(),
    unit: text("unit"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    /** The product's EAN-13 / UPC-A / EAN-8 barcode (check digit verified), or null. */
    barcode: text("barcode"),
    createdAt: createdAt(),
  },
  (t) => [
    index("goods_shop_idx").on(t.shopId),
    uniqueIndex("goods_shop_barcode_uq").on(t.shopId, t.barcode).where(sql`barcode IS NOT NULL`),
    check("goods_stock_nonneg", sql`${t.stock} >= 0`),
    check("goods_points_positive", sql`${t.points} > 0`),
  ],
);

export const stockMovements = sqliteTable(
  "stock_movements",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    communityId: communityId(),
    goodsId: text("goods_id").notNull(),
    delta: integer("delta").notNull(),
    reason: text("reason").notNull(),
    ref: text("ref"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("stock_movements_goods_idx").on(t.goodsId)],
);

/**
 * 进货单: one delivery of goods (stock-in), written in the same batch as the stock change and
 * its movement (`stock_movements.ref` = this id). Append-only (triggers): a mistake is corrected
 * by a stock change that says so, never by editing the record. `received_on` is the day the goods
 * arrived (China), on which the stock ledger books them. An optional Idempotency-Key makes a
 * retried request answer the first record instead of counting the delivery twice.
 */
export const stockReceipts = sqliteTable(
  "stock_receipts",
  {
    id: id(),
    communityId: communityId(),
    goodsId: text("goods_id").notNull(),
    shopId: text("shop_id").notNull(),
    quantity: integer("quantity").notNull(),
    supplier: text("supplier"),
    /** What one unit cost, in fen (分); null when not recorded. */
    unitCostFen: integer("unit_cost_fen"),
    note: text("note"),
    receivedOn: text("received_on").notNull(),
    idempotencyKey: text("idempotency_key"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("stock_receipts_goods_idx").on(t.goodsId, t.receivedOn),
    index("stock_receipts_community_idx").on(t.communityId, t.receivedOn),
    uniqueIndex("stock_receipts_key_uq").on(t.communityId, t.idempotencyKey),
    check("stock_receipts_quantity_positive", sql`${t.quantity} > 0`),
    check("stock_receipts_cost_nonneg", sql`${t.unitCostFen} IS NULL OR ${t.unitCostFen} >= 0`),
  ],
);

export const redemptions = sqliteTable(
  "redemptions",
  {
    id: id(),
    communityId: communityId(),
    shopId: text("shop_id").notNull(),
    householdId: text("household_id").notNull(),
    cardId: text("card_id"),
    receiptNo: integer("receipt_no").notNull(),
    total: integer("total").notNull(),
    balanceAfter: integer("balance_after").notNull(),
    clerkId: text("clerk_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("redemptions_receipt_uq").on(t.communityId, t.receiptNo),
    index("redemptions_household_idx").on(t.householdId, t.createdAt),
    index("redemptions_shop_idx").on(t.shopId, t.createdAt),
  ],
);

export const redemptionLines = sqliteTable(
  "redemption_lines",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    redemptionId: text("redemption_id").notNull(),
    goodsId: text("goods_id").notNull(),
    name: text("name").notNull(),
    points: integer("points").notNull(),
    quantity: integer("quantity").notNull(),
    subtotal: integer("subtotal").notNull(),
  },
  (t) => [index("redemption_lines_redemption_idx").on(t.redemptionId)],
);

/** A void is a fact of its own (never an edit of the redemption); UNIQUE: once per redemption. */
export const redemptionVoids = sqliteTable("redemption_voids", {
  redemptionId: text("redemption_id").primaryKey(),
  communityId: communityId(),
  reason: text("reason"),
  voidedBy: text("voided_by").notNull(),
  createdAt: createdAt(),
});

/** Stored first answers of idempotent writes (Stripe-style keys). */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    communityId: communityId(),
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    refId: text("ref_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.scope, t.key] })],
);

/** Who did what to which record, when and from where: the columns of both audit logs. */
const auditColumns = () => ({
  actor: text("actor").notNull(),
  actorRole: text("actor_role").notNull(),
  action: text("action").notNull(),
  targetType: text("target_type").notNull(),
  targetId: text("target_id"),
  details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
  ip: text("ip"),
  userAgent: text("user_agent"),
  createdAt: createdAt(),
});

export const auditLog = sqliteTable(
  "audit_log",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    communityId: communityId(),
    ...auditColumns(),
  },
  (t) => [index("audit_community_idx").on(t.communityId, t.seq)],
);

/**
 * What officers do above the communities (sign-ins, townships, officer accounts, communities
 * created or moved), per region; append-only like `audit_log` (triggers in the migration).
 */
export const regionAuditLog = sqliteTable(
  "region_audit_log",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    regionId: text("region_id").notNull(),
    ...auditColumns(),
  },
  (t) => [index("region_audit_region_idx").on(t.regionId, t.seq)],
);

/**
 * Points each household redeemed per calendar day in China (UTC+8): the SQL guard of the
 * community's `dailyRedemptionCap`. A redemption adds its total in the same batch (copying the
 * cap of the moment); the CHECK fails the whole batch when the day's total would pass the cap.
 * A void gives the points back (and clears `cap`, so a lowered cap cannot block a void).
 */
export const redemptionDays = sqliteTable(
  "redemption_days",
  {
    householdId: text("household_id").notNull(),
    day: text("day").notNull(),
    communityId: communityId(),
    points: integer("points").notNull(),
    cap: integer("cap"),
  },
  (t) => [primaryKey({ columns: [t.householdId, t.day] }), check("redemption_day_cap", sql`${t.cap} IS NULL OR ${t.points} <= ${t.cap}`)],
);

/**
 * One-time codes a resident's phone shows instead of the printed card (a printed card is a
 * bearer token; this code lives 60 seconds and pays once). Only a hash of the code is kept.
 */
export const cardCodes = sqliteTable(
  "card_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    communityId: communityId(),
    cardId: text("card_id").notNull(),
    householdId: text("household_id").notNull(),
    /** The session that asked for the code: signing that session out ends the code at once. */
    sessionId: text("session_id"),
    createdAt: createdAt(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [index("card_codes_session_idx").on(t.sessionId), index("card_codes_household_idx").on(t.householdId, t.createdAt)],
);

/**
 * The use of a one-time code, written in the redemption's batch. The primary key makes a second
 * use fail the whole batch; `used_at` is NOT NULL and filled only while the code is unexpired,
 * so an expired code fails it too.
 */
export const cardCodeUses = sqliteTable("card_code_uses", {
  codeHash: text("code_hash").primaryKey(),
  communityId: communityId(),
  redemptionId: text("redemption_id").notNull(),
  usedAt: text("used_at").notNull(),
});

/**
 * Attempts at a secret (a staff password, a card's PIN at sign-in, a card's PIN at the counter),
 * counted *before* the secret is checked, in one guarded upsert: parallel guesses cannot slip
 * past the limit. `subject` names what is guessed at (`login:<username>`, `card:<cardNo>`,
 * `counter:<cardId>`), whether or not it exists, so a lock answers alike for unknown names.
 * A success deletes the row; the attempt that reaches the limit sets `locked_until`.
 */
export const signInAttempts = sqliteTable("sign_in_attempts", {
  subject: text("subject").primaryKey(),
  /** The community of the account or card, when it exists (the locked-cards list reads it). */
  communityId: text("community_id"),
  attempts: integer("attempts").notNull(),
  lockedUntil: text("locked_until"),
  updatedAt: text("updated_at").notNull(),
});

/**
 * Totals kept as the community's figures move, one row per community and China day (UTC+8): the
 * overview of a county reads these instead of scanning transfers (issue 11). Triggers written in
 * the migration keep them inside the very transaction of each write (a household imported, an
 * award credited, an application or objection filed, a redemption made or voided), so no code
 * path can forget them. Each column is what that day added: `households` registered,
 * `participants` households credited their first award, `applications` and `objections` filed,
 * `redemptions` made that day and not voided since.
 */
export const communityDays = sqliteTable(
  "community_days",
  {
    communityId: communityId(),
    day: text("day").notNull(),
    households: integer("households").notNull().default(0),
    participants: integer("participants").notNull().default(0),
    applications: integer("applications").notNull().default(0),
    objections: integer("objections").notNull().default(0),
    redemptions: integer("redemptions").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.day] }),
    // Covering, in the order the overview groups by: a county's totals stream out of the index.
    index("community_days_covering_idx").on(t.communityId, t.day, t.households, t.participants, t.applications, t.objections, t.redemptions),
  ],
);

/**
 * What the transfers of each kind moved per community and China day (`amount`), and by how much
 * they changed the households' balances together (`household_net`): `pointFlows` reads the kinds
 * as it reads them from `transfers`, and the outstanding points on any day are the sum of
 * `household_net` up to it. Kept by a trigger on `transfers`, so every kind (also ones added
 * later) is counted.
 */
export const communityDayFlows = sqliteTable(
  "community_day_flows",
  {
    communityId: communityId(),
    day: text("day").notNull(),
    kind: text("kind").notNull(),
    amount: integer("amount").notNull().default(0),
    householdNet: integer("household_net").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.day, t.kind] }),
    // Covering and grouped as the overview reads it (community, kind, then days): no sort, no table lookups.
    index("community_day_flows_kind_idx").on(t.communityId, t.kind, t.day, t.amount, t.householdNet),
  ],
);

/** The credits of each category per community and China day (the mix by carrier), kept by a trigger on `credits`. */
export const communityDayCategories = sqliteTable(
  "community_day_categories",
  {
    communityId: communityId(),
    day: text("day").notNull(),
    category: text("category").notNull(),
    awarded: integer("awarded").notNull().default(0),
    deducted: integer("deducted").notNull().default(0),
    credited: integer("credited").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.day, t.category] }),
    index("community_day_categories_category_idx").on(t.communityId, t.category, t.day, t.awarded, t.deducted, t.credited),
  ],
);

/**
 * A pack issued to one device of a shop for the offline counter (issue 14): the caps of the
 * moment, and what the device has spent offline against it (`spent`, CHECKed against its cap,
 * so the device cap holds inside every sync's batch). A device's next pack supersedes it.
 */
export const offlinePacks = sqliteTable(
  "offline_packs",
  {
    id: id(),
    communityId: communityId(),
    shopId: text("shop_id").notNull(),
    deviceId: text("device_id").notNull(),
    clerkId: text("clerk_id").notNull(),
    issuedAt: text("issued_at").notNull(),
    validUntil: text("valid_until").notNull(),
    perRedemption: integer("per_redemption").notNull(),
    perDevice: integer("per_device").notNull(),
    spent: integer("spent").notNull().default(0),
  },
  (t) => [
    index("offline_packs_device_idx").on(t.shopId, t.deviceId, t.issuedAt),
    check("offline_pack_device_cap", sql`${t.spent} >= 0 AND ${t.spent} <= ${t.perDevice}`),
  ],
);

/** A redemption made offline and synced later: its pack, device, running number and what it took. */
export const offlineRedemptions = sqliteTable(
  "offline_redemptions",
  {
    redemptionId: text("redemption_id").primaryKey(),
    communityId: communityId(),
    packId: text("pack_id").notNull(),
    deviceId: text("device_id").notNull(),
    seq: integer("seq").notNull(),
    /** When the clerk made it, by the device's clock. */
    madeAt: text("made_at").notNull(),
    total: integer("total").notNull(),
    /** What the balance covered; `shortfall` = total − debited. */
    debited: integer("debited").notNull(),
    shortfall: integer("shortfall").notNull(),
    /** `revoked` or `lost`: the card stopped after the pack was issued; null otherwise. */
    cardFlag: text("card_flag"),
    requestHash: text("request_hash").notNull(),
    syncedAt: text("synced_at").notNull(),
  },
  (t) => [
    uniqueIndex("offline_redemptions_seq_uq").on(t.packId, t.deviceId, t.seq),
    check("offline_redemptions_amounts", sql`${t.debited} >= 0 AND ${t.shortfall} >= 0 AND ${t.debited} + ${t.shortfall} = ${t.total}`),
  ],
);

/**
 * What an offline redemption left for the admin: points the balance could not cover (`points`,
 * `remaining` still owed while it is recovered), goods short in stock (`stock`, units), a card
 * stopped after the pack (`card`, the basket's points).
 */
export const offlineShortfalls = sqliteTable(
  "offline_shortfalls",
  {
    id: id(),
    communityId: communityId(),
    kind: text("kind", { enum: ["points", "stock", "card"] }).notNull(),
    redemptionId: text("redemption_id").notNull(),
    householdId: text("household_id"),
    goodsId: text("goods_id"),
    amount: integer("amount").notNull(),
    remaining: integer("remaining").notNull(),
    status: text("status", { enum: ["open", "recovering", "recovered", "written-off"] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("offline_shortfalls_community_idx").on(t.communityId, t.status, t.createdAt),
    index("offline_shortfalls_household_idx").on(t.householdId, t.status),
    check("offline_shortfalls_amounts", sql`${t.amount} > 0 AND ${t.remaining} >= 0 AND ${t.remaining} <= ${t.amount}`),
  ],
);

/** The admin's resolution of a shortfall: once only (primary key), with a note. */
export const offlineResolutions = sqliteTable("offline_shortfall_resolutions", {
  shortfallId: text("shortfall_id").primaryKey(),
  communityId: communityId(),
  action: text("action", { enum: ["write-off", "recover"] }).notNull(),
  note: text("note").notNull(),
  resolvedBy: text("resolved_by").notNull(),
  resolvedAt: text("resolved_at").notNull(),
});

/**
 * The incremental ledger check's proof (api/domain/ledger-check.ts): how far each community's
 * ledger was last verified (postings through `postingSeq`, transfers through `transferRowid`)
 * and the transfer totals by kind up to there, so a check reads only what came after.
 */
export const ledgerCheckMarks = sqliteTable("ledger_check_marks", {
  communityId: text("community_id").primaryKey(),
  postingSeq: integer("posting_seq").notNull(),
  transferRowid: integer("transfer_rowid").notNull(),
  /** JSON `{kind: total}` of the community's transfers through `transferRowid`. */
  totalsByKind: text("totals_by_kind").notNull(),
  checkedAt: text("checked_at").notNull(),
  /** When the full pass last said ok. */
  fullAt: text("full_at").notNull(),
});

/** Each account's verified sum of postings through its community's mark. */
export const ledgerCheckAccounts = sqliteTable(
  "ledger_check_accounts",
  {
    accountId: text("account_id").primaryKey(),
    communityId: communityId(),
    total: integer("total").notNull(),
  },
  (t) => [index("ledger_check_accounts_community_idx").on(t.communityId)],
);

/**
 * Verified ranges of postings (by seq) and of transfers (by rowid), `bucket` = id / 32768, with
 * their checksums (count and weighted sums) through the mark: every check re-verifies the range
 * verified longest ago, so a row changed behind the app's back is found without re-reading the
 * whole ledger each time (and the full pass re-reads everything).
 */
export const ledgerCheckRanges = sqliteTable(
  "ledger_check_ranges",
  {
    communityId: communityId(),
    kind: text("kind", { enum: ["postings", "transfers"] }).notNull(),
    bucket: integer("bucket").notNull(),
    rows: integer("rows").notNull(),
    sum1: integer("sum1").notNull(),
    sum2: integer("sum2").notNull(),
    sum3: integer("sum3").notNull(),
    sum4: integer("sum4").notNull(),
    /** The check that last re-summed this range: the lowest goes next (a count, not a time, so ties cannot stick). */
    verifiedRound: integer("verified_round").notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.kind, t.bucket] }), index("ledger_check_ranges_round_idx").on(t.communityId, t.verifiedRound)],
);
