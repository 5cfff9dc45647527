// Words and numbers as a person reads them, in the app's language (Intl for sizes, dates and language names).
import type { Job, JobStage } from "../api/types";
import { language, t } from "../i18n/i18n";

export const STAGES: JobStage[] = ["waiting_for_upload", "queued", "retrying", "submitting", "submitted", "completed",
  "failed"];

export function stageWords(job: Pick<Job, "stage">): string {
  return STAGES.includes(job.stage) ? t(`stage.${job.stage}`) : job.stage;
}

export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const mm = String(m).padStart(h ? 2 : 1, "0"), ss = String(s).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

// Binary multiples (what operating systems show for a file), with Intl's unit names: "1.5 kB", "1,5 кБ" (Intl's
// short name for a byte is the word itself, "512 byte": the catalogue has the symbol).
const UNITS = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"];
export function bytes(n: number): string {
  if (n < 1024) return t("format.bytes", { n: new Intl.NumberFormat(language()).format(n) });
  let v = n, i = 0;
  while (v >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
  const digits = v < 10 ? 1 : 0;
  return new Intl.NumberFormat(language(), { style: "unit", unit: UNITS[i], unitDisplay: "short",
    minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
}

export function duration(seconds: number | null): string { return seconds == null ? "—" : clock(seconds * 1000); }

export function when(iso: string, now: Date = new Date()): string {
  const at = new Date(iso), diff = (now.getTime() - at.getTime()) / 1000;
  const relative = new Intl.RelativeTimeFormat(language(), { numeric: "auto" });
  if (diff < 60) return relative.format(0, "second");
  if (diff < 3600) return relative.format(-Math.floor(diff / 60), "minute");
  if (diff < 86400) return relative.format(-Math.floor(diff / 3600), "hour");
  return new Intl.DateTimeFormat(language(), { dateStyle: "medium" }).format(at);
}

// "English, German and Spanish", "английский, немецкий и испанский".
export function list(items: string[]): string {
  return new Intl.ListFormat(language(), { type: "conjunction" }).format(items);
}

// A provider label ("A", "2") reads "Speaker A"; a name the user gave ("Anna") or "Speaker A" itself stays.
export function speakerLabel(speaker: string | null | undefined): string {
  if (!speaker) return t("speaker.unknown");
  return /^([A-Z]|\d+)$/.test(speaker) ? t("speaker.label", { label: speaker }) : speaker;
}

// The languages a recording may be in, in this order; their names come from Intl in the app's language.
export const LANGUAGE_CODES = ["en", "es", "fr", "de", "it", "pt", "nl", "ru", "uk", "pl", "tr", "ja", "ko", "zh", "hi",
  "ar", "sv", "fi", "da"];

export function languageName(code: string): string {
  if (code === "auto") return t("upload.auto");
  try {
    const name = new Intl.DisplayNames(language(), { type: "language" }).of(code) ?? code;
    return name === code ? code : name.charAt(0).toLocaleUpperCase(language()) + name.slice(1);
  } catch { return code; }  // not a language tag Intl knows
}
