// Review mode, end to end in Chromium: a recording whose engine was unsure of some words (the deterministic engine
// reads that from the WAV) shows their count in the job list; N and P visit them from the keyboard; correcting one
// clears it and offers "always write it this way"; the term shows on the account page, and the next recording
// comes back spelt by it. Screenshots go to frontend/test-results/review-*.png. Prints "N passed, N failed".
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
const work = mkdtempSync(join(tmpdir(), "transcribe-review-"));
const SAID = "We deployed the service on cooper nettys yesterday and the dashboards look fine.";
function recording(name, text, unsure) {
  const out = join(work, name);
  execFileSync(python, ["-m", "local.assemblyai.media", "--out", out, "--duration", "6", "--mono", text,
    "--unsure", ...unsure], { cwd: root });
  return out;
}
const first = recording("standup.wav", SAID, ["cooper", "nettys", "dashboards"]);
const second = recording("retro.wav", "The cooper nettys upgrade went well.", ["cooper", "nettys"]);

const { proc, url } = await startCloud({ python, root, log: join(shots, "local-cloud-review.log"), dataDir: join(work, "data") });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--lang=en-US"] });
const context = await browser.newContext({ locale: "en-US", viewport: { width: 1100, height: 800 } });
const page = await context.newPage();
const consoleErrors = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));
const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
const job = (name) => page.locator('[data-testid="job"][data-status="completed"]', { hasText: name });

try {
  await step("sign up and upload a recording the engine was unsure of in places", async () => {
    await page.goto(`${url}/signup`);
    await page.getByLabel("Email").fill(`review-${Date.now()}@example.com`);
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "New transcription" }).waitFor();
    await page.getByTestId("file-input").setInputFiles(first);
    await job("standup.wav").waitFor({ timeout: 30_000 });
  });

  await step("the job list counts its uncertain words", async () => {
    const count = job("standup.wav").getByTestId("uncertain-count");
    expect((await count.innerText()) === "3 uncertain words", `the list says "${await count.innerText()}"`);
    await page.screenshot({ path: join(shots, "review-1-jobs.png"), fullPage: true });
  });

  await step("the transcript marks them, and N / P visit them from the keyboard, around the end", async () => {
    await page.getByRole("link", { name: "standup.wav" }).click();
    await page.locator("ol.lines .word").first().waitFor();
    const marked = await page.locator(".word.uncertain").allInnerTexts();
    expect(marked.join(" ") === "cooper nettys dashboards", `marked: ${marked}`);
    expect((await page.getByTestId("review").innerText()).startsWith("3 uncertain words"), "the page counts them");
    await page.locator("h1").click();  // focus on nothing in particular: the keys are the page's
    const visited = [];
    for (const key of ["n", "n", "n", "n", "p", "p"]) { await page.keyboard.press(key); visited.push(await focused()); }
    expect(visited.join(",") === "cooper,nettys,dashboards,cooper,dashboards,nettys", `visited ${visited}`);
    const cued = await page.getByTestId("player").evaluate((el) => el.currentTime);
    const start = Number(await page.locator(".word.uncertain", { hasText: "nettys" }).getAttribute("data-start"));
    expect(Math.abs(cued * 1000 - start) < 5, `the player is cued at the word: ${cued} s, the word at ${start} ms`);
    await page.getByRole("button", { name: "Next uncertain word" }).click();
    expect((await focused()) === "dashboards", "the button goes to the next one too");
    await page.screenshot({ path: join(shots, "review-2-marked.png"), fullPage: true });
    await accessible(page, "transcript with uncertain words");
  });

  await step("the shortcuts panel lists the new keys", async () => {
    await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    const text = await dialog.innerText();
    expect(text.includes("N / P") && text.includes("Next / previous uncertain word"), `the panel says: ${text}`);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  });

  await step("correcting a word clears its mark and offers to always write it this way", async () => {
    await page.getByRole("button", { name: "Edit the line at 0:00" }).click();
    const box = page.getByLabel("Text of this line");
    await box.fill(SAID.replace("cooper nettys", "Kubernetes"));
    await page.getByRole("button", { name: "Save" }).click();
    await box.waitFor({ state: "detached" });
    const offer = page.getByTestId("vocabulary-offer");
    const said = await offer.innerText();
    expect(said.includes("You wrote “Kubernetes” for “cooper nettys”"), `the offer says: ${said}`);
    const marked = await page.locator(".word.uncertain").allInnerTexts();
    expect(marked.join(" ") === "dashboards", `still marked: ${marked}`);
    expect((await page.getByTestId("review").innerText()).startsWith("1 uncertain word"), "the page counts one");
    await page.screenshot({ path: join(shots, "review-3-offer.png"), fullPage: true });
    await offer.getByRole("button", { name: "Always write it this way" }).click();
    await offer.getByText("Added to your vocabulary").waitFor();
    await accessible(page, "transcript after the offer");
  });

  await step("the account page shows the term and what the engine wrote instead", async () => {
    await page.getByRole("link", { name: "See your vocabulary" }).click();
    const section = page.getByTestId("vocabulary");
    await section.getByRole("heading", { name: "Your vocabulary" }).waitFor();
    await section.getByLabel("Term").first().waitFor();
    const term = await section.getByLabel("Term").first().inputValue();
    const heard = await section.getByLabel("Written instead (separate with commas)").first().inputValue();
    expect(term === "Kubernetes" && heard === "cooper nettys", `the account shows "${term}" for "${heard}"`);
    await page.screenshot({ path: join(shots, "review-4-account.png"), fullPage: true });
    await accessible(page, "account with a vocabulary");
  });

  await step("the list counts what is left, and the next recording comes back spelt by the vocabulary", async () => {
    await page.goto(`${url}/`);
    const count = job("standup.wav").getByTestId("uncertain-count");
    await count.waitFor();
    expect((await count.innerText()) === "1 uncertain word", `the list says "${await count.innerText()}"`);
    await page.getByTestId("file-input").setInputFiles(second);
    await job("retro.wav").waitFor({ timeout: 30_000 });
    await page.getByRole("link", { name: "retro.wav" }).click();
    await page.locator("ol.lines .word").first().waitFor();
    const text = await page.locator("ol.lines").innerText();
    expect(text.includes("The Kubernetes upgrade went well."), `the new transcript says: ${text}`);
    await page.screenshot({ path: join(shots, "review-5-learnt.png"), fullPage: true });
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
