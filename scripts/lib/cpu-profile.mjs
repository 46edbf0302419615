// Preloaded into the bench's server with `--cpu-prof <dir>` (see scripts/bench.ts): profiles the
// main thread with the inspector (`node --cpu-prof` is not allowed in NODE_OPTIONS and would
// cover the whole run). The first SIGUSR2 starts the profiler, the next one writes
// <dir>/server-<pid>-<n>.cpuprofile, so the bench profiles exactly its redemption phase.
import { Session } from "node:inspector";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  let running = false;
  let written = 0;
  process.on("SIGUSR2", () => {
    if (!running) {
      running = true;
      session.post("Profiler.start");
      return;
    }
    running = false;
    session.post("Profiler.stop", (err, result) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `server-${process.pid}-${++written}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
