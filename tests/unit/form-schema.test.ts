import { describe, expect, it } from "vitest";
import { NewNoticeBody, NewRuleBody } from "../../shared/forms";
import { limits } from "../../shared/limits";
import { FormProblem } from "../../web/src/ui/checks";
import { checkWith } from "../../web/src/ui/form-schema";

const labels = { title: "名称", minPoints: "最低分", maxPoints: "最高分" };
const rule = { category: "environment" as const, title: "  打扫楼道  ", kind: "award" as const, minPoints: 1, maxPoints: 5 };

function problemOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof FormProblem) return err.message;
    throw err;
  }
  throw new Error("the form passed");
}

describe("forms checked with the server's own schema", () => {
  it("passes a good rule and sends it trimmed", () => {
    expect(checkWith(NewRuleBody, rule, labels)).toEqual({ ...rule, title: "打扫楼道" });
  });

  it("says in Chinese which field is wrong and why", () => {
    expect(problemOf(() => checkWith(NewRuleBody, { ...rule, minPoints: 6 }, labels))).toBe("最低分不能高于最高分。");
    expect(problemOf(() => checkWith(NewRuleBody, { ...rule, maxPoints: limits.pointsPerItemMax + 1 }, labels))).toBe(`“最高分”要在 1 到 ${limits.pointsPerItemMax} 之间。`);
    expect(problemOf(() => checkWith(NewRuleBody, { ...rule, title: "x".repeat(limits.titleLengthMax + 1) }, labels))).toBe(`“名称”最多 ${limits.titleLengthMax} 个字。`);
    expect(problemOf(() => checkWith(NewRuleBody, { ...rule, title: "   " }, labels))).toBe("请填写“名称”。");
    expect(problemOf(() => checkWith(NewRuleBody, { ...rule, category: "penalty" }, labels))).toContain("七个载体");
    expect(problemOf(() => checkWith(NewNoticeBody, { title: "通知", body: "" }, { title: "标题", body: "内容" }))).toBe("请填写“内容”。");
  });

  it("is the schema the server answers 400 with", () => {
    expect(NewRuleBody.safeParse({ ...rule, minPoints: 6 }).success).toBe(false);
    expect(NewNoticeBody.safeParse({ title: "通知", body: "明天打扫" }).success).toBe(true);
  });
});
