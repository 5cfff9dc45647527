// The app's two languages with i18next: both catalogues are bundled (a few KB each), so the first paint is already
// in the right language. The language is the one chosen with the switch in this browser (localStorage), else the
// browser's first of ours (navigator.languages), else English.
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import { EN, RU } from "./catalogues";

export const LANGUAGES = ["en", "ru"] as const;
export type Language = (typeof LANGUAGES)[number];
// Each language named in itself, as a switch offers them.
export const NATIVE_NAMES: Record<Language, string> = { en: "English", ru: "Русский" };
const STORE_KEY = "transcribe.language";

type Store = Pick<Storage, "getItem" | "setItem">;
function store(): Store | null { return typeof localStorage === "undefined" ? null : localStorage; }

export function isLanguage(value: unknown): value is Language {
  return LANGUAGES.includes(value as Language);
}

// "ru-RU" and "ru" are Russian; the first of the browser's languages that we have wins.
export function browserLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split("-")[0];
    if (isLanguage(primary)) return primary;
  }
  return "en";
}

export function storedLanguage(s: Store | null = store()): Language | null {
  const value = s?.getItem(STORE_KEY);
  return isLanguage(value) ? value : null;
}

function initialLanguage(): Language {
  const nav = typeof navigator === "undefined" ? undefined : navigator;
  return storedLanguage() ?? browserLanguage(nav?.languages ?? (nav?.language ? [nav.language] : []));
}

void i18next.use(initReactI18next).init({
  resources: { en: { translation: EN }, ru: { translation: RU } },
  lng: initialLanguage(),
  fallbackLng: "en",
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },  // React escapes what it renders
  initAsync: false,  // the catalogues are here: ready before the first render
});

function markPage(lng: string): void {
  if (typeof document !== "undefined") document.documentElement.lang = lng;  // screen readers pick their voice
}
markPage(i18next.language);
i18next.on("languageChanged", markPage);

export const i18n = i18next;
export const t = i18next.t.bind(i18next);
export function language(): Language { return isLanguage(i18next.language) ? i18next.language : "en"; }

// The switch: this browser remembers the choice; the caller tells the account (its mail follows).
export function chooseLanguage(lng: Language, s: Store | null = store()): void {
  s?.setItem(STORE_KEY, lng);
  void i18next.changeLanguage(lng);
}
