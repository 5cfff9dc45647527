// The shape of a catalogue: nested groups of strings (a key is the path, dot-separated, as i18next reads it).
export interface Catalogue { [key: string]: string | Catalogue }

// Every key of a catalogue with its text, flattened: { "auth.signIn": "Sign in", … }.
export function flatten(c: Catalogue, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(c)) {
    if (typeof v === "string") out[prefix + k] = v;
    else Object.assign(out, flatten(v, `${prefix}${k}.`));
  }
  return out;
}
