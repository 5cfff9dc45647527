// Large files go up in parts: several at once, progress summed across parts, then completed with the parts' ETags.
// Resumable: it starts from the parts storage already holds (ListParts, through the API), so a Retry or the same
// file chosen again after a reload sends only what is missing; while the browser is offline it waits for the
// network instead of failing, and before sending a failed part again it asks whether storage got it after all
// (the answer can be lost with the connection), so a finished part is never sent twice.
import { t } from "../i18n/i18n";
import { browserNetwork, persist, type Network } from "./network";
import type { Progress } from "./upload";
import { UploadError } from "./upload";

export interface StoredPart { part_number: number; size: number; etag: string }

export interface PartApi {
  partUrls(numbers: number[]): Promise<{ part_number: number; url: string }[]>;
  uploaded(): Promise<StoredPart[]>;
  complete(parts: { part_number: number; etag: string }[]): Promise<unknown>;
}

export interface PartSender {
  (url: string, body: Blob, onSent: (bytes: number) => void, signal?: AbortSignal): Promise<string>;
}

// One part by XHR: resolves with its ETag (the bucket's CORS exposes it). The URL signs the part's length.
export const sendPart: PartSender = (url, body, onSent, signal) => new Promise((resolve, reject) => {
  const xhr = new XMLHttpRequest();
  xhr.open("PUT", url);
  xhr.upload.onprogress = (e) => onSent(e.loaded);
  xhr.onload = () => {
    const etag = (xhr.getResponseHeader("ETag") ?? "").replaceAll('"', "");
    if (xhr.status >= 200 && xhr.status < 300 && etag) { onSent(body.size); resolve(etag); }
    else if (xhr.status === 403) reject(new UploadError("expired", t("upload.partExpired")));
    else if (xhr.status >= 500 || xhr.status === 0) reject(new UploadError("network", t("upload.partFailed", { status: xhr.status })));
    else reject(new UploadError("rejected", t("upload.partRefused", { status: xhr.status })));
  };
  xhr.onerror = () => reject(new UploadError("network", t("upload.partLost")));
  xhr.onabort = () => reject(new UploadError("cancelled", t("upload.cancelled")));
  signal?.addEventListener("abort", () => xhr.abort());
  xhr.send(body);
});

// The exact length of part `n` (the last one is the rest).
export function partLength(fileSize: number, partSize: number, n: number): number {
  return Math.max(0, Math.min(partSize, fileSize - (n - 1) * partSize));
}

// The parts storage holds whole (a part of another length is sent again), by number.
export function finishedParts(held: StoredPart[], fileSize: number, partSize: number, parts: number): Map<number, StoredPart> {
  return new Map(held.filter((p) => p.part_number >= 1 && p.part_number <= parts
    && p.size === partLength(fileSize, partSize, p.part_number)).map((p) => [p.part_number, p]));
}

export interface PartOptions { send?: PartSender; concurrency?: number; retries?: number; net?: Network }

export async function uploadInParts(file: Blob, partSize: number, parts: number, api: PartApi,
  onProgress: (p: Progress) => void, signal?: AbortSignal,
  { send = sendPart, concurrency = 4, retries = 8, net = browserNetwork }: PartOptions = {},
): Promise<void> {
  const sent = new Map<number, number>(), etags = new Map<number, string>();
  const stop = new AbortController();  // the user's cancel, or one part giving up: every part stops
  if (signal?.aborted) stop.abort(); else signal?.addEventListener("abort", () => stop.abort(), { once: true });
  signal = stop.signal;
  const started = performance.now();
  let resumedBytes = 0;
  const report = () => {
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    const seconds = Math.max(0.001, (performance.now() - started) / 1000);
    onProgress({ sent: total, total: file.size, bytesPerSecond: Math.max(0, total - resumedBytes) / seconds });
  };
  const again = <T>(fn: () => Promise<T>) => persist(fn, net, retries, signal);
  // One listing at a time, shared by every part that failed meanwhile.
  let listing: Promise<Map<number, StoredPart>> | null = null;
  const held = () => (listing ??= again(() => api.uploaded())
    .then((h) => finishedParts(h, file.size, partSize, parts)).finally(() => { listing = null; }));

  for (const [n, p] of await held()) { etags.set(n, p.etag); sent.set(n, p.size); resumedBytes += p.size; }
  report();
  const queue = Array.from({ length: parts }, (_, i) => i + 1).filter((n) => !etags.has(n));
  const urls = new Map<number, string>();
  const fetchUrls = async (numbers: number[]) => {
    for (const p of await again(() => api.partUrls(numbers))) urls.set(p.part_number, p.url);
  };
  if (queue.length) await fetchUrls(queue.slice(0, 100));

  async function one(n: number): Promise<void> {
    const body = file.slice((n - 1) * partSize, Math.min(file.size, n * partSize));
    let failed = false;
    const attempt = async () => {
      if (failed) {  // did storage get it before the connection went? Then it is done, not sent again.
        const stored = (await held()).get(n);
        if (stored) { sent.set(n, stored.size); report(); return stored.etag; }
      }
      if (!urls.has(n)) await fetchUrls([n]);
      try {
        return await send(urls.get(n) ?? "", body, (bytes) => { sent.set(n, bytes); report(); }, signal);
      } catch (err) {
        failed = true;
        sent.set(n, 0); report();
        if (err instanceof UploadError && err.kind === "expired") urls.delete(n);  // a fresh URL next time
        throw err;
      }
    };
    etags.set(n, await again(attempt));
  }
  const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    try {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) await one(n);
    } catch (err) { stop.abort(); throw err; }
  });
  await Promise.all(workers);
  const listed = [...etags].sort(([a], [b]) => a - b).map(([part_number, etag]) => ({ part_number, etag }));
  let calls = 0;
  await again(async () => {
    try { calls++; await api.complete(listed); }
    catch (err) {  // a retry after an answer lost on the way: the first call joined the parts already
      if (!(calls > 1 && (err as { code?: string }).code === "no_multipart_upload")) throw err;
    }
  });
}
