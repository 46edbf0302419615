import { createRouter } from "../router";

export const publicityRoutes = createRouter();
