#!/usr/bin/env node
/**
 * Measures what the built web app ships, from Vite's manifest (web/dist/.vite/manifest.json):
 * the gzipped JS of the resident's first screen (the entry chunk, everything it imports
 * statically, and the chunks of the card sign-in — /login, /c/… — and of the home screen /me,
 * with what they import) against the 60 KB budget, and every lazy chunk on its own.
 * Exits 1 when the budget is exceeded.
 * Usage: node web/scripts/size.mjs [--markdown] [--dist <built app>]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const budgetBytes = 60 * 1024;
const distAt = process.argv.indexOf("--dist");
const dist = distAt > 0 ? process.argv[distAt + 1] : "web/dist";
const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const raw = (file) => readFileSync(join(dist, file)).length;

/** A chunk and everything it imports statically (what the browser must fetch before running it). */
function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key].imports ?? []) closure(dep, seen);
  return seen;
}

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const firstScreenPages = ["pages/resident/card-login.tsx", "pages/resident/home.tsx"];
const firstScreen = new Set(closure(entryKey));
for (const page of firstScreenPages) {
  const key = Object.keys(manifest).find((k) => k.endsWith(page));
  if (!key) throw new Error(`${page} is not in the build: update firstScreenPages in web/scripts/size.mjs`);
  for (const k of closure(key)) firstScreen.add(k);
}
const firstScreenGz = [...firstScreen].reduce((sum, k) => sum + gz(manifest[k].file), 0);

const kb = (n) => (n / 1024).toFixed(1);
const rows = Object.entries(manifest)
  .filter(([, c]) => c.file.endsWith(".js"))
  .map(([key, c]) => ({ key, file: c.file, raw: raw(c.file), gz: gz(c.file), first: firstScreen.has(key) }))
  .sort((a, b) => b.gz - a.gz);

if (process.argv.includes("--markdown")) {
  console.log(`| chunk | source | raw KB | gzip KB | resident first screen |`);
  console.log(`|---|---|---:|---:|:---:|`);
  for (const r of rows) console.log(`| ${r.file.replace(/-[\w-]{8}\.js$/, ".js")} | ${r.key} | ${kb(r.raw)} | ${kb(r.gz)} | ${r.first ? "✓" : ""} |`);
  console.log(`\nResident first screen: **${kb(firstScreenGz)} KB** gzipped JS (budget ${kb(budgetBytes)} KB).`);
} else {
  for (const r of rows) console.log(`${r.first ? "*" : " "} ${kb(r.gz).padStart(6)} KB gz  ${kb(r.raw).padStart(7)} KB  ${r.file}`);
  console.log(`Resident first screen (*): ${kb(firstScreenGz)} KB gzipped JS; budget ${kb(budgetBytes)} KB.`);
}
if (firstScreenGz > budgetBytes) {
  console.error(`Over budget by ${kb(firstScreenGz - budgetBytes)} KB.`);
  process.exit(1);
}
