/**
 * The Node server hashes session tokens and signs cards with Node's own crypto
 * (api/node-hashing.ts); the worker with Web Crypto. A card printed by one must verify on the
 * other, and a session hashed by one must be found by the other: the two give the same bytes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { hmacSha256, sha256Hex, useSyncHashing } from "../api/domain/crypto";
import { nodeHashing } from "../api/node-hashing";

const texts = ["", "abc", "兴贤里社区 3-2-501 吴建国", "x".repeat(10_000), "\u{1F600} emoji and \u0000 nul"];
const keys = ["card-signing-key", "密钥", "k".repeat(200)];

async function both<T>(f: () => Promise<T>): Promise<[T, T]> {
  useSyncHashing(null);
  const web = await f();
  useSyncHashing(nodeHashing);
  const node = await f();
  return [web, node];
}

describe("Node's own hashing gives the same bytes as Web Crypto", () => {
  afterEach(() => useSyncHashing(null));

  it("SHA-256 of any text, and the standard vector", async () => {
    for (const text of texts) {
      const [web, node] = await both(() => sha256Hex(text));
      expect(node).toBe(web);
    }
    const [web] = await both(() => sha256Hex("abc"));
    expect(web).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("HMAC-SHA256 of any key and message, base64url without padding", async () => {
    for (const key of keys) {
      for (const text of texts) {
        const [web, node] = await both(() => hmacSha256(key, text));
        expect(node).toBe(web);
        expect(node).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }
    }
  });

  it("both refuse an empty key", async () => {
    useSyncHashing(null);
    await expect(hmacSha256("", "m")).rejects.toThrow(/zero-length key/i);
    useSyncHashing(nodeHashing);
    await expect(hmacSha256("", "m")).rejects.toThrow(/zero-length key/i);
  });
});
