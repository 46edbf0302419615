import { describe, expect, it } from "vitest";
import { balanceSentence, chineseNumber, entriesText, entrySentence, noticeText, spokenPoints } from "../../web/src/ui/speech";

describe("read aloud: numbers in words", () => {
  it("says a balance as spoken Chinese", () => {
    expect(chineseNumber(1230)).toBe("一千二百三十");
    expect(spokenPoints(1230, "zh")).toBe("一千二百三十分");
    expect(spokenPoints(10, "zh")).toBe("十分");
    expect(spokenPoints(15, "zh")).toBe("十五分");
    expect(spokenPoints(0, "zh")).toBe("零分");
    expect(spokenPoints(100010, "zh")).toBe("十万零一十分");
  });
  it("says points in English with the right plural", () => {
    expect(spokenPoints(1230, "en")).toBe("1,230 points");
    expect(spokenPoints(1, "en")).toBe("1 point");
  });
  it("puts the balance in a plain sentence", () => {
    expect(balanceSentence(1230, "zh")).toBe("您家现在有一千二百三十分。");
    expect(balanceSentence(5, "en")).toBe("Your household has 5 points.");
  });
});

describe("read aloud: entries and notices", () => {
  const entry = { at: "2026-12-01T04:00:00.000Z", amount: -25, description: "兑换商品，小票 No.7：大米×1" };
  it("says a spending as a minus with the China day", () => {
    expect(entrySentence(entry, "zh")).toBe("12月1日，兑换商品，小票 No.7：大米×1，减二十五分。");
    expect(entrySentence({ ...entry, amount: 10, description: "Points awarded: tidy stairs" }, "en")).toBe("1 December: Points awarded: tidy stairs, plus 10 points.");
  });
  it("reads at most five entries, and says so when there are none", () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ ...entry, amount: i + 1 }));
    const text = entriesText(many, "zh");
    expect(text.startsWith("最近五笔记录：")).toBe(true);
    expect(text.match(/12月1日/g)).toHaveLength(5);
    expect(entriesText([], "zh")).toBe("还没有积分记录。");
  });
  it("reads a notice's title, then its body", () => {
    expect(noticeText({ title: "打扫楼道", body: "周六上午九点。" }, "zh")).toBe("通知：打扫楼道。周六上午九点。");
  });
});
