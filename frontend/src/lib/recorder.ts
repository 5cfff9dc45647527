// The browser recorder's rules, free of the browser: its states and moves, the time it has recorded (pauses left
// out) against the capabilities' limit, why the microphone was refused, which container to record in, and the
// input level a meter shows. components/Recorder.tsx wires them to getUserMedia, MediaRecorder and Web Audio.

export type Refusal = "denied" | "no-device" | "busy" | "insecure" | "unsupported";

export type RecorderState =
  | { kind: "idle" }
  | { kind: "asking" }                                       // waiting for the microphone permission
  | { kind: "refused"; why: Refusal }
  | { kind: "recording"; since: number; before: number }    // recording since `since`, plus `before` ms earlier
  | { kind: "paused"; before: number }
  | { kind: "stopped"; recorded: number; atLimit: boolean }; // the file goes to the upload

export type RecorderEvent =
  | { type: "ask" }
  | { type: "granted"; now: number }
  | { type: "refused"; why: Refusal }
  | { type: "pause"; now: number }
  | { type: "resume"; now: number }
  | { type: "stop"; now: number }
  | { type: "tick"; now: number }   // the clock moved: at the limit the recording stops by itself
  | { type: "reset" };

export const IDLE: RecorderState = { kind: "idle" };

// Milliseconds recorded so far, pauses left out.
export function recorded(state: RecorderState, now: number): number {
  if (state.kind === "recording") return state.before + Math.max(0, now - state.since);
  if (state.kind === "paused") return state.before;
  if (state.kind === "stopped") return state.recorded;
  return 0;
}

// The next state; a move that does not apply to the state (pause while paused, a late tick) changes nothing.
export function next(state: RecorderState, event: RecorderEvent, limitMs: number): RecorderState {
  const live = state.kind === "recording" || state.kind === "paused";
  switch (event.type) {
    case "ask":
      return live || state.kind === "asking" ? state : { kind: "asking" };
    case "granted":
      return state.kind === "asking" ? { kind: "recording", since: event.now, before: 0 } : state;
    case "refused":
      return state.kind === "asking" ? { kind: "refused", why: event.why } : state;
    case "pause":
      return state.kind === "recording" ? { kind: "paused", before: Math.min(limitMs, recorded(state, event.now)) } : state;
    case "resume":
      return state.kind === "paused" ? { kind: "recording", since: event.now, before: state.before } : state;
    case "stop":
      return live ? stopped(state, event.now, limitMs) : state;
    case "tick":
      return state.kind === "recording" && recorded(state, event.now) >= limitMs ? stopped(state, event.now, limitMs) : state;
    case "reset":
      return live ? state : IDLE;
  }
}

function stopped(state: RecorderState, now: number, limitMs: number): RecorderState {
  const ms = recorded(state, now);
  return { kind: "stopped", recorded: Math.min(ms, limitMs), atLimit: ms >= limitMs };
}

// Why getUserMedia failed, from the error's name (the names the Media Capture spec gives each case).
export function refusalOf(err: unknown): Refusal {
  const name = err instanceof Error || (typeof err === "object" && err !== null && "name" in err)
    ? String((err as { name: unknown }).name) : "";
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") return "denied";
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") return "no-device";
  if (name === "NotReadableError" || name === "AbortError" || name === "TrackStartError") return "busy";
  return "unsupported";
}

// What this page can record with at all: getUserMedia needs a secure page (HTTPS or localhost), and MediaRecorder.
export function cannotRecord(env: { secure: boolean; mediaDevices: boolean; mediaRecorder: boolean }): Refusal | null {
  if (!env.secure || !env.mediaDevices) return env.secure ? "unsupported" : "insecure";
  return env.mediaRecorder ? null : "unsupported";
}

// Containers in order of preference, all Opus but Safari's: Ogg first, which every engine here reads (Yandex
// SpeechKit's OGG_OPUS included; Firefox records it); WebM (Chromium), which AssemblyAI and Whisper read but SpeechKit
// does not; MP4 (Safari, and Chromium since 2024) last.
export const CONTAINERS = [
  { mimeType: "audio/ogg;codecs=opus", type: "audio/ogg", ext: "ogg" },
  { mimeType: "audio/webm;codecs=opus", type: "audio/webm", ext: "webm" },
  { mimeType: "audio/mp4", type: "audio/mp4", ext: "m4a" },
] as const;
export type Container = (typeof CONTAINERS)[number];

function accepts(formats: string[], type: string): boolean {
  return formats.some((f) => f === type || (f.endsWith("/*") && type.startsWith(f.slice(0, -1))));
}

// The container to record in: the first this browser makes that the engine reads. `fallback` is the browser's
// first choice whatever the engine says, to name in the sentence when nothing fits.
export function chooseContainer(supported: (mimeType: string) => boolean, formats: string[]):
  { container: Container | null; fallback: Container | null } {
  const made = CONTAINERS.filter((c) => supported(c.mimeType));
  return { container: made.find((c) => accepts(formats, c.type)) ?? null, fallback: made[0] ?? null };
}

// The input level a meter shows, 0..1, from one frame of samples: their RMS on a decibel scale from -60 dBFS
// (silence, 0) to 0 dBFS (full scale, 1), which is how loud a voice looks to the eye rather than to the amplifier.
export const FLOOR_DB = -60;
export function level(samples: ArrayLike<number>): number {
  if (!samples.length) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / samples.length);
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db - FLOOR_DB) / -FLOOR_DB));
}

// Who is signed in, from the access token's `sub` (read, not verified: it only keeps one account's recordings from
// being offered to another in a shared browser; the server checks the token on every call). "" when unreadable.
export function tokenSubject(token: string | null): string {
  try {
    const payload = (token ?? "").split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const sub = (JSON.parse(atob(payload)) as { sub?: unknown }).sub;
    return typeof sub === "string" ? sub : "";
  } catch { return ""; }
}

// "Recording 2026-12-06 13.40" with the words of the app's language; no colons or slashes, which file names refuse.
export function stamp(at: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}.${two(at.getMinutes())}`;
}
