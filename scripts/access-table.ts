/** Rewrites the access table in docs/security.md from scripts/lib/access-matrix.ts. */
import { readFileSync, writeFileSync } from "node:fs";
import { renderAccessTable } from "./lib/access-matrix";

const file = new URL("../docs/security.md", import.meta.url);
const doc = readFileSync(file, "utf8");
const next = doc.replace(/<!-- access-table:start -->[\s\S]*?<!-- access-table:end -->/, `<!-- access-table:start -->\n${renderAccessTable()}\n<!-- access-table:end -->`);
if (next === doc && !doc.includes("<!-- access-table:start -->")) throw new Error("docs/security.md has no access-table markers");
writeFileSync(file, next);
console.log("docs/security.md: access table written");
