// Personal API keys and the API reference, end to end: Debian's Chromium makes a key on the account page (shown once),
// node uses it as a script would (fetch, as curl: exchange it, list the jobs, be refused a write), the page shows its
// last use, revoking it refuses its exchange and its token; /api/docs, signed out, renders the reference under the
// app's Content-Security-Policy. Screenshots go to frontend/test-results/apikeys-*.png. Prints "N passed, N failed".
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { startCloud as startLocalCloud } from "./cloud.mjs";
import { accessible, expect, report, results, step } from "./harness.mjs";

const root = resolve(new URL("../..", import.meta.url).pathname);
const python = process.env.PYTHON || join(root, ".venv/bin/python");
const shots = join(root, "frontend/test-results");
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "transcribe-apikeys-"));

// What a script does with the key: plain HTTP from node, no browser, no cookies (the curl example of the reference).
async function call(url, method, path, { token, body } = {}) {
  const headers = { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}) };
  const res = await fetch(`${url}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

const { proc, url } = await startLocalCloud({ python, root, log: join(shots, "local-cloud-apikeys.log"),
  dataDir: join(work, "data") });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--lang=en-US"] });
const context = await browser.newContext({ locale: "en-US", viewport: { width: 1100, height: 900 } });
const page = await context.newPage();
const consoleErrors = [], requested = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));
page.on("request", (r) => requested.push(r.url()));
page.on("dialog", (d) => void d.accept());  // the revoke confirmation
const email = `keys-${Date.now()}@example.com`;
let key = "", token = "";

try {
  await step("sign up, then open the account page: its first load has no API reference in it", async () => {
    await page.goto(`${url}/signup`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("a long enough passphrase");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "New transcription" }).waitFor();
    await page.goto(`${url}/account`);
    await page.getByRole("heading", { name: "API keys" }).waitFor();
    await page.getByText("No keys yet.").waitFor();
    expect(!requested.some((u) => /ApiDocsPage|swagger/i.test(u)), `the reference loaded with the app: ${requested}`);
  });

  await step("create a read-only key: shown once, whole, then only its prefix", async () => {
    await page.getByLabel("Name", { exact: true }).fill("nightly export");
    await page.getByLabel("Access").selectOption("read");
    await page.getByLabel("Expires after").selectOption("30");
    await page.getByRole("button", { name: "Create key" }).click();
    const shown = page.getByLabel("The new API key");
    await shown.waitFor();
    key = await shown.inputValue();
    expect(/^tsk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/.test(key), `the key: ${key}`);
    await page.getByText("it is shown only this once").waitFor();
    const row = page.locator(".key-list li", { hasText: "nightly export" });
    await row.waitFor();
    const rowText = await row.innerText();
    expect(rowText.includes(key.slice(0, 16)) && !rowText.includes(key), `the list row: ${rowText}`);
    expect(/Read only/.test(rowText) && /in 30 days/.test(rowText) && /Last used: never/.test(rowText), rowText);
    await accessible(page, "account with a new key");
    await page.screenshot({ path: join(shots, "apikeys-1-created.png"), fullPage: true });
    await page.getByRole("button", { name: "I have saved it" }).click();
    await page.reload();
    await page.locator(".key-list li", { hasText: "nightly export" }).waitFor();
    expect(!(await page.content()).includes(key.slice(17)), "the secret is shown again after a reload");
  });

  await step("a script exchanges the key (fetch, as curl), lists the jobs, and is refused a write", async () => {
    const exchanged = await call(url, "POST", "/api/v1/auth/token", { body: { api_key: key } });
    expect(exchanged.status === 200 && exchanged.json.scope === "read", `exchange: ${exchanged.status} ${exchanged.text}`);
    expect(exchanged.json.expires_in > 0 && exchanged.json.expires_in <= 900, `lifetime: ${exchanged.json.expires_in}`);
    token = exchanged.json.access_token;
    const jobs = await call(url, "GET", "/api/v1/jobs", { token });
    expect(jobs.status === 200 && Array.isArray(jobs.json.items), `jobs: ${jobs.status} ${jobs.text}`);
    const write = await call(url, "POST", "/api/v1/files", { token,
      body: { filename: "a.wav", content_type: "audio/wav", size: 10 } });
    expect(write.status === 403 && write.json.error.code === "insufficient_scope", `write: ${write.status} ${write.text}`);
    const keys = await call(url, "GET", "/api/v1/auth/keys", { token });
    expect(keys.status === 403 && keys.json.error.code === "session_required", `keys: ${keys.status} ${keys.text}`);
  });

  await step("the account page shows the key's last use", async () => {
    await page.reload();
    const row = page.locator(".key-list li", { hasText: "nightly export" });
    await row.waitFor();
    const text = await row.innerText();
    expect(/Last used: (now|\d+ seconds? ago|1 minute ago)/.test(text), `the row after its use: ${text}`);
  });

  await step("in Russian, the keys read in Russian (plural forms included)", async () => {
    await page.getByLabel("Interface language").selectOption("ru");
    await page.getByRole("heading", { name: "Ключи API" }).waitFor();
    const row = await page.locator(".key-list li", { hasText: "nightly export" }).innerText();
    expect(/Только чтение/.test(row) && /через 30 дней/.test(row), `the row in Russian: ${row}`);
    await page.screenshot({ path: join(shots, "apikeys-ru-account.png"), fullPage: true });
    await page.getByLabel("Язык интерфейса").selectOption("en");
    await page.getByRole("heading", { name: "API keys" }).waitFor();
  });

  await step("revoke it: its exchange is refused, and the token already made stops", async () => {
    await page.getByRole("button", { name: "Revoke the key nightly export" }).click();
    await page.getByText("The key “nightly export” was revoked.").waitFor();
    await page.getByText("No keys yet.").waitFor();
    await page.screenshot({ path: join(shots, "apikeys-2-revoked.png"), fullPage: true });
    const again = await call(url, "POST", "/api/v1/auth/token", { body: { api_key: key } });
    expect(again.status === 401 && again.json.error.code === "invalid_api_key", `exchange: ${again.status} ${again.text}`);
    const jobs = await call(url, "GET", "/api/v1/jobs", { token });
    expect(jobs.status === 401 && jobs.json.error.code === "token_revoked", `old token: ${jobs.status} ${jobs.text}`);
  });

  await step("signed out, /api/docs renders the reference from the app, under its security headers", async () => {
    const head = await fetch(`${url}/api/docs`);
    const policy = head.headers.get("content-security-policy") || "";
    expect(head.status === 200 && /text\/html/.test(head.headers.get("content-type")), `GET /api/docs: ${head.status}`);
    expect(/script-src 'self'/.test(policy) && /style-src 'self'/.test(policy) && !/unsafe/.test(policy), policy);
    const unknown = await call(url, "GET", "/api/nothing-here");
    expect(unknown.status === 404 && unknown.json.error.code === "route_not_found", "other /api paths stay JSON 404s");
    const reader = await browser.newContext({ locale: "en-US", viewport: { width: 1100, height: 900 } });
    const docs = await reader.newPage();
    const docErrors = [];
    docs.on("console", (m) => { if (m.type() === "error") docErrors.push(m.text()); });
    docs.on("pageerror", (e) => docErrors.push(String(e)));
    await docs.goto(`${url}/api/docs`);
    await docs.locator(".swagger-ui .info .title", { hasText: "Transcribe API" }).waitFor({ timeout: 20_000 });
    await docs.locator(".opblock-summary-path", { hasText: "/api/v1/auth/token" }).first().waitFor();
    await docs.locator(".opblock-summary-path", { hasText: "/api/v1/jobs" }).first().waitFor();
    const info = await docs.locator(".swagger-ui .info").innerText();
    expect(info.includes('curl -sS -X POST "$BASE/api/v1/auth/token"') && info.includes("Authorization: Bearer $TOKEN"),
      `the curl example: ${info.slice(0, 800)}`);
    expect(await docs.title() === "API reference · Transcribe", `title: ${await docs.title()}`);
    expect(!(await docs.content()).includes("x-yc-apigateway"), "a gateway extension in the reference");
    await docs.screenshot({ path: join(shots, "apikeys-3-reference.png") });
    expect(!docErrors.length, `console errors on /api/docs (a CSP refusal?): ${docErrors.join("\n")}`);
    await reader.close();
  });

  await step("no console errors", async () => {
    const real = consoleErrors.filter((e) => !/status of (401|403|422)/.test(e));
    expect(real.length === 0, `console errors: ${real.join("\n")}`);
  });
} catch {
  // the failing step already printed why
} finally {
  await browser.close();
  proc.kill("SIGTERM");
}
report();
