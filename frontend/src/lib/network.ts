// Whether the browser is online, and waiting for it to be (the 'online' event), so an upload pauses while the
// network is down instead of spending its retries, and goes on by itself when it is back.
import { t } from "../i18n/i18n";
import { retryDelay } from "./backoff";
import { UploadError } from "./upload";

export interface Network {
  online(): boolean;
  whenOnline(signal?: AbortSignal): Promise<void>;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const cancelled = () => new UploadError("cancelled", t("upload.cancelled"));

export const browserNetwork: Network = {
  online: () => typeof navigator === "undefined" || navigator.onLine !== false,
  whenOnline: (signal) => new Promise((ok, fail) => {
    if (browserNetwork.online()) { ok(); return; }
    const back = () => { window.removeEventListener("online", back); signal?.removeEventListener("abort", stop); ok(); };
    const stop = () => { window.removeEventListener("online", back); fail(cancelled()); };
    window.addEventListener("online", back);
    signal?.addEventListener("abort", stop, { once: true });
  }),
  sleep: (ms, signal) => new Promise((ok, fail) => {
    const timer = setTimeout(ok, ms);
    signal?.addEventListener("abort", () => { clearTimeout(timer); fail(cancelled()); }, { once: true });
  }),
};

// An answer that a retry cannot change: the server refused the request itself (4xx other than timeouts and limits).
export function permanent(err: unknown): boolean {
  if (err instanceof UploadError) return err.kind === "rejected" || err.kind === "cancelled";
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

// `fn` again until it works: while offline it waits for the network (not counted); online failures back off and
// count, up to `retries`; a permanent refusal or a cancel ends it at once.
export async function persist<T>(fn: () => Promise<T>, net: Network, retries: number, signal?: AbortSignal,
  onFailure?: (err: unknown) => void): Promise<T> {
  for (let failures = 0; ;) {
    if (signal?.aborted) throw cancelled();
    if (!net.online()) await net.whenOnline(signal);
    try {
      return await fn();
    } catch (err) {
      if (permanent(err) || signal?.aborted) throw err;
      onFailure?.(err);
      if (!net.online()) continue;  // the network went: wait for it, this try does not count
      if (++failures >= retries) throw err;
      await net.sleep(retryDelay(failures), signal);
    }
  }
}
