// The transcript page's single-key shortcuts (WCAG 2.1.4): taken only when focus is not on a control (Space on a
// button presses the button), and a person can turn them off; the choice is remembered in this browser.
export type Action = "toggle" | "back5" | "forward5" | "back10" | "forward10" | "slower" | "faster" | "help" | "close"
  | "nextUncertain" | "previousUncertain";

const KEYS: Record<string, Action> = {
  " ": "toggle", k: "toggle", ArrowLeft: "back5", ArrowRight: "forward5", j: "back10", l: "forward10",
  "<": "slower", ">": "faster", "?": "help", n: "nextUncertain", p: "previousUncertain",
};
const CONTROL_TAGS = new Set(["INPUT", "TEXTAREA", "SELECT", "BUTTON", "A", "SUMMARY", "AUDIO", "VIDEO", "OPTION"]);
const CONTROL_ROLES = new Set(["button", "link", "checkbox", "radio", "switch", "slider", "textbox", "combobox",
  "menuitem", "tab", "option", "spinbutton", "searchbox"]);
const STORE_KEY = "transcribe.shortcuts";

interface Target { tagName: string; isContentEditable?: boolean; getAttribute?: (name: string) => string | null }
interface Key { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; defaultPrevented: boolean;
  target: unknown }

// A control has keys of its own (Space presses a button, arrows move a slider): the page must not take them.
export function isControl(el: Target | null): boolean {
  if (!el || typeof el.tagName !== "string") return false;
  if (CONTROL_TAGS.has(el.tagName.toUpperCase()) || el.isContentEditable) return true;
  return CONTROL_ROLES.has(el.getAttribute?.("role") ?? "");
}

export function shortcutFor(e: Key, enabled: boolean): Action | null {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === "Escape") return "close";  // not a character key: closing the help works from anywhere, always
  if (!enabled) return null;
  if (isControl(e.target as Target | null)) return null;
  return KEYS[e.key] ?? KEYS[e.key.toLowerCase()] ?? null;
}

type Store = Pick<Storage, "getItem" | "setItem">;
function store(): Store | null { return typeof localStorage === "undefined" ? null : localStorage; }

export function shortcutsEnabled(s: Store | null = store()): boolean { return s?.getItem(STORE_KEY) !== "off"; }
export function rememberShortcuts(on: boolean, s: Store | null = store()): void { s?.setItem(STORE_KEY, on ? "on" : "off"); }
