// Why the player cannot play a recording, in words a person can act on.

export const RECORDING_GONE =
  "This recording is no longer stored, so it cannot be played. The transcript and its downloads are still here.";
const CANNOT_DECODE = "This browser cannot play this recording's format. The transcript and its downloads are still here.";
const NOT_LOADED = "The recording could not be loaded. Check your connection and reload the page to try again.";

// MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED: what Chromium reports both for a format it cannot play and for a 404, so ask
// storage for the first byte to tell them apart.
const SRC_NOT_SUPPORTED = 4;

export async function playbackProblem(url: string, code: number | undefined, get: typeof fetch = fetch): Promise<string> {
  try {
    const res = await get(url, { headers: { Range: "bytes=0-0" } });
    if (res.status === 404 || res.status === 403) return RECORDING_GONE; // no such key, or a link to nothing any more
    if (!res.ok) return NOT_LOADED;
  } catch {
    return NOT_LOADED;
  }
  return code === SRC_NOT_SUPPORTED ? CANNOT_DECODE : NOT_LOADED;
}
