// Prints the gzipped size of the production JS and CSS (the goal: under 150 KB in all).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dir = new URL("../dist/assets/", import.meta.url).pathname;
let total = 0;
for (const name of readdirSync(dir).filter((n) => /\.(js|css)$/.test(n))) {
  const size = gzipSync(readFileSync(join(dir, name)), { level: 9 }).length;
  total += size;
  console.log(`${name.padEnd(36)} ${(size / 1024).toFixed(1).padStart(7)} KB gzipped`);
}
console.log(`${"total JS+CSS".padEnd(36)} ${(total / 1024).toFixed(1).padStart(7)} KB gzipped (goal < 150 KB)`);
if (total > 150 * 1024) { console.error("over the 150 KB budget"); process.exit(1); }
