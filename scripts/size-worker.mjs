#!/usr/bin/env node
/**
 * Builds the worker bundle exactly as `wrangler deploy` would (`--dry-run`, nothing uploaded)
 * and records its size, raw and gzipped, in docs/edge.md between the size markers.
 *
 *   node scripts/size-worker.mjs            # build, print, update docs/edge.md
 *   node scripts/size-worker.mjs --print    # build and print only
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const root = resolve(import.meta.dirname, "..");
const docPath = join(root, "docs/edge.md");
const start = "<!-- size:start -->";
const end = "<!-- size:end -->";

/** Runs `wrangler deploy --dry-run --outdir <dir>`; returns the bundle's path. */
export function buildWorker(outDir) {
  const args = [join(root, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outDir];
  // wrangler checks that the assets directory exists; before `npm run build:web` use a stand-in.
  if (!existsSync(join(root, "web/dist/index.html"))) {
    const assets = join(outDir, "..", "assets-stand-in");
    mkdirSync(assets, { recursive: true });
    writeFileSync(join(assets, "index.html"), "<!doctype html><div id=root></div>\n");
    args.push("--assets", assets);
  }
  execFileSync(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true" },
  });
  return join(outDir, "worker.js");
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

const dir = mkdtempSync(join(tmpdir(), "shuangfu-size-"));
try {
  const bundle = buildWorker(join(dir, "out"));
  const code = readFileSync(bundle);
  const raw = statSync(bundle).size;
  const gzip = gzipSync(code, { level: 9 }).length;
  const wrangler = JSON.parse(readFileSync(join(root, "node_modules/wrangler/package.json"), "utf8")).version;
  const date = new Date().toISOString().slice(0, 10);
  const table = [
    start,
    "| measured | wrangler | worker.js raw | gzip -9 | Workers limit (gzip) |",
    "|---|---|---|---|---|",
    `| ${date} | ${wrangler} | ${kib(raw)} (${raw} B) | ${kib(gzip)} (${gzip} B) | 3 MiB free, 10 MiB paid |`,
    end,
  ].join("\n");
  console.log(`worker bundle: ${kib(raw)} raw, ${kib(gzip)} gzip`);
  if (!process.argv.includes("--print")) {
    const doc = readFileSync(docPath, "utf8");
    const from = doc.indexOf(start);
    const to = doc.indexOf(end);
    if (from < 0 || to < 0) throw new Error(`docs/edge.md has no ${start} … ${end} block`);
    writeFileSync(docPath, doc.slice(0, from) + table + doc.slice(to + end.length));
    console.log("recorded in docs/edge.md");
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
