// What the server can transcribe (GET /api/v1/capabilities), fetched once, and the checks made before uploading.
import { api } from "../api/client";
import type { Capabilities } from "../api/types";
import { t } from "../i18n/i18n";
import { bytes, clock, LANGUAGE_CODES, languageName } from "./format";

export { languageName };

let pending: Promise<Capabilities> | null = null;
export function loadCapabilities(): Promise<Capabilities> {
  pending ??= api.capabilities().catch((err) => { pending = null; throw err; });
  return pending;
}

// The languages a person may choose: only what the engine has, and "detect" only where it really detects.
export function languageOptions(caps: Capabilities): [string, string][] {
  const known = LANGUAGE_CODES.filter((code) => caps.languages.includes(code));
  const others = caps.languages.filter((c) => !LANGUAGE_CODES.includes(c));
  const codes = caps.languages.length > 40 ? known : [...known, ...others];
  const options = codes.map((code): [string, string] => [code, languageName(code)]);
  return caps.auto_detect ? [["auto", languageName("auto")], ...options] : options;
}

function typeOf(file: { name: string; type: string }): string {
  if (file.type) return file.type.toLowerCase();
  const ext = file.name.split(".").pop()?.toLowerCase() ?? "";
  return ({ wav: "audio/wav", flac: "audio/flac", mp3: "audio/mpeg", ogg: "audio/ogg", m4a: "audio/mp4",
    webm: "audio/webm", mp4: "video/mp4" } as Record<string, string>)[ext] ?? "";
}

// Why this file cannot be transcribed here, in a sentence; null when it can.
export function refusal(caps: Capabilities, file: { name: string; type: string; size: number }): string | null {
  const type = typeOf(file);
  const ok = caps.formats.some((f) => f === type || (f.endsWith("/*") && type.startsWith(f.slice(0, -1))));
  if (!ok) {
    return t("capabilities.refuseType", { name: file.name, type: type || t("capabilities.unknownType"),
      engine: caps.engine, formats: formatList(caps) });
  }
  if (file.size > caps.max_upload_bytes) {
    return t("capabilities.refuseSize", { name: file.name, size: bytes(file.size), max: bytes(caps.max_upload_bytes) });
  }
  return null;
}

// Whether the engine takes any audio or video (audio/*, video/*), not a list of formats.
export function takesAnyMedia(caps: Capabilities): boolean { return caps.formats.every((f) => f.endsWith("/*")); }

export function formatList(caps: Capabilities): string {
  if (takesAnyMedia(caps)) return t("capabilities.anyMedia");
  const names = caps.formats.map((f) => f.split("/")[1].replace(/^x-/, "").replace("mpeg", "mp3").toUpperCase());
  return [...new Set(names)].join(", ");
}

export function acceptAttribute(caps: Capabilities | null): string {
  return caps ? caps.formats.join(",") : "audio/*,video/*";
}

// How long the recording is, read by the browser from the file itself (before any upload); null if it cannot tell.
export function mediaDuration(file: Blob): Promise<number | null> {
  return new Promise((resolve) => {
    if (typeof document === "undefined") return resolve(null);
    const url = URL.createObjectURL(file), el = document.createElement("audio");
    const done = (value: number | null) => { URL.revokeObjectURL(url); resolve(value); };
    el.preload = "metadata";
    el.onloadedmetadata = () => done(Number.isFinite(el.duration) ? el.duration : null);
    el.onerror = () => done(null);
    el.src = url;
  });
}

// "transcribing 1:23 of audio, about 5 s" — the estimate only where the engine's speed is known.
export function transcribingLine(seconds: number | null, caps: Capabilities | null): string {
  if (seconds == null) return t("upload.transcribing");
  const rtf = caps?.realtime_factor, length = clock(seconds * 1000);
  return rtf ? t("upload.transcribingAbout", { length, seconds: Math.max(1, Math.ceil(seconds * rtf)) })
    : t("upload.transcribingAudio", { length });
}
