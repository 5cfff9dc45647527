// Record in the browser, end to end: Debian's Chromium with a fake microphone that speaks an espeak-ng sentence
// (--use-file-for-fake-audio-capture), against the local cloud with the offline Whisper engine, so the words come back.
//   1. record, pause (the clock stands still), resume, stop: the recording is uploaded and transcribed, and nothing of it
//      stays in the browser's storage;
//   2. the tab is closed mid-recording: opened again, the page offers what was kept, and uploads it;
//   3. a browser that refuses the microphone: the page says so and how to allow it.
// Screenshots go to frontend/test-results/record-*.png. Prints "N passed, N failed".
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { startCloud } from "./cloud.mjs";
import { accessible, expect, report, results, step } from "./harness.mjs";

const root = resolve(new URL("../..", import.meta.url).pathname);
const python = process.env.PYTHON || join(root, ".venv/bin/python");
const shots = join(root, "frontend/test-results");
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "transcribe-record-"));
const voice = join(work, "voice.wav");
// The fake microphone plays this file in a loop: a sentence, then a second of silence.
execFileSync(python, ["-c", `import sys; from local.assemblyai.espeak import say, silence, wav
frames, rate = say("Please remember to buy fresh bread and milk on the way home.")
open(sys.argv[1], "wb").write(wav(frames + b"\\x00\\x00" * rate, rate))`, voice], { cwd: root });

const BASE_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
const launch = (args) => chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [...BASE_ARGS, ...args] });

const LIMIT_S = 20;  // the capabilities' limit for this run, so a recording can reach it
const cloud = await startCloud({ python, root, engine: "whisper", log: join(shots, "local-cloud-record.log"),
  dataDir: join(work, "data"), env: { MAX_RECORDING_SECONDS: String(LIMIT_S) } });
const url = cloud.url;
const browser = await launch(["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
  `--use-file-for-fake-audio-capture=${voice}`]);
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 800 } });
const consoleErrors = [];
function watch(p) {
  p.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  p.on("pageerror", (e) => consoleErrors.push(String(e)));
  return p;
}
const recordingLink = (p) => p.getByRole("link", { name: /^Recording \d{4}-\d\d-\d\d \d\d\.\d\d\.(webm|ogg|m4a)$/ });
const keptInBrowser = (p) => p.evaluate(() => new Promise((ok, fail) => {
  const open = indexedDB.open("transcribe.recordings");
  open.onerror = () => fail(open.error);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains("recordings")) { db.close(); ok(-1); return; }
    const count = db.transaction("recordings").objectStore("recordings").count();
    count.onsuccess = () => { db.close(); ok(count.result); };
  };
}));
const recorded = async (p) => Number(await p.getByTestId("record-time").getAttribute("data-ms"));

async function transcriptOf(p) {
  await recordingLink(p).first().click();
  await p.locator("ol.lines li").first().waitFor({ timeout: 15_000 });
  return (await p.locator("ol.lines li").allInnerTexts()).join(" ");
}

let page = watch(await context.newPage());
const owner = { email: `record-${Date.now()}@example.com`, password: "a long enough password" };
async function signOut(p) {
  await p.getByRole("button", { name: "Sign out" }).click();
  await p.getByRole("button", { name: "Sign in" }).waitFor();
}
try {
  await step("sign up; the upload card offers Record", async () => {
    await page.goto(`${url}/signup`);
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill(owner.password);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "New transcription" }).waitFor();
    await page.getByRole("button", { name: "Record", exact: true }).waitFor();
    await page.getByRole("button", { name: "Record", exact: true }).and(page.locator(":enabled")).waitFor();
    await page.getByTestId("language").selectOption("en");
  });

  await step("record, pause (the clock stands still), resume and stop: the words come back transcribed", async () => {
    await page.getByRole("button", { name: "Record", exact: true }).click();
    await page.locator('[data-testid=recorder][data-state=recording]').waitFor();
    // The meter moves with the voice (the fake microphone speaks).
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=record-level]")?.value) > 0.2,
      null, { timeout: 5000 });
    await page.waitForTimeout(3000);
    await accessible(page, "recording");
    await page.screenshot({ path: join(shots, "record-1-recording.png") });
    await page.getByRole("button", { name: "Pause" }).click();
    await page.locator('[data-testid=recorder][data-state=paused]').waitFor();
    const atPause = await recorded(page);
    await page.waitForTimeout(1500);
    expect(await recorded(page) === atPause && atPause >= 2900, `paused at ${atPause} ms, then ${await recorded(page)}`);
    expect(/0:0\d of 0:20/.test(await page.getByTestId("record-time").innerText()), "the time of the limit is shown");
    await page.getByRole("button", { name: "Resume" }).click();
    await page.waitForTimeout(4000);
    const total = await recorded(page);
    expect(total >= atPause + 3500 && total < atPause + 5500, `after resuming: ${total} ms (paused at ${atPause})`);
    expect(await keptInBrowser(page) === 1, "kept in IndexedDB while recording");
    await page.evaluate(() => {  // every line the upload shows (a poll would miss the short states)
      window.__lines = [];
      new MutationObserver(() => document.querySelectorAll("[data-testid=upload-done]")
        .forEach((el) => window.__lines.push(el.innerText))).observe(document.body, { subtree: true, childList: true,
        characterData: true });
    });
    await page.getByRole("button", { name: "Stop and transcribe" }).click();
    await page.locator('[data-testid="job"][data-status="completed"]').first().waitFor({ timeout: 120_000 });
    await page.screenshot({ path: join(shots, "record-2-transcribed.png"), fullPage: true });
    // Accepted: the browser's copy is gone, and nothing is offered again.
    expect(await keptInBrowser(page) === 0, "the browser's copy is deleted once the upload is accepted");
    expect(await page.getByTestId("kept-recordings").count() === 0, "nothing offered");
    // While it was transcribed, the upload line said how long the recording is (the browser's WebM does not say it):
    // when that state was seen at all (a short recording may be done between two polls of the job list).
    const lines = await page.evaluate(() => window.__lines);
    const during = lines.filter((l) => /transcribing/.test(l));
    expect(during.every((l) => /transcribing 0:\d\d of audio/.test(l)), `the length while transcribing: ${during}`);
    // The file is as long as the time recorded: the pause left no gap in it.
    const row = await page.locator('[data-testid="job"]').first().innerText();
    const [, m, sec] = row.match(/\b(\d+):(\d\d)\b/) ?? [];
    const seconds = Number(m) * 60 + Number(sec), wanted = (total + 300) / 1000;  // + the moment Stop takes
    expect(Math.abs(seconds - wanted) <= 1.5, `the job says ${seconds} s; recorded ${total} ms: ${row.replace(/\s+/g, " ")}`);
    const text = await transcriptOf(page);
    expect(/bread/i.test(text) && /milk/i.test(text), `the recording's words: ${text}`);
  });

  await step("a tab closed mid-recording: opened again, the page offers the recording and uploads it", async () => {
    await page.goto(`${url}/`);
    await page.getByTestId("language").selectOption("en");
    await page.getByRole("button", { name: "Record", exact: true }).click();
    await page.locator('[data-testid=recorder][data-state=recording]').waitFor();
    await page.waitForTimeout(4500);
    await page.close();  // as a person closing the tab (no beforeunload question in a test)
    page = watch(await context.newPage());
    await page.goto(`${url}/`);
    const offer = page.getByTestId("kept-recording");
    await offer.waitFor({ timeout: 10_000 });
    const line = await offer.innerText();
    expect(/the page was closed while recording/.test(line) && /0:0[3-5]/.test(line), `the offer: ${line}`);
    await accessible(page, "the offer of a kept recording");
    await page.screenshot({ path: join(shots, "record-3-offered.png"), fullPage: true });
    // Another account signed in on this browser is not offered it; its own account is, once back.
    await signOut(page);
    await page.goto(`${url}/signup`);
    await page.getByLabel("Email").fill(`other-${Date.now()}@example.com`);
    await page.getByLabel("Password").fill("another long password");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("button", { name: "Record", exact: true }).waitFor();
    await page.waitForTimeout(1000);
    expect(await page.getByTestId("kept-recording").count() === 0, "another account is offered the recording");
    await signOut(page);
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill(owner.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await offer.waitFor({ timeout: 10_000 });
    const saved = page.waitForEvent("download");
    await offer.getByRole("button", { name: /^Download/ }).click();
    const file = await saved;
    expect(/^Recording .*\.webm$/.test(file.suggestedFilename()), `downloaded as ${file.suggestedFilename()}`);
    const kept = readFileSync(await file.path());
    expect(kept.length > 20_000 && kept.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])),
      `a WebM file of the seconds kept: ${kept.length} bytes`);
    await page.locator('[data-testid="job"]').first().waitFor();  // the list has loaded: count after that
    const jobsBefore = await page.locator('[data-testid="job"]').count();
    await offer.getByRole("button", { name: /^Upload and transcribe/ }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="job"][data-status="completed"]').length > n,
      jobsBefore, { timeout: 120_000 });
    expect(await page.getByTestId("kept-recordings").count() === 0, "the offer is gone once uploaded");
    expect(await keptInBrowser(page) === 0, "and so is the browser's copy");
    await page.reload();
    await page.getByRole("heading", { name: "Your transcriptions" }).waitFor();
    await page.waitForTimeout(500);
    expect(await page.getByTestId("kept-recording").count() === 0, "not offered again after a reload");
    const text = await transcriptOf(page);
    expect(/bread|milk/i.test(text), `the kept recording's words: ${text}`);
  });

  await step("a recording stops by itself at the capabilities' limit, says so, and is transcribed", async () => {
    await page.goto(`${url}/`);
    await page.locator('[data-testid="job"]').nth(1).waitFor();  // the list has loaded its two jobs: count after that
    const jobsBefore = await page.locator('[data-testid="job"]').count();
    await page.getByRole("button", { name: "Record", exact: true }).click();
    await page.locator('[data-testid=recorder][data-state=recording]').waitFor();
    await page.getByText(`reached the limit of 0:${LIMIT_S}`).waitFor({ timeout: (LIMIT_S + 5) * 1000 });
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="job"][data-status="completed"]').length > n,
      jobsBefore, { timeout: 120_000 });
    const row = await page.locator('[data-testid="job"]').first().innerText();
    // About the limit: the recorder stops on a 100 ms clock, later when a loaded machine starves the page's timers.
    const [, m, sec] = row.match(/\b(\d+):(\d\d)\b/) ?? [];
    const seconds = Number(m) * 60 + Number(sec);
    expect(seconds >= LIMIT_S - 1 && seconds <= LIMIT_S + 3, `a ${LIMIT_S} s recording, the job says ${seconds} s: ${
      row.replace(/\s+/g, " ")}`);
  });

  await step("a microphone refused: the page says so, and how to allow it", async () => {
    // Another browser, without the flag that grants media: its permission question is answered "block".
    const refusing = await launch(["--use-fake-device-for-media-stream", "--deny-permission-prompts"]);
    try {
      const ctx = await refusing.newContext({ viewport: { width: 1100, height: 800 } });
      const p = await ctx.newPage();
      await p.goto(`${url}/signup`);
      await p.getByLabel("Email").fill(`refused-${Date.now()}@example.com`);
      await p.getByLabel("Password").fill("a long enough password");
      await p.getByRole("button", { name: "Sign up" }).click();
      await p.getByRole("button", { name: "Record", exact: true }).and(p.locator(":enabled")).click();
      const refusal = p.getByTestId("record-refused");
      await refusal.waitFor({ timeout: 10_000 });
      const text = await refusal.innerText();
      expect(/microphone was refused/.test(text) && /set Microphone to Allow/.test(text), `the explanation: ${text}`);
      expect(await p.getByRole("button", { name: "Record", exact: true }).isEnabled(), "Record may be pressed again");
      await accessible(p, "microphone refused");
      await p.screenshot({ path: join(shots, "record-4-refused.png"), fullPage: true });
    } finally { await refusing.close(); }
  });

  await step("no console errors", async () => {
    expect(consoleErrors.length === 0, `console errors: ${consoleErrors.join("\n")}`);
  });
} catch {
  // the failing step already printed why
} finally {
  await browser.close();
  cloud.proc.kill("SIGTERM");
}
report();
