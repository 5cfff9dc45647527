// Chromium against `python -m local` stopped and started again on the same data directory: after Ctrl-C the recording
// still plays; after a SIGKILL with the recording removed from storage, the player says it is gone (no silent 0:00).
// Prints "N passed, N failed".
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { expect, report } from "./harness.mjs";

const root = resolve(new URL("../..", import.meta.url).pathname);
const python = process.env.PYTHON || join(root, ".venv/bin/python");
const shots = join(root, "frontend/test-results");
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "transcribe-restart-"));
const data = join(work, "data");
const wav = join(work, "kept.wav");
execFileSync(python, ["-m", "local.assemblyai.media", "--out", wav, "--duration", "3", "--mono", "Kept across restarts."],
  { cwd: root });
const cloudLog = join(shots, "local-cloud-restart.log");
const log = openSync(cloudLog, "w");
let ports = ["0", "0", "0", "0"];

// Started in its own process group, so a SIGKILL takes all of it, as a crash would.
function startCloud() {
  const offset = statSync(cloudLog).size;
  const proc = spawn(python, ["-m", "local", "--port", ports[0], "--s3-port", ports[1], "--assemblyai-port", ports[2],
    "--mail-port", ports[3], "--data-dir", data, "--engine", "deterministic", "--reconcile-interval", "2"],
    { cwd: root, stdio: ["ignore", log, log], detached: true });
  return new Promise((ok, fail) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const text = readFileSync(cloudLog, "utf8").slice(offset);
      if (text.includes("Ctrl-C stops it")) {
        clearInterval(poll);
        const port = (re) => new URL(text.match(re)[1]).port;
        ports = [port(/running at (http:\S+)/), port(/S3: (http:\S+)/), port(/AssemblyAI stand-in: (http:\S+)/),
          port(/password resets\): (http:\S+)/)];  // the same ports next time: links already handed out still work
        ok({ proc, url: text.match(/running at (http:\S+)/)[1] });
      } else if (proc.exitCode !== null || Date.now() - started > 60_000) {
        clearInterval(poll); fail(new Error(`local cloud did not start:\n${text}`));
      }
    }, 100);
  });
}

function stopCloud(proc, sig) {
  return new Promise((ok) => { proc.on("exit", ok); process.kill(sig === "SIGKILL" ? -proc.pid : proc.pid, sig); });
}

const results = [];
async function step(name, fn) {
  try { await fn(); results.push([name, true]); console.log(`ok   ${name}`); }
  catch (err) { results.push([name, false]); console.log(`FAIL ${name}\n     ${err.stack || err}`); throw err; }
}
const playable = (page) => page.getByTestId("player").evaluate((el) => new Promise((ok) => {
  if (el.readyState >= 1) ok(el.duration); else { el.onloadedmetadata = () => ok(el.duration); el.onerror = () => ok(0); }
}));

let cloud = await startCloud();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"] });
const page = await browser.newPage();
let transcriptUrl = "";
try {
  await step("sign up, upload and transcribe", async () => {
    await page.goto(`${cloud.url}/signup`);
    await page.getByLabel("Email").fill(`restart-${Date.now()}@example.com`);
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByTestId("file-input").setInputFiles(wav);
    await page.locator('[data-testid="job"][data-status="completed"]').first().waitFor({ timeout: 30_000 });
    await page.getByRole("link", { name: "kept.wav" }).click();
    expect((await playable(page)) > 2, "the recording plays before the restart");
    transcriptUrl = page.url();
  });

  await step("after Ctrl-C and a restart the recording still plays", async () => {
    await stopCloud(cloud.proc, "SIGINT");
    cloud = await startCloud();
    await page.goto(transcriptUrl);
    expect((await playable(page)) > 2, "the recording plays after the restart");
    expect(await page.getByTestId("player-error").count() === 0, "no error is shown");
  });

  await step("a recording that is really gone says so", async () => {
    await stopCloud(cloud.proc, "SIGKILL");
    const objects = join(data, "s3", "transcribe-media", "objects");
    for (const name of readdirSync(objects)) rmSync(join(objects, name));  // lost from storage, kept in the database
    cloud = await startCloud();
    await page.goto(transcriptUrl);
    const message = page.getByTestId("player-error");
    await message.waitFor({ timeout: 15_000 });
    expect(/no longer stored/.test(await message.innerText()), `message: ${await message.innerText()}`);
    expect(await page.locator("ol.lines li").count() > 0, "the transcript is still shown");
    await page.screenshot({ path: join(shots, "restart-recording-gone.png"), fullPage: true });
  });
} catch {
  // the failing step already printed why
} finally {
  await browser.close();
  await stopCloud(cloud.proc, "SIGTERM");
}
report(results);  // this file's own steps
