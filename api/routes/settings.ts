/** The community's settings: read by everyone signed in, changed by the admin. */
import { createRoute, z } from "@hono/zod-openapi";
import { limits } from "../../shared/limits";
import { expiryMonthsMax, expiryMonthsMin } from "../domain/expiry";
import { getSettings, updateSettings } from "../domain/community";
import { normalizePhone } from "../domain/households";
import { publicityFloorHours } from "../process-env";
import { actorOf, allow, anyRole, createRouter, errorResponses, jsonBody, jsonResponse, security, staffOf } from "../http/route-kit";

export const SettingsSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    code: z.string(),
    publicityDays: z.number().int(),
    minPublicityHours: z.number().int(),
    pinThreshold: z.number().int(),
    dailyRedemptionCap: z.number().int().nullable(),
    autoTopUp: z.boolean(),
    supervisionPhone: z.string().nullable().openapi({ description: "监督电话 printed on the posted 公示, or null" }),
    offlineWindowHours: z.number().int().openapi({ description: "How long an offline pack is good for (issue 14)" }),
    offlinePerRedemptionMax: z.number().int().openapi({ description: "Points one offline redemption may take; at most pinThreshold" }),
    offlinePerDeviceMax: z.number().int().openapi({ description: "Points one device may redeem offline per pack; 0 turns the offline counter off" }),
    expiryMonths: z.number().int().nullable().openapi({ description: "Unspent points expire this many months after they were credited (FIFO); null: never (the default)" }),
    publicityFloorHours: z.number().int().openapi({ description: "Read-only: the deployment's PUBLICITY_FLOOR_HOURS, the least minPublicityHours and window allowed" }),
  })
  .openapi("CommunitySettings");

const SettingsPatch = z
  .object({
    name: z.string().trim().min(1).max(limits.nameLengthMax).optional(),
    publicityDays: z.number().int().min(limits.publicityDaysMin).max(limits.publicityDaysMax).optional(),
    minPublicityHours: z.number().int().min(0).max(limits.minPublicityHoursMax).optional(),
    pinThreshold: z.number().int().min(0).max(limits.pinThresholdMax).optional(),
    dailyRedemptionCap: z.number().int().min(1).max(limits.dailyRedemptionCapMax).nullable().optional(),
    autoTopUp: z.boolean().optional(),
    offlineWindowHours: z.number().int().min(1).max(limits.offlineWindowHoursMax).optional(),
    offlinePerRedemptionMax: z.number().int().min(1).max(limits.pinThresholdMax).optional(),
    offlinePerDeviceMax: z.number().int().min(0).max(limits.offlinePerDeviceMaxMax).optional(),
    expiryMonths: z.number().int().min(expiryMonthsMin).max(expiryMonthsMax).nullable().optional(),
    // Kept as typed (0398-7890123 reads better on paper than digits); empty clears it.
    supervisionPhone: z
      .string()
      .trim()
      .max(limits.phoneLengthMax)
      .refine((value) => normalizePhone(value) !== "invalid", "7 to 15 digits (spaces, dashes and brackets are fine); one number only")
      .transform((value) => value || null)
      .nullable()
      .optional(),
  })
  .strict();

/** Mounted at `/api/community`. */
export const settingsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/settings",
      tags: ["settings"],
      summary: "The community's settings",
      middleware: [allow(...anyRole)] as const,
      security,
      responses: { 200: jsonResponse(SettingsSchema, "Settings"), ...errorResponses },
    }),
    async (c) => c.json(await getSettings(c.get("db"), actorOf(c).communityId, publicityFloorHours(c.get("config"))), 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/settings",
      tags: ["settings"],
      summary: "Change the community's settings (admin); minPublicityHours and publicityDays never below the deployment's PUBLICITY_FLOOR_HOURS",
      middleware: [allow("admin")] as const,
      security,
      request: { body: jsonBody(SettingsPatch) },
      responses: { 200: jsonResponse(SettingsSchema, "The new settings"), ...errorResponses },
    }),
    async (c) => c.json(await updateSettings(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("json"), publicityFloorHours(c.get("config"))), 200),
  );
