// The app in Russian, end to end, in a SpeechKit deployment (the recordings stay in Russia; the local cloud runs
// SpeechKit's v3 emulator, polled by the reconcile timer): Debian's Chromium with a ru-RU locale (navigator.languages,
// Accept-Language) signs up, uploads a Russian dialogue, reads, searches and downloads its transcript, and resets a
// forgotten password from the Russian mail, every page in Russian. Screenshots go to frontend/test-results/ru-*.png. Prints "N passed, N failed".
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { startCloud as startLocalCloud } from "./cloud.mjs";
import { accessible, expect, report, results, step } from "./harness.mjs";

const root = resolve(new URL("../..", import.meta.url).pathname);
const python = process.env.PYTHON || join(root, ".venv/bin/python");
const shots = join(root, "frontend/test-results");
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "transcribe-ru-"));
const wav = join(work, "интервью.wav");
execFileSync(python, ["-m", "local.assemblyai.media", "--out", wav, "--duration", "8", "--language", "ru", "--dialogue",
  "A:Добро пожаловать на интервью.", "B:Спасибо, рада быть здесь.", "A:Начнём с вашей работы."], { cwd: root });

function startCloud() {
  return startLocalCloud({ python, root, log: join(shots, "local-cloud-ru.log"), dataDir: join(work, "data"),
    provider: "speechkit" });
}

async function titled(p, title) {
  await p.waitForFunction((want) => document.title === want, title, { timeout: 5000 })
    .catch(async () => { throw new Error(`title "${await p.title()}", expected "${title}"`); });
}
// The page is marked Russian, and its words are: Cyrillic, and none of the English interface's phrases.
const ENGLISH = /\b(Sign (in|up|out)|Upload|Download|Search|Your transcriptions|Language|Speaker [A-Z]|Delete|Retry|Done|Loading|Password|Email|Choose)\b/;
async function russian(p, state) {
  const lang = await p.evaluate(() => document.documentElement.lang);
  const text = await p.locator("body").innerText();
  expect(lang === "ru", `${state}: <html lang="${lang}">`);
  expect(/[а-яё]{4,}/i.test(text), `${state}: no Russian text: ${text.slice(0, 300)}`);
  const english = text.match(ENGLISH);
  expect(!english, `${state}: English left on the page: "${english?.[0]}" in ${text.slice(0, 600)}`);
}

const { proc, url, mailUrl } = await startCloud();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--lang=ru-RU"] });
const context = await browser.newContext({ locale: "ru-RU", acceptDownloads: true, viewport: { width: 1100, height: 800 } });
const page = await context.newPage();
const consoleErrors = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));
const email = `ru-${Date.now()}@example.com`;

try {
  await step("sign up in Russian: the browser's language is the app's", async () => {
    await page.goto(`${url}/signup`);
    await page.getByRole("heading", { name: "Регистрация" }).waitFor();
    await titled(page, "Регистрация · Transcribe");
    await page.getByTestId("capabilities").waitFor();
    const engine = await page.getByTestId("capabilities").innerText();
    expect(engine.includes("Yandex SpeechKit"), `the sign-up page names the engine: ${engine}`);
    await russian(page, "sign-up");
    await accessible(page, "sign-up (ru)");
    await page.screenshot({ path: join(shots, "ru-1-signup.png") });
    await page.getByLabel("Электронная почта").fill(email);
    await page.getByLabel("Пароль").fill("достаточно длинный пароль");
    await page.getByRole("button", { name: "Зарегистрироваться" }).click();
    await page.getByRole("heading", { name: "Новая расшифровка" }).waitFor();
    await titled(page, "Ваши расшифровки · Transcribe");
    const me = await page.evaluate(async () => (await fetch("/api/v1/auth/me", {
      headers: { Authorization: `Bearer ${localStorage.getItem("transcribe.token")}` } })).json());
    expect(me.language === "ru", `the account's language: ${JSON.stringify(me)}`);
  });

  await step("upload a Russian dialogue: progress, stages and sizes in Russian", async () => {
    await page.getByLabel("Диалог (с метками говорящих)").check();
    await page.getByTestId("file-input").setInputFiles(wav);
    await page.getByTestId("upload-done").waitFor({ timeout: 20_000 });
    expect(/Загружено .*(Б|кБ|МБ)/.test(await page.getByTestId("upload-done").innerText()),
      `the upload line: ${await page.getByTestId("upload-done").innerText()}`);
    await page.locator('[data-testid="job"][data-status="completed"]').first().waitFor({ timeout: 30_000 });
    const row = await page.getByTestId("job").first().innerText();
    expect(row.includes("Готово") && row.includes("диалог") && row.includes("0:08"), `the job row: ${row}`);
    await russian(page, "jobs");
    await accessible(page, "jobs (ru)");
    await page.screenshot({ path: join(shots, "ru-2-jobs.png"), fullPage: true });
  });

  await step("the transcript: speakers, search with Russian plurals, shortcuts and downloads in Russian", async () => {
    await page.getByRole("link", { name: "интервью.wav" }).click();
    await page.getByRole("link", { name: "← Все расшифровки" }).waitFor();
    await page.locator("ol.lines").waitFor();
    await page.screenshot({ path: join(shots, "ru-3-transcript.png"), fullPage: true });
    await page.locator("ol.lines").getByText("Говорящий B").first().waitFor({ timeout: 5000 });
    expect((await page.locator("ol.lines").innerText()).includes("Спасибо, рада быть здесь."), "the Russian words");
    await page.getByLabel("Поиск").fill("интервью");
    await page.getByText("1 совпадение").waitFor();
    await page.getByLabel("Поиск").fill("а");
    const many = await page.locator(".toolbar [aria-live]").innerText();
    expect(/^\d+ совпаден(ие|ия|ий)$/.test(many), `matches: ${many}`);
    await page.getByLabel("Поиск").fill("");
    await page.getByRole("button", { name: "Сочетания клавиш" }).click();
    expect((await page.getByRole("dialog").innerText()).includes("воспроизведение / пауза"), "the shortcuts in Russian");
    await russian(page, "transcript with its shortcuts");
    await accessible(page, "transcript (ru)");
    await page.screenshot({ path: join(shots, "ru-3-transcript.png"), fullPage: true });
    await page.getByRole("button", { name: "Закрыть" }).click();
    const download = page.waitForEvent("download");
    await page.locator(".downloads").getByRole("button", { name: "TXT" }).click();
    const text = readFileSync(await (await download).path(), "utf8");
    expect(text.includes("Спасибо, рада быть здесь."), `the TXT: ${text}`);
  });

  await step("an API error in Russian from its code: a wrong password at sign-in", async () => {
    await page.getByRole("button", { name: "Выйти" }).click();
    await page.getByRole("heading", { name: "Вход" }).waitFor();
    await page.getByLabel("Электронная почта").fill(email);
    await page.getByLabel("Пароль").fill("не тот пароль");
    await page.getByRole("button", { name: "Войти" }).click();
    await page.getByRole("alert").filter({ hasText: "Неверный адрес или пароль." }).waitFor();
    await russian(page, "sign-in with its error");
    await page.screenshot({ path: join(shots, "ru-4-signin-error.png") });
  });

  await step("forgot password: the Russian mail's link sets a new one", async () => {
    await page.getByRole("link", { name: "Забыли пароль?" }).click();
    await titled(page, "Сброс пароля · Transcribe");
    await page.getByLabel("Электронная почта").fill(email);
    await page.getByRole("button", { name: "Прислать ссылку" }).click();
    await page.getByText("Если к этому адресу привязана учётная запись").waitFor();
    await russian(page, "forgot-password");
    const mail = await context.newPage();
    await mail.goto(mailUrl);
    await mail.getByRole("heading", { name: "Письма, отправленные локальным облаком" }).waitFor();
    const message = mail.locator("article").filter({ hasText: `кому ${email}` }).first();
    await message.getByRole("heading", { name: "Сброс пароля Transcribe" }).waitFor();
    const body = await message.frameLocator("iframe").locator("body").innerText();
    expect(body.includes("в течение 30 минут") && body.includes("пароль останется прежним"), `the mail: ${body}`);
    await mail.screenshot({ path: join(shots, "ru-5-mail.png"), fullPage: true });
    await message.frameLocator("iframe").getByRole("link", { name: "Задать новый пароль" }).click();
    await mail.getByRole("heading", { name: "Новый пароль" }).waitFor({ timeout: 10_000 });
    await russian(mail, "reset-password");
    await accessible(mail, "reset-password (ru)");
    await mail.screenshot({ path: join(shots, "ru-6-new-password.png") });
    await mail.getByLabel("Новый пароль").fill("новый надёжный пароль");
    await mail.getByRole("button", { name: "Сохранить пароль" }).click();
    await mail.getByRole("heading", { name: "Ваши расшифровки" }).waitFor();
    await mail.close();
  });

  await step("the switch changes the language on the spot, is remembered, and tells the account", async () => {
    await page.goto(`${url}/`);
    await page.getByRole("heading", { name: "Ваши расшифровки" }).waitFor();
    await page.getByLabel("Язык интерфейса").selectOption("en");
    await page.getByRole("heading", { name: "Your transcriptions" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Your transcriptions" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang) === "en", "the page is marked English");
    await page.screenshot({ path: join(shots, "ru-7-switched-to-english.png") });
    const me = await page.evaluate(async () => (await fetch("/api/v1/auth/me", {
      headers: { Authorization: `Bearer ${localStorage.getItem("transcribe.token")}` } })).json());
    expect(me.language === "en", `the account follows the switch: ${JSON.stringify(me)}`);
    await page.getByLabel("Interface language").selectOption("ru");
    await page.getByRole("heading", { name: "Ваши расшифровки" }).waitFor();
  });

  await step("no console errors", async () => {
    const real = consoleErrors.filter((e) => !/status of (401|422)/.test(e));
    expect(real.length === 0, `console errors: ${real.join("\n")}`);
  });
} catch {
  // the failing step already printed why
} finally {
  await browser.close();
  proc.kill("SIGTERM");
}
report();
