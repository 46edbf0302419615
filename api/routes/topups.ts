import { createRouter } from "../router";

export const topupsRoutes = createRouter();
