/**
 * The demo community's data, built through the real API (in-process) so that every row is one
 * the product itself would write: staff, the seven-carrier rule catalogue, a shop with everyday
 * goods, households with cards, and history in every state — a completed top-up with
 * redemptions, a running publicity, applications waiting for certification, notices.
 *
 * The API runs on a seed clock that starts weeks ago and moves forward, so the history has
 * real dates and the running publicity ends in the future.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { cards, communities } from "../db/schema";
import type { Clock } from "../api/domain/clock";
import { newId } from "../api/domain/clock";
import { hashSecret, randomBytes } from "../api/domain/crypto";
import { cardQrText } from "../api/domain/cards";
import { createApp } from "../api/app";
import type { SeedOptions } from "./options";
import { limits } from "../shared/limits";
import { eq } from "drizzle-orm";
import { ruleCatalogue } from "../api/domain/rule-catalogue";
import { createCounty, placeCommunities } from "../api/domain/regions";

/** Every demo card's PIN (documented in README): demo data only. */
export const demoPin = "123456";

const surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤".split("");
const givenMale = ["建国", "国强", "志强", "长林", "新民", "小军", "海涛", "俊杰", "家豪", "明", "伟", "强", "军", "勇", "永福", "德胜", "春生", "宝山", "振华", "文斌"];
const givenFemale = ["秀英", "桂英", "丽娟", "金凤", "晓燕", "海燕", "淑珍", "秀兰", "玉兰", "雨桐", "梓涵", "欣怡", "翠花", "春梅", "红霞", "素芳", "美玲", "丽华", "小红", "静"];

/** A small deterministic generator, so the demo looks the same on every machine. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface DemoHousehold {
  householdNo: string;
  headName: string;
  building: string;
  unit: string;
  room: string;
  phone: string;
  members: string;
  type: string;
}

/**
 * Households spread over 83 buildings (兴贤里's real layout), 3 units, floors 1–6; `prefix` starts
 * every 户号 and `seed` picks the names (another community, other people).
 */
export function demoHouseholds(count: number, prefix = "XXL", seed = 20_180_601): DemoHousehold[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const types = ["脱贫户", "一般户", "一般户", "低保户", "监测户", "一般户"];
  const rows: DemoHousehold[] = [];
  const used = new Set<string>();
  for (let i = 0; rows.length < count; i++) {
    const building = 1 + (i % 83);
    const unit = 1 + (Math.floor(i / 83) % 3);
    const floor = 1 + (Math.floor(i / 249) % 6);
    const door = 1 + (Math.floor(i / 1494) % 4);
    const room = `${floor}0${door}`;
    const householdNo = `${prefix}-${String(building).padStart(2, "0")}${unit}${room}`;
    if (used.has(householdNo)) continue;
    used.add(householdNo);
    const surname = pick(surnames);
    const male = rand() < 0.55;
    const headName = surname + pick(male ? givenMale : givenFemale);
    const spouse = pick(surnames) + pick(male ? givenFemale : givenMale);
    const size = 1 + Math.floor(rand() * 5);
    const members = [headName, `${spouse}（配偶）`];
    const relations = ["长子", "长女", "次子", "次女", "孙子", "孙女"];
    for (let k = 2; k < size + 1; k++) members.push(`${surname}${pick(rand() < 0.5 ? givenMale : givenFemale)}（${relations[k - 2]}）`);
    const phone = `1${pick(["35", "39", "50", "73", "75", "86", "88"])}${String(Math.floor(rand() * 1e8)).padStart(8, "0")}`;
    rows.push({ householdNo, headName, building: `${building}号楼`, unit: `${unit}单元`, room, phone, members: members.join("、"), type: pick(types) });
  }
  return rows;
}

export function demoHouseholdsCsv(rows: DemoHousehold[]): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = ["户号,户主姓名,楼栋,单元,房号,联系电话,家庭成员,户类型"];
  for (const r of rows) lines.push([r.householdNo, r.headName, r.building, r.unit, r.room, r.phone, r.members, r.type].map(quote).join(","));
  return "\uFEFF" + lines.join("\n") + "\n";
}


const goodsCatalogue = [
  { name: "大米（5公斤）", points: 50, stock: 120, unit: "袋" },
  { name: "食用油（5升）", points: 80, stock: 60, unit: "桶" },
  { name: "挂面（1公斤）", points: 6, stock: 200, unit: "把" },
  { name: "鸡蛋（10个）", points: 12, stock: 150, unit: "盒" },
  { name: "酱油（500毫升）", points: 8, stock: 100, unit: "瓶" },
  { name: "食盐（400克）", points: 3, stock: 200, unit: "袋" },
  { name: "洗衣粉（1公斤）", points: 15, stock: 80, unit: "袋" },
  { name: "洗洁精", points: 8, stock: 90, unit: "瓶" },
  { name: "香皂", points: 5, stock: 150, unit: "块" },
  { name: "牙膏", points: 8, stock: 120, unit: "支" },
  { name: "毛巾", points: 10, stock: 100, unit: "条" },
  { name: "卫生纸（10卷）", points: 12, stock: 90, unit: "提" },
];

class SeedClock implements Clock {
  constructor(private at: Date) {}
  now() {
    return new Date(this.at);
  }
  set(at: Date) {
    this.at = new Date(at);
  }
}

const day = 24 * 3_600_000;

/**
 * The real API in-process on a seed clock: `call` throws on any answer the seed did not expect,
 * `as` signs in afresh (the seed clock jumps days ahead and sessions idle out).
 */
function demoClient(db: Db, clock: Clock, options: SeedOptions) {
  const { publicUrl, cardSigningKey } = options;
  const app = createApp({ db: () => db, clock, config: () => ({ publicUrl, cardSigningKey, secureCookies: false }) });
  async function call(token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] = "application/json";
    }
    const res = await app.request(`/api${path}`, init);
    const json = (await res.json()) as any;
    if (res.status >= 300) throw new Error(`seed: ${method} ${path} answered ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
  async function as(username: string) {
    return (await call(null, "POST", "/auth/login", { username, password: options.password })).token as string;
  }
  return { call, as };
}

/** Builds the demo community through the API; throws on any answer it did not expect. */
export async function seedDemo(db: Db, realClock: Clock, communityId: string, options: SeedOptions): Promise<void> {
  const realNow = realClock.now();
  const clock = new SeedClock(new Date(realNow.getTime() - 21 * day));
  const community = await db.query.communities.findFirst({ where: eq(communities.id, communityId) });
  if (!community) throw new Error("seed: community missing");
  const { publicUrl, cardSigningKey: signingKey } = options;
  // Sign in again at every phase (`as`): the seed clock jumps days ahead and sessions idle out.
  const { call, as } = demoClient(db, clock, options);

  // Staff, shop, catalogue.
  let admin = await as("admin");
  await call(admin, "PATCH", "/community/settings", { publicityDays: 5, minPublicityHours: 72, pinThreshold: 50 });
  const shop = await call(admin, "POST", "/shops", { name: "双扶驿站便民超市" });
  for (const [username, name, role] of [
    ["reviewer", "王认定", "reviewer"],
    ["reviewer2", "李认定", "reviewer"],
    ["volunteer", "赵楼长", "volunteer"],
    ["clerk", "孙店员", "clerk"],
  ] as const) {
    await call(admin, "POST", "/users", { username, password: options.password, name, role, ...(role === "clerk" ? { shopId: shop.id } : {}) });
  }
  const rules: any[] = [];
  for (const rule of ruleCatalogue) rules.push(await call(admin, "POST", "/rules", rule));
  const goods: any[] = [];
  for (const g of goodsCatalogue) goods.push(await call(admin, "POST", "/goods", { shopId: shop.id, ...g }));

  // Households (bulk import, as an office would) and their cards.
  const count = Math.max(0, options.households);
  if (count === 0) return;
  // In files of at most importRowsMax households, as an office with a big roster would.
  const all = demoHouseholds(count);
  for (let start = 0; start < all.length; start += limits.importRowsMax) {
    const form = new FormData();
    form.append("file", new Blob([demoHouseholdsCsv(all.slice(start, start + limits.importRowsMax))], { type: "text/csv" }), "households.csv");
    await call(admin, "POST", "/households/import", form);
  }
  const householdRows = (await db.run(sql`SELECT id, household_no FROM households WHERE community_id = ${communityId} ORDER BY household_no`)).rows as unknown as Array<{ id: string; household_no: string }>;
  const qrByHousehold = await issueDemoCards(db, clock.now().toISOString(), communityId, householdRows.map((h) => h.id), (cardNo) =>
    cardQrText(publicUrl, signingKey, community.cardSecret, cardNo, 1),
  );
  const members = new Map<string, string | undefined>();
  for (const h of householdRows.slice(0, 60)) members.set(h.id, (await call(admin, "GET", `/households/${h.id}`)).members?.[0]?.id);

  const byTitle = (title: string) => rules.find((r) => r.title === title);
  const first = householdRows.slice(0, Math.min(40, householdRows.length));

  // Round one, three weeks ago: a clean-up notice, applications, certification, publicity, top-up.
  const notice = await call(admin, "POST", "/notices", {
    title: "周六上午九点 12号楼周边卫生大扫除",
    body: "参加者每人可申请“楼道卫生清扫”积分。请带好扫帚、手套，在12号楼前集合。",
    ruleIds: [byTitle("楼道卫生清扫").id],
  });
  await call(admin, "POST", `/notices/${notice.id}/publish`);
  const volunteer = await as("volunteer");
  const roundOne: Array<{ id: string; rule: { minPoints: number; maxPoints: number } }> = [];
  const awardTitles = ["楼道卫生清扫", "参加志愿服务活动（每次）", "参加政策宣讲会", "孝老爱亲", "家庭成员实现稳定就业", "调解邻里纠纷", "垃圾分类投放规范", "红白事简办"];
  for (const [i, h] of first.entries()) {
    const rule = byTitle(awardTitles[i % awardTitles.length]);
    const app = await call(volunteer, "POST", "/applications", {
      householdId: h.id,
      memberId: members.get(h.id),
      ruleId: rule.id,
      noticeId: i % awardTitles.length === 0 ? notice.id : undefined,
      description: `${rule.title}：由楼长登记，邻居可作证。`,
    });
    roundOne.push({ id: app.id, rule });
  }
  const penalty = await call(volunteer, "POST", "/applications", { householdId: first[first.length - 1].id, ruleId: byTitle("楼道堆放杂物").id, description: "楼道内长期堆放纸箱，经劝导未清理。" });
  clock.set(new Date(clock.now().getTime() + 1 * day));
  const reviewer = await as("reviewer");
  for (const [i, { id, rule }] of roundOne.entries()) {
    // Reviewers grade within the rule's range: most items well above the minimum.
    const points = Math.min(rule.maxPoints, rule.minPoints * (1 + (i % 4)));
    if (i === 7) await call(reviewer, "POST", `/applications/${id}/certify`, { decision: "reject", reason: "现场照片无法证明参加了活动" });
    else await call(reviewer, "POST", `/applications/${id}/certify`, { decision: "approve", points });
  }
  await call(reviewer, "POST", `/applications/${penalty.id}/certify`, { decision: "approve", points: 3 });
  admin = await as("admin");
  const pastBatch = await call(admin, "POST", "/publicity", {});
  clock.set(new Date(new Date(pastBatch.endsAt).getTime() + 2 * 3_600_000));
  admin = await as("admin");
  await call(admin, "POST", "/topups", { publicityId: pastBatch.id });

  // Shopping over the following days.
  const clerk = await as("clerk");
  for (const [i, h] of first.slice(0, 24).entries()) {
    clock.set(new Date(clock.now().getTime() + 0.25 * day));
    // A basket the household can afford: what a resident actually picks at the counter.
    const { balance } = await call(await as("admin"), "GET", `/households/${h.id}`);
    const affordable = goods.filter((g) => g.points <= balance);
    if (affordable.length === 0) continue;
    const pick = affordable[(i * 5) % affordable.length];
    const extra = affordable.find((g) => g.points + pick.points <= balance && g.id !== pick.id);
    const basket = [{ goodsId: pick.id, quantity: 1 }, ...(extra ? [{ goodsId: extra.id, quantity: 1 }] : [])];
    try {
      await call(await as("clerk"), "POST", "/redemptions", { qr: qrByHousehold.get(h.id), items: basket }, { "idempotency-key": newId() });
    } catch {
      // A household without enough points is simply turned away at the counter.
    }
  }
  void clerk;

  // Round two, the last few days: a running publicity and applications still in the queue.
  clock.set(new Date(realNow.getTime() - 2 * day));
  const volunteer2 = await as("volunteer");
  const roundTwo: string[] = [];
  for (const [i, h] of householdRows.slice(10, 26).entries()) {
    const rule = byTitle(awardTitles[(i + 3) % awardTitles.length]);
    roundTwo.push((await call(volunteer2, "POST", "/applications", { householdId: h.id, ruleId: rule.id, description: `${rule.title}（第二批）` })).id);
  }
  const reviewer2 = await as("reviewer2");
  for (const id of roundTwo.slice(0, 10)) await call(reviewer2, "POST", `/applications/${id}/certify`, { decision: "approve" });
  clock.set(new Date(realNow.getTime() - 1 * day));
  const running = await call(await as("admin"), "POST", "/publicity", {});
  // A neighbour has objected to one item: it waits for the certification group.
  await call(await as("volunteer"), "POST", `/publicity/${running.id}/objections`, { applicationId: running.items[2].applicationId, reason: "邻居反映当天并未参加，请核实。" });
  const draft = await call(await as("admin"), "POST", "/notices", {
    title: "下周三上午 政策宣讲会（社区活动中心）",
    body: "讲解就业帮扶和低保政策，参加者可申请“参加政策宣讲会”积分。",
    ruleIds: [byTitle("参加政策宣讲会").id],
  });
  await call(await as("admin"), "POST", `/notices/${draft.id}/publish`);
}

/**
 * Issues one card per household with the demo PIN. Hashing the PIN once (not per card) keeps a
 * full-scale seed (2,749 households) quick; real cards are issued one by one with their own PIN.
 */
async function issueDemoCards(
  db: Db,
  at: string,
  communityId: string,
  householdIds: string[],
  qrOf: (cardNo: string) => Promise<string>,
): Promise<Map<string, string>> {
  const pinHash = await hashSecret(demoPin);
  const qrByHousehold = new Map<string, string>();
  const rows = householdIds.map((householdId) => {
    const digits = [...randomBytes(12)].map((b) => String(b % 10)).join("");
    return { id: newId(), communityId, householdId, cardNo: `8${digits.slice(1)}`, version: 1, pinHash, status: "active" as const, issuedAt: at };
  });
  for (let i = 0; i < rows.length; i += 500) await db.insert(cards).values(rows.slice(i, i + 500));
  for (const row of rows) qrByHousehold.set(row.householdId, await qrOf(row.cardNo));
  return qrByHousehold;
}

/** The demo county (issue 11): 卢氏县, its townships, and the second, smaller demo community. */
export const demoCounty = { name: "卢氏县", officer: "officer", home: "城关镇", second: "东明镇" } as const;
export const secondCommunity = { name: "幸福苑社区", code: "XFY" } as const;

/**
 * The county around the demo community, built as a county would: `createCounty` makes 卢氏县 and
 * its officer (as `npm run county` does), and everything else goes through the API — the officer
 * adds two townships, moves 兴贤里社区 into 城关镇 and creates 幸福苑社区 in 东明镇 with its admin;
 * that admin adds a shop, `clerk2`, `reviewer3`, goods and households; the community's cards are
 * issued directly (as in `seedDemo`); one round of awards is certified, publicised, credited and
 * partly spent, two weeks ago.
 */
export async function seedCounty(db: Db, realClock: Clock, homeCommunityId: string, homeCode: string, options: SeedOptions): Promise<void> {
  const realNow = realClock.now();
  // The county and the second community are set up now, after 兴贤里社区 (the public board without
  // `?community=` shows the deployment's first community); their history is two weeks old.
  const clock = new SeedClock(new Date(realNow.getTime() + 1000));
  const { regionId } = await createCounty(db, clock, { name: demoCounty.name, officer: { username: demoCounty.officer, password: options.password, name: "卢氏县乡村振兴局" } });
  await placeCommunities(db, regionId, [homeCode]);
  const { call, as } = demoClient(db, clock, options);
  const officer = await as(demoCounty.officer);
  const home = await call(officer, "POST", "/regions", { name: demoCounty.home });
  const second = await call(officer, "POST", "/regions", { name: demoCounty.second });
  await call(officer, "PATCH", `/communities/${homeCommunityId}`, { regionId: home.id });
  const created = await call(officer, "POST", "/communities", {
    ...secondCommunity,
    regionId: second.id,
    admin: { username: "admin2", password: options.password, name: "幸福苑驿站管理员" },
  });

  clock.set(new Date(realNow.getTime() - 14 * day));
  let admin = await as("admin2");
  await call(admin, "PATCH", "/community/settings", { publicityDays: 5, minPublicityHours: 72, pinThreshold: 50 });
  const shop = await call(admin, "POST", "/shops", { name: "幸福苑双扶驿站" });
  await call(admin, "POST", "/users", { username: "clerk2", password: options.password, name: "周店员", role: "clerk", shopId: shop.id });
  await call(admin, "POST", "/users", { username: "reviewer3", password: options.password, name: "陈认定", role: "reviewer" });
  const goods: any[] = [];
  for (const g of goodsCatalogue.slice(0, 8)) goods.push(await call(admin, "POST", "/goods", { shopId: shop.id, ...g, stock: Math.ceil(g.stock / 2) }));

  const count = Math.round(Math.max(0, options.households) / 3);
  if (count === 0) return;
  const all = demoHouseholds(count, secondCommunity.code, 20_190_315);
  for (let start = 0; start < all.length; start += limits.importRowsMax) {
    const form = new FormData();
    form.append("file", new Blob([demoHouseholdsCsv(all.slice(start, start + limits.importRowsMax))], { type: "text/csv" }), "households.csv");
    await call(admin, "POST", "/households/import", form);
  }
  const community = await db.query.communities.findFirst({ where: eq(communities.id, created.id) });
  if (!community) throw new Error("seed: second community missing");
  const householdRows = (await db.run(sql`SELECT id FROM households WHERE community_id = ${created.id} ORDER BY household_no`)).rows as unknown as Array<{ id: string }>;
  const qrByHousehold = await issueDemoCards(db, clock.now().toISOString(), created.id, householdRows.map((h) => h.id), (cardNo) =>
    cardQrText(options.publicUrl, options.cardSigningKey, community.cardSecret, cardNo, 1),
  );

  // One round, two weeks ago: the admin applies for the first households, the reviewer certifies.
  const rules = (await call(admin, "GET", "/rules")).items as Array<{ id: string; title: string; kind: string; minPoints: number; maxPoints: number }>;
  const awards = rules.filter((r) => r.kind === "award");
  const first = householdRows.slice(0, Math.min(12, householdRows.length));
  const applied: Array<{ id: string; maxPoints: number }> = [];
  for (const [i, h] of first.entries()) {
    const rule = awards[(i * 3) % awards.length];
    applied.push({ id: (await call(admin, "POST", "/applications", { householdId: h.id, ruleId: rule.id, description: `${rule.title}：网格员登记。` })).id, maxPoints: rule.maxPoints });
  }
  clock.set(new Date(clock.now().getTime() + 1 * day));
  const reviewer = await as("reviewer3");
  for (const { id, maxPoints } of applied) await call(reviewer, "POST", `/applications/${id}/certify`, { decision: "approve", points: maxPoints });
  admin = await as("admin2");
  const batch = await call(admin, "POST", "/publicity", {});
  clock.set(new Date(new Date(batch.endsAt).getTime() + 2 * 3_600_000));
  await call(await as("admin2"), "POST", "/topups", { publicityId: batch.id });
  for (const h of first.slice(0, 8)) {
    clock.set(new Date(clock.now().getTime() + 0.3 * day));
    const { balance } = await call(await as("admin2"), "GET", `/households/${h.id}`);
    // Within the PIN threshold: the demo's counter scans the card alone.
    const pick = goods.filter((g) => g.points <= Math.min(balance, 50)).sort((x, y) => y.points - x.points)[0];
    if (!pick) continue;
    await call(await as("clerk2"), "POST", "/redemptions", { qr: qrByHousehold.get(h.id), items: [{ goodsId: pick.id, quantity: 1 }] }, { "idempotency-key": newId() });
  }
}
