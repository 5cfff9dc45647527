// Turning stored words and utterances into what the page shows: paragraphs, turns, the current line, matches.
import type { Job, Transcript, Word } from "../api/types";

// `index` names the line in an edit (an utterance of a dialogue, else a paragraph); `label` is its speaker's label
// ("A"), `speaker` the name it is shown by.
export interface Line {
  index: number; start: number; end: number; text: string; speaker: string | null; label: string | null; words: Word[];
}
// The name a person gave a speaker; the server's default ("Speaker A", English) is left to the app to say in its
// language (format.speakerLabel).
function shownName(u: { speaker?: string | null; speaker_name?: string | null }): string | null {
  return u.speaker_name && u.speaker_name !== `Speaker ${u.speaker}` ? u.speaker_name : u.speaker ?? null;
}

// Consecutive lines of one speaker, shown as one turn (as the TXT export writes them); `first` is its first line.
export interface Turn { first: number; speaker: string | null; label: string | null; lines: Line[] }

const SENTENCE_END = /[.?!…]["')\]]*$/;

function paragraph(words: Word[], index: number): Line {
  return { index, start: words[0].start, end: words[words.length - 1].end, text: words.map((w) => w.text).join(" "),
    speaker: null, label: null, words };
}

// Mono: paragraphs of a few sentences, or a new one after a long pause (the server's rule, for a transcript that
// does not list its paragraphs).
export function paragraphs(words: Word[], sentencesPerParagraph = 4, pauseMs = 2000): Line[] {
  const out: Line[] = [];
  let current: Word[] = [], sentences = 0;
  const flush = () => {
    if (current.length) out.push(paragraph(current, out.length));
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

// The lines an edit names by index: a dialogue's utterances, else the paragraphs the server lists.
export function lines(t: Transcript): Line[] {
  if (t.mode === "dialogue" && t.utterances.length) {
    return t.utterances.map((u, index) => ({ index, start: u.start, end: u.end, text: u.text,
      speaker: shownName(u), label: u.speaker ?? null, words: u.words ?? [] }));
  }
  const words = t.words.length ? t.words : t.utterances.flatMap((u) => u.words);
  if (!words.length && t.text) {
    return [{ index: 0, start: 0, end: (t.audio_duration ?? 0) * 1000, text: t.text, speaker: null, label: null,
      words: [] }];
  }
  if (!t.paragraphs?.length) return paragraphs(words);
  const starts = t.paragraphs;
  return starts.map((from, i) => paragraph(words.slice(from, starts[i + 1] ?? words.length), i));
}

// Consecutive lines of one speaker make one turn; a one-speaker transcript's paragraphs are each their own.
export function turns(all: Line[]): Turn[] {
  const out: Turn[] = [];
  all.forEach((line, i) => {
    const last = out[out.length - 1];
    if (last && line.label !== null && last.label === line.label) last.lines.push(line);
    else out.push({ first: i, speaker: line.speaker, label: line.label, lines: [line] });
  });
  return out;
}

// The label a line moved to "a new speaker" gets: the first letter no speaker of this transcript has.
export function newSpeakerLabel(labels: string[]): string {
  for (let c = 65; c <= 90; c++) if (!labels.includes(String.fromCharCode(c))) return String.fromCharCode(c);
  return `S${labels.length + 1}`;
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
