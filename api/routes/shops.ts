import { createRouter } from "../router";

export const shopsRoutes = createRouter();
