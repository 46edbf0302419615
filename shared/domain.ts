/** The vocabulary of the scheme (see ../shared/DOMAIN.md), shared by server and browser. */

/** The seven carriers (七大载体): the categories of deeds that earn points. */
export const carriers = [
  "policy",
  "enterprise",
  "neighbour",
  "volunteer",
  "bravery",
  "environment",
  "civility",
] as const;
export type Carrier = (typeof carriers)[number];

/** Rule categories: the seven carriers, plus `penalty` for deductions (惩戒). */
export const categories = [...carriers, "penalty"] as const;
export type Category = (typeof categories)[number];

export const carrierNamesZh: Record<Category, string> = {
  policy: "争当政策明白人",
  enterprise: "创业致富人",
  neighbour: "群众知心人",
  volunteer: "公益热心人",
  bravery: "见义勇为者",
  environment: "环境爱护者",
  civility: "文明先行者",
  penalty: "惩戒扣分",
};

export const ruleKinds = ["award", "penalty"] as const;
export type RuleKind = (typeof ruleKinds)[number];

export const staffRoles = ["admin", "reviewer", "volunteer", "clerk"] as const;
export type StaffRole = (typeof staffRoles)[number];
export type Role = StaffRole | "resident";

/** The languages of the app and of every answer (Simplified Chinese first). */
export type Lang = "zh" | "en";

/**
 * Where an application stands in the seven procedures.
 * submitted (申请) → registered (认定+登记) → publicised (公示) → credited (充值);
 * or rejected at certification, or cancelled by an upheld objection.
 */
export const applicationStatuses = [
  "submitted",
  "rejected",
  "registered",
  "publicised",
  "cancelled",
  "credited",
] as const;
export type ApplicationStatus = (typeof applicationStatuses)[number];

export const ledgerEntryKinds = ["award", "penalty", "redemption", "reversal", "adjustment", "settlement", "expiry"] as const;
export type LedgerEntryKind = (typeof ledgerEntryKinds)[number];

export const accountKinds = ["issuance", "household", "shop", "settled"] as const;
export type AccountKind = (typeof accountKinds)[number];
