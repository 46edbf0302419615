import { createRouter } from "../router";

export const redemptionsRoutes = createRouter();
