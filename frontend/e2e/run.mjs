// Browser end to end: Debian's Chromium (playwright-core) against the local cloud with the deterministic engine.
// Screenshots of each screen go to frontend/test-results/ for a reviewer. Prints "N passed, N failed".
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createServer } from "node:http";
import { chromium } from "playwright-core";

const root = resolve(new URL("../..", import.meta.url).pathname);
const python = process.env.PYTHON || join(root, ".venv/bin/python");
const shots = join(root, "frontend/test-results");
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "transcribe-e2e-"));
const wav = join(work, "interview.wav");
const oneVoice = join(work, "one-voice.wav");  // dialogue mode, count blank, and the engine hears one voice
execFileSync(python, ["-m", "local.assemblyai.media", "--out", oneVoice, "--duration", "6", "--dialogue",
  "A:Hello, this is a note to myself.", "A:Buy bread on the way home."], { cwd: root });
execFileSync(python, ["-m", "local.assemblyai.media", "--out", wav, "--duration", "8", "--dialogue",
  "A:Welcome to the interview.", "B:Thank you, glad to be here.", "A:Let us begin with your work."], { cwd: root });

// A "public" file server for the URL import step (loopback here, so the cloud is told to admit it).
const linked = join(work, "linked.wav");
execFileSync(python, ["-m", "local.assemblyai.media", "--out", linked, "--duration", "4", "--mono", "A talk fetched from a link."],
  { cwd: root });
const fileServer = createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "audio/wav" }); res.end(readFileSync(linked));
});
await new Promise((ok) => fileServer.listen(0, "127.0.0.1", ok));
const fileHost = `127.0.0.1:${fileServer.address().port}`;

// The cloud logs to a file (kept with the screenshots), so nothing it prints while stopping can break a pipe.
function startCloud(engine = "deterministic") {
  const cloudLog = join(shots, `local-cloud-${engine}.log`);
  const out = openSync(cloudLog, "w");
  const proc = spawn(python, ["-m", "local", "--port", "0", "--s3-port", "0", "--assemblyai-port", "0", "--mail-port", "0",
    "--data-dir", join(work, `data-${engine}`), "--engine", engine, "--reconcile-interval", "2",
    "--webhook-retry-interval", "0.2"], { cwd: root, stdio: ["ignore", out, out],
    env: { ...process.env, URL_IMPORT_ALLOWED_HOSTS: fileHost } });
  return new Promise((ok, fail) => {
    const started = Date.now();
    proc.on("exit", (code) => fail(new Error(`local cloud exited (${code}):\n${readFileSync(cloudLog, "utf8")}`)));
    const poll = setInterval(() => {
      const log = readFileSync(cloudLog, "utf8");
      const m = log.match(/running at (http:\/\/\S+)/), mail = log.match(/mail it sent \(password resets\): (http:\/\/\S+)/);
      if (m && mail) { clearInterval(poll); ok({ proc, url: m[1], mailUrl: mail[1] }); }
      else if (Date.now() - started > 60_000) { clearInterval(poll); fail(new Error("local cloud did not start")); }
    }, 100);
  });
}

const results = [];
async function step(name, fn) {
  const started = Date.now();
  try { await fn(); results.push([name, true]); console.log(`ok   ${name} (${Date.now() - started} ms)`); }
  catch (err) { results.push([name, false]); console.log(`FAIL ${name}\n     ${err.stack || err}`); throw err; }
}
function expect(cond, message) { if (!cond) throw new Error(message); }

const { proc, url, mailUrl } = await startCloud();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"] });
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 800 } });
const page = await context.newPage();
const consoleErrors = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));
const email = `e2e-${Date.now()}@example.com`;

try {
  await step("sign up", async () => {
    await page.goto(`${url}/signup`);
    await page.screenshot({ path: join(shots, "1-signup.png") });
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "New transcription" }).waitFor();
    expect(await page.getByText(email).isVisible(), "the signed-in email is shown");
  });

  await step("a reload stays signed in", async () => {
    await page.reload();
    await page.getByRole("heading", { name: "Your transcriptions" }).waitFor();
  });

  await step("upload a WAV and watch the progress bar reach 100%", async () => {
    await page.getByLabel("Dialogue (speaker labels)").check();
    await page.getByLabel("Speakers (optional)").fill("2");
    // Record every progress value the page shows (a local upload is fast: a poll would miss it).
    await page.evaluate(() => {
      window.__progress = [];
      new MutationObserver(() => document.querySelectorAll("progress").forEach((p) => window.__progress.push(p.value)))
        .observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["value"] });
    });
    await page.getByTestId("file-input").setInputFiles(wav);
    await page.getByTestId("upload-done").waitFor({ timeout: 20_000 });
    const seen = await page.evaluate(() => window.__progress);
    expect(seen.length > 0 && Math.max(...seen) === 100, `progress values seen: ${JSON.stringify(seen)}`);
  });

  await step("the job turns completed without a reload", async () => {
    await page.locator('[data-testid="job"][data-status="completed"]').first().waitFor({ timeout: 30_000 });
    const row = page.getByTestId("job").first();
    expect((await row.innerText()).includes("Done"), "the stage reads Done");
    expect((await row.innerText()).includes("0:08"), "the duration is shown");
    await page.screenshot({ path: join(shots, "2-jobs.png"), fullPage: true });
  });

  await step("open the dialogue transcript", async () => {
    await page.getByRole("link", { name: "interview.wav" }).click();
    await page.locator("ol.lines").getByText("Speaker B").first().waitFor();
    const lines = await page.locator("ol.lines li").allInnerTexts();
    expect(lines.length === 3 && lines[1].includes("Thank you, glad to be here."), `lines: ${lines}`);
    await page.screenshot({ path: join(shots, "3-transcript.png"), fullPage: true });
  });

  await step("clicking a line seeks the player and highlights it", async () => {
    const player = page.getByTestId("player");
    await player.evaluate((el) => new Promise((ok) => (el.readyState >= 1 ? ok() : el.addEventListener("loadedmetadata", ok))));
    const line = page.locator("ol.lines li").nth(2).locator("button.stamp");
    const start = Number(await line.getAttribute("data-start")) / 1000;
    await line.click();
    const t = await player.evaluate((el) => el.currentTime);
    expect(Math.abs(t - start) < 0.6, `player at ${t}s, line starts at ${start}s`);
    await page.locator("ol.lines li.active").waitFor();
    expect((await page.locator("ol.lines li.active").innerText()).includes("Let us begin"), "the clicked line is active");
  });

  await step("player: a word seeks and lights up, speed, skips and shortcuts", async () => {
    const player = page.getByTestId("player");
    const word = page.locator("ol.lines li").nth(1).locator(".word").nth(2);
    const at = Number(await word.getAttribute("data-start")) / 1000;
    await word.click();
    expect(Math.abs((await player.evaluate((el) => el.currentTime)) - at) < 0.6, "the player is at the clicked word");
    await page.locator(".word.now").first().waitFor();
    await page.getByTestId("speed").selectOption("1.5");
    expect((await player.evaluate((el) => el.playbackRate)) === 1.5, "speed 1.5x");
    await player.evaluate((el) => el.pause());
    const before = await player.evaluate((el) => el.currentTime);
    await page.getByRole("heading").first().click();  // focus off any field: shortcuts are for the page
    await page.keyboard.press("ArrowLeft");
    expect((await player.evaluate((el) => el.currentTime)) <= Math.max(0, before - 4.5), "← goes back 5 s");
    await page.keyboard.press("?");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    expect((await page.getByRole("dialog").innerText()).includes("play / pause"), "the shortcuts are listed");
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByLabel("Name").fill("The interview");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: /The interview/ }).waitFor();
    expect((await page.getByTestId("file-facts").innerText()).includes("0:08"), "size and duration shown");
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByLabel("Name").fill("interview.wav");  // later steps find the job by its name
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: /interview\.wav/ }).waitFor();
  });

  await step("search highlights matches", async () => {
    await page.getByLabel("Search").fill("glad");
    await page.getByText("1 match").waitFor();
    expect(await page.locator("mark").count() === 1, "one highlighted match");
  });

  await step("download SRT", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "SRT" }).click()]);
    const text = readFileSync(await download.path(), "utf8");
    expect(download.suggestedFilename() === "interview.srt", download.suggestedFilename());
    expect(/^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\nSpeaker A: Welcome to the interview\./.test(text), text);
    expect(text.includes("Speaker B: Thank you, glad to be here."), text);
  });

  await step("rename a speaker and see the name in the SRT", async () => {
    await page.getByText("Rename speakers").click();
    await page.getByLabel("Speaker A", { exact: true }).fill("Anna");
    await page.getByRole("button", { name: "Save names" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    expect((await page.locator("ol.lines li").first().innerText()).includes("Anna"), "the line shows Anna");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "SRT" }).click()]);
    const text = readFileSync(await download.path(), "utf8");
    expect(text.includes("Anna: Welcome to the interview.") && text.includes("Speaker B: Thank you"), text);
  });

  await step("edit a word and see it in the TXT, timings kept", async () => {
    await page.getByRole("button", { name: "Edit the line at 0:00" }).click();
    await page.getByLabel("Text of this line").fill("Welcome to the long interview.");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Revert to original").waitFor();
    const first = page.locator("ol.lines li").first();
    expect((await first.innerText()).includes("Welcome to the long interview."), await first.innerText());
    expect((await first.locator("button.stamp").innerText()) === "0:00", "the line keeps its time");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "TXT" }).click()]);
    const text = readFileSync(await download.path(), "utf8");
    expect(text.includes("Anna: Welcome to the long interview."), text);
  });

  await step("search all transcripts and open a hit at the moment it is said", async () => {
    await page.getByRole("link", { name: "Transcribe" }).click();
    await page.getByLabel("Words to find").fill("begin with");
    await page.getByRole("button", { name: "Search" }).click();
    const hit = page.locator(".hits a").first();
    await hit.waitFor();
    expect((await hit.innerText()).startsWith("interview.wav at 0:0"), await hit.innerText());
    const at = Number(new URL(await hit.getAttribute("href"), url).searchParams.get("t")) / 1000;
    await hit.click();
    const player = page.getByTestId("player");
    await player.evaluate((el) => new Promise((ok) => (el.readyState >= 1 ? ok() : el.addEventListener("loadedmetadata", ok))));
    await page.waitForFunction((want) => Math.abs(document.querySelector("[data-testid=player]").currentTime - want) < 0.3, at);
  });

  await step("phone width", async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.screenshot({ path: join(shots, "4-transcript-phone.png"), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(!overflow, "no horizontal scrolling at 360 px");
    await page.setViewportSize({ width: 1100, height: 800 });
  });

  await step("delete the job with confirmation", async () => {
    await page.getByRole("link", { name: "← All transcriptions" }).click();
    await page.getByTestId("job").first().waitFor();
    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Delete interview.wav" }).click();
    await page.getByText("Nothing yet").waitFor();
    await page.reload();
    await page.getByText("Nothing yet").waitFor();
  });

  await step("import a recording from a link", async () => {
    await page.getByLabel("Or paste a link to an audio or video file").fill(`http://${fileHost}/shows/linked.wav`);
    await page.getByRole("button", { name: "Import" }).click();
    await page.getByTestId("import-status").filter({ hasText: "Imported" }).waitFor();
    await page.locator('[data-testid="job"][data-status="completed"]', { hasText: "linked.wav" }).waitFor({ timeout: 30_000 });
    await page.getByLabel("Or paste a link to an audio or video file").fill("https://www.youtube.com/watch?v=x");
    await page.getByRole("button", { name: "Import" }).click();
    await page.getByTestId("import-status").filter({ hasText: "YouTube" }).waitFor();
  });

  await step("a 150 MB file goes up in parts and is transcribed", async () => {
    const big = join(work, "big.wav");
    execFileSync(python, ["-c", `import sys; from local.assemblyai.media import make_wav, mono_script
open(sys.argv[1], "wb").write(make_wav(mono_script("A very long recording, sent in parts.", 9400.0), 9400.0))`, big],
      { cwd: root });
    await page.getByTestId("file-input").setInputFiles(big);
    await page.locator(".uploads li", { hasText: "big.wav" }).getByTestId("upload-done").waitFor({ timeout: 120_000 });
    await page.locator('[data-testid="job"][data-status="completed"]', { hasText: "big.wav" }).waitFor({ timeout: 120_000 });
  });

  await step("change the password on the account page", async () => {
    await page.getByRole("link", { name: email }).click();
    await page.getByRole("heading", { name: "Your account", exact: true }).waitFor();
    await page.getByLabel("Current password").fill("a long enough password");
    await page.getByLabel("New password").fill("another long passphrase");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Password changed.").waitFor();
    await page.getByRole("link", { name: "Transcribe" }).click();
    await page.getByRole("heading", { name: "Your transcriptions" }).waitFor();  // this session goes on
  });

  await step("an unsupported file is refused plainly", async () => {
    await page.getByTestId("file-input").setInputFiles({ name: "notes.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF") });
    await page.getByText("notes.pdf (application/pdf) cannot be transcribed here").waitFor();
    expect(!(await page.getByRole("button", { name: "Retry" }).count()), "no Retry for a file that cannot work");
    await page.screenshot({ path: join(shots, "5-upload-error.png") });
  });

  await step("an expired session returns to sign-in with a message", async () => {
    await page.evaluate(() => localStorage.setItem("transcribe.token", "expired.invalid.token"));
    await page.reload();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.evaluate(() => localStorage.setItem("transcribe.token", "expired.invalid.token"));
    await page.goto(`${url}/`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
  });

  await step("forgot password: the link on the local mail page sets a new one", async () => {
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Email me a link" }).click();
    await page.getByText("If an account uses this email").waitFor();
    const mail = await context.newPage();
    await mail.goto(mailUrl);  // the developer's page of sent mail (local/mail.py)
    const message = mail.locator("article").filter({ hasText: `to ${email}` }).first();
    await message.getByRole("heading", { name: "Reset your Transcribe password" }).waitFor();
    await message.getByRole("link").first().click();
    await mail.getByRole("heading", { name: "Choose a new password" }).waitFor();
    expect(!mail.url().includes("token="), `the token left the address bar: ${mail.url()}`);
    await mail.getByLabel("New password").fill("a reset passphrase");
    await mail.getByRole("button", { name: "Set new password" }).click();
    await mail.getByRole("heading", { name: "Your transcriptions" }).waitFor();
    await mail.getByRole("button", { name: "Sign out" }).click();
    await mail.getByLabel("Email").fill(email);
    await mail.getByLabel("Password").fill("a reset passphrase");
    await mail.getByRole("button", { name: "Sign in" }).click();
    await mail.getByRole("heading", { name: "Your transcriptions" }).waitFor();
    await mail.screenshot({ path: join(shots, "5b-after-password-reset.png") });
    await mail.close();
  });

  await step("one voice found with the count blank: the page says so and re-runs with a count", async () => {
    await page.goto(`${url}/`);
    await page.getByLabel("Dialogue (speaker labels)").check();
    await page.getByLabel("Speakers (optional)").fill("");
    await page.getByTestId("file-input").setInputFiles(oneVoice);
    await page.locator('[data-testid="job"][data-status="completed"]').first().waitFor({ timeout: 30_000 });
    await page.getByRole("link", { name: "one-voice.wav" }).first().click();
    const note = page.getByRole("note");
    await note.getByText("Only one voice was found").waitFor();
    await page.screenshot({ path: join(shots, "5c-one-voice-found.png"), fullPage: true });
    await note.getByLabel("Speakers").fill("2");
    await note.getByRole("button", { name: "Transcribe again" }).click();
    await page.getByRole("heading", { name: "Your transcriptions" }).waitFor();
    await page.getByRole("link", { name: "one-voice.wav" }).nth(1).waitFor();  // a second job, on the same recording
  });

  await step("the offline engine: a two-voice recording comes back as two speakers, punctuated and timed", async () => {
    // A real recording (espeak-ng, a man and a woman) through the real local engine, Whisper in its worker.
    const spoken = join(work, "two-voices.wav");
    execFileSync(python, ["-c", `import sys; from local.assemblyai.espeak import dialogue
data, _ = dialogue([("en+m3", "Good morning. Thanks for coming in today."), ("en+f4", "Thank you for having me here."),
  ("en+m3", "Let us talk about the new project."), ("en+f4", "Sure. It starts next week, and we are ready.")])
open(sys.argv[1], "wb").write(data)`, spoken], { cwd: root });
    const whisper = await startCloud("whisper");
    try {
      const page2 = await context.newPage();
      page2.on("pageerror", (e) => consoleErrors.push(String(e)));
      await page2.goto(`${whisper.url}/signup`);
      await page2.getByTestId("capabilities").waitFor();
      expect((await page2.getByTestId("capabilities").innerText()).includes("English only"), "English only is said");
      await page2.getByLabel("Email").fill(`whisper-${Date.now()}@example.com`);
      await page2.getByLabel("Password").fill("a long enough password");
      await page2.getByRole("button", { name: "Sign up" }).click();
      await page2.getByTestId("language-note").waitFor();
      await page2.getByLabel("Dialogue (speaker labels)").check();
      await page2.getByLabel("Speakers (optional)").fill("2");
      await page2.getByTestId("file-input").setInputFiles(spoken);
      await page2.locator('[data-testid="job"][data-status="completed"]').first().waitFor({ timeout: 90_000 });
      await page2.getByRole("link", { name: "two-voices.wav" }).click();
      await page2.locator("ol.lines").getByText("Speaker B").first().waitFor({ timeout: 15_000 });
      const lines = await page2.locator("ol.lines li").allInnerTexts();
      const speakers = new Set(lines.map((l) => (l.match(/Speaker [A-Z]/) || [""])[0]));
      const stamps = new Set(lines.map((l) => (l.match(/\d+:\d\d/) || [""])[0]));
      expect(speakers.has("Speaker A") && speakers.has("Speaker B"), `speakers: ${[...speakers]}`);
      expect(lines.length >= 3 && stamps.size >= 3, `lines: ${JSON.stringify(lines)}`);
      expect(lines.some((l) => /[.?!]/.test(l)) && /morning/i.test(lines.join(" ")), `text: ${lines.join(" | ")}`);
      await page2.screenshot({ path: join(shots, "6-whisper-dialogue.png"), fullPage: true });
      await page2.close();
    } finally { whisper.proc.kill("SIGTERM"); }
  });

  await step("no console errors", async () => {
    const real = consoleErrors.filter((e) => !/status of (401|415|422)/.test(e));  // refusals the steps provoke
    expect(real.length === 0, `console errors: ${real.join("\n")}`);
  });
} catch {
  // the failing step already printed why
} finally {
  await browser.close();
  proc.kill("SIGTERM");
  fileServer.close();
}
const passed = results.filter(([, ok]) => ok).length, failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
