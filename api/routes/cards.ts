/**
 * Points cards (积分卡): issued by the admin with a PIN, printed as a signed QR code, scanned by
 * staff, revoked when lost. See docs/decisions/002-card-qr.md for why the QR is signed.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import QRCode from "qrcode";
import { cards } from "../../db/schema";
import { limits } from "../../shared/limits";
import { clearAttemptsStatement, lockedCards, unlockCard } from "../domain/attempts";
import { createCardCode, issueCard, qrOfCard, resolveCard, resolveTypedCard, revokeCard } from "../domain/cards";
import { DomainError } from "../domain/errors";
import { actorOf, allow, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, security, staffOf, staffRoles } from "../http/route-kit";
import { CardNoSchema, oneCardIdentity } from "./redemptions";

const pinPattern = new RegExp(`^\\d{${limits.pinDigitsMin},${limits.pinDigitsMax}}$`);

const IssueCardBody = z
  .object({
    pin: z.string().regex(pinPattern, `${limits.pinDigitsMin}–${limits.pinDigitsMax} digits`).openapi({ example: "2580" }),
  })
  .openapi("IssueCard");

const IssuedCardSchema = z
  .object({
    cardNo: z.string(),
    qr: z.string().openapi({ description: "Exactly the text the card's QR code encodes" }),
    status: z.literal("active"),
  })
  .openapi("IssuedCard");

const CardNoParam = z.object({ cardNo: z.string().min(1).max(40) });

const ResolveBody = z
  .object({
    qr: z.string().min(1).max(limits.qrLengthMax).optional(),
    cardNo: CardNoSchema.optional(),
    pin: z.string().max(limits.pinDigitsMax + 10).optional().openapi({ description: "The card's PIN; required with cardNo, always checked then" }),
  })
  .superRefine(oneCardIdentity)
  .openapi("ResolveCard");

const ResolvedCardSchema = z
  .object({
    cardNo: z.string(),
    household: z.object({ id: z.string(), householdNo: z.string(), headName: z.string(), building: z.string() }),
    balance: z.number().int(),
  })
  .openapi("ResolvedCard");

const CardCodeSchema = z
  .object({
    qr: z.string().openapi({ description: "The text to show as a QR code; scanned at the shop like the card" }),
    expiresAt: z.string(),
    seconds: z.number().int(),
    svg: z.string().openapi({ description: "The QR code as SVG, ready to show (the phone needs no QR library)" }),
  })
  .openapi("CardCode");

/** Mounted at `/api/cards`. */
export const cardsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/{cardNo}/qr.svg",
      tags: ["cards"],
      summary: "The card's QR code as SVG, for printing (admin; the household itself)",
      middleware: [allow("admin", "resident")] as const,
      security,
      request: { params: CardNoParam },
      responses: { 200: { description: "The QR image", content: { "image/svg+xml": { schema: z.string() } } }, ...errorResponses },
    }),
    async (c) => {
      const actor = actorOf(c);
      const { cardNo } = c.req.valid("param");
      const db = c.get("db");
      if (actor.kind === "household") {
        // A resident may print only their own card; another card's existence is not revealed.
        const own = await db.query.cards.findFirst({ where: and(eq(cards.cardNo, cardNo), eq(cards.householdId, actor.householdId)) });
        if (!own) throw new DomainError("FORBIDDEN");
      }
      const { qr } = await qrOfCard(db, actor.communityId, cardNo, c.get("config"));
      const svg = await QRCode.toString(qr, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
      // The image is the card itself: whoever holds a copy can show it at the shop.
      c.header("content-type", "image/svg+xml; charset=utf-8");
      c.header("cache-control", "no-store");
      return c.body(svg, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{cardNo}/revoke",
      tags: ["cards"],
      summary: "Revoke a card: sign-in, scanning and redemption stop at once (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { params: CardNoParam },
      responses: { 200: jsonResponse(z.object({ cardNo: z.string(), status: z.literal("revoked") }), "Revoked"), ...errorResponses },
    }),
    async (c) => {
      const admin = staffOf(c);
      const { cardNo } = c.req.valid("param");
      return c.json(await revokeCard(c.get("db"), c.get("clock"), admin, c.get("meta"), cardNo), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/locked",
      tags: ["cards"],
      summary: "Cards whose sign-in is locked by wrong PINs, and until when (admin)",
      middleware: [allow("admin")] as const,
      security,
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(z.object({ cardNo: z.string(), householdNo: z.string(), lockedUntil: z.string() })), nextCursor: z.string().nullable() }),
          "Locked cards, the soonest unlocked first",
        ),
        ...errorResponses,
      },
    }),
    async (c) => c.json({ items: await lockedCards(c.get("db"), c.get("clock"), staffOf(c).communityId), nextCursor: null }, 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{cardNo}/unlock",
      tags: ["cards"],
      summary: "Lift a card's sign-in lock at once (admin, audited)",
      middleware: [allow("admin")] as const,
      security,
      request: { params: CardNoParam },
      responses: { 200: jsonResponse(z.object({ cardNo: z.string(), unlocked: z.boolean() }), "Unlocked (`unlocked` is false when it was not locked)"), ...errorResponses },
    }),
    async (c) => c.json(await unlockCard(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").cardNo), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/resolve",
      tags: ["cards"],
      summary: "Turn a scanned QR text, or a typed card number with its PIN (the shop's clerk), into the card's household and balance (staff)",
      middleware: [allow(...staffRoles)] as const,
      security,
      request: { body: jsonBody(ResolveBody) },
      responses: { 200: jsonResponse(ResolvedCardSchema, "The card's household"), ...errorResponses, 429: errorResponses[409] },
    }),
    async (c) => {
      const staff = staffOf(c);
      const body = c.req.valid("json");
      const db = c.get("db");
      if (body.cardNo !== undefined) {
        // The typed card number is the counter's fallback: the PIN is counted on the counter's
        // own attempts for the card, so only the shop's clerk may try one.
        if (staff.role !== "clerk") throw new DomainError("FORBIDDEN", { reason: "only a shop's clerk types a card number" });
        const card = await resolveTypedCard(db, c.get("clock"), staff.communityId, body.cardNo, body.pin);
        await db.batch([clearAttemptsStatement(db, card.subject)]);
        return c.json({ cardNo: card.cardNo, household: card.household, balance: card.balance }, 200);
      }
      const card = await resolveCard(db, staff.communityId, c.get("config").cardSigningKey, body.qr ?? "", c.get("clock").now().toISOString());
      return c.json({ cardNo: card.cardNo, household: card.household, balance: card.balance }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/code",
      tags: ["cards"],
      summary: "A one-time code for the resident's phone to show instead of the printed card: valid 60 seconds, pays once (resident)",
      middleware: [allow("resident")] as const,
      security,
      responses: { 201: jsonResponse(CardCodeSchema, "The code's QR text and when it expires"), ...errorResponses },
    }),
    async (c) => {
      const code = await createCardCode(c.get("db"), c.get("clock"), actorOf(c), c.get("config").publicUrl);
      const svg = await QRCode.toString(code.qr, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
      return c.json({ ...code, svg }, 201);
    },
  );

/** Mounted at `/api/households`. */
export const householdCardRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/card",
      tags: ["cards"],
      summary: "Issue the household a new card with a PIN; the previous card stops working (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam, body: jsonBody(IssueCardBody) },
      responses: { 201: jsonResponse(IssuedCardSchema, "Issued"), ...errorResponses },
    }),
    async (c) => {
      const admin = staffOf(c);
      const { id } = c.req.valid("param");
      const { pin } = c.req.valid("json");
      const card = await issueCard(c.get("db"), c.get("clock"), admin, c.get("meta"), c.get("config"), id, pin);
      return c.json({ cardNo: card.cardNo, qr: card.qr, status: card.status }, 201);
    },
  );
