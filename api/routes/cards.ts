import { createRouter } from "../router";

export const cardsRoutes = createRouter();
