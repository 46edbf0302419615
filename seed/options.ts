/** What seeding needs to know, shared by the seed entry and the demo (kept apart so neither imports the other). */
export interface SeedOptions {
  demo: boolean;
  password: string;
  households: number;
  /** Where card QR codes point, and the key that signs them (as the running app has them). */
  publicUrl: string;
  cardSigningKey: string;
}

export const demoCommunity = { name: "兴贤里社区", code: "XXL" } as const;
