/**
 * Node only: reads and checks a household import file in a worker thread, so that a big file
 * never holds up the event loop (read-excel-file parses a sheet in one synchronous call: about
 * a second for 20,000 rows) and a hostile one cannot take the server's memory with it (the
 * thread has its own heap limit). `api/node.ts` passes `parseHouseholdFileInThread` to the app;
 * the worker and the tests parse in line, with the same code.
 *
 * This file is also the thread's entry: loaded with `workerData.task === taskName`, it parses
 * and posts the result back.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { limits } from "../shared/limits";
import { DomainError } from "./domain/errors";
import { parseHouseholdFile, type HouseholdFileParser, type ParsedHouseholdFile } from "./domain/import";

const taskName = "shuangfu:household-import";

type Reply = { ok: ParsedHouseholdFile } | { error: { code: DomainError["code"]; details?: Record<string, unknown> } } | { crash: string };

interface Task {
  task: typeof taskName;
  bytes: Uint8Array;
  lang: "zh" | "en";
}

/**
 * The thread runs TypeScript like the server does: tsx's loader hooks do not reach worker
 * threads on Node 20, so the thread registers them itself before importing this file.
 */
function bootstrap(): string {
  const tsx = import.meta.resolve("tsx/esm/api");
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`;
}

/** `parseHouseholdFile`, run in a worker thread with a heap limit and a time limit. */
export const parseHouseholdFileInThread: HouseholdFileParser = (bytes, lang) =>
  new Promise((resolve, reject) => {
    const task: Task = { task: taskName, bytes, lang };
    const worker = new Worker(bootstrap(), {
      eval: true,
      workerData: task,
      resourceLimits: { maxOldGenerationSizeMb: limits.importThreadHeapMbMax },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    // Past the checks, no legitimate file takes this long; a thread that does is stopped.
    const timer = setTimeout(() => settle(() => reject(new DomainError("IMPORT_TOO_LARGE", { limit: "seconds", max: limits.importThreadSecondsMax }))), limits.importThreadSecondsMax * 1000);
    worker.once("message", (reply: Reply) =>
      settle(() => {
        if ("ok" in reply) resolve(reply.ok);
        else if ("error" in reply) reject(new DomainError(reply.error.code, reply.error.details));
        else reject(new Error(`import thread failed: ${reply.crash}`));
      }),
    );
    worker.once("error", (err: Error & { code?: string }) =>
      settle(() =>
        // The heap limit is what stops a file that passed the checks but still needs too much memory.
        reject(err.code === "ERR_WORKER_OUT_OF_MEMORY" ? new DomainError("IMPORT_TOO_LARGE", { limit: "memory", max: limits.importThreadHeapMbMax }) : err),
      ),
    );
    worker.once("exit", (code) => settle(() => reject(new Error(`import thread exited with code ${code} before answering`))));
  });

if (!isMainThread && (workerData as Task | undefined)?.task === taskName) {
  const { bytes, lang } = workerData as Task;
  parseHouseholdFile(bytes, lang).then(
    (parsed) => parentPort!.postMessage({ ok: parsed } satisfies Reply),
    (err: unknown) =>
      parentPort!.postMessage(
        (err instanceof DomainError ? { error: { code: err.code, details: err.details } } : { crash: String((err as Error)?.stack ?? err) }) satisfies Reply,
      ),
  );
}
