// Speakers by name, in Debian's Chromium against the local cloud (deterministic engine: each test WAV carries its
// speakers' voice embeddings, standing in for the encoder's): names given at upload name the speakers; a speaker named
// in one recording is suggested under that name in the next recording of the same voice, applied only when confirmed;
// the account page lists the named voices and forgets one. Screenshots: frontend/test-results/voices-*.png.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { startCloud } from "./cloud.mjs";
import { accessible, expect, report, results, step } from "./harness.mjs";

const root = resolve(new URL("../..", import.meta.url).pathname);
const python = process.env.PYTHON || join(root, ".venv/bin/python");
const shots = join(root, "frontend/test-results");
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "transcribe-voices-"));

// Three dialogues: Vera's voice is A in the second and B in the third (a little different, as a voice is each time).
execFileSync(python, ["-c", `
import math, sys
from pathlib import Path
from local.assemblyai.media import dialogue_script, make_wav
def voice(seed, near=None, spread=0.0):
    base = near or [math.sin(seed * 7.1 + i * 1.3) + math.cos(seed * 3.7 * i) for i in range(256)]
    v = [x + spread * math.sin(seed * 11.3 + i * 2.9) for i, x in enumerate(base)]
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]
vera = voice(1)
files = {
    "names.wav": {"A": voice(2), "B": voice(3)},
    "vera-first.wav": {"A": vera, "B": voice(4)},
    "vera-again.wav": {"A": voice(5), "B": voice(6, vera, 0.02)},
}
turns = [("A", "Good morning, thanks for coming."), ("B", "Glad to be here."), ("A", "Let us begin.")]
for name, voices in files.items():
    script = dialogue_script(turns, 6.0)
    script["speaker_embeddings"] = voices
    Path(sys.argv[1], name).write_bytes(make_wav(script, 6.0))
`, work], { cwd: root });

const { proc, url } = await startCloud({ python, root, log: join(shots, "local-cloud-voices.log"), dataDir: join(work, "data") });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--lang=en-US"] });
const context = await browser.newContext({ locale: "en-US", viewport: { width: 1100, height: 800 } });
const page = await context.newPage();
const consoleErrors = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));

async function upload(file, names = "") {
  await page.goto(`${url}/`);
  await page.getByRole("heading", { name: "New transcription" }).waitFor();
  await page.getByLabel("Dialogue (speaker labels)").check();
  await page.getByTestId("speaker-names").fill(names);
  await page.getByTestId("file-input").setInputFiles(join(work, file));
  await page.locator('[data-testid="job"][data-status="completed"]').filter({ hasText: file }).waitFor({ timeout: 30_000 });
  await page.getByRole("link", { name: file }).click();
  await page.locator("ol.lines").waitFor();
}
const speakers = async () => (await page.locator("ol.lines .speaker").allInnerTexts());

try {
  await step("sign up", async () => {
    await page.goto(`${url}/signup`);
    await page.getByLabel("Email").fill(`voices-${Date.now()}@example.com`);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "New transcription" }).waitFor();
  });

  await step("the names field is offered for a dialogue only (the engine identifies speakers)", async () => {
    expect(!(await page.getByTestId("speaker-names").isVisible()), "names offered for one speaker");
    await page.getByLabel("Dialogue (speaker labels)").check();
    await page.getByTestId("speaker-names").waitFor();
    await accessible(page, "upload panel with names");
  });

  await step("names given at upload name the speakers, and stay the user's to change", async () => {
    await upload("names.wav", "Anna, Boris");
    const shown = await speakers();
    expect(JSON.stringify(shown) === JSON.stringify(["Anna", "Boris", "Anna"]), `speakers: ${shown}`);
    await page.screenshot({ path: join(shots, "voices-1-named-at-upload.png"), fullPage: true });
    await page.getByText("Rename speakers").click();
    await page.getByLabel("Speaker B").fill("Bob");
    await page.getByRole("button", { name: "Save names" }).click();
    await page.locator("ol.lines .speaker").filter({ hasText: "Bob" }).first().waitFor();
  });

  await step("a speaker named in one recording is suggested by voice in the next, applied only when confirmed", async () => {
    await upload("vera-first.wav");
    expect(!(await page.getByTestId("voice-suggestions").isVisible()), "a suggestion before anyone was named");
    await page.getByText("Rename speakers").click();
    await page.getByLabel("Speaker A").fill("Vera");
    await page.getByRole("button", { name: "Save names" }).click();
    await page.locator("ol.lines .speaker").filter({ hasText: "Vera" }).first().waitFor();

    await upload("vera-again.wav");
    await page.getByTestId("voice-suggestions").getByText("Speaker B sounds like Vera.").waitFor();
    let shown = await speakers();
    expect(!shown.includes("Vera"), `applied without asking: ${shown}`);
    await accessible(page, "transcript with a suggestion");
    await page.screenshot({ path: join(shots, "voices-2-suggested.png"), fullPage: true });
    await page.getByRole("button", { name: "Name Speaker B Vera" }).click();
    await page.locator("ol.lines .speaker").filter({ hasText: "Vera" }).first().waitFor();
    shown = await speakers();
    expect(JSON.stringify(shown) === JSON.stringify(["Speaker A", "Vera", "Speaker A"]), `speakers: ${shown}`);
    expect(!(await page.getByTestId("voice-suggestions").isVisible()), "the suggestion stays after confirming");
    await page.getByText("Rename speakers").click();
    const field = await page.getByLabel("Speaker B").inputValue();
    expect(field === "Vera", `the rename form after confirming: "${field}"`);
  });

  await step("the account page lists the named voices and forgets one", async () => {
    await page.goto(`${url}/account`);
    const voices = page.getByTestId("voices");
    await voices.getByText("named in 2 recordings").waitFor();
    const names = await voices.getByTestId("voice-name").allInnerTexts();
    expect(JSON.stringify(names) === JSON.stringify(["Anna", "Bob", "Vera"]), `voices: ${names}`);
    await accessible(page, "account with voices");
    await page.screenshot({ path: join(shots, "voices-3-account.png"), fullPage: true });
    await voices.getByRole("button", { name: "Forget Vera" }).click();
    await voices.getByText("Vera forgotten.").waitFor();
    const left = await voices.getByTestId("voice-name").allInnerTexts();
    expect(JSON.stringify(left) === JSON.stringify(["Anna", "Bob"]), `voices left: ${left}`);
  });

  await step("no console errors", async () => {
    expect(consoleErrors.length === 0, `console errors: ${consoleErrors.join("\n")}`);
  });
} catch {
  // the failing step already printed why
} finally {
  await browser.close();
  proc.kill("SIGTERM");
}
report();
