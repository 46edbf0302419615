/**
 * The HTTP API: mounts every resource under `/api` and exports `AppType` for the typed client.
 * Runs unchanged on Node (`api/node.ts`) and on Cloudflare Workers (`api/worker.ts`).
 */
import { bodyLimit } from "hono/body-limit";
import { limits } from "../shared/limits";
import { DomainError } from "./domain/errors";
import { parseHouseholdFile } from "./domain/import";
import type { AppDeps } from "./http/app-types";
import type { Context } from "hono";
import { authMiddleware, contextMiddleware } from "./http/middleware/context";
import { handleError } from "./http/middleware/errors";
import { sameOriginWrites } from "./http/middleware/cross-site";
import { securityHeaders } from "./http/middleware/security-headers";
import { createRouter } from "./http/route-kit";
import { applicationsRoutes } from "./routes/applications";
import { auditRoutes } from "./routes/audit";
import { monthlyRoutes, registerRoutes } from "./routes/books";
import { authRoutes, meRoutes } from "./routes/auth";
import { helperAuthRoutes, householdInclusionRoutes } from "./routes/inclusion";
import { cardBatchesRoutes, cardLossRoutes } from "./routes/card-batches";
import { cardsRoutes, householdCardRoutes } from "./routes/cards";
import { communitiesRoutes, onboardingRoutes } from "./routes/communities";
import { goodsRoutes } from "./routes/goods";
import { householdsRoutes } from "./routes/households";
import { householdLedgerRoutes, ledgerRoutes } from "./routes/ledger";
import { noticesRoutes } from "./routes/notices";
import { objectionsRoutes, publicityRoutes } from "./routes/publicity";
import { goodsBarcodeRoutes, offlinePackRoutes, shortfallRoutes } from "./routes/offline";
import { redemptionsRoutes } from "./routes/redemptions";
import { officersRoutes, regionsRoutes } from "./routes/regions";
import { reportsRoutes } from "./routes/reports";
import { rulesRoutes } from "./routes/rules";
import { settingsRoutes } from "./routes/settings";
import { settlementsRoutes } from "./routes/settlements";
import { shopsRoutes } from "./routes/shops";
import { topupsRoutes } from "./routes/topups";
import { userRoutes } from "./routes/users";
import { docsPage, docsScript } from "./http/docs-page";

function buildApi(deps: AppDeps) {
  const api = createRouter();
  api.use("*", securityHeaders());
  api.use("*", contextMiddleware(deps));
  // CSRF only concerns requests that carry the session cookie: a bearer token cannot be sent by
  // another site, and a request with neither is simply unauthenticated (401, not 403).
  api.use("*", sameOriginWrites);
  // The import route takes files; everything else is small JSON.
  api.use("*", async (c, next) => {
    const maxSize = c.req.path.endsWith("/households/import")
      ? limits.importBytesMax
      : c.req.path.endsWith("/applications")
        ? limits.applicationBytesMax
        : limits.bodyBytesMax;
    const tooLarge = () => {
      throw new DomainError("PAYLOAD_TOO_LARGE", { maxBytes: maxSize });
    };
    // The usual request says its length up front: judged from the header alone, as hono's
    // bodyLimit does then, but without first asking for `c.req.raw.body` — on Node that turns the
    // server's lightweight request into a full Request with a web stream over the socket (about
    // a tenth of a redemption's CPU), where reading the JSON straight from the socket is enough.
    // A chunked body (or one whose length the header does not say) is counted as it streams.
    if (!c.req.header("transfer-encoding")) {
      const length = c.req.header("content-length");
      if (length !== undefined && /^\d+$/.test(length)) return Number(length) > maxSize ? tooLarge() : next();
      if (length === undefined && (c.req.method === "GET" || c.req.method === "HEAD")) return next();
    }
    return bodyLimit({ maxSize, onError: tooLarge })(c, next);
  });
  api.use("*", authMiddleware);
  api.use("/households/import", async (c, next) => {
    c.set("parseHouseholdFile", deps.parseHouseholdFile ?? parseHouseholdFile);
    await next();
  });
  api.onError(handleError);

  const routes = api
    .get("/health", (c) => c.json({ ok: true }, 200))
    .route("/auth", authRoutes)
    .route("/auth", helperAuthRoutes)
    .route("/me", meRoutes)
    .route("/users", userRoutes)
    .route("/shops", shopsRoutes)
    .route("/settlements", settlementsRoutes)
    .route("/shops", offlinePackRoutes)
    .route("/households", householdsRoutes)
    .route("/households", householdCardRoutes)
    .route("/households", householdLedgerRoutes)
    .route("/households", householdInclusionRoutes)
    .route("/cards", cardsRoutes)
    .route("/cards", cardLossRoutes)
    .route("/card-batches", cardBatchesRoutes)
    .route("/rules", rulesRoutes)
    .route("/notices", noticesRoutes)
    .route("/applications", applicationsRoutes)
    .route("/publicity", publicityRoutes)
    .route("/objections", objectionsRoutes)
    .route("/topups", topupsRoutes)
    .route("/goods", goodsRoutes)
    .route("/goods", goodsBarcodeRoutes)
    // Before redemptionsRoutes, whose `/{id}` would take `/shortfalls`.
    .route("/redemptions", shortfallRoutes)
    .route("/redemptions", redemptionsRoutes)
    .route("/ledger", ledgerRoutes)
    .route("/reports", reportsRoutes)
    .route("/reports", monthlyRoutes)
    // The register book's paths are `/register` and the contract's `/register.xlsx`.
    .route("/", registerRoutes)
    .route("/audit", auditRoutes)
    .route("/community", settingsRoutes)
    .route("/community", onboardingRoutes)
    .route("/regions", regionsRoutes)
    .route("/officers", officersRoutes)
    .route("/communities", communitiesRoutes);

  api.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  api.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Shuangfu (双扶) points API", version: "1.0.0", description: "The HTTP contract (v1 and v2) of the points scheme; README.md lists the endpoints beyond it, and errors always answer {error: {code, message, details}}" },
    servers: [{ url: "/api" }],
  });
  api.get("/docs", (c) => c.html(docsPage));
  // The page's script is served, not inline: the CSP allows script from our origin only.
  api.get("/docs.js", (c) => c.body(docsScript, 200, { "content-type": "text/javascript; charset=utf-8" }));
  return routes;
}

/** The answer to an unknown `/api` path: the JSON 404 of the error shape, never the app shell. */
export function apiNotFound(c: Context) {
  return handleError(new DomainError("NOT_FOUND", { path: c.req.path }), c);
}

/** Builds the whole API, mounted at `/api`. */
export function createApp(deps: AppDeps) {
  const app = createRouter();
  const api = buildApi(deps);
  app.onError(handleError);
  app.notFound(apiNotFound);
  return app.route("/api", api);
}

export type AppType = ReturnType<typeof createApp>;
