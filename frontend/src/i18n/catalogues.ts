// The app's catalogues: the base ones (en.ts, ru.ts) and each feature's own (features/<name>.ts, exporting `en` and
// `ru`), merged key by key. A feature adds its own keys (to its own groups, or to shared ones such as `errors`) and
// never edits another's lines; a key defined twice is refused here rather than silently overwritten.
import type { Catalogue } from "./catalogue";
import { en } from "./en";
import { ru } from "./ru";

type Feature = { en: Catalogue; ru: Catalogue };
const FEATURES = import.meta.glob<Feature>("./features/*.ts", { eager: true });

export function merge(base: Catalogue, parts: [string, Catalogue][]): Catalogue {
  const out: Catalogue = structuredClone(base);
  const into = (target: Catalogue, part: Catalogue, path: string, name: string) => {
    for (const [key, value] of Object.entries(part)) {
      const here = target[key];
      if (typeof value !== "string" && typeof here === "object") into(here, value, `${path}${key}.`, name);
      else if (here !== undefined) throw new Error(`i18n: ${name} defines "${path}${key}" again`);
      else target[key] = value;
    }
  };
  for (const [name, part] of parts) into(out, part, "", name);
  return out;
}

const features = Object.entries(FEATURES);
export const EN: Catalogue = merge(en, features.map(([name, f]) => [name, f.en]));
export const RU: Catalogue = merge(ru, features.map(([name, f]) => [name, f.ru]));
