import { createRouter } from "../router";

export const goodsRoutes = createRouter();
