/**
 * The deployments the journey suite runs against, with the same assertions: the Node server on
 * an embedded libSQL file, and the real worker in workerd on a local D1.
 */
import { startNodeTarget, type Target } from "../../scripts/lib/server-target";
import { startWorkerTarget } from "./worker-target";

export const targets: Array<{ name: string; start: () => Promise<Target> }> = [
  { name: "node+libsql", start: () => startNodeTarget() },
  { name: "worker+d1", start: () => startWorkerTarget() },
];
