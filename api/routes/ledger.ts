import { createRouter } from "../router";

export const ledgerRoutes = createRouter();
