/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. the bench's `--cpu-prof <dir>`): self
 * time by function and by where the code lives (our api/, drizzle, libSQL, Hono, node:), so a
 * profile can be read without DevTools.
 *
 *   npx tsx scripts/cpu-profile-top.ts <file.cpuprofile> [--top 30]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "30" } } });
if (!positionals[0]) {
  console.error("usage: tsx scripts/cpu-profile-top.ts <file.cpuprofile> [--top 30]");
  process.exit(2);
}
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const profile = JSON.parse(readFileSync(positionals[0], "utf8")) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

function area(url: string, name: string): string {
  if (name === "(idle)" || name === "(program)" || name === "(garbage collector)") return name;
  if (!url) return "(native)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith("node:")) return "node:";
  const own = /\/(api|db|shared|scripts)\/(.*)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}
const byFunction = new Map<string, number>();
const idle = (name: string) => name === "(idle)";
const byArea = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const where = area(n.callFrame.url, n.callFrame.functionName);
  if (idle(n.callFrame.functionName)) {
    byArea.set("(idle)", (byArea.get("(idle)") ?? 0) + us);
    continue;
  }
  const fn = `${n.callFrame.functionName || "(anonymous)"} ${where}:${n.callFrame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  byArea.set(where, (byArea.get(where) ?? 0) + us);
}
const busy = total - (byArea.get("(idle)") ?? 0);
const show = (title: string, m: Map<string, number>, top: number) => {
  console.log(`\n${title} (share of busy time, ${(busy / 1000).toFixed(0)} ms busy of ${(total / 1000).toFixed(0)} ms)`);
  for (const [k, us] of [...m.entries()].filter(([k]) => k !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / busy).toFixed(1).padStart(5)} %  ${k}`);
  }
};
show("by area", byArea, 25);
show("by function", byFunction, Number(values.top));
