import { describe, expect, it } from "vitest";
import { cardQrText, parseCardQr, parseCodeQr } from "../../api/domain/cards";
import { encodeCursor, parseCursor } from "../../api/http/route-kit";

describe("the keyset cursor codec", () => {
  it("gives back exactly the key it was given, unicode included, as URL-safe text", () => {
    const key: [string, string] = ["12号楼-0042", "id_😀/+="];
    const text = encodeCursor(key);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(parseCursor(text)).toEqual(key);
  });
  it("refuses text it did not give out", () => {
    for (const bad of ["", "not a cursor", "!!!", encodeCursor(["a", "b"]).slice(0, -3), btoa('["a",1]'), btoa('["a","b","c"]'), btoa("{}")]) {
      expect(parseCursor(bad), bad).toBeNull();
    }
  });
});

describe("card QR signing", () => {
  const key = "deployment-key-0123456789";
  const secret = "community-secret";

  it("round-trips: the text a card prints parses back to its number, version and signature", async () => {
    const text = await cardQrText("https://points.example.org/", key, secret, "123456789012", 3);
    expect(text).toMatch(/^https:\/\/points\.example\.org\/c\/123456789012\.3\.[A-Za-z0-9_-]{22}$/);
    expect(parseCardQr(text)).toMatchObject({ cardNo: "123456789012", version: 3 });
    // A bare payload (a scanner that drops the address) parses the same.
    expect(parseCardQr(text.slice(text.indexOf("/c/") + 3))).toEqual(parseCardQr(text));
  });

  it("signs differently for another version, card, community secret or deployment key", async () => {
    const base = parseCardQr(await cardQrText("http://x", key, secret, "123456789012", 1))!.sig;
    const others = await Promise.all([
      cardQrText("http://x", key, secret, "123456789012", 2),
      cardQrText("http://x", key, secret, "123456789013", 1),
      cardQrText("http://x", key, "other-secret", "123456789012", 1),
      cardQrText("http://x", "another-deployment-key", secret, "123456789012", 1),
    ]);
    for (const text of others) expect(parseCardQr(text)!.sig).not.toBe(base);
  });

  it("refuses malformed text: a bare card number, a short signature, letters in the number, anything too long", () => {
    for (const bad of ["123456789012", "123456789012.1.short", "12345abc9012.1.AAAAAAAAAAAAAAAAAAAAAA", "x".repeat(10_000), "/c/123456789012.1.AAAAAAAAAAAAAAAAAAAAA!"]) {
      expect(parseCardQr(bad), bad).toBeNull();
    }
  });

  it("tells a one-time code from a card: only /d/ texts with a long random code", () => {
    expect(parseCodeQr("http://localhost:8787/d/AbCdEfGhIjKlMnOpQrStUv12")).toBe("AbCdEfGhIjKlMnOpQrStUv12");
    expect(parseCodeQr("http://localhost:8787/c/123456789012.1.AAAAAAAAAAAAAAAAAAAAAA")).toBeNull();
    expect(parseCodeQr("/d/short")).toBeNull();
  });
});
