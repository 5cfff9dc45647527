// What every browser test shares: its steps and their report, checks, and the accessibility scan (axe-core, WCAG 2.2
// AA and best practice; serious and critical findings fail). Each test is its own node process, so `results` is its.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export const results = [];

export async function step(name, fn) {
  const started = Date.now();
  try { await fn(); results.push([name, true]); console.log(`ok   ${name} (${Date.now() - started} ms)`); }
  catch (err) { results.push([name, false]); console.log(`FAIL ${name}\n     ${err.stack || err}`); throw err; }
}

// "N passed, N failed" (of this harness's steps, or of a test's own list), and the exit code that says which.
export function report(list = results) {
  const passed = list.filter(([, ok]) => ok).length, failed = list.length - passed;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

export function expect(cond, message) { if (!cond) throw new Error(message); }

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
export async function accessible(p, state) {
  if (!(await p.evaluate(() => Boolean(window.axe)))) await p.evaluate(readFileSync(axePath, "utf8"));
  const { violations } = await p.evaluate(() => window.axe.run(document, { runOnly: { type: "tag",
    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } }));
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(!bad.length, `axe on ${state}: ${bad.map((v) => `${v.id} at ${v.nodes.map((n) => n.target.join(" "))}`).join("; ")}`);
}
