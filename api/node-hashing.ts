/**
 * Node's own SHA-256 and HMAC-SHA256 for `useSyncHashing` (api/domain/crypto.ts): synchronous,
 * no thread-pool round trip. Node only; the worker bundle never imports this file.
 */
import { createHash, createHmac } from "node:crypto";
import type { SyncHashing } from "./domain/crypto";

export const nodeHashing: SyncHashing = {
  sha256Hex: (text) => createHash("sha256").update(text, "utf8").digest("hex"),
  hmacSha256: (key, message) => {
    // Web Crypto refuses an empty HMAC key; so do we, so both hosts answer alike.
    if (key === "") throw new Error("Zero-length key is not supported");
    return createHmac("sha256", Buffer.from(key, "utf8")).update(message, "utf8").digest("base64url");
  },
};
