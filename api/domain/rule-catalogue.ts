/**
 * The seven-carrier rule catalogue (七大载体, with the penalties of 惩戒) that a new community
 * starts with: the 积分细则 of 兴贤里社区's 《实施细则》, as a starting point its admin edits
 * (retires rules, adds its own). Shared by the demo seed and by officers creating communities.
 */
import type { Category, RuleKind } from "../../shared/domain";

export interface CatalogueRule {
  category: Category;
  title: string;
  kind: RuleKind;
  minPoints: number;
  maxPoints: number;
}

export const ruleCatalogue: readonly CatalogueRule[] = [
  { category: "policy", title: "参加政策宣讲会", kind: "award", minPoints: 2, maxPoints: 5 },
  { category: "policy", title: "政策知识问答全部答对", kind: "award", minPoints: 5, maxPoints: 5 },
  { category: "enterprise", title: "家庭成员实现稳定就业", kind: "award", minPoints: 10, maxPoints: 20 },
  { category: "enterprise", title: "自主创业并带动就业", kind: "award", minPoints: 20, maxPoints: 50 },
  { category: "neighbour", title: "调解邻里纠纷", kind: "award", minPoints: 5, maxPoints: 10 },
  { category: "neighbour", title: "照顾孤寡老人、残疾人", kind: "award", minPoints: 5, maxPoints: 10 },
  { category: "volunteer", title: "参加志愿服务活动（每次）", kind: "award", minPoints: 3, maxPoints: 5 },
  { category: "volunteer", title: "防汛、防火值守", kind: "award", minPoints: 5, maxPoints: 10 },
  { category: "bravery", title: "见义勇为", kind: "award", minPoints: 20, maxPoints: 100 },
  { category: "environment", title: "楼道卫生清扫", kind: "award", minPoints: 2, maxPoints: 5 },
  { category: "environment", title: "垃圾分类投放规范", kind: "award", minPoints: 1, maxPoints: 3 },
  { category: "environment", title: "绿化带、庭院美化", kind: "award", minPoints: 3, maxPoints: 5 },
  { category: "civility", title: "红白事简办", kind: "award", minPoints: 10, maxPoints: 20 },
  { category: "civility", title: "孝老爱亲", kind: "award", minPoints: 5, maxPoints: 10 },
  { category: "civility", title: "评为文明家庭、最美家庭", kind: "award", minPoints: 20, maxPoints: 30 },
  { category: "penalty", title: "乱扔垃圾、乱倒污水", kind: "penalty", minPoints: 2, maxPoints: 5 },
  { category: "penalty", title: "楼道堆放杂物", kind: "penalty", minPoints: 3, maxPoints: 5 },
  { category: "penalty", title: "违反居民公约", kind: "penalty", minPoints: 5, maxPoints: 20 },
  { category: "penalty", title: "高空抛物", kind: "penalty", minPoints: 10, maxPoints: 20 },
];
