import { describe, expect, it } from "vitest";
import { correctionOf, isUncertain, nextUncertain, withCorrection } from "./review";
import { shortcutFor } from "./shortcuts";

const key = (k: string, target: unknown = { tagName: "SPAN", getAttribute: () => null }) =>
  ({ key: k, ctrlKey: false, metaKey: false, altKey: false, defaultPrevented: false, target });

describe("uncertain words", () => {
  it("are those the engine rated below the threshold; an edited word (no rating) is not", () => {
    expect(isUncertain({ confidence: 0.3 })).toBe(true);
    expect(isUncertain({ confidence: 0.6 })).toBe(false);
    expect(isUncertain({ confidence: null })).toBe(false);
    expect(isUncertain({})).toBe(false);
  });

  it("are visited forwards and backwards from where the reader is, around the end", () => {
    const flags = [false, true, false, false, true, false];
    expect(nextUncertain(flags, -1, 1)).toBe(1);  // nothing focused yet: the first
    expect(nextUncertain(flags, 1, 1)).toBe(4);
    expect(nextUncertain(flags, 4, 1)).toBe(1);  // past the last: back to the first
    expect(nextUncertain(flags, -1, -1)).toBe(4);  // backwards from nowhere: the last
    expect(nextUncertain(flags, 4, -1)).toBe(1);
    expect(nextUncertain(flags, 2, -1)).toBe(1);
    expect(nextUncertain([false, false], 0, 1)).toBe(-1);
    expect(nextUncertain([], -1, 1)).toBe(-1);
  });

  it("have keys of their own, N and P, which a control keeps for itself", () => {
    expect(shortcutFor(key("n"), true)).toBe("nextUncertain");
    expect(shortcutFor(key("P"), true)).toBe("previousUncertain");
    expect(shortcutFor(key("n", { tagName: "TEXTAREA" }), true)).toBe(null);
    expect(shortcutFor(key("n"), false)).toBe(null);
  });
});

describe("a correction", () => {
  it("is the words replaced and the person's own, punctuation aside", () => {
    expect(correctionOf("We asked cooper nettys to plan.", "We asked Kubernetes to plan."))
      .toEqual({ from: "cooper nettys", to: "Kubernetes" });
    expect(correctionOf("Call Drubnik, now.", "Call Drubnick, now.")).toEqual({ from: "Drubnik", to: "Drubnick" });
    expect(correctionOf("Ask quillin.", "Ask Quillon.")).toEqual({ from: "quillin", to: "Quillon" });
    expect(correctionOf("met on monday", "met on Monday")).toEqual({ from: "monday", to: "Monday" });
  });

  it("is nothing to learn when words were only added, removed, re-punctuated, or the line rewritten", () => {
    expect(correctionOf("We met.", "We met today.")).toBe(null);
    expect(correctionOf("We met today.", "We met.")).toBe(null);
    expect(correctionOf("We met today.", "We met today!")).toBe(null);
    expect(correctionOf("a b c d e f g h", "one two three four five six seven eight")).toBe(null);
  });

  it("adds the term once and what was heard as its spelling, taking it from any other term", () => {
    const start = [{ term: "Kubernetes", spellings: ["kuber"] }, { term: "Kelmer", spellings: ["calma"] }];
    expect(withCorrection(start, { from: "cooper nettys", to: "Kubernetes" })).toEqual([
      { term: "Kubernetes", spellings: ["kuber", "cooper nettys"] }, { term: "Kelmer", spellings: ["calma"] }]);
    expect(withCorrection(start, { from: "calma", to: "Kelmirra" })).toEqual([
      { term: "Kubernetes", spellings: ["kuber"] }, { term: "Kelmer", spellings: [] },
      { term: "Kelmirra", spellings: ["calma"] }]);
    expect(withCorrection([], { from: "new relish", to: "New Relic" })).toEqual([{ term: "New Relic", spellings: [] }]);
  });
});
