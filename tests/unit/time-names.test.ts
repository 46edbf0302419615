import { describe, expect, it } from "vitest";
import { maskName } from "../../shared/names";
import { chinaDay, chinaDayRange, chinaMonth } from "../../shared/time";

describe("chinaDay", () => {
  it("is already today in Beijing at 01:00 Beijing time, while UTC still says yesterday", () => {
    expect(chinaDay("2026-12-01T17:00:00.000Z")).toBe("2026-12-02");
    expect(chinaDay(new Date("2026-12-01T15:59:59.999Z"))).toBe("2026-12-01");
  });
  it("turns the month over at Beijing midnight", () => {
    expect(chinaMonth("2026-11-30T16:00:00.000Z")).toBe("2026-12");
  });
});

describe("chinaDayRange", () => {
  it("spans 24 hours starting 16:00 UTC the day before", () => {
    expect(chinaDayRange("2026-12-02")).toEqual({ start: "2026-12-01T16:00:00.000Z", end: "2026-12-02T16:00:00.000Z" });
  });
  it("holds every instant whose China day is that day, and no other", () => {
    const { start, end } = chinaDayRange("2027-01-01");
    expect(chinaDay(start)).toBe("2027-01-01");
    expect(chinaDay(new Date(Date.parse(end) - 1))).toBe("2027-01-01");
    expect(chinaDay(end)).toBe("2027-01-02");
  });
});

describe("maskName", () => {
  it("keeps the first and last character of a name of three or more", () => {
    expect(maskName("张三华")).toBe("张*华");
    expect(maskName("欧阳小明")).toBe("欧**明");
  });
  it("hides the second character of a two-character name and leaves one character alone", () => {
    expect(maskName("李四")).toBe("李*");
    expect(maskName("王")).toBe("王");
  });
  it("trims spaces and counts characters, not UTF-16 units", () => {
    expect(maskName("  𠮷野家 ")).toBe("𠮷*家");
  });
});
