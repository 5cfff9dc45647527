// Prints the gzipped size of the production JS and CSS. The goal: the first load (the entry and every file it imports
// statically, per Vite's manifest) under 150 KB in all; each part loaded on demand (the API reference) under its own.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const FIRST_LOAD_KB = 150;
const ON_DEMAND_KB = 600;  // the API reference: Swagger UI (its own React inside) and the spec, at /api/docs only
const dist = new URL("../dist/", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1).padStart(7)} KB gzipped`;

// A chunk's files: its own JS and CSS and those of every chunk it imports statically (not `import()`).
function files(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key].imports ?? []) files(dep, seen);
  return seen;
}
const assets = (keys) => [...new Set([...keys].flatMap((k) => [manifest[k].file, ...(manifest[k].css ?? [])]))]
  .filter((f) => /\.(js|css)$/.test(f));

let failed = false;
function report(title, list, budgetKb) {
  const total = list.reduce((sum, f) => sum + gz(f), 0);
  console.log(title);
  for (const f of list) console.log(`  ${f.padEnd(40)} ${kb(gz(f))}`);
  console.log(`  ${"total".padEnd(40)} ${kb(total)} (goal < ${budgetKb} KB)`);
  if (total > budgetKb * 1024) { console.error(`  over the ${budgetKb} KB budget`); failed = true; }
}

const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
const first = files(entry);
report("first load (index.html)", assets(first), FIRST_LOAD_KB);
for (const key of Object.keys(manifest).filter((k) => manifest[k].isDynamicEntry)) {
  report(`on demand: ${key}`, assets([...files(key)].filter((k) => !first.has(k))), ON_DEMAND_KB);
}
if (failed) process.exit(1);
