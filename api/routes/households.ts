import { createRouter } from "../router";

export const householdsRoutes = createRouter();
