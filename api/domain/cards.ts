/**
 * Points cards (积分卡). The QR text is a URL under PUBLIC_URL that carries the card number, its
 * version and an HMAC over both, keyed per community (deployment key + community secret). A
 * card number alone, an altered payload, an old version or a revoked card never resolves.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts, cardCodeUses, cardCodes, cards, communities, households } from "../../db/schema";
import { limits } from "../../shared/limits";
import type { Actor, RequestMeta } from "./actor";
import { claimAttempt, counterSubject, type AttemptSubject } from "./attempts";
import { auditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { decoyHash, hashSecret, hmacSha256, randomBytes, randomToken, sha256Hex, timingSafeEqual, verifySecret } from "./crypto";
import { DomainError } from "./errors";

/** The path under PUBLIC_URL that a scanned card opens (the resident sign-in, card filled in). */
export const cardPathPrefix = "/c/";
/** The path of a resident's one-time code (shown on the phone, valid 60 seconds, pays once). */
export const codePathPrefix = "/d/";
const signatureLength = 22;

export function newCardNo(): string {
  // 12 random digits: not sequential, so a card number says nothing about its neighbours.
  const digits = [...randomBytes(12)].map((b) => String(b % 10)).join("");
  return digits.startsWith("0") ? `1${digits.slice(1)}` : digits;
}

async function signature(signingKey: string, cardSecret: string, cardNo: string, version: number): Promise<string> {
  const mac = await hmacSha256(`${signingKey}:${cardSecret}`, `${cardNo}.${version}`);
  return mac.slice(0, signatureLength);
}

/** Whether a scanned signature is the card's (constant time); the counter's folded read uses it. */
export async function cardSignatureMatches(signingKey: string, cardSecret: string, cardNo: string, version: number, sig: string): Promise<boolean> {
  return timingSafeEqual(await signature(signingKey, cardSecret, cardNo, version), sig);
}

/** The exact text the card's QR code encodes. */
export async function cardQrText(publicUrl: string, signingKey: string, cardSecret: string, cardNo: string, version: number): Promise<string> {
  const sig = await signature(signingKey, cardSecret, cardNo, version);
  return `${publicUrl.replace(/\/+$/, "")}${cardPathPrefix}${cardNo}.${version}.${sig}`;
}

/** Splits a scanned text (full URL or bare payload) into its parts; null when malformed. */
export function parseCardQr(text: string): { cardNo: string; version: number; sig: string } | null {
  if (typeof text !== "string" || text.length > limits.qrLengthMax) return null;
  const trimmed = text.trim();
  const at = trimmed.lastIndexOf(cardPathPrefix);
  const payload = at >= 0 ? trimmed.slice(at + cardPathPrefix.length) : trimmed;
  const match = /^(\d{6,20})\.(\d{1,6})\.([A-Za-z0-9_-]{22})$/.exec(payload);
  if (!match) return null;
  return { cardNo: match[1], version: Number(match[2]), sig: match[3] };
}

export interface IssuedCard {
  id: string;
  cardNo: string;
  version: number;
  qr: string;
  status: "active";
}

/** Issues a new card with a PIN; the household's previous card is revoked in the same batch. */
export async function issueCard(
  db: Db,
  clock: Clock,
  actor: Actor,
  meta: RequestMeta | null,
  config: { publicUrl: string; cardSigningKey: string },
  householdId: string,
  pin: string,
): Promise<IssuedCard> {
  const household = await db.query.households.findFirst({ where: and(eq(households.id, householdId), eq(households.communityId, actor.communityId)) });
  if (!household) throw new DomainError("NOT_FOUND", { householdId });
  const community = await db.query.communities.findFirst({ where: eq(communities.id, actor.communityId) });
  if (!community) throw new DomainError("NOT_FOUND");
  const at = isoNow(clock);
  const card = { id: newId(), cardNo: newCardNo(), version: 1 };
  await db.batch([
    db.update(cards).set({ status: "revoked", revokedAt: at }).where(and(eq(cards.householdId, householdId), eq(cards.status, "active"))),
    db.insert(cards).values({
      id: card.id,
      communityId: actor.communityId,
      householdId,
      cardNo: card.cardNo,
      version: card.version,
      pinHash: await hashSecret(pin),
      status: "active",
      issuedAt: at,
    }),
    auditStatement(db, actor, meta, at, { action: "card.issue", targetType: "card", targetId: card.id, details: { householdId, cardNo: card.cardNo } }),
  ]);
  const qr = await cardQrText(config.publicUrl, config.cardSigningKey, community.cardSecret, card.cardNo, card.version);
  return { ...card, qr, status: "active" };
}

/** The QR text of an active card of the community (for the card image and printing). */
export async function qrOfCard(db: Db, communityId: string, cardNo: string, config: { publicUrl: string; cardSigningKey: string }) {
  const card = await db.query.cards.findFirst({ where: and(eq(cards.cardNo, cardNo), eq(cards.communityId, communityId), eq(cards.status, "active")) });
  if (!card) throw new DomainError("CARD_INVALID");
  const community = await db.query.communities.findFirst({ where: eq(communities.id, communityId) });
  if (!community) throw new DomainError("CARD_INVALID");
  return { card, qr: await cardQrText(config.publicUrl, config.cardSigningKey, community.cardSecret, card.cardNo, card.version) };
}

/** Revokes a card: it stops working for sign-in, scanning and redemption at once. */
export async function revokeCard(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, cardNo: string) {
  const card = await db.query.cards.findFirst({ where: and(eq(cards.cardNo, cardNo), eq(cards.communityId, actor.communityId)) });
  if (!card) throw new DomainError("NOT_FOUND", { cardNo });
  if (card.status === "revoked") return { cardNo, status: "revoked" as const };
  const at = isoNow(clock);
  await db.batch([
    db.update(cards).set({ status: "revoked", revokedAt: at }).where(eq(cards.id, card.id)),
    db.run(sql`UPDATE sessions SET revoked_at = ${at} WHERE card_id = ${card.id} AND revoked_at IS NULL`),
    auditStatement(db, actor, meta, at, { action: "card.revoke", targetType: "card", targetId: card.id, details: { cardNo } }),
  ]);
  return { cardNo, status: "revoked" as const };
}

export interface ResolvedCard {
  cardId: string;
  cardNo: string;
  pinHash: string;
  /** Set when a one-time code was scanned: the redemption's batch uses it up. */
  codeHash: string | null;
  household: { id: string; householdNo: string; headName: string; building: string };
  balance: number;
}

/** The code in a scanned one-time QR text (full URL or bare `/d/<code>`), or null. */
export function parseCodeQr(text: string): string | null {
  if (typeof text !== "string" || text.length > limits.qrLengthMax) return null;
  const trimmed = text.trim();
  const at = trimmed.lastIndexOf(codePathPrefix);
  if (at < 0) return null;
  const match = /^([A-Za-z0-9_-]{22,64})$/.exec(trimmed.slice(at + codePathPrefix.length));
  return match ? match[1] : null;
}

export interface CardCode {
  qr: string;
  expiresAt: string;
  seconds: number;
}

/**
 * A one-time code for the resident's own active card: the phone shows it as a QR instead of the
 * printed card, so a photographed or lost printout is not the only way to pay. Valid for
 * `cardCodeSeconds`, and a redemption uses it up (see `redemption.ts`).
 */
export async function createCardCode(db: Db, clock: Clock, actor: Actor, publicUrl: string): Promise<CardCode> {
  if (actor.kind !== "household") throw new DomainError("FORBIDDEN");
  const card = await db.query.cards.findFirst({ where: and(eq(cards.id, actor.cardId), eq(cards.status, "active")) });
  if (!card) throw new DomainError("CARD_INVALID");
  const code = randomToken(24);
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + limits.cardCodeSeconds * 1000).toISOString();
  await db.insert(cardCodes).values({ codeHash: await sha256Hex(code), communityId: actor.communityId, cardId: card.id, householdId: card.householdId, sessionId: actor.sessionId, createdAt: now.toISOString(), expiresAt });
  return { qr: `${publicUrl.replace(/\/+$/, "")}${codePathPrefix}${code}`, expiresAt, seconds: limits.cardCodeSeconds };
}

/**
 * The card behind a scanned one-time code: unexpired, unused, card still active. A code we never
 * made (or another community's) and a code of a revoked card are CARD_INVALID; a real code that
 * was used or ran out says so (CODE_USED, CODE_EXPIRED), because the clerk's remedy is the
 * resident's phone, not suspicion of the card.
 */
async function cardOfCode(db: Db, communityId: string, code: string, at: string) {
  const codeHash = await sha256Hex(code);
  const row = await db.query.cardCodes.findFirst({ where: eq(cardCodes.codeHash, codeHash) });
  if (!row || row.communityId !== communityId) throw new DomainError("CARD_INVALID");
  const card = await db.query.cards.findFirst({ where: and(eq(cards.id, row.cardId), eq(cards.status, "active")) });
  if (!card) throw new DomainError("CARD_INVALID");
  const used = await db.query.cardCodeUses.findFirst({ where: eq(cardCodeUses.codeHash, codeHash) });
  if (used) throw new DomainError("CODE_USED", { usedAt: used.usedAt });
  if (row.expiresAt <= at) throw new DomainError("CODE_EXPIRED", { expiredAt: row.expiresAt });
  return { card, codeHash };
}

/**
 * Turns scanned QR text into the card's household and balance, for staff of the card's
 * community: the printed card's signed QR, or a resident's one-time code. Forged, altered,
 * outdated, revoked, unknown or foreign → CARD_INVALID; a one-time code already used →
 * CODE_USED, one that ran out → CODE_EXPIRED.
 */
export async function resolveCard(db: Db, communityId: string, signingKey: string, qrText: string, at: string): Promise<ResolvedCard> {
  const code = parseCodeQr(qrText);
  let card: typeof cards.$inferSelect;
  let codeHash: string | null = null;
  if (code) {
    ({ card, codeHash } = await cardOfCode(db, communityId, code, at));
  } else {
    const parsed = parseCardQr(qrText);
    if (!parsed) throw new DomainError("CARD_INVALID");
    const found = await db.query.cards.findFirst({ where: eq(cards.cardNo, parsed.cardNo) });
    if (!found || found.communityId !== communityId || found.status !== "active" || found.version !== parsed.version) {
      throw new DomainError("CARD_INVALID");
    }
    const community = await db.query.communities.findFirst({ where: eq(communities.id, communityId) });
    if (!community) throw new DomainError("CARD_INVALID");
    const expected = await signature(signingKey, community.cardSecret, found.cardNo, found.version);
    if (!timingSafeEqual(expected, parsed.sig)) throw new DomainError("CARD_INVALID");
    card = found;
  }
  const household = await db.query.households.findFirst({ where: eq(households.id, card.householdId) });
  const account = await db.query.accounts.findFirst({ where: eq(accounts.id, card.householdId) });
  if (!household || !account) throw new DomainError("CARD_INVALID");
  return {
    cardId: card.id,
    cardNo: card.cardNo,
    pinHash: card.pinHash,
    codeHash,
    household: { id: household.id, householdNo: household.householdNo, headName: household.headName, building: household.building },
    balance: account.balance,
  };
}

/** Where the counter counts the PINs typed for a card number: the card's own count when it exists. */
function typedCardSubject(communityId: string, cardNo: string, card: { id: string } | undefined): AttemptSubject {
  if (card) return counterSubject(card.id, communityId);
  // A number that names no active card of ours is counted too, under its own key, so guessing
  // numbers costs attempts and time exactly as guessing PINs does.
  return { key: `counter:${communityId}:${cardNo}`, communityId, max: limits.pinAttemptsMax, windowMinutes: limits.pinLockoutMinutes };
}

export interface TypedCard extends ResolvedCard {
  /** The attempt subject the PIN was counted on; a success clears it in its own batch. */
  subject: AttemptSubject;
}

/**
 * The counter's fallback when a card or the camera fails: the clerk types the card number and
 * the resident types the PIN, which is then always checked. The attempt is claimed before the
 * PIN is checked, on the counter's own count for the card (attempts.ts), and a number with no
 * active card of the community goes through the same claim and the same PBKDF2 comparison (a
 * decoy hash) before it answers CARD_INVALID, so it takes as long as a wrong PIN.
 */
export async function resolveTypedCard(db: Db, clock: Clock, communityId: string, cardNo: string, pin: string | null | undefined): Promise<TypedCard> {
  if (!pin) throw new DomainError("PIN_REQUIRED", { reason: "a typed card number needs the card's PIN" });
  const found = await db.query.cards.findFirst({ where: and(eq(cards.cardNo, cardNo), eq(cards.communityId, communityId), eq(cards.status, "active")) });
  const subject = typedCardSubject(communityId, cardNo, found);
  const claimed = await claimAttempt(db, clock, subject);
  const ok = await verifySecret(pin, found?.pinHash ?? decoyHash);
  if (!found) throw new DomainError("CARD_INVALID");
  if (!ok) throw new DomainError("PIN_WRONG", { attemptsLeft: Math.max(subject.max - claimed.attempt, 0) });
  const household = await db.query.households.findFirst({ where: eq(households.id, found.householdId) });
  const account = await db.query.accounts.findFirst({ where: eq(accounts.id, found.householdId) });
  if (!household || !account) throw new DomainError("CARD_INVALID");
  return {
    cardId: found.id,
    cardNo: found.cardNo,
    pinHash: found.pinHash,
    codeHash: null,
    household: { id: household.id, householdNo: household.householdNo, headName: household.headName, building: household.building },
    balance: account.balance,
    subject,
  };
}
