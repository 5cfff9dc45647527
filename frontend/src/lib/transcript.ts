// Turning stored words and utterances into what the page shows: paragraphs, turns, the current line, matches.
import type { Job, Transcript, Word } from "../api/types";

export interface Line { start: number; end: number; text: string; speaker: string | null; words: Word[] }

const SENTENCE_END = /[.?!…]["')\]]*$/;

// Mono: paragraphs of a few sentences, or a new one after a long pause.
export function paragraphs(words: Word[], sentencesPerParagraph = 4, pauseMs = 2000): Line[] {
  const out: Line[] = [];
  let current: Word[] = [], sentences = 0;
  const flush = () => {
    if (current.length) out.push({ start: current[0].start, end: current[current.length - 1].end,
      text: current.map((w) => w.text).join(" "), speaker: null, words: current });
    current = []; sentences = 0;
  };
  for (const w of words) {
    if (current.length && w.start - current[current.length - 1].end > pauseMs) flush();
    current.push(w);
    if (SENTENCE_END.test(w.text) && ++sentences >= sentencesPerParagraph) flush();
  }
  flush();
  return out;
}

export function lines(t: Transcript): Line[] {
  if (t.mode === "dialogue" && t.utterances.length) {
    return t.utterances.map((u) => ({ start: u.start, end: u.end, text: u.text,
      speaker: u.speaker_name ?? u.speaker ?? null, words: u.words ?? [] }));
  }
  const words = t.words.length ? t.words : t.utterances.flatMap((u) => u.words);
  if (!words.length && t.text) {
    return [{ start: 0, end: (t.audio_duration ?? 0) * 1000, text: t.text, speaker: null, words: [] }];
  }
  return paragraphs(words);
}

export function currentLine(all: Line[], ms: number): number {
  for (let i = all.length - 1; i >= 0; i--) if (ms >= all[i].start) return ms <= all[i].end + 1500 ? i : -1;
  return -1;
}

// The word being played within a line (its index), or -1 between words.
export function currentWord(line: Line | undefined, ms: number): number {
  if (!line) return -1;
  return line.words.findIndex((w) => ms >= w.start && ms < Math.max(w.end, w.start + 1));
}

// Case-insensitive matches as [start, end) offsets within each line.
export function matches(all: Line[], query: string): Map<number, [number, number][]> {
  const found = new Map<number, [number, number][]>();
  const q = query.trim().toLowerCase();
  if (!q) return found;
  all.forEach((line, i) => {
    const text = line.text.toLowerCase();
    for (let at = text.indexOf(q); at !== -1; at = text.indexOf(q, at + q.length)) {
      found.set(i, [...(found.get(i) ?? []), [at, at + q.length]]);
    }
  });
  return found;
}

// The speaker labels of a dialogue, in order of first appearance (what the rename form lists).
export function speakerLabels(t: Transcript): string[] {
  return [...new Set(t.utterances.map((u) => u.speaker).filter((s): s is string => Boolean(s)))];
}

// Dialogue mode asked to find the speakers (count left blank) and found one voice: worth saying, since a re-run
// with the count given splits voices the automatic count could not tell apart.
export function oneVoiceFound(job: Pick<Job, "mode" | "speakers_expected">, t: Transcript): boolean {
  return job.mode === "dialogue" && job.speakers_expected == null && t.utterances.length > 1 && speakerLabels(t).length === 1;
}
