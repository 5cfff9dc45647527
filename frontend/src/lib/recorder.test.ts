import { describe, expect, it } from "vitest";
import { cannotRecord, chooseContainer, IDLE, level, next, recorded, refusalOf, stamp, tokenSubject, type RecorderEvent,
  type RecorderState } from "./recorder";

const LIMIT = 60_000;
function run(events: RecorderEvent[], from: RecorderState = IDLE): RecorderState {
  return events.reduce((state, event) => next(state, event, LIMIT), from);
}

describe("the recorder's states", () => {
  it("counts recorded time without the pauses", () => {
    const state = run([{ type: "ask" }, { type: "granted", now: 1000 }, { type: "pause", now: 6000 },
      { type: "resume", now: 20_000 }, { type: "stop", now: 23_000 }]);
    expect(state).toEqual({ kind: "stopped", recorded: 8000, atLimit: false });
  });

  it("shows the time going on while recording and standing still while paused", () => {
    const recording = run([{ type: "ask" }, { type: "granted", now: 0 }]);
    expect(recorded(recording, 4000)).toBe(4000);
    const paused = next(recording, { type: "pause", now: 4000 }, LIMIT);
    expect([recorded(paused, 4000), recorded(paused, 90_000)]).toEqual([4000, 4000]);
  });

  it("stops by itself at the capabilities' limit, and says so", () => {
    const recording = run([{ type: "ask" }, { type: "granted", now: 0 }, { type: "pause", now: 50_000 },
      { type: "resume", now: 70_000 }]);
    expect(next(recording, { type: "tick", now: 79_000 }, LIMIT).kind).toBe("recording");  // 59 s recorded
    expect(next(recording, { type: "tick", now: 80_400 }, LIMIT)).toEqual({ kind: "stopped", recorded: LIMIT, atLimit: true });
  });

  it("is never stopped by the clock while paused, and a pause past the limit keeps it", () => {
    const paused = run([{ type: "ask" }, { type: "granted", now: 0 }, { type: "pause", now: 30_000 }]);
    expect(next(paused, { type: "tick", now: 999_999 }, LIMIT)).toBe(paused);
  });

  it("explains a refusal, and asks again only when told", () => {
    const refused = run([{ type: "ask" }, { type: "refused", why: "denied" }]);
    expect(refused).toEqual({ kind: "refused", why: "denied" });
    expect(next(refused, { type: "granted", now: 1 }, LIMIT)).toBe(refused);  // a late answer changes nothing
    expect(next(refused, { type: "ask" }, LIMIT)).toEqual({ kind: "asking" });
  });

  it("ignores moves that do not apply: a second Record, pause while paused, resume or stop when idle", () => {
    const recording = run([{ type: "ask" }, { type: "granted", now: 0 }]);
    expect(next(recording, { type: "ask" }, LIMIT)).toBe(recording);
    expect(next(recording, { type: "reset" }, LIMIT)).toBe(recording);  // a live recording is not thrown away
    const paused = next(recording, { type: "pause", now: 5 }, LIMIT);
    expect(next(paused, { type: "pause", now: 9 }, LIMIT)).toBe(paused);
    expect(run([{ type: "resume", now: 1 }, { type: "stop", now: 2 }])).toBe(IDLE);
  });
});

describe("the microphone refused", () => {
  it("is told apart by the error's name", () => {
    const named = (name: string) => Object.assign(new Error("x"), { name });
    expect(refusalOf(named("NotAllowedError"))).toBe("denied");
    expect(refusalOf(new DOMException("no", "NotAllowedError"))).toBe("denied");
    expect(refusalOf(named("NotFoundError"))).toBe("no-device");
    expect(refusalOf(named("NotReadableError"))).toBe("busy");
    expect(refusalOf(new TypeError("undefined is not a function"))).toBe("unsupported");
  });

  it("needs a secure page and MediaRecorder before anything is asked", () => {
    expect(cannotRecord({ secure: false, mediaDevices: false, mediaRecorder: true })).toBe("insecure");
    expect(cannotRecord({ secure: true, mediaDevices: true, mediaRecorder: false })).toBe("unsupported");
    expect(cannotRecord({ secure: true, mediaDevices: true, mediaRecorder: true })).toBeNull();
  });
});

describe("the container", () => {
  const chromium = (m: string) => m.startsWith("audio/webm") || m === "audio/mp4";
  const firefox = (m: string) => m.startsWith("audio/ogg") || m.startsWith("audio/webm");
  it("is Ogg Opus where the browser makes it, else WebM Opus", () => {
    expect(chooseContainer(firefox, ["audio/*", "video/*"]).container?.mimeType).toBe("audio/ogg;codecs=opus");
    expect(chooseContainer(chromium, ["audio/*", "video/*"]).container?.mimeType).toBe("audio/webm;codecs=opus");
  });
  it("is one the engine reads, or none, with the browser's own to name", () => {
    const speechkit = ["audio/ogg", "audio/mpeg", "audio/wav"];
    expect(chooseContainer(firefox, speechkit).container?.type).toBe("audio/ogg");
    expect(chooseContainer(chromium, speechkit)).toEqual({ container: null,
      fallback: expect.objectContaining({ type: "audio/webm" }) });
    expect(chooseContainer(chromium, ["audio/mp4"]).container?.ext).toBe("m4a");
  });
});

describe("the input level", () => {
  it("is 0 for silence, 1 at full scale, and in between on a decibel scale", () => {
    expect(level(new Float32Array(512))).toBe(0);
    expect(level(new Float32Array(512).fill(1))).toBe(1);
    expect(level(new Float32Array(512).fill(0.001))).toBeCloseTo(0, 5);   // -60 dBFS
    expect(level(new Float32Array(512).fill(0.0316))).toBeCloseTo(0.5, 2); // -30 dBFS
    expect(level([])).toBe(0);
  });
});

it("names a recording by its date and time, without characters a file name refuses", () => {
  expect(stamp(new Date(2026, 11, 6, 9, 5))).toBe("2026-12-06 09.05");
});

it("knows whose recording it is from the access token, and no one from a token it cannot read", () => {
  const part = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const token = `${part({ alg: "ES256" })}.${part({ sub: "6f1c0b3e-8a4d-4c1e-9b7a-2f5d3e4c1a9b", n: "~~?>" })}.sig`;
  expect(tokenSubject(token)).toBe("6f1c0b3e-8a4d-4c1e-9b7a-2f5d3e4c1a9b");
  expect([tokenSubject(null), tokenSubject("not a token"), tokenSubject("a.b.c")]).toEqual(["", "", ""]);
});
