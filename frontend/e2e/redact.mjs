// Redaction and translation, end to end in Chromium: a dialogue uploaded with personal data redacted (names, phone
// numbers, a redacted copy of the recording) and a German translation; the transcript shows the redacted text,
// plays and downloads the redacted recording, shows the translation beside each line and exports it; the entities
// play from their moment. Screenshots go to frontend/test-results/redact-*.png. Prints "N passed, N failed".
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
const work = mkdtempSync(join(tmpdir(), "transcribe-redact-"));
const wav = join(work, "call.wav");
// A test WAV whose script carries its German translation, line by line (local/assemblyai/understanding.py).
execFileSync(python, ["-c", `
import sys
from local.assemblyai.media import dialogue_script, make_wav
script = dialogue_script([("A", "Hello, I am Anna from London."), ("B", "Call me on 5551234567 please.")], 6.0)
script["translations"] = {"de": ["Hallo, ich bin [PERSON_NAME] aus London.", "Rufen Sie mich unter [PHONE_NUMBER] an."]}
open(sys.argv[1], "wb").write(make_wav(script, 6.0))
`, wav], { cwd: root });

const cloudLog = join(shots, "local-cloud-redact.log");
const { proc, url } = await startCloud({ python, root, log: cloudLog, dataDir: join(work, "data") });
// The AssemblyAI stand-in's test controls (local/assemblyai/server.py: /_control/faults).
const standIn = readFileSync(cloudLog, "utf8").match(/AssemblyAI stand-in: (http:\/\/\S+)/)[1];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--lang=en-GB", "--autoplay-policy=no-user-gesture-required"] });
const context = await browser.newContext({ locale: "en-GB", acceptDownloads: true, viewport: { width: 1200, height: 900 } });
const page = await context.newPage();
const consoleErrors = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));
const token = () => page.evaluate(() => localStorage.getItem("transcribe.token"));

try {
  await step("sign up; the upload panel offers redaction, translation and entities (the engine has them)", async () => {
    await page.goto(`${url}/signup`);
    await page.getByLabel("Email").fill(`redact-${Date.now()}@example.com`);
    await page.getByLabel("Password").fill("a long enough passphrase");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByTestId("understanding").waitFor();
    expect(await page.getByTestId("redact").isVisible(), "the redaction option");
    expect(await page.getByTestId("entities").isVisible(), "the entities option");
  });

  await step("create a job with redaction (names, phone numbers, a redacted recording) and German", async () => {
    await page.getByLabel("Dialogue (speaker labels)").check();
    await page.getByTestId("redact").check();
    expect(await page.locator('[data-policy="person_name"]').isChecked(), "names are ticked first");
    expect(await page.locator('[data-policy="phone_number"]').isChecked(), "phone numbers are ticked first");
    await page.getByTestId("redact-audio").check();
    await page.getByTestId("translate").selectOption("de");
    await page.getByTestId("entities").check();
    await accessible(page, "upload options");
    await page.screenshot({ path: join(shots, "redact-1-options.png"), fullPage: true });
    // Downloads of the redacted recording fail (503) until the fault is cleared below: the webhook's copy, the
    // notification's and the sweeps' all wait; the page says so, then shows it by itself once a sweep has copied it.
    const fault = await fetch(`${standIn}/_control/faults`, { method: "POST",
      body: JSON.stringify({ op: "redacted_download", status: 503, times: 1000 }) });
    expect(fault.ok, `the fault: ${fault.status}`);
    await page.getByTestId("file-input").setInputFiles(wav);
    await page.locator('[data-testid="job"][data-status="completed"]').first().waitFor({ timeout: 30_000 });
  });

  await step("the transcript is redacted and says which kinds", async () => {
    await page.getByRole("link", { name: "call.wav" }).click();
    await page.locator("ol.lines").waitFor();
    const lines = await page.locator("ol.lines").innerText();
    expect(lines.includes("[PERSON_NAME]") && lines.includes("[PHONE_NUMBER]"), `redacted text: ${lines}`);
    expect(!lines.includes("Anna") && !lines.includes("5551234567"), `no personal data left: ${lines}`);
    const note = await page.getByTestId("redaction").innerText();
    expect(note.includes("names") && note.includes("phone numbers"), `the note: ${note}`);
  });

  await step("the copy failed, is retried by the sweep, and shows up by itself; then play and download it", async () => {
    const version = page.locator('[data-version="redacted"]');
    await page.getByText("The redacted recording is still being copied").waitFor();
    expect(!(await version.isVisible()), "no redacted version offered before it is ours");
    expect((await fetch(`${standIn}/_control/faults`, { method: "DELETE" })).ok, "the fault cleared");
    await version.waitFor({ timeout: 20_000 });  // the sweep runs every 2 s here; the page reads again every 5 s
    const before = await page.getByTestId("player").getAttribute("src");
    await version.check();
    await page.waitForFunction((old) => document.querySelector('[data-testid="player"]')?.getAttribute("src") !== old,
      before);
    const src = await page.getByTestId("player").getAttribute("src");
    expect(src.includes("redacted-"), `the player plays the redacted copy: ${src}`);
    await page.evaluate(() => document.querySelector('[data-testid="player"]').play());
    await page.waitForFunction(() => document.querySelector('[data-testid="player"]').currentTime > 0.2,
      null, { timeout: 10_000 });
    const download = page.waitForEvent("download");
    await page.getByTestId("download-redacted").click();
    const saved = await download;
    expect(saved.suggestedFilename() === "call.redacted.mp3", `the name: ${saved.suggestedFilename()}`);
    const bytes = readFileSync(await saved.path());
    expect(bytes.subarray(0, 3).toString() === "ID3", "the download is the MP3 AssemblyAI makes by default");
    const original = await page.evaluate(async (t) => (await fetch(`/api/v1/jobs`, {
      headers: { Authorization: `Bearer ${t}` } })).json(), await token());
    expect(original.items.length === 1, "one job: the redacted recording is a version of it, not another job");
    await page.locator('[data-version="original"]').check();
    await page.waitForFunction(() => !document.querySelector('[data-testid="player"]')?.getAttribute("src")
      ?.includes("redacted-"));
  });

  await step("the German translation beside each line, and its export", async () => {
    await page.getByTestId("show-translation").selectOption("de");
    const translated = page.getByTestId("translated-line");
    await translated.first().waitFor();
    expect(await translated.count() === 2, `one translation per line: ${await translated.count()}`);
    expect((await translated.nth(1).innerText()).includes("Rufen Sie mich unter [PHONE_NUMBER] an."),
      `line 2: ${await translated.nth(1).innerText()}`);
    const boxes = await page.locator("ol.lines li").first().evaluate((li) => {
      const text = li.querySelector(".text").getBoundingClientRect();
      const tr = li.querySelector(".translation").getBoundingClientRect();
      return { textRight: text.right, trLeft: tr.left, textTop: text.top, trTop: tr.top };
    });
    expect(boxes.trLeft >= boxes.textRight && Math.abs(boxes.trTop - boxes.textTop) < 20,
      `side by side: ${JSON.stringify(boxes)}`);
    await accessible(page, "transcript with translation");
    await page.screenshot({ path: join(shots, "redact-2-transcript.png"), fullPage: true });
    const download = page.waitForEvent("download");
    await page.locator('[data-export-translation="txt"]').click();
    const file = await download;
    const text = readFileSync(await file.path(), "utf8");
    expect(file.suggestedFilename() === "call.de.txt", `the name: ${file.suggestedFilename()}`);
    expect(text === "Speaker A: Hallo, ich bin [PERSON_NAME] aus London.\n\n"
      + "Speaker B: Rufen Sie mich unter [PHONE_NUMBER] an.\n", `the export: ${JSON.stringify(text)}`);
    const srt = page.waitForEvent("download");
    await page.locator('[data-export-translation="srt"]').click();
    expect(readFileSync(await (await srt).path(), "utf8").includes("Hallo, ich bin"), "the SRT is German");
  });

  await step("entities are listed and marked, and one plays from its moment", async () => {
    const list = page.getByTestId("entities");
    await list.waitFor();
    const text = await list.innerText();
    expect(text.includes("London") && text.includes("place"), `the entities: ${text}`);
    expect(!text.includes("Anna") && text.includes("[PERSON_NAME]"), `a redacted name stays redacted here: ${text}`);
    expect(await page.locator("ol.lines .word.entity").count() >= 1, "marked in the text");
    const london = list.getByRole("button", { name: /London: play from/ });
    const at = Number(await london.getAttribute("data-start"));
    await london.click();
    await page.waitForFunction((ms) => {
      const p = document.querySelector('[data-testid="player"]');
      return p && p.currentTime * 1000 >= ms - 50;
    }, at);
  });

  await step("no console errors", async () => {
    const real = consoleErrors.filter((e) => !/status of (401|409|422)/.test(e));
    expect(real.length === 0, `console errors: ${real.join("\n")}`);
  });
} catch {
  // the failing step already printed why
} finally {
  await browser.close();
  proc.kill("SIGTERM");
}
report();
