import { createRouter } from "../router";

export const reportsRoutes = createRouter();
