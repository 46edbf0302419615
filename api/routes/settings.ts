import { createRouter } from "../router";

export const settingsRoutes = createRouter();
