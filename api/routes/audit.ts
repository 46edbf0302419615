import { createRouter } from "../router";

export const auditRoutes = createRouter();
