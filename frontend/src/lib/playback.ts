// Why the player cannot play a recording, in words a person can act on (catalogue keys, said in the app's language).
import { t } from "../i18n/i18n";

export const RECORDING_GONE = "player.gone";
const CANNOT_DECODE = "player.cannotDecode", NOT_LOADED = "player.notLoaded";

// MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED: what Chromium reports both for a format it cannot play and for a 404, so ask
// storage for the first byte to tell them apart.
const SRC_NOT_SUPPORTED = 4;

export async function playbackProblem(url: string, code: number | undefined, get: typeof fetch = fetch): Promise<string> {
  return t(await problemKey(url, code, get));
}

async function problemKey(url: string, code: number | undefined, get: typeof fetch): Promise<string> {
  try {
    const res = await get(url, { headers: { Range: "bytes=0-0" } });
    if (res.status === 404 || res.status === 403) return RECORDING_GONE; // no such key, or a link to nothing any more
    if (!res.ok) return NOT_LOADED;
  } catch {
    return NOT_LOADED;
  }
  return code === SRC_NOT_SUPPORTED ? CANNOT_DECODE : NOT_LOADED;
}
