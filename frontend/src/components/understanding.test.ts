import { describe, expect, it } from "vitest";
import type { Transcript } from "../api/types";
import { entityAt, translatedLine } from "./BeyondWords";
import { understandingFields } from "./UnderstandingOptions";

describe("what a new job asks beyond words", () => {
  it("sends nothing when nothing is chosen, and redaction only with a kind to redact", () => {
    expect(understandingFields({})).toEqual({});
    expect(understandingFields({ redact_pii: true, redact_pii_policies: [] })).toEqual({});
    expect(understandingFields({ redact_pii: false, redact_pii_policies: ["person_name"], redact_pii_audio: true }))
      .toEqual({});
    expect(understandingFields({ redact_pii: true, redact_pii_policies: ["person_name"], translation_targets: ["de"],
      entity_detection: true })).toEqual({ redact_pii: true, redact_pii_policies: ["person_name"],
      redact_pii_sub: "entity_name", redact_pii_audio: false, translation_targets: ["de"], entity_detection: true });
  });
});

describe("the transcript page beyond words", () => {
  const transcript = {
    job_id: "j", mode: "dialogue", text: "", language: "en", audio_duration: 6, confidence: 1, words: [],
    utterances: [],
    translated_lines: [{ start: 200, end: 2000, texts: { de: "Hallo." } }, { start: 2500, end: 4000, texts: { de: "Ja." } }],
    entities: [{ entity_type: "location", text: "London", start: 1500, end: 1900 }],
  } as Transcript;
  it("finds each line's translation by its span", () => {
    expect(translatedLine(transcript, "de", { start: 200, end: 2000 })).toBe("Hallo.");
    expect(translatedLine(transcript, "de", { start: 2600, end: 3000 })).toBe("Ja.");  // an edit moved its start
    expect(translatedLine(transcript, "fr", { start: 200, end: 2000 })).toBe("");
    expect(translatedLine(transcript, "de", { start: 4500, end: 5000 })).toBe("");
  });
  it("marks the words said inside an entity", () => {
    expect(entityAt(transcript.entities, 1500)?.text).toBe("London");
    expect(entityAt(transcript.entities, 1900)).toBeUndefined();
  });
});
