/** The rule catalogue (积分细则): read by everyone signed in, kept by the admin. */
import { createRoute, z } from "@hono/zod-openapi";
import { categories, ruleKinds } from "../../shared/domain";
import { NewRuleBody } from "../../shared/forms";
import { createRule, listRules, setRuleActive } from "../domain/rules";
import { actorOf, allow, anyRole, createRouter, errorResponses, IdParam, jsonBody, jsonResponse, listOf, security, staffOf } from "../http/route-kit";

export const RuleSchema = z
  .object({
    id: z.string(),
    category: z.enum(categories),
    title: z.string(),
    kind: z.enum(ruleKinds),
    minPoints: z.number().int(),
    maxPoints: z.number().int(),
    active: z.boolean(),
  })
  .openapi("Rule");

const RulePatchBody = z.object({ active: z.boolean() }).strict();
const RulesQuery = z.object({ all: z.enum(["0", "1"]).optional() });

/** Mounted at `/api/rules`. */
export const rulesRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["rules"],
      summary: "The rule catalogue; `?all=1` includes retired rules",
      middleware: [allow(...anyRole)] as const,
      security,
      request: { query: RulesQuery },
      responses: { 200: jsonResponse(listOf(RuleSchema), "Rules"), ...errorResponses },
    }),
    async (c) => {
      const items = await listRules(c.get("db"), actorOf(c).communityId, c.req.valid("query").all === "1");
      return c.json({ items, nextCursor: null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["rules"],
      summary: "Add a rule (admin)",
      middleware: [allow("admin")] as const,
      security,
      request: { body: jsonBody(NewRuleBody) },
      responses: { 201: jsonResponse(RuleSchema, "Created"), ...errorResponses },
    }),
    async (c) => c.json(await createRule(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("json")), 201),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["rules"],
      summary: "Retire a rule or bring it back (admin); retired rules take no new applications",
      middleware: [allow("admin")] as const,
      security,
      request: { params: IdParam, body: jsonBody(RulePatchBody) },
      responses: { 200: jsonResponse(RuleSchema, "The rule"), ...errorResponses },
    }),
    async (c) =>
      c.json(await setRuleActive(c.get("db"), c.get("clock"), staffOf(c), c.get("meta"), c.req.valid("param").id, c.req.valid("json").active), 200),
  );
