/** Households (户) and their members: created by the admin, one by one or from the office's file. */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { limits } from "../../shared/limits";
import type { AppEnv } from "../http/app-types";
import { DomainError } from "../domain/errors";
import { getCommunity } from "../domain/community";
import { expiringFor } from "../domain/expiry";
import { createHousehold, getHousehold, householdFacets, listHouseholds, normalizePhone, seesContacts, updateHousehold, withoutContacts } from "../domain/households";
import { importHouseholds, templateCsv, templateXlsx } from "../domain/import";
import { actorOf, allow, anyRole, createRouter, decodeCursor, encodeCursor, errorResponses, IdParam, jsonBody, jsonResponse, listOf, security, staffOf, staffRoles } from "../http/route-kit";

const phoneProblem = "7 to 15 digits (spaces, dashes and brackets are fine); one number only";

const Phone = z
  .string()
  .max(limits.phoneLengthMax)
  .refine((value) => normalizePhone(value) !== "invalid", phoneProblem)
  .openapi({ example: "150-1661-3186", description: "Stored as digits only" });

const MemberInput = z.object({
  name: z.string().trim().min(1).max(limits.nameLengthMax),
  relation: z.string().trim().max(limits.relationLengthMax).nullable().optional(),
});

const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

export const NewHouseholdBody = z
  .object({
    householdNo: z.string().trim().min(1).max(limits.householdNoLengthMax),
    headName: z.string().trim().min(1).max(limits.nameLengthMax),
    building: z.string().trim().min(1).max(limits.buildingLengthMax),
    unit: optionalText(limits.unitLengthMax),
    room: optionalText(limits.roomLengthMax),
    phone: Phone.nullable().optional(),
    householdType: optionalText(limits.householdTypeLengthMax),
    members: z.array(MemberInput).max(limits.membersMax),
  })
  .openapi("NewHousehold");

const HouseholdPatchBody = z
  .object({
    headName: z.string().trim().min(1).max(limits.nameLengthMax).optional(),
    building: z.string().trim().min(1).max(limits.buildingLengthMax).optional(),
    unit: optionalText(limits.unitLengthMax),
    room: optionalText(limits.roomLengthMax),
    phone: Phone.nullable().optional(),
    householdType: optionalText(limits.householdTypeLengthMax),
    addMembers: z.array(MemberInput).min(1).max(limits.membersMax).optional(),
  })
  .strict()
  .refine((body) => Object.values(body).some((v) => v !== undefined), { message: "nothing to change", path: ["(body)"] })
  .openapi("HouseholdPatch");

const CardSummary = z
  .object({ cardNo: z.string(), status: z.enum(["active", "lost"]).openapi({ description: "active: in use (在用); lost: reported lost (已挂失), no new card yet" }) })
  .openapi({ description: "The card in use, else the latest one reported lost; null when the household has neither (无卡)" });

/** What the household and the household list both show. */
const HouseholdFields = z.object({
  id: z.string(),
  householdNo: z.string(),
  headName: z.string(),
  building: z.string(),
  unit: z.string().nullable(),
  room: z.string().nullable(),
  phone: z.string().nullable().openapi({ description: "null for volunteers and clerks" }),
  householdType: z.string().nullable(),
  balance: z.number().int(),
  score: z.number().int(),
  card: CardSummary.nullable().openapi({ description: "volunteers and clerks see only the last 4 digits of the number" }),
});

export const HouseholdSchema = HouseholdFields.extend({
  members: z.array(z.object({ id: z.string(), name: z.string(), relation: z.string().nullable() })),
  createdAt: z.string(),
}).openapi("Household");

/** One household as `GET /households/:id` answers it: with what of its balance expires soon. */
const HouseholdDetailSchema = HouseholdSchema.extend({
  expiring: z
    .array(z.object({ points: z.number().int(), on: z.string().openapi({ description: "The China day (YYYY-MM-DD) they expire" }) }))
    .openapi({ description: "Points that expire within the next 60 days if not spent (points expiry, off by default: then empty)" }),
}).openapi("HouseholdDetail");

const HouseholdListItem = HouseholdFields.extend({ memberCount: z.number().int() })
  .openapi("HouseholdListItem");

const ListQuery = z.object({
  q: z.string().max(limits.searchLengthMax).optional().openapi({ description: "Matches 户号, the head's name, the phone number or any member's name" }),
  building: z.string().max(limits.buildingLengthMax).optional(),
  householdType: z.string().max(limits.householdTypeLengthMax).optional().openapi({ description: "户类型, exactly as stored (脱贫户, 低保户 …)" }),
  card: z.enum(["active", "none", "lost"]).optional().openapi({ description: "active: has a card in use; none: has no card in use (lost ones included); lost: its card was reported lost and no new one issued yet" }),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(limits.listLimitMax).optional(),
});

const HouseholdPage = listOf(HouseholdListItem)
  .extend({ total: z.number().int().openapi({ description: "Households the filter matches in all pages" }) })
  .openapi("HouseholdPage");

const Counted = z.array(z.object({ name: z.string(), households: z.number().int() }));

const HouseholdFacetsSchema = z
  .object({
    total: z.number().int(),
    cards: z.object({ active: z.number().int(), none: z.number().int(), lost: z.number().int() }),
    buildings: Counted,
    householdTypes: Counted,
  })
  .openapi("HouseholdFacets");

const ImportForm = z.object({ file: z.any().openapi({ type: "string", format: "binary" }) });

const ImportProblemSchema = z.object({
  line: z.number().int(),
  field: z.string(),
  column: z.string().optional(),
  problem: z.string(),
  householdNo: z.string().optional().openapi({ description: "The row's 户号, as written" }),
  headName: z.string().optional().openapi({ description: "The row's head of household, as written" }),
  member: z.string().optional().openapi({ description: "The member a members problem is about" }),
  code: z.literal("EXISTS").optional().openapi({ description: "The community already has this 户号: import again with onExisting=skip or update" }),
});

const ImportQuery = z.object({
  onExisting: z
    .enum(["refuse", "skip", "update"])
    .optional()
    .openapi({ description: "What to do with a 户号 the community already has: refuse the file (default), skip the row, or update the household from it" }),
});

const ImportResult = z
  .object({
    created: z.number().int(),
    skipped: z.number().int().openapi({ description: "Existing 户号 left as they are (onExisting=skip)" }),
    updated: z.number().int().openapi({ description: "Existing households whose fields or members changed (onExisting=update)" }),
    unchanged: z.number().int().openapi({ description: "Existing households the file matched exactly (onExisting=update)" }),
    imported: z.number().int().openapi({ description: "Same as created (kept for older clients)" }),
    households: z.array(z.object({ id: z.string(), householdNo: z.string(), headName: z.string(), building: z.string(), memberCount: z.number().int() })).openapi({ description: "The households created" }),
    skippedNos: z.array(z.string()),
    updatedNos: z.array(z.string()),
    keptMembers: z.array(z.object({ householdNo: z.string(), name: z.string() })).openapi({ description: "Members missing from the file but kept, because an application names them" }),
  })
  .openapi("HouseholdImportResult");

function householdCursor(c: Context<AppEnv>, text: string | undefined) {
  const key = decodeCursor(c, text);
  return key ? { householdNo: key[0], id: key[1] } : null;
}

/** The uploaded file: the `file` field of a multipart form, or the raw body (text/csv, .xlsx). */
async function uploadedFile(c: Context<AppEnv>): Promise<{ bytes: Uint8Array; fileName: string | null }> {
  const contentType = c.req.header("content-type") ?? "";
  if (/^multipart\/form-data|^application\/x-www-form-urlencoded/i.test(contentType)) {
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody();
    } catch {
      throw new DomainError("VALIDATION_FAILED", { fields: { file: "the form could not be read" } });
    }
    const file = form.file;
    if (typeof file === "string") return { bytes: new TextEncoder().encode(file), fileName: null };
    if (file && typeof file === "object" && "arrayBuffer" in file) {
      const blob = file as File;
      return { bytes: new Uint8Array(await blob.arrayBuffer()), fileName: typeof blob.name === "string" ? blob.name.slice(0, 200) : null };
    }
    throw new DomainError("VALIDATION_FAILED", { fields: { file: c.get("lang") === "en" ? "Required: the CSV or XLSX file" : "请选择要导入的 CSV 或 XLSX 文件" } });
  }
  if (/^application\/json/i.test(contentType)) throw new DomainError("UNSUPPORTED_MEDIA_TYPE", { expected: "multipart/form-data with a `file` field" });
  return { bytes: new Uint8Array(await c.req.arrayBuffer()), fileName: null };
}

/** Mounted at `/api/households`. */
export const householdsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["households"],
      summary: "Create a household with its members (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { body: jsonBody(NewHouseholdBody) },
      responses: { 201: jsonResponse(HouseholdSchema, "Created, with its ledger account"), ...errorResponses },
    }),
    async (c) => {
      const admin = staffOf(c);
      const body = c.req.valid("json");
      const db = c.get("db");
      const created = await createHousehold(db, c.get("clock"), admin, c.get("meta"), {
        ...body,
        unit: body.unit || null,
        room: body.room || null,
        householdType: body.householdType || null,
        phone: normalizePhone(body.phone) as string | null,
        members: body.members.map((m) => ({ name: m.name, relation: m.relation || null })),
      });
      return c.json(await getHousehold(db, admin.communityId, created.id), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["households"],
      summary: "Households of the community, by 户号 (admin, reviewer; volunteers without phone and card numbers; not the shop's clerk)",
      middleware: [allow("admin", "reviewer", "volunteer")] as const,
      security,
      request: { query: ListQuery },
      responses: { 200: jsonResponse(HouseholdPage, "One page, and how many households match in all"), ...errorResponses },
    }),
    async (c) => {
      const staff = staffOf(c);
      const query = c.req.valid("query");
      const page = await listHouseholds(c.get("db"), staff.communityId, {
        q: query.q,
        building: query.building?.trim() || undefined,
        householdType: query.householdType?.trim() || undefined,
        card: query.card,
        cursor: householdCursor(c, query.cursor),
        limit: query.limit ?? limits.listLimitDefault,
        contacts: seesContacts(staff.role),
      });
      return c.json({ items: page.items, nextCursor: page.next ? encodeCursor([page.next.householdNo, page.next.id]) : null, total: page.total }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/facets",
      tags: ["households"],
      summary: "What the register's filters offer: buildings and household types with their counts, and how many households have a card (admin, reviewer, volunteer)",
      middleware: [allow("admin", "reviewer", "volunteer")] as const,
      security,
      responses: { 200: jsonResponse(HouseholdFacetsSchema, "Counts"), ...errorResponses },
    }),
    async (c) => c.json(await householdFacets(c.get("db"), staffOf(c).communityId), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/import/template",
      tags: ["households"],
      summary: "The empty import template: CSV (UTF-8 with BOM) or `?format=xlsx` (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { query: z.object({ format: z.enum(["csv", "xlsx"]).optional() }) },
      responses: {
        200: {
          description: "The template",
          content: { "text/csv": { schema: z.string() }, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: z.string().openapi({ format: "binary" }) } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { format } = c.req.valid("query");
      c.header("cache-control", "no-store");
      if (format === "xlsx") {
        c.header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        c.header("content-disposition", `attachment; filename="households-template.xlsx"; filename*=UTF-8''%E4%BD%8F%E6%88%B7%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx`);
        return c.body(await templateXlsx(), 200);
      }
      c.header("content-type", "text/csv; charset=utf-8");
      c.header("content-disposition", `attachment; filename="households-template.csv"; filename*=UTF-8''%E4%BD%8F%E6%88%B7%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.csv`);
      return c.body(templateCsv(), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/import",
      tags: ["households"],
      summary: "Import households from the office's CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX file (admin)",
      description:
        "Send `multipart/form-data` with the file in the field `file` (or the file itself as the body). Columns: 户号, 户主姓名, 楼栋, 单元, 房号, 联系电话, 家庭成员, 人口数, 户类型 " +
        "(or householdNo, headName, building, unit, room, phone, members). Members are separated by 、 ， , or ; with the relation in brackets: 张三、李四（配偶）. " +
        "All or nothing: any bad row gives 400 IMPORT_INVALID with `details.rows` = [{line, field, column, problem, householdNo, headName, member?}] for every problem (the header is line 1), and nothing is written. " +
        "A 户号 the community already has is, by `onExisting`: `refuse` (default) a problem of its row (code EXISTS); `skip` left as it is; `update` its fields replaced by the row and its members by the row's list, " +
        "matched by name so members who stay keep their ids and award history; members missing from the file are removed unless an application names them (then kept, and listed in keptMembers).",
      middleware: [allow("admin")] as const,
      security,
      request: {
        query: ImportQuery,
        body: {
          content: {
            "multipart/form-data": { schema: ImportForm },
            // The file itself as the body also works (scripts, curl --data-binary). Zod schemas here
            // (checked by no validator: the handler reads the bytes) keep the typed client's `form`.
            "text/csv": { schema: z.string() },
            "text/plain": { schema: z.string() },
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: z.string().openapi({ format: "binary" }) },
            "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) },
          },
          required: false,
        },
      },
      responses: {
        200: jsonResponse(ImportResult, "Nothing was created: every row was skipped or updated"),
        201: jsonResponse(ImportResult, "Households were created (and the rest skipped or updated)"),
        ...errorResponses,
        400: { description: "IMPORT_INVALID: `details.rows` lists every problem", content: { "application/json": { schema: z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.object({ rows: z.array(ImportProblemSchema) }).optional() }) }) } } },
      },
    }),
    async (c) => {
      const admin = staffOf(c);
      const source = await uploadedFile(c);
      const { onExisting } = c.req.valid("query");
      const result = await importHouseholds(c.get("db"), c.get("clock"), admin, c.get("meta"), source, c.get("lang"), c.get("parseHouseholdFile"), onExisting);
      return result.created > 0 ? c.json(result, 201) : c.json(result, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["households"],
      summary: "One household with members, balance, score and card (staff; the household itself)",
      middleware: [allow(...anyRole)] as const,
      security,
      request: { params: IdParam },
      responses: { 200: jsonResponse(HouseholdDetailSchema, "The household"), ...errorResponses },
    }),
    async (c) => {
      const actor = actorOf(c);
      const { id } = c.req.valid("param");
      if (actor.kind === "household" && actor.householdId !== id) throw new DomainError("FORBIDDEN");
      const db = c.get("db");
      const household = await getHousehold(db, actor.communityId, id);
      const { expiryMonths } = await getCommunity(db, actor.communityId);
      const expiring = await expiringFor(db, c.get("clock"), id, expiryMonths);
      return c.json({ ...(seesContacts(actor.role) ? household : withoutContacts(household)), expiring }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["households"],
      summary: "Edit a household's details and add members (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam, body: jsonBody(HouseholdPatchBody) },
      responses: { 200: jsonResponse(HouseholdSchema, "The household as it is now"), ...errorResponses },
    }),
    async (c) => {
      const admin = staffOf(c);
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const household = await updateHousehold(c.get("db"), c.get("clock"), admin, c.get("meta"), id, {
        headName: body.headName,
        building: body.building,
        unit: body.unit === undefined ? undefined : body.unit || null,
        room: body.room === undefined ? undefined : body.room || null,
        householdType: body.householdType === undefined ? undefined : body.householdType || null,
        phone: body.phone === undefined ? undefined : (normalizePhone(body.phone) as string | null),
        addMembers: body.addMembers?.map((m) => ({ name: m.name, relation: m.relation || null })),
      });
      return c.json(household, 200);
    },
  );
