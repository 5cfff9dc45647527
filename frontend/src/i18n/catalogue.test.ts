// Every string the app shows is in both catalogues: the same keys, the same {{placeholders}}, each language's plural
// forms, every key the source names, and no words typed straight into JSX (a TypeScript parse of every .tsx file).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { bytes, list, STAGES, when } from "../lib/format";
import { flatten } from "./catalogue";
import { EN as en, RU as ru } from "./catalogues";
import { errorText } from "./errors";
import { browserLanguage, i18n, t } from "./i18n";

const EN = flatten(en), RU = flatten(ru);
const PLURAL = /_(zero|one|two|few|many|other)$/;
const FORMS: Record<string, string[]> = {
  en: new Intl.PluralRules("en").resolvedOptions().pluralCategories,
  ru: new Intl.PluralRules("ru").resolvedOptions().pluralCategories,
};

// { base key: [its plural forms] } and the other keys, of one catalogue.
function shape(flat: Record<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of Object.keys(flat)) {
    const form = key.match(PLURAL)?.[1];
    const base = form ? key.replace(PLURAL, "") : key;
    out.set(base, [...(out.get(base) ?? []), ...(form ? [form] : [])]);
  }
  return out;
}
const placeholders = (text: string) => new Set([...text.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]));
const tags = (text: string) => [...text.matchAll(/<\/?(\w+)>/g)].map((m) => m[0]).sort();

const SRC = new URL("..", import.meta.url).pathname;
function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

describe("the catalogues", () => {
  const enShape = shape(EN), ruShape = shape(RU);

  it("have the same keys, and each language's plural forms", () => {
    expect([...ruShape.keys()].sort()).toEqual([...enShape.keys()].sort());
    for (const [base, forms] of enShape) {
      if (!forms.length) { expect(ruShape.get(base), base).toEqual([]); continue; }
      expect(forms.sort(), `en ${base}`).toEqual([...FORMS.en].sort());
      expect(ruShape.get(base)?.sort(), `ru ${base}`).toEqual([...FORMS.ru].sort());
    }
  });

  it("fill in the same placeholders and keep the same markup", () => {
    for (const [key, text] of Object.entries(EN)) {
      const base = key.replace(PLURAL, "");
      const ruText = RU[key] ?? RU[`${base}_other`] ?? "";
      // An error English shows in the server's own (English) words, Russian may say in its own.
      if (key.startsWith("errors.") && text === "{{detail}}") continue;
      expect(placeholders(ruText), key).toEqual(placeholders(text));
      expect(tags(ruText), key).toEqual(tags(text));
    }
    for (const [key, text] of Object.entries(RU)) {
      const enText = EN[key] ?? EN[`${key.replace(PLURAL, "")}_other`] ?? "";
      if (!key.startsWith("errors.") || enText !== "{{detail}}") expect(placeholders(text), key).toEqual(placeholders(enText));
    }
  });

  it("are written in their languages (no English left in the Russian one)", () => {
    for (const [key, text] of Object.entries(RU)) {
      const words = text.replace(/\{\{\w+\}\}|<\/?\w+>|Transcribe|YouTube|JSON|SRT|VTT|HTTP|API|Enter|Tab|[KJL]\b/g, "");
      expect(/[a-z]{2,}/i.test(words), `${key}: ${text}`).toBe(false);
    }
  });

  it("hold every key the source names", () => {
    // t("key"…), translate("key"…), i18nKey="key", and keys kept in constants ("group.key" strings of every group).
    const groups = Object.keys(en).join("|");
    const KEYS = new RegExp(`(?:\\bt|translate)\\(\\s*"([\\w.]+)"|i18nKey="([\\w.]+)"|"((?:${groups})\\.\\w+)"`, "g");
    const used = new Set<string>();
    for (const file of sources()) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(KEYS)) {
        used.add(m[1] ?? m[2] ?? m[3]);
      }
    }
    for (const stage of STAGES) used.add(`stage.${stage}`);  // t(`stage.${job.stage}`)
    expect(used.size).toBeGreaterThan(150);
    const missing = [...used].filter((key) => !(key in EN || `${key}_other` in EN) || !(key in RU || `${key}_other` in RU));
    expect(missing).toEqual([]);
  });
});

// Text a person reads in JSX: text nodes, and the attributes that are read out or shown.
const READ_ATTRIBUTES = new Set(["placeholder", "title", "aria-label", "alt", "label"]);
const ALLOWED = new Set(["https://example.com/episode.mp3", "← / →", "J / L", "< / >", "?"]);

function wordsInJsx(name: string, text: string): string[] {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && /\p{L}/u.test(node.text)) found.push(node.text.trim());
    if (ts.isJsxAttribute(node) && READ_ATTRIBUTES.has(node.name.getText()) && node.initializer
      && ts.isStringLiteral(node.initializer) && /\p{L}/u.test(node.initializer.text)) found.push(node.initializer.text);
    // A literal in a JSX expression ({"Sign in"}, {ok ? "Yes" : "No"}): a word not from a catalogue.
    if (ts.isJsxExpression(node) && node.expression) {
      const walk = (n: ts.Node) => {
        if (ts.isCallExpression(n)) return;  // t("…"), and whatever a call makes of its arguments
        if (ts.isJsxElement(n) || ts.isJsxSelfClosingElement(n) || ts.isJsxFragment(n)) return;  // visited on its own
        if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && /\p{L}{2,}/u.test(n.text)
          && !ts.isJsxAttribute(n.parent) && !ts.isElementAccessExpression(n.parent) && !ts.isBinaryExpression(n.parent)
          && !ts.isPropertyAssignment(n.parent)) found.push(n.text);
        ts.forEachChild(n, walk);
      };
      if (!ts.isJsxAttribute(node.parent) || READ_ATTRIBUTES.has(node.parent.name.getText())) walk(node.expression);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((text) => !ALLOWED.has(text));
}

describe("the pages", () => {
  it("show no words typed into their JSX: every word comes from the catalogues", () => {
    const files = sources().filter((f) => f.endsWith(".tsx"));
    expect(files.length).toBeGreaterThan(8);
    const found = files.flatMap((f) => wordsInJsx(f, readFileSync(f, "utf8")).map((text) => `${f.slice(SRC.length)}: ${text}`));
    expect(found, found.join("\n")).toEqual([]);
  });

  it("would notice a word typed into JSX", () => {
    const src = `export const A = () => <p title="Close it">Hello <b>{ok ? "Yes" : t("x.y")}</b> {n}</p>;`;
    expect(wordsInJsx("probe.tsx", src)).toEqual(["Close it", "Hello", "Yes"]);
  });
});

describe("in Russian", () => {
  it("follows the browser, counts with Russian plurals, and writes sizes, times and lists the Russian way", async () => {
    expect(browserLanguage(["ru-RU", "en-US"])).toBe("ru");
    expect(browserLanguage(["de-DE", "en-GB"])).toBe("en");
    expect(browserLanguage(["de"])).toBe("en");
    await i18n.changeLanguage("ru");
    try {
      expect([1, 3, 5, 21].map((count) => t("transcript.matches", { count })))
        .toEqual(["1 совпадение", "3 совпадения", "5 совпадений", "21 совпадение"]);
      expect(bytes(1536)).toBe("1,5 кБ");
      expect(bytes(512)).toBe("512 Б");
      expect(when("2026-11-24T10:00:00Z", new Date("2026-11-24T10:05:00Z"))).toBe("5 минут назад");
      expect(list(["английский", "немецкий"])).toBe("английский и немецкий");
      expect(errorText(new ApiError(409, "email_taken", "an account with this email already exists")))
        .toBe("Учётная запись с этим адресом уже есть — войдите в неё.");
      expect(errorText(new ApiError(418, "a_new_code", "the server's own sentence"))).toBe("the server's own sentence");
      expect(errorText(new TypeError("Failed to fetch"))).toMatch(/Не удалось связаться с сервером/);
    } finally {
      await i18n.changeLanguage("en");
    }
  });
});
