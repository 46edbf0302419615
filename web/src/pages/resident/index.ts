/**
 * Shim, to be removed: `pages/volunteer.tsx` imports `statusBadge` from "./resident" and is
 * being changed for issue 13 this round. Once it imports `StatusBadge` from `ui/status-badge`,
 * delete this file (the resident's pages are loaded one by one from `main.tsx`).
 */
export { statusBadge } from "../../ui/status-badge";
