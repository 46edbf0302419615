/**
 * Regions: a county and its townships (two levels), and which of them an officer may see. An
 * officer sees its own region and, for a county, the townships in it — never a region above or
 * beside it. Unknown ids answer 404, regions outside the officer's 403 (regions are not secret
 * the way a household is: a township officer knows its county exists).
 */
import { and, asc, eq, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { regions, users } from "../../db/schema";
import type { RegionKind } from "../../shared/regions";
import { officerRef, type OfficerActor, type RequestMeta } from "./actor";
import { regionAuditStatement } from "./audit";
import { isoNow, newId, type Clock } from "./clock";
import { hashSecret } from "./crypto";
import { DomainError, violatedConstraint } from "./errors";

export interface Region {
  id: string;
  name: string;
  kind: RegionKind;
  parentId: string | null;
}

function toRegion(r: typeof regions.$inferSelect): Region {
  return { id: r.id, name: r.name, kind: r.kind, parentId: r.parentId };
}

/** The region, or 404. */
export async function getRegion(db: Db, regionId: string): Promise<Region> {
  const row = await db.query.regions.findFirst({ where: eq(regions.id, regionId) });
  if (!row) throw new DomainError("NOT_FOUND", { regionId });
  return toRegion(row);
}

/** Whether `region` is the officer's own region or lies in it. */
export function isWithin(region: Region, officerRegionId: string): boolean {
  return region.id === officerRegionId || region.parentId === officerRegionId;
}

/** The region, if the officer oversees it: unknown → 404, outside the officer's region → 403. */
export async function regionOver(db: Db, officer: OfficerActor, regionId: string): Promise<Region> {
  const region = await getRegion(db, regionId);
  if (!isWithin(region, officer.regionId)) throw new DomainError("FORBIDDEN", { regionId });
  return region;
}

/** The officer's region and the regions in it, the officer's own first. */
export async function regionsOf(db: Db, officer: OfficerActor): Promise<Region[]> {
  const rows = await db.query.regions.findMany({
    where: or(eq(regions.id, officer.regionId), eq(regions.parentId, officer.regionId)),
    orderBy: [sql`${regions.id} <> ${officer.regionId}`, asc(regions.name)],
  });
  return rows.map(toRegion);
}

/** SQL for the ids of the communities in a region: its own and its townships'. */
export function communitiesIn(regionId: string): SQL {
  return sql`SELECT id FROM communities WHERE region_id = ${regionId} OR region_id IN (SELECT id FROM regions WHERE parent_id = ${regionId})`;
}

function duplicateName(err: unknown, lang: "zh" | "en"): DomainError | null {
  const violated = violatedConstraint(err);
  if (violated === "regions.parent_id, regions.name" || violated === "regions.name") {
    return new DomainError("DUPLICATE", { fields: { name: lang === "en" ? "a region of this name already exists here" : "这里已有同名的乡镇（街道）" } });
  }
  return null;
}

/**
 * Adds a township (乡镇 / 街道) to a county the officer oversees. Regions have two levels, so a
 * township officer adds none (400 naming `parentId`).
 */
export async function createTownship(db: Db, clock: Clock, officer: OfficerActor, meta: RequestMeta | null, input: { name: string; parentId?: string }, lang: "zh" | "en"): Promise<Region> {
  const parent = await regionOver(db, officer, input.parentId ?? officer.regionId);
  if (parent.kind !== "county") {
    throw new DomainError("VALIDATION_FAILED", { fields: { parentId: lang === "en" ? "a township lies directly in a county" : "乡镇（街道）只能直接设在县下" } });
  }
  const row = { id: newId(), name: input.name, kind: "township" as const, parentId: parent.id, createdAt: isoNow(clock) };
  try {
    await db.batch([
      db.insert(regions).values(row),
      regionAuditStatement(db, officerRef(officer), meta, row.createdAt, { action: "region.create", targetType: "region", targetId: row.id, details: { name: row.name } }, parent.id),
    ]);
  } catch (err) {
    throw duplicateName(err, lang) ?? err;
  }
  return toRegion(row);
}

export interface NewCounty {
  name: string;
  officer: { username: string; password: string; name: string };
}

/**
 * A county and its first officer, in one batch: what an empty deployment starts from
 * (`npm run county`, and the demo seed). Nobody is above a county, so no officer creates one.
 */
export async function createCounty(db: Db, clock: Clock, input: NewCounty): Promise<{ regionId: string; officerId: string }> {
  const at = isoNow(clock);
  const regionId = newId();
  const officerId = newId();
  const passwordHash = await hashSecret(input.officer.password);
  try {
    await db.batch([
      db.insert(regions).values({ id: regionId, name: input.name, kind: "county", parentId: null, createdAt: at }),
      db.insert(users).values({ id: officerId, communityId: null, regionId, username: input.officer.username, passwordHash, name: input.officer.name, role: "officer", createdAt: at }),
    ]);
  } catch (err) {
    const duplicate = duplicateName(err, "en");
    if (duplicate) throw new DomainError("DUPLICATE", { fields: { name: "a county of this name already exists" } });
    if (violatedConstraint(err) === "users.username") throw new DomainError("DUPLICATE", { fields: { username: "this username is taken" } });
    throw err;
  }
  return { regionId, officerId };
}

/** Officer accounts at and below a region (for the officer's own list of colleagues). */
export async function officersIn(db: Db, regionId: string) {
  return db.query.users.findMany({
    where: and(eq(users.role, "officer"), sql`${users.regionId} IN (SELECT id FROM regions WHERE id = ${regionId} OR parent_id = ${regionId})`),
    orderBy: asc(users.username),
  });
}

/**
 * Puts communities that lie in no region yet into one (by code): how a deployment from before
 * regions joins its county (`npm run county -- --communities XXL`). A community already in a
 * region is left where it is: moving it is its officer's decision (`PATCH /communities/:id`).
 */
export async function placeCommunities(db: Db, regionId: string, codes: string[]): Promise<{ placed: string[]; refused: string[] }> {
  await getRegion(db, regionId);
  const placed: string[] = [];
  const refused: string[] = [];
  for (const code of codes) {
    const [row] = await db.all<{ id: string }>(sql`UPDATE communities SET region_id = ${regionId} WHERE code = ${code} AND region_id IS NULL RETURNING id`);
    (row ? placed : refused).push(code);
  }
  return { placed, refused };
}
