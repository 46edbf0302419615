/**
 * Hashing and signing with Web Crypto, so the same code runs on Node and on Workers (on Node the
 * short hashes may go to Node's own crypto: `useSyncHashing`).
 * PBKDF2-SHA256 at 100,000 iterations: the most Workers allow.
 */
import { limits } from "../../shared/limits";

const encoder = new TextEncoder();

/**
 * The host's own synchronous SHA-256 and HMAC, when it has them (Node: `api/node-hashing.ts`,
 * installed by the Node entry). Web Crypto answers through a promise that Node resolves from its
 * thread pool: two thread hand-offs for a hash of a few dozen bytes, on every request (the
 * session token, the card's signature). The worker keeps Web Crypto. PBKDF2 stays on Web Crypto
 * everywhere: it is slow on purpose and belongs off the main thread.
 */
export interface SyncHashing {
  sha256Hex(text: string): string;
  /** base64url, no padding. */
  hmacSha256(key: string, message: string): string;
}

let syncHashing: SyncHashing | null = null;

export function useSyncHashing(hashing: SyncHashing | null): void {
  syncHashing = hashing;
}

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "===".slice((b64.length + 3) % 4));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

export function randomToken(bytes = 32): string {
  return base64url(randomBytes(bytes));
}

/** Constant-time comparison of two strings of any length. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export async function sha256Hex(text: string): Promise<string> {
  if (syncHashing) return syncHashing.sha256Hex(text);
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function pbkdf2(secret: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

/** `pbkdf2-sha256$<iterations>$<salt>$<hash>` */
export async function hashSecret(secret: string, iterations: number = limits.pbkdf2Iterations): Promise<string> {
  if (iterations > limits.pbkdf2Iterations) throw new Error("PBKDF2 iterations above the Workers cap");
  const salt = randomBytes(16);
  const hash = await pbkdf2(secret, salt, iterations);
  return `pbkdf2-sha256$${iterations}$${base64url(salt)}$${base64url(hash)}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, iterationsText, saltText, hashText] = stored.split("$");
  const iterations = Number(iterationsText);
  if (scheme !== "pbkdf2-sha256" || !Number.isInteger(iterations) || !saltText || !hashText) return false;
  if (iterations < 1 || iterations > limits.pbkdf2Iterations) return false;
  const hash = await pbkdf2(secret, fromBase64url(saltText), iterations);
  return timingSafeEqual(base64url(hash), hashText);
}

/** A hash to compare against when the account does not exist, so timing does not tell. */
export const decoyHash = "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

export async function hmacSha256(key: string, message: string): Promise<string> {
  if (syncHashing) return syncHashing.hmacSha256(key, message);
  const cryptoKey = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const signature = await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message));
  return base64url(new Uint8Array(signature));
}
