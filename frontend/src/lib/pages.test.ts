import { describe, expect, it } from "vitest";
import type { Job } from "../api/types";
import { jobLine } from "../components/UploadPanel";
import { isControl, rememberShortcuts, shortcutFor, shortcutsEnabled } from "./shortcuts";
import { pageTitle } from "./title";

const key = (k: string, tagName = "BODY", extra: Partial<{ role: string; defaultPrevented: boolean }> = {}) => ({
  key: k, ctrlKey: false, metaKey: false, altKey: false, defaultPrevented: extra.defaultPrevented ?? false,
  target: { tagName, getAttribute: (n: string) => (n === "role" ? extra.role ?? null : null) },
});

describe("page titles (WCAG 2.4.2)", () => {
  it("names the page before the product, and the product alone when there is no name", () => {
    expect(pageTitle("interview.wav")).toBe("interview.wav · Transcribe");
    expect(pageTitle(" Sign in ")).toBe("Sign in · Transcribe");
    expect(pageTitle("")).toBe("Transcribe");
  });
});

describe("single-key shortcuts (WCAG 2.1.4)", () => {
  it("leave keys to the control that has focus, so Space presses a button", () => {
    expect(shortcutFor(key(" "), true)).toBe("toggle");
    for (const tag of ["BUTTON", "SUMMARY", "A", "INPUT", "TEXTAREA", "SELECT", "AUDIO"]) {
      expect(shortcutFor(key(" ", tag), true)).toBeNull();
    }
    expect(shortcutFor(key(" ", "DIV", { role: "button" }), true)).toBeNull();
    expect(isControl({ tagName: "DIV", isContentEditable: true })).toBe(true);
    expect(shortcutFor(key("ArrowLeft", "SPAN", { defaultPrevented: true }), true)).toBeNull();  // a word took it
    expect(shortcutFor(key("K"), true)).toBe("toggle");
    expect(shortcutFor(key("?"), true)).toBe("help");
    expect(shortcutFor({ ...key("k"), ctrlKey: true }, true)).toBeNull();
    expect(shortcutFor(key("Escape", "BUTTON"), false)).toBe("close");  // closing the help is never taken away
  });

  it("can be turned off, and the choice is remembered", () => {
    const saved = new Map<string, string>();
    const store = { getItem: (k: string) => saved.get(k) ?? null, setItem: (k: string, v: string) => void saved.set(k, v) };
    expect(shortcutsEnabled(store)).toBe(true);
    rememberShortcuts(false, store);
    expect(shortcutsEnabled(store)).toBe(false);
    expect(shortcutFor(key(" "), shortcutsEnabled(store))).toBeNull();
    rememberShortcuts(true, store);
    expect(shortcutsEnabled(store)).toBe(true);
  });
});

describe("the upload line", () => {
  it("never says uploaded and uploading at once: finished bytes wait for storage's check", () => {
    const job = { stage: "waiting_for_upload", status: "pending" } as Job;
    expect(jobLine(job, 63, null)).toBe("checking the file");
    expect(jobLine({ ...job, stage: "submitted", status: "processing" } as Job, 63, null)).toBe("transcribing 1:03 of audio");
  });
});
