/**
 * Regions and communities as the officer's screens and the API both name them (issue 11):
 * a county (县) holds townships or streets (乡镇 / 街道), which hold communities.
 */
export const regionKinds = ["county", "township"] as const;
export type RegionKind = (typeof regionKinds)[number];

/**
 * A community's code: what the public board's `?community=` names and printed material carries.
 * Upper-case letters, digits and `-`, starting with a letter (兴贤里社区 is `XXL`).
 */
export const communityCodePattern = /^[A-Z][A-Z0-9-]{1,15}$/;
export const communityCodeLengthMax = 16;

export const regionLimits = {
  regionNameLengthMax: 40,
  communityNameLengthMax: 40,
  /** The months a trend answers at most (the dashboard shows 12). */
  trendMonthsMax: 60,
  trendMonthsDefault: 12,
} as const;
