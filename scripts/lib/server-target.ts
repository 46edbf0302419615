/**
 * A running deployment of the product that a test talks to over real HTTP: the Node server
 * on an embedded libSQL file (`startNodeTarget`), or the worker in workerd on local D1
 * (`startWorkerTarget` in tests/support/worker-target.ts). Both start empty with `SEED_DEMO=0`: only the
 * community and its `admin` exist, and the suite builds everything else through the API.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { createServer } from "node:net";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** One answer of the API as a test or the bench reads it. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
}

export type Caller = (method: string, path: string, options?: CallOptions) => Promise<ApiResponse>;

export interface Target {
  name: string;
  baseUrl: string;
  call: Caller;
  adminPassword: string;
  stop(): Promise<void>;
}

export const targetPassword = "target-admin-password";

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** An answer's body: its JSON, or its text when it is not JSON. */
function bodyOf(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/**
 * A lean caller for load: node:http on `sockets` kept-alive connections. `fetch` costs the
 * calling process about 1.8 ms of CPU per request here, CPU that the server under test then lacks
 * on a two-core machine; this one about a third of it. It sends what a phone's browser sends
 * (`accept-encoding`, so the server compresses as it would for a phone) and reads gzip, deflate
 * and br answers.
 */
export function loadCaller(baseUrl: string, sockets: number): Caller {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const url = new URL(baseUrl);
  return (method: string, path: string, options: CallOptions = {}) =>
    new Promise<ApiResponse>((resolveCall, reject) => {
      const headers: Record<string, string> = { "accept-encoding": "gzip, deflate, br", ...(options.headers ?? {}) };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      if (body !== undefined) {
        headers["content-type"] ??= "application/json";
        headers["content-length"] = String(Buffer.byteLength(body));
      }
      const req = request({ agent, host: url.hostname, port: url.port, method, path: `/api${path}`, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          try {
            const raw = Buffer.concat(chunks);
            const encoding = res.headers["content-encoding"];
            const plain = encoding === "gzip" ? gunzipSync(raw) : encoding === "br" ? brotliDecompressSync(raw) : encoding === "deflate" ? inflateSync(raw) : raw;
            const parsed = bodyOf(plain.toString("utf8"));
            const answerHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) if (typeof value === "string") answerHeaders.set(name, value);
            resolveCall({ status: res.statusCode ?? 0, body: parsed as any, headers: answerHeaders });
          } catch (e) {
            reject(e);
          }
        });
      });
      req.on("error", reject);
      req.end(body);
    });
}

export function httpCaller(baseUrl: string): Caller {
  return async (method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: BodyInit | undefined = options.rawBody;
    if (options.body !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(options.body);
    }
    const res = await fetch(`${baseUrl}/api${path}`, { method, headers, body });
    return { status: res.status, body: bodyOf(await res.text()) as any, headers: res.headers };
  };
}

export async function waitForHealth(baseUrl: string, child: ChildProcess | null, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child && child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before it was healthy`);
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${baseUrl} was not healthy within ${timeoutMs} ms`);
}

export interface NodeTargetOptions {
  /**
   * The database file to serve (absolute path). Default: a fresh file in a temporary directory
   * that `stop()` removes. A file given here belongs to the caller: `stop()` leaves it (and its
   * -wal) in place, to be read, backed up or served again.
   */
  databaseFile?: string;
  /** How long the server may take to answer health (a loaded machine may need more). */
  healthTimeoutMs?: number;
}

export interface NodeTarget extends Target {
  /** The embedded database file the server opened. */
  databaseFile: string;
  /** What the server has printed so far (stdout and stderr). */
  output(): string;
  /** The server's process id (to read its CPU time, for instance). */
  pid: number | undefined;
  /** Sends the server `signal` (SIGKILL for a crash) and waits until it has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts `api/node.ts` as `npm start` does, on a fresh database file and a free port. */
export async function startNodeTarget(extraEnv: Record<string, string> = {}, options: NodeTargetOptions = {}): Promise<NodeTarget> {
  const dir = options.databaseFile ? null : mkdtempSync(join(tmpdir(), "shuangfu-node-"));
  const databaseFile = options.databaseFile ?? join(dir!, "shuangfu.db");
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", resolve("api/node.ts")], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: `file:${databaseFile}`,
      SEED_DEMO: "0",
      SEED_PASSWORD: targetPassword,
      PUBLIC_URL: baseUrl,
      JOB_INTERVAL_SECONDS: "5",
      // Journeys open publicity windows of a few seconds.
      PUBLICITY_FLOOR_HOURS: "0",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  try {
    await waitForHealth(baseUrl, child, options.healthTimeoutMs);
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${(err as Error).message}\n${output}`);
  }
  async function kill(signal: NodeJS.Signals) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    await exited;
  }
  return {
    name: "node+libsql",
    baseUrl,
    call: httpCaller(baseUrl),
    adminPassword: targetPassword,
    databaseFile,
    output: () => output,
    pid: child.pid,
    kill,
    async stop() {
      await kill("SIGTERM");
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
