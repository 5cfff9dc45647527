// Sharing a transcript by link, end to end in Debian's Chromium: the owner makes a link in the Share dialog; a SECOND,
// signed-out browser context opens it and reads the transcript, plays the recording and downloads an export; the
// owner sees the open and revokes the link; the reader then gets the 404 sentence. Screenshots: test-results/share-*.
// Needs the built app (npm run build). Prints "N passed, N failed".
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
const work = mkdtempSync(join(tmpdir(), "transcribe-share-"));
const wav = join(work, "standup.wav");
execFileSync(python, ["-m", "local.assemblyai.media", "--out", wav, "--duration", "8", "--dialogue",
  "A:Welcome to the standup.", "B:The release is ready for review.", "A:Then we ship on Friday."], { cwd: root });

const played = (p) => p.getByTestId("player").evaluate((el) => new Promise((ok, fail) => {
  if (el.readyState >= 1) ok(el.duration);
  el.addEventListener("loadedmetadata", () => ok(el.duration));
  el.addEventListener("error", () => fail(new Error(`the player could not load: ${el.error?.code}`)));
}));

const { proc, url } = await startCloud({ python, root, log: join(shots, "local-cloud-share.log"), dataDir: join(work, "data") });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run"] });
const owner = await (await browser.newContext({ locale: "en-US", viewport: { width: 1100, height: 850 } })).newPage();
// The reader: a second context, so no cookie, storage or session of the owner's is there.
const readerContext = await browser.newContext({ locale: "en-US", acceptDownloads: true, viewport: { width: 1000, height: 800 } });
const reader = await readerContext.newPage();
const consoleErrors = [];
for (const p of [owner, reader]) {
  p.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  p.on("pageerror", (e) => consoleErrors.push(String(e)));
}
let link = "";

try {
  await step("the owner signs up, uploads a dialogue and names a speaker", async () => {
    await owner.goto(`${url}/signup`);
    await owner.getByLabel("Email").fill(`share-${Date.now()}@example.com`);
    await owner.getByLabel("Password").fill("a long enough password");
    await owner.getByRole("button", { name: "Sign up" }).click();
    await owner.getByLabel("Dialogue (speaker labels)").check();
    await owner.getByTestId("file-input").setInputFiles(wav);
    await owner.locator('[data-testid="job"][data-status="completed"]').first().waitFor({ timeout: 30_000 });
    await owner.getByRole("link", { name: "standup.wav" }).click();
    await owner.locator("ol.lines").getByText("Speaker B").first().waitFor();
    await owner.getByText("Rename speakers").click();
    await owner.getByLabel("Speaker A", { exact: true }).fill("Anna");
    await owner.getByRole("button", { name: "Save names" }).click();
    await owner.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    // The owner's page keeps every control the reader's lacks (the page is the same component).
    expect(await owner.getByRole("button", { name: /^Edit the line at/ }).count() === 3, "the owner edits lines");
    expect(await owner.getByRole("button", { name: "Rename", exact: true }).count() === 1, "the owner renames");
    expect(await owner.getByTestId("shared-note").count() === 0, "no read-only note for the owner");
  });

  await step("the Share dialog makes a link that expires in 7 days, shown once", async () => {
    await owner.getByRole("button", { name: "Share…" }).click();
    const dialog = owner.getByRole("dialog", { name: "Share this transcript" });
    await dialog.waitFor();
    await dialog.getByText("No links yet.").waitFor();
    await dialog.getByLabel("The link works").selectOption({ label: "for 7 days" });
    expect(await dialog.getByLabel("Include the recording").isChecked(), "the recording is included by default");
    await dialog.getByRole("button", { name: "Create link" }).click();
    link = await dialog.getByTestId("share-link").inputValue();
    expect(new RegExp(`^${url}/s/[A-Za-z0-9_-]{43}$`).test(link), `the link: ${link}`);
    await dialog.getByText("it is shown only this once").waitFor();
    const row = await dialog.getByTestId("share").first().innerText();
    expect(/works until/.test(row) && /never opened/.test(row), `the link's row: ${row}`);
    await accessible(owner, "the Share dialog");
    await owner.screenshot({ path: join(shots, "share-1-dialog.png") });
    await dialog.getByRole("button", { name: "Close" }).click();
  });

  await step("a signed-out reader in another context sees the transcript, the player and the names, nothing to edit", async () => {
    const res = await reader.goto(link);
    const headers = res.headers();
    expect(headers["x-robots-tag"] === "noindex, nofollow, noarchive" && headers["referrer-policy"] === "no-referrer"
      && headers["x-frame-options"] === "DENY" && /frame-ancestors 'none'/.test(headers["content-security-policy"] || ""),
      `the page's headers: ${JSON.stringify(headers)}`);
    await reader.getByRole("heading", { name: "standup.wav" }).waitFor();
    await reader.getByTestId("shared-note").waitFor();
    const lines = await reader.locator("ol.lines li").allInnerTexts();
    expect(lines.length === 3 && lines[0].includes("Anna") && lines[1].includes("The release is ready for review."),
      `lines: ${lines}`);
    const duration = await played(reader);
    expect(duration > 7 && duration < 9, `the player loaded the recording: ${duration} s`);
    const meta = await reader.evaluate(() => [...document.querySelectorAll("meta[name=robots], meta[name=referrer]")]
      .map((m) => `${m.name}=${m.content}`));
    expect(meta.includes("robots=noindex, nofollow, noarchive") && meta.includes("referrer=no-referrer"), `meta: ${meta}`);
    for (const name of [/^Edit the line at/, "Rename", "Share…", "Revert to original", "Save names"]) {
      expect(await reader.getByRole("button", { name, exact: true }).count() === 0, `the reader has no ${name} button`);
    }
    expect(await reader.getByText("Rename speakers").count() === 0, "no speaker renaming");
    expect(await reader.evaluate(() => localStorage.getItem("transcribe.token")) === null, "the reader has no session");
    await accessible(reader, "the shared transcript");
    await reader.screenshot({ path: join(shots, "share-2-reader.png"), fullPage: true });
  });

  await step("the reader downloads the exports the owner's page offers", async () => {
    for (const [format, want] of [["TXT", "Anna: Welcome to the standup."], ["SRT", "Anna: Welcome to the standup."],
      ["VTT", "<v Anna>Welcome to the standup."], ["JSON", '"speaker_name":"Anna"']]) {
      const [download] = await Promise.all([reader.waitForEvent("download"),
        reader.locator(".downloads").getByRole("button", { name: format }).click()]);
      const text = readFileSync(await download.path(), "utf8").replace(/": "/g, '":"');
      expect(text.includes(want), `${format}: ${text.slice(0, 300)}`);
      expect(download.suggestedFilename() === `standup.${format.toLowerCase()}`, download.suggestedFilename());
    }
  });

  await step("the reader switches the page to Russian", async () => {
    await reader.getByLabel("Interface language").selectOption("ru");
    await reader.getByText("Расшифровка, которой с вами поделились").waitFor();
    expect((await reader.locator(".downloads").innerText()).startsWith("Скачать"), "the downloads read Russian");
    await reader.screenshot({ path: join(shots, "share-3-reader-ru.png"), fullPage: true });
    await reader.getByLabel("Язык интерфейса").selectOption("en");
  });

  await step("the owner sees the open, and revokes the link", async () => {
    await owner.getByRole("button", { name: "Share…" }).click();
    const dialog = owner.getByRole("dialog", { name: "Share this transcript" });
    await dialog.getByText(/opened 1 time, last/).waitFor();
    await dialog.getByRole("button", { name: /^Revoke the link made/ }).click();
    await dialog.locator('[data-testid="share"][data-state="revoked"]').waitFor();
    expect(/revoked/.test(await dialog.getByTestId("share").first().innerText()), "the row says revoked");
    await owner.screenshot({ path: join(shots, "share-4-revoked.png") });
    await dialog.getByRole("button", { name: "Close" }).click();
  });

  await step("the reader, reloading, gets the 404 sentence and no transcript", async () => {
    await reader.reload();
    const alert = reader.getByRole("alert").filter({ hasText: "This link does not open anything" });
    await alert.waitFor();
    expect(/revoked, it has expired, or it never existed/.test(await alert.innerText()), await alert.innerText());
    expect(await reader.locator("ol.lines").count() === 0 && await reader.getByTestId("player").count() === 0,
      "nothing of the transcript is left on the page");
    expect(await reader.getByTestId("shared-note").count() === 0, "no note says the page is readable");
    const api = await reader.evaluate(async (path) => {
      const res = await fetch(`/api/v1/shared/${path}/transcript`);
      return [res.status, res.headers.get("x-robots-tag")];
    }, link.split("/s/")[1]);
    expect(api[0] === 404 && api[1].startsWith("noindex"), `the API: ${api}`);
    await accessible(reader, "the revoked link");
    await reader.screenshot({ path: join(shots, "share-5-revoked-reader.png") });
  });

  await step("no console errors but the revoked link's 404s", async () => {
    const real = consoleErrors.filter((e) => !/status of 404/.test(e));
    expect(real.length === 0, `console errors: ${real.join("\n")}`);
  });
} catch {
  // the failing step already printed why
} finally {
  await browser.close();
  proc.kill("SIGTERM");
}
report();
