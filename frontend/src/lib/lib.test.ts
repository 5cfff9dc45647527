import { describe, expect, it } from "vitest";
import { anyRunning, FIRST_MS, fingerprint, MAX_MS, nextDelay } from "./backoff";
import { bytes, clock, speakerLabel, stageWords, when } from "./format";
import { currentLine, lines, matches, newSpeakerLabel, oneVoiceFound, paragraphs, turns } from "./transcript";
import { uploadErrorFor } from "./upload";

describe("format", () => {
  it("writes times, sizes and stages as people read them", () => {
    expect(clock(0)).toBe("0:00");
    expect(clock(65_400)).toBe("1:05");
    expect(clock(3_723_000)).toBe("1:02:03");
    expect(bytes(512)).toBe("512 B");
    expect(bytes(1536)).toBe("1.5 kB");
    expect(bytes(5 * 1024 ** 3)).toBe("5.0 GB");
    expect(bytes(300 * 1024 ** 2)).toBe("300 MB");
    expect(stageWords({ stage: "waiting_for_upload" })).toBe("Uploading");
    expect(stageWords({ stage: "queued" })).toBe("Uploaded · queued");
    expect(stageWords({ stage: "submitted" })).toBe("Transcribing");
    expect(speakerLabel("A")).toBe("Speaker A");
    expect(speakerLabel("Speaker 2")).toBe("Speaker 2");
    expect(speakerLabel("Anna")).toBe("Anna");
    expect(when("2026-11-24T10:00:00Z", new Date("2026-11-24T10:05:00Z"))).toBe("5 minutes ago");
  });
});

describe("polling backoff", () => {
  it("slows down while nothing changes, resets on change, and stops when idle", () => {
    let d = FIRST_MS;
    const seen = [];
    for (let i = 0; i < 8; i++) seen.push((d = nextDelay(d, false)));
    expect(seen[0]).toBeGreaterThan(FIRST_MS);
    expect(seen.at(-1)).toBe(MAX_MS);
    expect(nextDelay(MAX_MS, true)).toBe(FIRST_MS);
    expect(anyRunning([{ status: "completed" }, { status: "failed" }])).toBe(false);
    expect(anyRunning([{ status: "completed" }, { status: "pending" }])).toBe(true);
    expect(fingerprint([{ id: "1", status: "pending", stage: "queued" }]))
      .not.toBe(fingerprint([{ id: "1", status: "processing", stage: "submitted" }]));
  });
});

describe("transcript view", () => {
  const words = [
    { text: "One.", start: 0, end: 400 }, { text: "Two.", start: 500, end: 900 },
    { text: "Later", start: 5000, end: 5400 }, { text: "words.", start: 5500, end: 6000 },
  ];
  it("groups mono words into paragraphs at pauses and every few sentences", () => {
    expect(paragraphs(words).map((p) => p.text)).toEqual(["One. Two.", "Later words."]);
    expect(paragraphs(words, 1).map((p) => p.text)).toEqual(["One.", "Two.", "Later words."]);
  });
  it("shows dialogue as turns and finds the line being played", () => {
    const all = lines({ job_id: "j", mode: "dialogue", text: "", language: "en", audio_duration: 7, confidence: 1,
      words: [], utterances: [
        { speaker: "A", start: 0, end: 2000, text: "Hello there", words: [] },
        { speaker: "B", start: 2500, end: 4000, text: "Hi hello", words: [] }] });
    expect(all.map((l) => l.speaker)).toEqual(["A", "B"]);
    expect(currentLine(all, 1000)).toBe(0);
    expect(currentLine(all, 3000)).toBe(1);
    expect(currentLine(all, 60_000)).toBe(-1);
    expect([...matches(all, "HELLO").entries()]).toEqual([[0, [[0, 5]]], [1, [[3, 8]]]]);
    expect(matches(all, "  ").size).toBe(0);
  });
  it("shows consecutive lines of one speaker as one turn, each line still named by its index", () => {
    const u = (speaker: string, start: number, text: string) => ({ speaker, start, end: start + 500, text, words: [] });
    const all = lines({ job_id: "j", mode: "dialogue", text: "", language: "en", audio_duration: 30, confidence: 1,
      words: [], utterances: [u("B", 22_500, "Fuel went up"), u("A", 26_140, "more."), u("A", 26_640, "Can we?")] });
    const grouped = turns(all);
    expect(grouped.map((t) => [t.label, t.lines.map((l) => l.index)])).toEqual([["B", [0]], ["A", [1, 2]]]);
    expect(newSpeakerLabel(["A", "B"])).toBe("C");
  });
  it("takes a one-speaker transcript's paragraphs from the server, as the TXT export does", () => {
    const all = lines({ job_id: "j", mode: "mono", text: "", language: "en", audio_duration: 7, confidence: 1,
      words, utterances: [], paragraphs: [0, 1, 2] });
    expect(all.map((l) => [l.index, l.text])).toEqual([[0, "One."], [1, "Two."], [2, "Later words."]]);
    expect(turns(all).length).toBe(3);
  });
  it("says one voice was found only when dialogue mode was asked to find the speakers", () => {
    const t = (speakers: string[]) => ({ job_id: "j", mode: "dialogue" as const, text: "", language: "en",
      audio_duration: 7, confidence: 1, words: [],
      utterances: speakers.map((speaker, i) => ({ speaker, start: i * 1000, end: i * 1000 + 900, text: "x", words: [] })) });
    expect(oneVoiceFound({ mode: "dialogue", speakers_expected: null }, t(["A", "A", "A"]))).toBe(true);
    expect(oneVoiceFound({ mode: "dialogue", speakers_expected: null }, t(["A", "B", "A"]))).toBe(false);
    expect(oneVoiceFound({ mode: "dialogue", speakers_expected: 1 }, t(["A", "A"]))).toBe(false);  // the user said one
    expect(oneVoiceFound({ mode: "mono", speakers_expected: null }, t(["A", "A"]))).toBe(false);
    expect(oneVoiceFound({ mode: "dialogue", speakers_expected: null }, t(["A"]))).toBe(false);  // one line says little
  });
});

describe("upload errors", () => {
  it("says what to do", () => {
    expect(uploadErrorFor(403).message).toMatch(/expired/);
    expect(uploadErrorFor(500).kind).toBe("rejected");
  });
});

import { formatList, languageOptions, refusal, transcribingLine } from "./capabilities";
import type { Capabilities } from "../api/types";

const LOCAL: Capabilities = { engine: "the local Whisper engine", provider: "assemblyai", languages: ["en"], auto_detect: false,
  formats: ["audio/wav", "audio/flac", "audio/mpeg"], max_upload_bytes: 1000, max_parallel_per_user: 2,
  max_active_jobs_per_user: 5, max_stored_bytes_per_user: 5000 };
const CLOUD: Capabilities = { ...LOCAL, engine: "AssemblyAI", languages: ["en", "de", "es"], auto_detect: true,
  formats: ["audio/*", "video/*"] };

describe("capabilities", () => {
  it("offers only the engine's languages, and detection only where it is real", () => {
    expect(languageOptions(LOCAL)).toEqual([["en", "English"]]);
    expect(languageOptions(CLOUD).map(([c]) => c)).toEqual(["auto", "en", "es", "de"]);
  });
  it("refuses, before uploading, what the engine cannot read or the server would not take", () => {
    expect(refusal(LOCAL, { name: "a.ogg", type: "audio/ogg", size: 10 })).toMatch(/reads WAV, FLAC, MP3/);
    expect(refusal(LOCAL, { name: "a.wav", type: "audio/wav", size: 2000 })).toMatch(/largest file accepted/);
    expect(refusal(LOCAL, { name: "a.mp3", type: "", size: 10 })).toBeNull();  // known by its extension
    expect(refusal(CLOUD, { name: "clip.mp4", type: "video/mp4", size: 10 })).toBeNull();
    expect(refusal(CLOUD, { name: "notes.pdf", type: "application/pdf", size: 10 })).toMatch(/any audio or video/);
    expect(formatList(CLOUD)).toBe("any audio or video file");
  });
});

describe("transcribing", () => {
  it("says how much audio, and how long it should take only where the engine's speed is known", () => {
    expect(transcribingLine(83, { ...LOCAL, realtime_factor: 0.05 })).toBe("transcribing 1:23 of audio, about 5 s");
    expect(transcribingLine(83, CLOUD)).toBe("transcribing 1:23 of audio");
    expect(transcribingLine(null, CLOUD)).toBe("transcribing");
  });
});
