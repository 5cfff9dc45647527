// Review mode: which words the engine was unsure of, moving between them, and what a correction teaches the vocabulary.
// The threshold is the server's (common/domain/pipeline/confidence.py), so the page marks what the job list counts.
import type { VocabularyTerm, Word } from "../api/types";

export const UNCERTAIN_BELOW = 0.6;
export const MAX_TERM_WORDS = 6;  // AssemblyAI's keyterms: at most 6 words a phrase

export function isUncertain(word: Pick<Word, "confidence">): boolean {
  return typeof word.confidence === "number" && word.confidence < UNCERTAIN_BELOW;
}

// The next (step 1) or previous (step -1) uncertain word after `from` (-1: before the first), around the end; -1: none.
export function nextUncertain(flags: boolean[], from: number, step: 1 | -1): number {
  const n = flags.length;
  if (!n) return -1;
  let at = from < 0 ? (step > 0 ? -1 : n) : from;
  for (let k = 0; k < n; k++) {
    at = (at + step + n) % n;
    if (flags[at]) return at;
  }
  return -1;
}

// What a person changed in a line, when it is one word or phrase put right: the words they replaced and their own.
export interface Correction { from: string; to: string }

const key = (word: string) => word.replace(/[^\p{L}\p{N}']/gu, "");  // a capital counts, a comma does not
const bare = (phrase: string[]) => phrase.join(" ").replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}']+$/gu, "");

export function correctionOf(before: string, after: string): Correction | null {
  const old = before.split(/\s+/).filter(Boolean), now = after.split(/\s+/).filter(Boolean);
  let head = 0;
  while (head < old.length && head < now.length && key(old[head]) === key(now[head])) head++;
  let tail = 0;
  while (tail < old.length - head && tail < now.length - head
    && key(old[old.length - 1 - tail]) === key(now[now.length - 1 - tail])) tail++;
  const from = bare(old.slice(head, old.length - tail)), to = bare(now.slice(head, now.length - tail));
  if (!from || !to || from === to) return null;  // an insertion, a deletion, or only punctuation changed
  if (from.split(" ").length > MAX_TERM_WORDS || to.split(" ").length > MAX_TERM_WORDS) return null;  // a rewrite
  return { from, to };
}

// The vocabulary with this correction learnt: the term (once), and what was heard as one of its spellings (AssemblyAI
// writes a spelling as one word, so a phrase is kept as a term alone). A spelling moves from any other term to this one.
export function withCorrection(terms: VocabularyTerm[], c: Correction): VocabularyTerm[] {
  const heard = c.from.toLowerCase();
  const oneWord = !c.to.includes(" ");
  const others = terms.map((t) => ({ ...t, spellings: t.spellings.filter((s) => s.toLowerCase() !== heard) }));
  const at = others.findIndex((t) => t.term.toLowerCase() === c.to.toLowerCase());
  const learnt = oneWord ? [c.from] : [];
  if (at < 0) return [...others, { term: c.to, spellings: learnt }];
  return others.map((t, i) => (i === at ? { term: c.to, spellings: [...t.spellings, ...learnt] } : t));
}
