// Browser end to end: Debian's Chromium (playwright-core) against the local cloud with the deterministic engine.
// Screenshots of each screen go to frontend/test-results/ for a reviewer. Prints "N passed, N failed".
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { startCloud as startLocalCloud } from "./cloud.mjs";
import { expect, report } from "./harness.mjs";

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
// It is also "another site": /frame.html tries to frame the app (the app's frame-ancestors 'none' must refuse it).
let appUrl = "";
const fileServer = createServer((req, res) => {
  if (req.url === "/frame.html") {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(`<!doctype html><title>another site</title><iframe id="app" src="${appUrl}/signin" width="800" height="600"></iframe>`);
    return;
  }
  res.writeHead(200, { "Content-Type": "audio/wav" }); res.end(readFileSync(linked));
});
await new Promise((ok) => fileServer.listen(0, "127.0.0.1", ok));
const fileHost = `127.0.0.1:${fileServer.address().port}`;

// The cloud logs to a file (kept with the screenshots), so nothing it prints while stopping can break a pipe.
function startCloud(engine = "deterministic") {
  return startLocalCloud({ python, root, engine, log: join(shots, `local-cloud-${engine}.log`),
    dataDir: join(work, `data-${engine}`), env: { URL_IMPORT_ALLOWED_HOSTS: fileHost,
      // Parts of 5 MiB above 8 MiB, so a 27 MB file goes up in six parts (the README's 100 MB / 16 MB otherwise).
      MULTIPART_THRESHOLD_BYTES: String(8 * 2 ** 20), MULTIPART_PART_BYTES: String(5 * 2 ** 20) } });
}

const results = [];
// E2E_ONLY=<words>: run only the steps whose names contain them (sign-up always runs), e.g. E2E_ONLY=resum
const only = process.env.E2E_ONLY;
async function step(name, fn, { always = false } = {}) {
  if (only && !always && !name.includes(only)) { console.log(`skip ${name}`); return; }
  const started = Date.now();
  try { await fn(); results.push([name, true]); console.log(`ok   ${name} (${Date.now() - started} ms)`); }
  catch (err) { results.push([name, false]); console.log(`FAIL ${name}\n     ${err.stack || err}`); throw err; }
}

// axe-core (WCAG 2.2 A/AA and best practices) on the page as it stands; any serious or critical violation fails.
let axePath;
try { axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js"); }
catch { console.error("axe-core is missing: run `npm ci` in frontend/ (it is a devDependency)"); process.exit(1); }
async function accessible(p, state) {
  // Evaluated, not added as a <script>: the app's Content-Security-Policy refuses inline scripts, as it should.
  if (!(await p.evaluate(() => Boolean(window.axe)))) await p.evaluate(readFileSync(axePath, "utf8"));
  const { violations } = await p.evaluate(() => window.axe.run(document, { runOnly: { type: "tag",
    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } }));
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(!bad.length, `axe on ${state}: ${bad.map((v) => `${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(" "))
    .join(", ")}`).join("; ")}`);
}
async function titled(p, title) {
  await p.waitForFunction((want) => document.title === want, title, { timeout: 5000 })
    .catch(async () => { throw new Error(`title "${await p.title()}", expected "${title}"`); });
}
// Every text the upload lines and job rows show while a file goes through (a poll would miss short states).
async function watchRows(p) {
  await p.evaluate(() => {
    window.__rows = [];
    const record = () => document.querySelectorAll("[data-testid=upload-done], [data-testid=job]")
      .forEach((el) => window.__rows.push(el.innerText));
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

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
    await titled(page, "Create your account · Transcribe");
    await accessible(page, "sign-up");
    const icon = await page.evaluate(async () => {
      const res = await fetch(document.querySelector("link[rel=icon]").href);
      return `${res.status} ${res.headers.get("content-type")}`;
    });
    expect(icon === "200 image/svg+xml", `favicon: ${icon}`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "New transcription" }).waitFor();
    expect(await page.getByText(email).isVisible(), "the signed-in email is shown");
  }, { always: true });

  await step("a reload stays signed in", async () => {
    await page.reload();
    await page.getByRole("heading", { name: "Your transcriptions" }).waitFor();
  });

  await step("the jobs page: its own title, a main heading, and no serious axe violation at 1100 and 390 px", async () => {
    await titled(page, "Your transcriptions · Transcribe");
    expect(await page.getByRole("heading", { level: 1 }).count() === 1, "one main heading");
    await accessible(page, "jobs");
    await page.setViewportSize({ width: 390, height: 844 });
    await accessible(page, "jobs at 390 px");
    await page.setViewportSize({ width: 1100, height: 800 });
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
    await watchRows(page);
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
    const rows = await page.evaluate(() => window.__rows);
    expect(!rows.some((t) => /uploaded\s*·\s*uploading/i.test(t)), `an upload line said "uploaded · uploading": ${rows}`);
    await page.screenshot({ path: join(shots, "2-jobs.png"), fullPage: true });
  });

  await step("open the dialogue transcript", async () => {
    await page.getByRole("link", { name: "interview.wav" }).click();
    await page.locator("ol.lines").getByText("Speaker B").first().waitFor();
    const lines = await page.locator("ol.lines li").allInnerTexts();
    expect(lines.length === 3 && lines[1].includes("Thank you, glad to be here."), `lines: ${lines}`);
    await page.screenshot({ path: join(shots, "3-transcript.png"), fullPage: true });
    await titled(page, "interview.wav · Transcribe");
    await page.getByTestId("player").evaluate((el) => new Promise((ok) => (el.readyState >= 1 ? ok() : el.addEventListener("loadedmetadata", ok))));
    await accessible(page, "transcript");
    expect(await page.getByRole("button", { name: "−5 s" }).count() === 1, "the −5 s button is named by its text");
  });

  await step("keyboard: Space presses the focused button, not the player; focus goes back to the line after Cancel", async () => {
    const player = page.getByTestId("player");
    const paused = () => player.evaluate((el) => el.paused);
    await player.evaluate((el) => el.pause());
    await page.getByRole("button", { name: "Keyboard shortcuts" }).focus();
    await page.keyboard.press(" ");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await dialog.waitFor();
    expect(await paused(), "Space on the button did not also play");
    expect(await dialog.evaluate((el) => el.contains(document.activeElement)), "the dialog has focus");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim()) === "Keyboard shortcuts",
      "focus back on the button");
    await page.locator("summary", { hasText: "Rename speakers" }).focus();
    await page.keyboard.press(" ");
    expect(await page.locator("details.speakers").evaluate((el) => el.open), "Space opened Rename speakers");
    await page.keyboard.press(" ");
    await page.getByRole("button", { name: "Edit the line at 0:00" }).focus();
    await page.keyboard.press(" ");
    await page.getByLabel("Text of this line").waitFor();
    expect(await paused(), "Space on Edit did not play");
    await page.getByRole("button", { name: "Cancel" }).focus();
    await page.keyboard.press("Enter");
    await page.getByLabel("Text of this line").waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")) === "Edit the line at 0:00",
      "focus is back on the line's Edit button");
  });

  await step("keyboard: a line's words can be chosen and played, and single-key shortcuts can be turned off", async () => {
    const player = page.getByTestId("player");
    await player.evaluate((el) => el.pause());
    await page.locator("ol.lines li").nth(1).locator("button.stamp").focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    const word = page.locator("ol.lines li").nth(1).locator(".word").nth(2);
    expect(await word.evaluate((el) => el === document.activeElement), "the third word has focus");
    await page.keyboard.press("Enter");
    const at = Number(await word.getAttribute("data-start")) / 1000;
    expect(Math.abs((await player.evaluate((el) => el.currentTime)) - at) < 0.6, "Enter played from the word");
    await player.evaluate((el) => el.pause());
    await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
    await page.getByLabel("Single-key shortcuts").uncheck();
    await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
    await page.reload();
    await player.evaluate((el) => new Promise((ok) => (el.readyState >= 1 ? ok() : el.addEventListener("loadedmetadata", ok))));
    await page.getByRole("heading", { level: 1 }).click();
    const before = await player.evaluate((el) => el.currentTime);
    await page.keyboard.press("k");
    await page.keyboard.press("ArrowRight");
    await page.waitForTimeout(300);
    expect(await player.evaluate((el) => el.paused) && (await player.evaluate((el) => el.currentTime)) === before,
      "turned off (and remembered): keys do nothing");
    await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
    await page.getByLabel("Single-key shortcuts").check();
    await page.keyboard.press("Escape");
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
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")) === "Edit the line at 0:00",
      "after Save, focus is back on the line");
    const first = page.locator("ol.lines li").first();
    expect((await first.innerText()).includes("Welcome to the long interview."), await first.innerText());
    expect((await first.locator("button.stamp").innerText()) === "0:00", "the line keeps its time");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "TXT" }).click()]);
    const text = readFileSync(await download.path(), "utf8");
    expect(text.includes("Anna: Welcome to the long interview."), text);
  });

  await step("move a line to another speaker: one turn on the page and in the TXT, then revert", async () => {
    await page.locator("ol.lines li").nth(1).getByRole("button", { name: /^Edit the line at/ }).click();
    await page.getByLabel("Speaker", { exact: true }).selectOption("A");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll("ol.lines li").length === 1);
    const turn = await page.locator("ol.lines li").first().innerText();
    expect(turn.includes("Anna") && turn.includes("glad to be here") && !turn.includes("Speaker B"), turn);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "TXT" }).click()]);
    const text = readFileSync(await download.path(), "utf8");
    expect(/^Anna: Welcome to the long interview\. Thank you, glad to be here\. Let us begin/.test(text), text);
    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Revert to original" }).click();
    await page.waitForFunction(() => document.querySelectorAll("ol.lines li").length === 3);
    expect((await page.locator("ol.lines li").nth(1).innerText()).includes("Speaker B"), "B's line is B's again");
  });

  await step("search all transcripts and open a hit at the moment it is said", async () => {
    await page.getByRole("link", { name: "Transcribe" }).click();
    await page.getByLabel("Words to find").fill("begin with");
    await page.getByRole("button", { name: "Search" }).click();
    const hit = page.locator(".hits a").first();
    await hit.waitFor();
    expect((await hit.innerText()).startsWith("interview.wav at 0:0"), await hit.innerText());
    const at = Number(new URL(await hit.getAttribute("href"), url).searchParams.get("t")) / 1000;
    await page.setViewportSize({ width: 1100, height: 400 });  // the line is below the fold unless scrolled to
    await hit.click();
    const player = page.getByTestId("player");
    await player.evaluate((el) => new Promise((ok) => (el.readyState >= 1 ? ok() : el.addEventListener("loadedmetadata", ok))));
    await page.waitForFunction((want) => Math.abs(document.querySelector("[data-testid=player]").currentTime - want) < 0.3, at);
    const mark = page.locator("ol.lines mark").first();
    await mark.waitFor({ timeout: 5000 });
    expect((await mark.innerText()).toLowerCase() === "begin with", `marked: ${await mark.innerText()}`);
    const box = await mark.boundingBox();
    expect(box && box.y >= 0 && box.y + box.height <= 400, `the marked words are in view: ${JSON.stringify(box)}`);
    await page.setViewportSize({ width: 1100, height: 800 });
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
    await page.getByRole("alert").filter({ hasText: "YouTube" }).waitFor();  // an error, said and styled as one
    const color = await page.getByTestId("import-status").evaluate((el) => getComputedStyle(el).color);
    expect(color === "rgb(179, 38, 30)", `the error is in the error colour: ${color}`);
    const note = await page.getByTestId("import-note").innerText();
    expect(note.includes("URL_IMPORT_ALLOWED_HOSTS") && note.includes(fileHost), `why links may not import here: ${note}`);
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

  await step("an upload in parts resumes after a network cut, a stop and a reload, sending no finished part twice", async () => {
    const makeBig = (name, text) => {
      const file = join(work, name);
      execFileSync(python, ["-c", `import sys; from local.assemblyai.media import make_wav, mono_script
open(sys.argv[1], "wb").write(make_wav(mono_script(sys.argv[2], 1700.0), 1700.0))`, file, text], { cwd: root });
      return file;  // 27 MB: six parts of 5 MiB
    };
    // Every part PUT the page sends, which of them storage took (200), and any sent again after a 200.
    const puts = new Map(), stored = new Map(), resent = [];
    const partOf = (req) => {
      const u = new URL(req.url());
      return req.method() === "PUT" && u.searchParams.get("partNumber")
        ? `${u.pathname.split("/").pop()}#${u.searchParams.get("partNumber")}` : null;
    };
    const count = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
    page.on("request", (req) => { const k = partOf(req); if (k) { count(puts, k); if (stored.has(k)) resent.push(k); } });
    page.on("requestfinished", async (req) => {
      const k = partOf(req);
      if (k && (await req.response())?.status() === 200) count(stored, k);
    });
    // Parts start one after another (0.5 s apart), so the network can be cut while some are done and some not.
    let nth = 0;
    await page.route((u) => u.searchParams.has("partNumber"), async (route) => {
      await new Promise((ok) => setTimeout(ok, 500 * (1 + (nth++ % 4))));
      await route.continue().catch(() => undefined);
    });
    const storedOf = (name) => [...stored].filter(([k]) => k.startsWith(`${name}#`));
    const waitStored = async (name, atLeast) => {
      for (const started = Date.now(); storedOf(name).length < atLeast; await new Promise((ok) => setTimeout(ok, 50)))
        expect(Date.now() - started < 60_000, `${name}: parts stored ${JSON.stringify(storedOf(name))}`);
    };
    // A part the page saw stored is never sent again, none is stored twice, and the file has its six parts.
    // (A part stored while the page was stopping is not seen as stored here; the listing spares it a resend.)
    const onceEach = (name) => {
      const parts = Math.ceil(statSync(join(work, name)).size / 2 ** 20 / 5);
      const twice = storedOf(name).filter(([, times]) => times > 1);
      expect(parts === 6 && !twice.length && !resent.some((k) => k.startsWith(`${name}#`)),
        `${name}: stored ${JSON.stringify(storedOf(name))}, sent again after a 200: ${resent}; PUTs ${JSON.stringify([...puts])}`);
    };
    const row = (name) => page.locator(".uploads li", { hasText: name });

    // 1. The network goes for 3 s mid-upload: the upload waits and goes on by itself.
    const cut = makeBig("cut.wav", "A long recording whose network went away for a while.");
    await page.getByTestId("file-input").setInputFiles(cut);
    await waitStored("cut.wav", 1);
    await context.setOffline(true);
    await new Promise((ok) => setTimeout(ok, 3000));
    const whileOffline = await row("cut.wav").innerText();
    await context.setOffline(false);
    expect(!/interrupted|failed/i.test(whileOffline), `offline, the upload waits: ${whileOffline}`);
    await row("cut.wav").getByTestId("upload-done").waitFor({ timeout: 60_000 });
    onceEach("cut.wav");

    // 2. Paused by hand: "paused" here, "upload interrupted" in the job list, then Resume continues from storage.
    const stopped = makeBig("stopped.wav", "A long recording that was stopped and resumed.");
    await page.getByTestId("file-input").setInputFiles(stopped);
    await waitStored("stopped.wav", 2);
    await row("stopped.wav").getByRole("button", { name: "Pause" }).click();
    await row("stopped.wav").getByTestId("upload-paused").waitFor();
    await page.locator('[data-testid="job"][data-interrupted]', { hasText: "stopped.wav" })
      .getByText("Upload interrupted").waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(shots, "7-upload-interrupted.png"), fullPage: true });
    await row("stopped.wav").getByRole("button", { name: "Resume" }).click();
    await row("stopped.wav").getByTestId("upload-done").waitFor({ timeout: 60_000 });
    onceEach("stopped.wav");

    // 3. A reload mid-upload: the job says "upload interrupted"; Resume there, choosing the file again.
    const reloaded = makeBig("reloaded.wav", "A long recording whose page was reloaded.");
    await page.getByTestId("file-input").setInputFiles(reloaded);
    await waitStored("reloaded.wav", 2);
    await page.reload();
    const job = page.locator('[data-testid="job"]', { hasText: "reloaded.wav" });
    await job.getByText("Upload interrupted").waitFor({ timeout: 30_000 });
    const chooser = page.waitForEvent("filechooser");
    await job.getByRole("button", { name: "Resume the upload of reloaded.wav" }).click();
    await (await chooser).setFiles(reloaded);
    await row("reloaded.wav").getByTestId("upload-done").waitFor({ timeout: 60_000 });
    onceEach("reloaded.wav");

    // 4. Cancel: a paused upload's job goes, and no phantom "Uploading" row is left anywhere.
    const removed = makeBig("removed.wav", "A long recording that was given up.");
    await page.getByTestId("file-input").setInputFiles(removed);
    await waitStored("removed.wav", 1);
    await row("removed.wav").getByRole("button", { name: "Pause" }).click();
    await row("removed.wav").getByRole("button", { name: "Cancel" }).click();
    await page.locator('[data-testid="job"]', { hasText: "removed.wav" }).waitFor({ state: "detached", timeout: 15_000 });
    for (const name of ["cut.wav", "stopped.wav", "reloaded.wav"])
      await page.locator('[data-testid="job"][data-status="completed"]', { hasText: name }).waitFor({ timeout: 60_000 });
    const rows = await page.getByTestId("job").allInnerTexts();
    expect(!rows.some((r) => /Uploading|interrupted/.test(r)), `no phantom upload: ${JSON.stringify(rows)}`);
    for (const name of ["cut.wav", "stopped.wav", "reloaded.wav"])
      expect(rows.filter((r) => r.includes(name)).length === 1, `one job for ${name}: ${JSON.stringify(rows)}`);
    console.log(`     part PUTs sent: ${JSON.stringify(Object.fromEntries(puts))}`);
    await page.unroute((u) => u.searchParams.has("partNumber"));
  });

  await step("change the password on the account page", async () => {
    await page.getByRole("link", { name: email }).click();
    await page.getByRole("heading", { name: "Your account", exact: true }).waitFor();
    await titled(page, "Your account · Transcribe");
    await accessible(page, "account");
    await page.getByLabel("Current password").fill("a long enough password");
    await page.getByLabel("New password").fill("another long passphrase");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Password changed.").waitFor();
    await page.getByRole("link", { name: "Transcribe" }).click();
    await page.getByRole("heading", { name: "Your transcriptions" }).waitFor();  // this session goes on
  });

  await step("an unknown address shows a not-found page", async () => {
    await page.goto(`${url}/no/such/page`);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    await titled(page, "Page not found · Transcribe");
    await page.getByRole("link", { name: "Go to your transcriptions" }).click();
    await page.getByRole("heading", { name: "Your transcriptions" }).waitFor();
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
    await titled(page, "Sign in · Transcribe");
    await accessible(page, "sign-in");
  });

  await step("forgot password: the link on the local mail page sets a new one", async () => {
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await titled(page, "Reset your password · Transcribe");
    await accessible(page, "forgot-password");
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Email me a link" }).click();
    await page.getByText("If an account uses this email").waitFor();
    const mail = await context.newPage();
    await mail.goto(mailUrl);  // the developer's page of sent mail (local/mail.py)
    const message = mail.locator("article").filter({ hasText: `to ${email}` }).first();
    await message.getByRole("heading", { name: "Reset your Transcribe password" }).waitFor();
    // The link inside the message's preview opens the reset page top-level (not inside the sandboxed frame).
    await message.frameLocator("iframe").getByRole("link", { name: "Choose a new password" }).click();
    await mail.getByRole("heading", { name: "Choose a new password" }).waitFor({ timeout: 10_000 });
    await titled(mail, "Choose a new password · Transcribe");
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
      const offered = await page2.getByTestId("capabilities").innerText();  // Whisper base: 99 languages, detected
      expect(/\d{2,} languages, detected automatically/.test(offered), `languages and detection are said: ${offered}`);
      await page2.getByLabel("Email").fill(`whisper-${Date.now()}@example.com`);
      await page2.getByLabel("Password").fill("a long enough password");
      await page2.getByRole("button", { name: "Sign up" }).click();
      await page2.locator('select option[value="auto"]').first().waitFor({ state: "attached" });  // detection offered
      await page2.getByLabel("Dialogue (speaker labels)").check();
      await page2.getByLabel("Speakers (optional)").fill("2");
      await watchRows(page2);
      await page2.getByTestId("file-input").setInputFiles(spoken);
      await page2.locator('[data-testid="job"][data-status="completed"]').first().waitFor({ timeout: 90_000 });
      const rows = await page2.evaluate(() => window.__rows);
      const transcribing = rows.filter((t) => t.includes("Transcribing"));
      expect(transcribing.length && transcribing.every((t) => /\b\d+:\d\d\b/.test(t)),
        `the duration shows while transcribing: ${JSON.stringify(transcribing.slice(0, 3))}`);
      expect(!rows.some((t) => /uploaded\s*·\s*uploading/i.test(t)), "no \"uploaded · uploading\"");
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

  await step("the app is served with its security headers, and a page on another site cannot frame it", async () => {
    for (const path of ["/", "/jobs", "/account"]) {
      const res = await page.request.get(`${url}${path}`);
      const headers = res.headers();
      const policy = headers["content-security-policy"] || "";
      expect(res.status() === 200 && /frame-ancestors 'none'/.test(policy) && /script-src 'self';/.test(policy),
        `${path}: ${res.status()} CSP ${policy}`);
      expect(!/unsafe-inline|unsafe-eval/.test(policy), `no unsafe sources: ${policy}`);
      expect(headers["x-frame-options"] === "DENY" && headers["x-content-type-options"] === "nosniff"
        && headers["referrer-policy"] === "no-referrer", `${path}: ${JSON.stringify(headers)}`);
    }
    appUrl = url;
    const other = await context.newPage();
    const refusals = [];
    other.on("console", (m) => refusals.push(m.text()));
    try {
      await other.goto(`http://${fileHost}/frame.html`);
      await other.waitForTimeout(1500);
      expect(refusals.some((t) => /frame-ancestors/.test(t)), `Chromium names the policy: ${refusals.join(" | ")}`);
      const frame = other.frames().find((f) => f !== other.mainFrame());
      expect(frame, "the other site's page has its frame");
      // Refused: the frame holds Chromium's error page, never the app (no sign-in form, no app root).
      const framed = await frame.evaluate(() => Boolean(document.querySelector("#root, form"))).catch(() => false);
      expect(!framed, "the app rendered inside another site's frame");
      await other.screenshot({ path: join(shots, "9-framing-refused.png") });
    } finally { await other.close(); }
  });

  await step("no console errors", async () => {
    // Refusals the steps provoke, and the requests of a network the resume step cuts on purpose.
    const real = consoleErrors.filter((e) => !/status of (401|415|422)|ERR_INTERNET_DISCONNECTED/.test(e));
    expect(real.length === 0, `console errors: ${real.join("\n")}`);
  }, { always: true });
} catch {
  // the failing step already printed why
} finally {
  await browser.close();
  proc.kill("SIGTERM");
  fileServer.close();
}
report(results);  // this file's own steps (its step() can skip by E2E_ONLY)
