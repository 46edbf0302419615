import { createRouter } from "../router";

export const applicationsRoutes = createRouter();
