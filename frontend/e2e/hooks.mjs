// Outgoing webhooks, end to end: Debian's Chromium registers a receiver (a node HTTP server on this machine, admitted
// to the local cloud by OUTGOING_WEBHOOK_ALLOWED_HOSTS) on the account page, uploads a recording, and sees the
// job.completed delivery arrive signed (checked here with node's crypto, from the Standard Webhooks text) and listed as
// delivered; Redeliver sends the same delivery id again. Screenshots: frontend/test-results/hooks-*.png.
import { createHmac, timingSafeEqual } from "node:crypto";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { startCloud } from "./cloud.mjs";
import { accessible, expect, results, step } from "./harness.mjs";

const root = resolve(new URL("../..", import.meta.url).pathname);
const python = process.env.PYTHON || join(root, ".venv/bin/python");
const shots = join(root, "frontend/test-results");
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "transcribe-hooks-"));
const wav = join(work, "standup.wav");
execFileSync(python, ["-m", "local.assemblyai.media", "--out", wav, "--duration", "4", "--mono",
  "Our standup notes for Monday."], { cwd: root });

// The user's system: records every POST and answers 204.
const received = [];
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(204).end();
  });
});
await new Promise((ok) => receiver.listen(0, "127.0.0.1", ok));
const receiverHost = `127.0.0.1:${receiver.address().port}`;

// Standard Webhooks verification: HMAC-SHA256 keyed by the base64 after "whsec_", over "id.timestamp.body".
function verified(secret, { headers, body }) {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const content = Buffer.concat([Buffer.from(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.`), body]);
  const expected = createHmac("sha256", key).update(content).digest();
  const fresh = Math.abs(Date.now() / 1000 - Number(headers["webhook-timestamp"])) < 300;
  return fresh && String(headers["webhook-signature"]).split(" ").some((sig) => {
    const [version, value] = sig.split(",");
    const given = Buffer.from(value ?? "", "base64");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

async function until(cond, what, ms = 30_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const { proc, url } = await startCloud({ python, root, log: join(shots, "local-cloud-hooks.log"), dataDir: join(work, "data"),
  env: { OUTGOING_WEBHOOK_ALLOWED_HOSTS: receiverHost } });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run"] });
const page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));
const email = `hooks-${Date.now()}@example.com`;
let secret = "";

try {
  await step("sign up and open the account page", async () => {
    await page.goto(`${url}/signup`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "New transcription" }).waitFor();
    await page.getByRole("link", { name: email }).click();
    await page.getByRole("heading", { name: "Webhooks" }).waitFor();
    await page.getByText("No endpoints yet.").waitFor();
  });

  await step("a private address is refused with a sentence", async () => {
    await page.getByLabel("Endpoint address (https)").fill("https://169.254.169.254/latest/meta-data/");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const alert = await page.getByRole("alert").innerText();
    expect(alert.includes("cannot receive webhooks") && alert.includes("private network"), `the refusal: ${alert}`);
  });

  await step("register the local receiver: the secret is shown once", async () => {
    await page.getByLabel("Endpoint address (https)").fill(`http://${receiverHost}/incoming`);
    await page.getByRole("button", { name: "Add endpoint" }).click();
    secret = await page.locator("code.secret").innerText();
    expect(/^whsec_[A-Za-z0-9+/=]{32,}$/.test(secret), `the secret: ${secret}`);
    await page.getByText("Nothing delivered yet.").waitFor();
    await accessible(page, "account with an endpoint");
    await page.screenshot({ path: join(shots, "hooks-1-registered.png"), fullPage: true });
    await page.reload();
    await page.getByRole("article", { name: `http://${receiverHost}/incoming` }).waitFor();
    expect(await page.locator("code.secret").count() === 0, "the secret is not shown again");
  });

  await step("a finished job is delivered, signed, with no transcript text", async () => {
    await page.getByRole("link", { name: "Transcribe" }).click();
    await page.getByTestId("file-input").setInputFiles(wav);
    await page.locator('[data-testid="job"][data-status="completed"]').first().waitFor({ timeout: 30_000 });
    await until(() => received.length >= 1, "the delivery (the reconcile timer runs every 2 s)");
    const [first] = received;
    expect(first.path === "/incoming", `path ${first.path}`);
    expect(verified(secret, first), `the signature verifies: ${JSON.stringify(first.headers)}`);
    expect(!verified(secret, { ...first, body: Buffer.concat([first.body, Buffer.from(" ")]) }), "a changed body does not");
    const event = JSON.parse(first.body.toString());
    expect(event.type === "job.completed" && event.data.status === "completed" && event.data.file_name === "standup.wav",
      `the event: ${first.body}`);
    expect(!/standup notes/i.test(first.body.toString()), "no transcript text in the body");
  });

  await step("the account page lists it as delivered", async () => {
    await page.getByRole("link", { name: email }).click();
    const row = page.locator(`tr[data-delivery="${received[0].headers["webhook-id"]}"][data-status="succeeded"]`);
    await row.waitFor({ timeout: 10_000 });
    const text = await row.innerText();
    expect(text.includes("Delivered") && text.includes("1 attempt") && text.includes("204"), `the row: ${text}`);
    await page.screenshot({ path: join(shots, "hooks-2-delivered.png"), fullPage: true });
  });

  await step("Redeliver sends the same delivery id again", async () => {
    const id = received[0].headers["webhook-id"];
    await page.locator(`tr[data-delivery="${id}"]`).getByRole("button", { name: "Redeliver" }).click();
    await until(() => received.length >= 2, "the redelivery", 10_000);
    expect(received[1].headers["webhook-id"] === id && received[1].body.equals(received[0].body), "same id, same body");
    expect(verified(secret, received[1]), "the redelivery is signed too");
    await page.locator(`tr[data-delivery="${id}"]`, { hasText: "2 attempts" }).waitFor({ timeout: 10_000 });
    expect(received.length === 2, `deliveries received: ${received.length}`);
    expect(!consoleErrors.length, `page errors: ${consoleErrors.join("; ")}`);
  });
} finally {
  await browser.close();
  proc.kill("SIGTERM");
  receiver.close();
}
const failed = results.filter(([, ok]) => !ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
