// Organise, end to end (issue 24 §2) in Debian's Chromium: make a folder, upload three files at once through the
// queue (one refused by the storage quota, named in the message with the server's reason), move recordings into
// folders, filter the list and the search by folder, rename it, and delete folders only after answering the question:
// keep the recordings (moved out) or delete them. Screenshots go to frontend/test-results/organise-*.png.
// Prints "N passed, N failed".
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { startCloud } from "./cloud.mjs";
import { accessible, expect, report, results, step } from "./harness.mjs";

const root = resolve(new URL("../..", import.meta.url).pathname);
const python = process.env.PYTHON || join(root, ".venv/bin/python");
const shots = join(root, "frontend/test-results");
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "transcribe-organise-"));
const media = (name, seconds, text) => {
  const out = join(work, name);
  execFileSync(python, ["-m", "local.assemblyai.media", "--out", out, "--duration", String(seconds), "--mono", text],
    { cwd: root });
  return out;
};
const alpha = media("alpha.wav", 2, "The harbour budget was approved today.");
const beta = media("beta.wav", 2, "Another harbour meeting about boats.");
const gamma = media("gamma.wav", 16, "A long recording that will not fit.");
const queued = ["one", "two", "three", "four"].map((n) => media(`queue-${n}.wav`, 2, `Queue recording ${n}.`));
// Room for every small file, not for gamma: the server refuses gamma whatever order the queue sends them in.
const quota = 6 * statSync(alpha).size + 10_000;
if (statSync(gamma).size <= quota) throw new Error("gamma.wav must exceed the quota");

const { proc, url } = await startCloud({ python, root, log: join(shots, "local-cloud-organise.log"),
  dataDir: join(work, "data"), env: { MAX_STORED_BYTES_PER_USER: String(quota) } });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run"] });
const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
const page = await context.newPage();
const consoleErrors = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));
const jobRow = (name) => page.locator('[data-testid="job"]', { hasText: name });
const folderButton = (name) => page.locator(".folder-list").getByRole("button", { name: new RegExp(`^${name} \\(`) });
const listed = async () => (await page.locator('[data-testid="job"] .title').allInnerTexts()).map((s) => s.trim()).sort();
async function listShows(names) {
  const want = [...names].sort().join(",");
  await page.waitForFunction((w) => [...document.querySelectorAll('[data-testid="job"] .title')]
    .map((e) => e.innerText.trim()).sort().join(",") === w, want, { timeout: 10_000 })
    .catch(async () => { throw new Error(`the list shows ${JSON.stringify(await listed())}, expected ${want}`); });
}

try {
  await step("sign up", async () => {
    await page.goto(`${url}/signup`);
    await page.getByLabel("Email").fill(`organise-${Date.now()}@example.com`);
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "Folders" }).waitFor();
  });

  await step("create a folder; a second one of the same name in other letters is refused", async () => {
    await page.getByLabel("New folder").fill("Interviews");
    await page.getByRole("button", { name: "Create" }).click();
    await folderButton("Interviews").waitFor();
    expect(await folderButton("Interviews").getAttribute("aria-pressed") === "true", "the new folder is shown");
    await page.getByLabel("New folder").fill("INTERVIEWS");
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByRole("alert").filter({ hasText: "already have a folder with this name" }).waitFor();
    await page.getByLabel("New folder").fill("");
    await page.getByRole("button", { name: "All recordings" }).click();
  });

  await step("upload three files at once: two go through the queue, the third is refused by name and reason", async () => {
    await page.getByTestId("file-input").setInputFiles([alpha, beta, gamma]);
    const uploadRow = (name) => page.locator(".uploads li", { hasText: name });
    await uploadRow("alpha.wav").getByTestId("upload-done").waitFor({ timeout: 30_000 });
    await uploadRow("beta.wav").getByTestId("upload-done").waitFor({ timeout: 30_000 });
    const refused = uploadRow("gamma.wav").getByRole("alert");
    await refused.waitFor({ timeout: 30_000 });
    const text = await refused.innerText();
    expect(text.includes("gamma.wav was not uploaded") && /storage quota/.test(text), `the refusal: ${text}`);
    await page.screenshot({ path: join(shots, "organise-1-queue.png"), fullPage: true });
    await page.locator('[data-testid="job"][data-status="completed"]', { hasText: "alpha.wav" }).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="job"][data-status="completed"]', { hasText: "beta.wav" }).waitFor({ timeout: 30_000 });
    await listShows(["alpha.wav", "beta.wav"]);  // gamma made no job
  });

  await step("move a recording into the folder, and filter the list by it", async () => {
    await page.getByLabel("Folder of alpha.wav").selectOption({ label: "Interviews" });
    await folderButton("Interviews").filter({ hasText: "(1 recording)" }).waitFor();
    await folderButton("Interviews").click();
    await listShows(["alpha.wav"]);
    await page.getByText("Showing the folder “Interviews”.").waitFor();
    await accessible(page, "a folder shown");
    await page.screenshot({ path: join(shots, "organise-2-filtered.png"), fullPage: true });
    await page.getByRole("button", { name: "All recordings" }).click();
    await listShows(["alpha.wav", "beta.wav"]);
  });

  await step("the search: everywhere, or within the folder", async () => {
    await page.getByLabel("Words to find").fill("harbour");
    await page.getByTestId("search-folder").selectOption({ label: "All folders" });
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.locator(".hits li").nth(1).waitFor();
    expect(await page.locator(".hits li").count() === 2, "both recordings say harbour");
    await page.getByTestId("search-folder").selectOption({ label: "Interviews" });
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll(".hits li").length === 1);
    expect((await page.locator(".hits").innerText()).includes("alpha.wav"), "the folder's hit is alpha.wav");
  });

  await step("rename the folder", async () => {
    await folderButton("Interviews").click();
    await page.getByRole("button", { name: "Rename the folder Interviews" }).click();
    await page.getByLabel("New name for Interviews").fill("Client interviews");
    await page.getByRole("button", { name: "Save" }).click();
    await folderButton("Client interviews").filter({ hasText: "(1 recording)" }).waitFor();
    await listShows(["alpha.wav"]);
  });

  await step("delete the folder: the question is asked, and 'keep' moves the recording out", async () => {
    await page.getByRole("button", { name: "Delete folder Client interviews" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete the folder “Client interviews”" });
    await dialog.waitFor();
    expect((await dialog.innerText()).includes("holds 1 recording"), await dialog.innerText());
    await accessible(page, "the delete question");
    await page.screenshot({ path: join(shots, "organise-3-question.png"), fullPage: true });
    await dialog.getByRole("button", { name: "Cancel" }).click();  // nothing happens without an answer
    await folderButton("Client interviews").waitFor();
    await page.getByRole("button", { name: "Delete folder Client interviews" }).click();
    await dialog.getByRole("button", { name: "Keep the recordings (move them out of the folder)" }).click();
    await folderButton("Client interviews").waitFor({ state: "detached" });
    expect(await page.getByRole("button", { name: "All recordings" }).getAttribute("aria-pressed") === "true", "all shown");
    await listShows(["alpha.wav", "beta.wav"]);
    const jobs = await page.evaluate(async () => (await (await fetch("/api/v1/jobs", {
      headers: { Authorization: `Bearer ${localStorage.getItem("transcribe.token")}` } })).json()).items);
    const kept = jobs.find((j) => j.file.filename === "alpha.wav");
    expect(kept && kept.folder_id === null && kept.status === "completed", `alpha.wav kept, in no folder: ${JSON.stringify(kept)}`);
  });

  await step("a folder deleted with 'delete the recordings too' takes only its own recordings", async () => {
    await page.getByLabel("New folder").fill("Old");
    await page.getByRole("button", { name: "Create" }).click();
    await folderButton("Old").waitFor();
    await page.getByRole("button", { name: "All recordings" }).click();
    await page.getByLabel("Folder of beta.wav").selectOption({ label: "Old" });
    await folderButton("Old").filter({ hasText: "(1 recording)" }).click();
    await listShows(["beta.wav"]);
    await page.getByRole("button", { name: "Delete folder Old" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete the recordings too" }).click();
    await folderButton("Old").waitFor({ state: "detached" });
    await listShows(["alpha.wav"]);
    await page.screenshot({ path: join(shots, "organise-4-after.png"), fullPage: true });
  });

  await step("the queue: two at a time, the rest wait; a waiting file paused stays put until resumed; cancel", async () => {
    // Storage answers each PUT after a second, so the queue's states can be seen.
    const slow = (r) => r.method() === "PUT" && !new URL(r.url()).pathname.startsWith("/api/");
    await page.route((u) => !u.pathname.startsWith("/api/") && u.searchParams.has("X-Amz-Signature"), async (route) => {
      if (slow(route.request())) await new Promise((ok) => setTimeout(ok, 1000));
      await route.continue();
    });
    await page.getByRole("button", { name: "Clear finished" }).click();
    await page.getByTestId("file-input").setInputFiles(queued);
    const uploadRow = (name) => page.locator(".uploads li", { hasText: name });
    await uploadRow("queue-three.wav").getByTestId("upload-queued").waitFor();
    await uploadRow("queue-four.wav").getByTestId("upload-queued").waitFor();
    expect(await page.locator(".uploads progress:not([value='100'])").count() <= 2, "at most two upload at once");
    await page.getByRole("button", { name: "Pause the upload of queue-three.wav" }).click();
    await page.getByRole("button", { name: "Cancel the upload of queue-four.wav" }).click();
    await uploadRow("queue-four.wav").waitFor({ state: "detached" });
    await uploadRow("queue-one.wav").getByTestId("upload-done").waitFor({ timeout: 30_000 });
    await uploadRow("queue-two.wav").getByTestId("upload-done").waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(shots, "organise-5-queue-paused.png"), fullPage: true });
    await new Promise((ok) => setTimeout(ok, 1500));
    expect(await uploadRow("queue-three.wav").getByTestId("upload-paused").isVisible(), "the paused file waits");
    await page.getByRole("button", { name: "Resume the upload of queue-three.wav" }).click();
    await uploadRow("queue-three.wav").getByTestId("upload-done").waitFor({ timeout: 30_000 });
    await page.unrouteAll();
    await listShows(["alpha.wav", "queue-one.wav", "queue-three.wav", "queue-two.wav"]);  // no job for the cancelled
  });

  await step("no console errors but the refusals asked for", async () => {
    const real = consoleErrors.filter((e) => !/status of (409|413)/.test(e));
    expect(real.length === 0, `console errors: ${real.join("\n")}`);
  });
} catch {
  // the failing step already printed why
} finally {
  await browser.close();
  proc.kill("SIGTERM");
}
report();
