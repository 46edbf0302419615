/**
 * The offline counter's request and answer fields that `POST /redemptions` shares with
 * `routes/offline.ts` (a module of their own, so neither route module imports the other).
 */
import { z } from "@hono/zod-openapi";

export const DeviceIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{4,40}$/, "4 to 40 letters, digits, - or _")
  .openapi({ description: "The counter device's own id (kept by the device), e.g. `t1-k3x9`" });

export const OfflineStampSchema = z
  .object({
    packId: z.string().min(1).max(100),
    deviceId: DeviceIdSchema,
    at: z.iso.datetime({ offset: true }).openapi({ description: "When the clerk made the redemption, by the device's clock" }),
    seq: z.number().int().min(1).max(1_000_000_000),
  })
  .openapi("OfflineStamp");

export const OfflineReceiptFields = {
  offline: z.literal(true).optional(),
  provisionalNo: z.string().optional().openapi({ description: "`<deviceId>-<seq>`: the number the offline receipt showed" }),
  madeAt: z.string().optional(),
  shortfall: z.number().int().optional().openapi({ description: "Points the balance no longer covered; listed for the admin" }),
  stockDiscrepancies: z.array(z.object({ goodsId: z.string(), short: z.number().int() })).optional(),
  cardFlag: z.enum(["revoked", "lost"]).nullable().optional(),
};


