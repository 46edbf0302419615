/**
 * Books that leave the system (issue 12): the points register (积分登记簿) and the monthly report,
 * each as an XLSX and as JSON for the printable A4 pages. `registerRoutes` is mounted at `/api`
 * (its paths are the contract's `/register.xlsx` and the print view's `/register`);
 * `monthlyRoutes` at `/api/reports`.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { monthlyReport, monthlyWorkbook, monthPattern } from "../domain/monthly-report";
import { registerForPrint, registerXlsx } from "../domain/register-book";
import { allow, createRouter, errorResponses, jsonResponse, security, staffOf } from "../http/route-kit";
import { PeriodQuery, periodOf, SummarySchema } from "./reports";

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const xlsxResponse = (description: string) => ({ description, content: { [xlsxType]: { schema: z.string().openapi({ format: "binary" }) } } });

/** `attachment` with an ASCII fallback name and the Chinese one (RFC 6266 / 5987). */
function attachment(ascii: string, name: string): string {
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

const RegisterRowSchema = z
  .object({
    registerNo: z.number().int(),
    at: z.string(),
    day: z.string().openapi({ description: "the entry's China day" }),
    householdNo: z.string(),
    headName: z.string(),
    member: z.string().nullable(),
    category: z.string(),
    rule: z.string(),
    kind: z.enum(["award", "penalty", "cancellation"]),
    points: z.number().int().openapi({ description: "signed: + adds to the household's points, − takes from them (a cancellation undoes its entry)" }),
    certifier: z.string(),
    publicity: z.string().nullable().openapi({ description: "the publicity batch as its China days; null before it is publicised" }),
    outcome: z.enum(["credited", "held", "cancelled"]),
  })
  .openapi("RegisterRow");

const MonthQuery = z.object({
  month: z.string().regex(monthPattern, "YYYY-MM").openapi({ example: "2026-11", description: "a month in China time" }),
});

const MonthlyReportSchema = z
  .object({
    month: z.string(),
    community: z.object({ name: z.string(), code: z.string() }),
    summary: SummarySchema,
    byBuilding: z.array(z.object({ building: z.string(), households: z.number().int(), pointsAwarded: z.number().int(), pointsDeducted: z.number().int(), pointsRedeemed: z.number().int() })),
    topUps: z.array(
      z.object({
        topUpId: z.string().nullable(),
        at: z.string().nullable(),
        publicity: z.string().nullable(),
        items: z.number().int(),
        pointsAwarded: z.number().int(),
        pointsDeducted: z.number().int(),
        heldBack: z.number().int(),
      }),
    ),
    redemptionsByShop: z.array(z.object({ shopId: z.string(), shop: z.string(), redemptions: z.number().int(), pointsRedeemed: z.number().int(), pointsVoided: z.number().int(), pointsNet: z.number().int() })),
    redemptionsByGoods: z.array(z.object({ shop: z.string(), goodsId: z.string(), goods: z.string(), quantity: z.number().int(), points: z.number().int() })),
    settlements: z.object({
      items: z.array(
        z.object({
          id: z.string(),
          shop: z.string(),
          from: z.string().nullable(),
          to: z.string(),
          status: z.enum(["draft", "confirmed", "paid"]),
          redemptions: z.number().int(),
          points: z.number().int(),
          amountFen: z.number().int(),
          createdAt: z.string(),
          confirmedAt: z.string().nullable(),
          paidAt: z.string().nullable(),
        }),
      ),
      pointsConfirmed: z.number().int(),
      amountPaidFen: z.number().int(),
    }),
  })
  .openapi("MonthlyReport");

/** Mounted at `/api`: `/register` and `/register.xlsx`. */
export const registerRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/register.xlsx",
      tags: ["books"],
      summary: "The points register (积分登记簿) of a period as XLSX, streamed, in register-number order (admin, reviewer)",
      middleware: [allow("admin", "reviewer")] as const,
      security,
      request: { query: PeriodQuery },
      responses: { 200: xlsxResponse("The register book"), ...errorResponses },
    }),
    (c) => {
      const period = periodOf(c, c.req.valid("query"));
      const stream = registerXlsx(c.get("db"), staffOf(c).communityId, period, c.get("lang"));
      c.header("content-type", xlsxType);
      c.header("cache-control", "no-store");
      c.header("content-disposition", attachment("register.xlsx", "积分登记簿.xlsx"));
      return c.body(stream, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/register",
      tags: ["books"],
      summary: "The register of a period for the printable A4 view (at most 5,000 entries; a longer period → 400 naming `to`) (admin, reviewer)",
      middleware: [allow("admin", "reviewer")] as const,
      security,
      request: { query: PeriodQuery },
      responses: {
        200: jsonResponse(z.object({ from: z.string().nullable(), to: z.string().nullable(), total: z.number().int(), items: z.array(RegisterRowSchema) }), "The register"),
        ...errorResponses,
      },
    }),
    async (c) => {
      const period = periodOf(c, c.req.valid("query"));
      const book = await registerForPrint(c.get("db"), staffOf(c).communityId, period, c.get("lang"));
      return c.json({ from: period.from, to: period.to, ...book }, 200);
    },
  );

/** Mounted at `/api/reports`: `/monthly` and `/monthly.xlsx`. */
export const monthlyRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/monthly.xlsx",
      tags: ["books"],
      summary: "The monthly report as XLSX: summary, by category, by building, top-ups, redemptions by shop and goods, settlements (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { query: MonthQuery },
      responses: { 200: xlsxResponse("The monthly report"), ...errorResponses },
    }),
    async (c) => {
      const { month } = c.req.valid("query");
      const report = await monthlyReport(c.get("db"), staffOf(c).communityId, month);
      c.header("content-type", xlsxType);
      c.header("cache-control", "no-store");
      c.header("content-disposition", attachment(`monthly-${month}.xlsx`, `积分月报${month}.xlsx`));
      return c.body(await monthlyWorkbook(report, c.get("lang")), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/monthly",
      tags: ["books"],
      summary: "The monthly report for the printable page (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { query: MonthQuery },
      responses: { 200: jsonResponse(MonthlyReportSchema, "The monthly report"), ...errorResponses },
    }),
    async (c) => c.json(await monthlyReport(c.get("db"), staffOf(c).communityId, c.req.valid("query").month), 200),
  );
