import { createRouter } from "../router";

export const rulesRoutes = createRouter();
