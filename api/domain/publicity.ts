/**
 * Step 5, 公示 publicise: registered items go on the community's notice board for a fixed
 * window. Anyone may read the board (names masked, no phone or card numbers, no ids of people);
 * residents and staff may object while the window is open; a reviewer resolves an objection
 * (upheld: the item is cancelled with a new register entry and never credited; dismissed: it
 * goes on to the top-up).
 */
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { communities, objections, publicityBatches } from "../../db/schema";
import type { ApplicationStatus, Category, RuleKind } from "../../shared/domain";
import { limits } from "../../shared/limits";
import { actorRef, type Actor, type RequestMeta } from "./actor";
import { eventStatement, lostRace, registerStatement } from "./applications";
import { auditStatement } from "./audit";
import { addHours, isoNow, newId, type Clock } from "./clock";
import { DomainError } from "./errors";
import type { Statement } from "./ledger";
import { maskName } from "../../shared/names";

export interface PublicityItemView {
  applicationId: string;
  registerNo: number | null;
  /** The member who did the deed (or the head of household), masked: 张*华. */
  name: string;
  building: string;
  category: Category;
  rule: string;
  kind: RuleKind;
  points: number;
  /** publicised, objected (an objection is open), cancelled or credited. */
  status: ApplicationStatus | "objected";
}

export interface PublicityView {
  id: string;
  communityName: string;
  startsAt: string;
  endsAt: string;
  /** open while the window runs; closed after it (whether or not it is topped up yet). */
  status: "open" | "closed";
  items: PublicityItemView[];
  /**
   * Staff only (absent on the public board): the batch's latest top-up, when and by whom, or null
   * while it has none, so an office sees a batch is already credited before pressing again.
   */
  topUp?: { id: string; at: string; by: string; byName: string | null; credited: number; points: number } | null;
}

/** An item of the board's open batches: which batch it is in and when that batch's window ends. */
export interface BoardItemView extends PublicityItemView {
  batchId: string;
  batchEndsAt: string;
}

/**
 * The board now: every open batch at once, each keeping its own window (creating a batch never
 * closes another). `items` holds the items of all of them, each naming its batch; `batches` the
 * batches themselves, newest first. `id`, `startsAt`, `endsAt` and `status` are the newest open
 * batch's, as the board answered when it showed one batch only (null when none is open).
 */
export interface CurrentBoardView {
  communityName: string;
  items: BoardItemView[];
  batches: Array<Omit<PublicityView, "communityName" | "topUp">>;
  id: string | null;
  startsAt: string | null;
  endsAt: string | null;
  status: "open" | null;
}

type Row = Record<string, unknown>;

/**
 * Opens a publicity batch with every registered item not yet publicised. `endsAt` defaults to
 * now + the community's `publicityDays`; it may not be earlier than now + the larger of the
 * community's `minPublicityHours` and the deployment's floor (`PUBLICITY_FLOOR_HOURS`), which
 * holds even for a community whose setting predates the floor. Other open batches keep their
 * own windows: nothing here touches them.
 */
export async function createPublicity(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, input: { endsAt?: string | null }, floorHours = 0): Promise<PublicityView> {
  const community = await db.query.communities.findFirst({ where: eq(communities.id, actor.communityId) });
  if (!community) throw new DomainError("NOT_FOUND");
  const now = clock.now();
  const minHours = Math.max(community.minPublicityHours, floorHours);
  const earliest = addHours(now, minHours);
  const endsAt = input.endsAt ? new Date(input.endsAt) : addHours(now, Math.max(community.publicityDays * 24, minHours));
  if (endsAt.getTime() < earliest.getTime() || endsAt.getTime() <= now.getTime()) {
    throw new DomainError("PUBLICITY_TOO_SHORT", {
      fields: { endsAt: `at least ${minHours} hours from now` },
      minPublicityHours: minHours,
      publicityFloorHours: floorHours,
      earliestEndsAt: earliest.toISOString(),
    });
  }
  if (endsAt.getTime() > addHours(now, limits.publicityWindowDaysMax * 24).getTime()) {
    throw new DomainError("VALIDATION_FAILED", { fields: { endsAt: `at most ${limits.publicityWindowDaysMax} days from now` } });
  }
  const waiting = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM applications a WHERE a.community_id = ${actor.communityId} AND a.status = 'registered'
    AND NOT EXISTS (SELECT 1 FROM publicity_items pi WHERE pi.application_id = a.id)`);
  if (Number(waiting[0]?.n ?? 0) === 0) throw new DomainError("NOTHING_TO_PUBLICISE");
  const at = now.toISOString();
  const id = newId();
  const by = actorRef(actor);
  await db.batch([
    db.insert(publicityBatches).values({ id, communityId: actor.communityId, startsAt: at, endsAt: endsAt.toISOString(), createdBy: by, createdAt: at }),
    db.run(sql`INSERT INTO publicity_items (id, community_id, publicity_id, application_id, created_at)
      SELECT lower(hex(randomblob(16))), a.community_id, ${id}, a.id, ${at} FROM applications a
      WHERE a.community_id = ${actor.communityId} AND a.status = 'registered'
        AND NOT EXISTS (SELECT 1 FROM publicity_items pi WHERE pi.application_id = a.id)`),
    db.run(sql`UPDATE applications SET status = 'publicised'
      WHERE id IN (SELECT application_id FROM publicity_items WHERE publicity_id = ${id}) AND status = 'registered'`),
    db.run(sql`INSERT INTO application_events (community_id, application_id, from_status, to_status, actor, note, at)
      SELECT community_id, application_id, 'registered', 'publicised', ${by}, ${`publicity:${id}`}, ${at} FROM publicity_items WHERE publicity_id = ${id}`),
    auditStatement(db, actor, meta, at, { action: "publicity.create", targetType: "publicity", targetId: id, details: { endsAt: endsAt.toISOString() } }),
  ]);
  return getPublicity(db, clock, id);
}

type Batch = typeof publicityBatches.$inferSelect;

/**
 * A batch as the public board shows it (no sign-in): masked names, no ids of people. Staff of
 * the batch's community (`staffCommunityId`) also get its latest top-up: when, by whom, how much.
 */
export async function getPublicity(db: Db, clock: Clock, publicityId: string, staffCommunityId?: string | null): Promise<PublicityView> {
  const batch = await db.query.publicityBatches.findFirst({ where: eq(publicityBatches.id, publicityId) });
  if (!batch) throw new DomainError("NOT_FOUND", { publicityId });
  const view = await boardView(db, clock, batch, await communityName(db, batch.communityId));
  if (staffCommunityId !== batch.communityId) return view;
  return { ...view, topUp: await latestTopUp(db, batch.id) };
}

/** The latest top-up of a batch, with the name of whoever ran it (null for the scheduled job). */
export async function latestTopUp(db: Db, publicityId: string): Promise<NonNullable<PublicityView["topUp"]> | null> {
  const rows = await db.all<Row>(sql`SELECT t.id, t.created_at, t.created_by, t.credited, t.points, u.name AS by_name
    FROM top_ups t LEFT JOIN users u ON 'user:' || u.id = t.created_by
    WHERE t.publicity_id = ${publicityId} ORDER BY t.created_at DESC, t.rowid DESC LIMIT 1`);
  return rows[0] ? topUpOf(rows[0]) : null;
}

async function communityName(db: Db, communityId: string): Promise<string> {
  return (await db.query.communities.findFirst({ where: eq(communities.id, communityId) }))?.name ?? "";
}

/** The board's view of a batch already read: its items, masked. */
async function boardView(db: Db, clock: Clock, batch: Batch, community: string): Promise<PublicityView> {
  const rows = await db.all<Row>(sql`SELECT a.id, a.register_no, a.kind, a.category, a.points, a.status, h.building, COALESCE(m.name, h.head_name) AS name, r.title,
      EXISTS (SELECT 1 FROM objections o WHERE o.application_id = a.id AND o.status = 'open') AS objected
    FROM publicity_items pi
    JOIN applications a ON a.id = pi.application_id
    JOIN households h ON h.id = a.household_id
    JOIN rules r ON r.id = a.rule_id
    LEFT JOIN members m ON m.id = a.member_id
    WHERE pi.publicity_id = ${batch.id}
    ORDER BY a.register_no`);
  return {
    id: batch.id,
    communityName: community,
    startsAt: batch.startsAt,
    endsAt: batch.endsAt,
    status: Date.parse(batch.endsAt) > clock.now().getTime() ? "open" : "closed",
    items: rows.map((r) => ({
      applicationId: String(r.id),
      registerNo: r.register_no === null ? null : Number(r.register_no),
      name: maskName(String(r.name)),
      building: String(r.building),
      category: r.category as Category,
      rule: String(r.title),
      kind: r.kind as RuleKind,
      points: Number(r.points ?? 0),
      status: r.status === "publicised" && Number(r.objected) ? "objected" : (r.status as ApplicationStatus),
    })),
  };
}

/**
 * Which community an anonymous visitor's board shows: the one named by `code`, else the first
 * community (a deployment usually serves one).
 */
export async function publicCommunityId(db: Db, code?: string): Promise<string> {
  const community = code
    ? await db.query.communities.findFirst({ where: eq(communities.code, code) })
    : // The first community stored (the demo's second community is created with an older seed clock).
      await db.query.communities.findFirst({ orderBy: [sql`rowid`] });
  if (!community) throw new DomainError("NOT_FOUND", { community: code ?? null });
  return community.id;
}

/** Every batch whose window is open now, newest first, each with its own end and its items. */
export async function currentPublicity(db: Db, clock: Clock, communityId: string): Promise<CurrentBoardView> {
  const now = isoNow(clock);
  const open = await db.query.publicityBatches.findMany({
    where: and(eq(publicityBatches.communityId, communityId), sql`${publicityBatches.endsAt} > ${now}`),
    orderBy: [desc(publicityBatches.startsAt), desc(publicityBatches.id)],
    limit: limits.listLimitMax,
  });
  const community = await communityName(db, communityId);
  const batches = await Promise.all(open.map((b) => boardView(db, clock, b, community)));
  const newest = batches[0];
  return {
    communityName: community,
    items: batches.flatMap((b) => b.items.map((item) => ({ ...item, batchId: b.id, batchEndsAt: b.endsAt }))),
    batches: batches.map(({ communityName: _, ...b }) => b),
    id: newest?.id ?? null,
    startsAt: newest?.startsAt ?? null,
    endsAt: newest?.endsAt ?? null,
    status: newest ? "open" : null,
  };
}

/**
 * Batches newest first, each with its items (the board's past batches). With `staff` (the
 * community's own staff), each also says its latest top-up, so the admin sees which batches are
 * credited, when and by whom, before pressing again.
 */
export async function listPublicity(db: Db, clock: Clock, communityId: string, limit: number, staff = false): Promise<PublicityView[]> {
  const batches = await db.query.publicityBatches.findMany({ where: eq(publicityBatches.communityId, communityId), orderBy: [desc(publicityBatches.startsAt), desc(publicityBatches.id)], limit });
  const community = await communityName(db, communityId);
  const views = await Promise.all(batches.map((b) => boardView(db, clock, b, community)));
  if (!staff) return views;
  const topUps = await latestTopUps(db, communityId);
  return views.map((v) => ({ ...v, topUp: topUps.get(v.id) ?? null }));
}

/** The latest top-up of every batch of the community that has one (one query). */
async function latestTopUps(db: Db, communityId: string): Promise<Map<string, NonNullable<PublicityView["topUp"]>>> {
  const rows = await db.all<Row>(sql`SELECT t.id, t.publicity_id, t.created_at, t.created_by, t.credited, t.points, u.name AS by_name
    FROM top_ups t LEFT JOIN users u ON 'user:' || u.id = t.created_by
    WHERE t.rowid IN (SELECT MAX(rowid) FROM top_ups WHERE community_id = ${communityId} GROUP BY publicity_id)`);
  return new Map(rows.map((r) => [String(r.publicity_id), topUpOf(r)]));
}

function topUpOf(r: Row): NonNullable<PublicityView["topUp"]> {
  return { id: String(r.id), at: String(r.created_at), by: String(r.created_by), byName: r.by_name === null ? null : String(r.by_name), credited: Number(r.credited), points: Number(r.points) };
}

export interface ObjectionView {
  id: string;
  publicityId: string;
  applicationId: string;
  reason: string;
  status: "open" | "upheld" | "dismissed";
  raisedByRole: string;
  note: string | null;
  createdAt: string;
  resolvedAt: string | null;
  item?: { registerNo: number | null; householdNo: string; headName: string; building: string; rule: string; points: number; kind: RuleKind };
}

function toObjectionView(o: typeof objections.$inferSelect): ObjectionView {
  return { id: o.id, publicityId: o.publicityId, applicationId: o.applicationId, reason: o.reason, status: o.status, raisedByRole: o.raisedByRole, note: o.resolutionNote, createdAt: o.createdAt, resolvedAt: o.resolvedAt };
}

/** 异议: anyone signed in to the community objects to an item while its batch is open. */
export async function raiseObjection(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, publicityId: string, input: { applicationId: string; reason: string }): Promise<ObjectionView> {
  const batch = await db.query.publicityBatches.findFirst({ where: and(eq(publicityBatches.id, publicityId), eq(publicityBatches.communityId, actor.communityId)) });
  if (!batch) throw new DomainError("NOT_FOUND", { publicityId });
  const now = clock.now();
  if (Date.parse(batch.endsAt) <= now.getTime()) throw new DomainError("PUBLICITY_CLOSED", { endsAt: batch.endsAt });
  const inBatch = await db.all<{ status: string }>(sql`SELECT a.status FROM publicity_items pi JOIN applications a ON a.id = pi.application_id
    WHERE pi.publicity_id = ${publicityId} AND pi.application_id = ${input.applicationId}`);
  if (inBatch.length === 0) throw new DomainError("NOT_FOUND", { applicationId: input.applicationId });
  if (inBatch[0].status !== "publicised") throw new DomainError("NOT_IN_PUBLICITY", { status: inBatch[0].status });
  const at = now.toISOString();
  const row = {
    id: newId(),
    communityId: actor.communityId,
    publicityId,
    applicationId: input.applicationId,
    reason: input.reason,
    raisedBy: actorRef(actor),
    raisedByRole: actor.role,
    status: "open" as const,
    resolvedBy: null,
    resolutionNote: null,
    createdAt: at,
    resolvedAt: null,
  };
  // The batch re-checks in SQL that the window is still open and the item still publicised.
  await db.batch([
    db.run(sql`INSERT INTO objections (id, community_id, publicity_id, application_id, reason, raised_by, raised_by_role, status, created_at)
      SELECT ${row.id}, ${row.communityId}, ${publicityId}, ${input.applicationId}, ${input.reason}, ${row.raisedBy}, ${row.raisedByRole}, 'open', ${at}
      WHERE EXISTS (SELECT 1 FROM applications WHERE id = ${input.applicationId} AND status = 'publicised')
        AND EXISTS (SELECT 1 FROM publicity_batches WHERE id = ${publicityId} AND ends_at > ${at})`),
    eventStatement(db, { communityId: actor.communityId, applicationId: input.applicationId, from: "publicised", to: "publicised", actor: row.raisedBy, note: `objection:${row.id}`, at, guarded: true }),
    auditStatement(db, actor, meta, at, { action: "objection.raise", targetType: "objection", targetId: row.id, details: { publicityId, applicationId: input.applicationId } }),
  ]).catch((err) => {
    if (lostRace(err)) throw new DomainError("NOT_IN_PUBLICITY");
    throw err;
  });
  return toObjectionView(row);
}

/**
 * A reviewer resolves an open objection. Upheld: the item is cancelled and the register gets a
 * cancellation entry naming the original one (never an edit); any other open objection on the
 * same item is closed with it. Dismissed: the item goes on to the next top-up.
 */
export async function resolveObjection(db: Db, clock: Clock, actor: Actor, meta: RequestMeta | null, objectionId: string, input: { upheld: boolean; note: string }): Promise<ObjectionView> {
  const objection = await db.query.objections.findFirst({ where: and(eq(objections.id, objectionId), eq(objections.communityId, actor.communityId)) });
  if (!objection) throw new DomainError("NOT_FOUND", { objectionId });
  if (objection.status !== "open") throw new DomainError("ALREADY_DECIDED", { status: objection.status });
  const at = isoNow(clock);
  const by = actorRef(actor);
  const status = input.upheld ? "upheld" : "dismissed";
  const statements: Statement[] = [
    db.run(sql`UPDATE objections SET status = ${status}, resolved_by = ${by}, resolution_note = ${input.note}, resolved_at = ${at}
      WHERE id = ${objectionId} AND status = 'open'`),
    eventStatement(db, { communityId: objection.communityId, applicationId: objection.applicationId, from: "publicised", to: "publicised", actor: by, note: `objection ${status}: ${input.note}`, at, guarded: true }),
  ];
  if (input.upheld) {
    const app = objection.applicationId;
    statements.push(
      db.run(sql`UPDATE objections SET status = 'upheld', resolved_by = ${by}, resolution_note = ${input.note}, resolved_at = ${at}
        WHERE application_id = ${app} AND status = 'open'`),
      db.run(sql`UPDATE applications SET status = 'cancelled' WHERE id = ${app} AND status = 'publicised'`),
      eventStatement(db, { communityId: objection.communityId, applicationId: app, from: "publicised", to: "cancelled", actor: by, note: input.note, at, guarded: true }),
      registerStatement(db, {
        id: newId(),
        communityId: objection.communityId,
        entryKind: "cancellation",
        applicationId: app,
        points: sql`(SELECT points FROM applications WHERE id = ${app})`,
        correctsEntryId: sql`(SELECT id FROM register_entries WHERE application_id = ${app} AND entry_kind <> 'cancellation')`,
        note: input.note,
        createdBy: by,
        at,
      }),
    );
  }
  statements.push(auditStatement(db, actor, meta, at, { action: `objection.${status}`, targetType: "objection", targetId: objectionId, details: { applicationId: objection.applicationId, note: input.note } }));
  try {
    await db.batch(statements as [Statement, ...Statement[]]);
  } catch (err) {
    if (lostRace(err)) throw new DomainError("ALREADY_DECIDED");
    throw err;
  }
  const updated = await db.query.objections.findFirst({ where: eq(objections.id, objectionId) });
  return toObjectionView(updated!);
}

/** Objections newest first: staff see all of the community's, a resident those they raised. */
export async function listObjections(db: Db, actor: Actor, query: { status?: "open" | "upheld" | "dismissed"; publicityId?: string; limit: number }): Promise<ObjectionView[]> {
  const conditions = [sql`o.community_id = ${actor.communityId}`];
  if (query.status) conditions.push(sql`o.status = ${query.status}`);
  if (query.publicityId) conditions.push(sql`o.publicity_id = ${query.publicityId}`);
  if (actor.kind === "household") conditions.push(sql`o.raised_by = ${actorRef(actor)}`);
  const rows = await db.all<Row>(sql`SELECT o.*, a.register_no, a.points, a.kind, h.household_no, h.head_name, h.building, r.title
    FROM objections o JOIN applications a ON a.id = o.application_id JOIN households h ON h.id = a.household_id JOIN rules r ON r.id = a.rule_id
    WHERE ${sql.join(conditions, sql` AND `)} ORDER BY o.created_at DESC, o.id DESC LIMIT ${query.limit}`);
  return rows.map((r) => ({
    id: String(r.id),
    publicityId: String(r.publicity_id),
    applicationId: String(r.application_id),
    reason: String(r.reason),
    status: r.status as ObjectionView["status"],
    raisedByRole: String(r.raised_by_role),
    note: r.resolution_note === null ? null : String(r.resolution_note),
    createdAt: String(r.created_at),
    resolvedAt: r.resolved_at === null ? null : String(r.resolved_at),
    item: {
      registerNo: r.register_no === null ? null : Number(r.register_no),
      householdNo: actor.kind === "household" ? "" : String(r.household_no),
      headName: actor.kind === "household" ? maskName(String(r.head_name)) : String(r.head_name),
      building: String(r.building),
      rule: String(r.title),
      points: Number(r.points ?? 0),
      kind: r.kind as RuleKind,
    },
  }));
}
