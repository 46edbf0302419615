import { createRouter } from "../router";

export const noticesRoutes = createRouter();
