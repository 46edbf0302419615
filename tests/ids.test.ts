/**
 * Record ids (`newId`): UUIDv7, so each new row's key goes to the right edge of its B-tree (issue
 * 16) — and still unguessable: 74 random bits each.
 */
import { describe, expect, it } from "vitest";
import { newId } from "../api/domain/clock";

describe("newId", () => {
  it("makes UUIDv7 ids, all distinct, each sorting after the one before", () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it("carries the time of its making in its first 48 bits", () => {
    const before = Date.now();
    const id = newId();
    const ms = parseInt(id.replace(/-/g, "").slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
  });
});
