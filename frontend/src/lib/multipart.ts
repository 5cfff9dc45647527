// Large files go up in parts: several at once, each retried with a fresh URL after a network error (the upload
// resumes where it was, it never starts over), progress summed across parts, then completed with the parts' ETags.
import type { Progress } from "./upload";
import { UploadError } from "./upload";

export interface PartApi {
  partUrls(numbers: number[]): Promise<{ part_number: number; url: string }[]>;
  complete(parts: { part_number: number; etag: string }[]): Promise<unknown>;
  abort(): Promise<void>;
}

export interface PartSender {
  (url: string, body: Blob, onSent: (bytes: number) => void, signal?: AbortSignal): Promise<string>;
}

// One part by XHR: resolves with its ETag (the bucket's CORS exposes it).
export const sendPart: PartSender = (url, body, onSent, signal) => new Promise((resolve, reject) => {
  const xhr = new XMLHttpRequest();
  xhr.open("PUT", url);
  xhr.upload.onprogress = (e) => onSent(e.loaded);
  xhr.onload = () => {
    const etag = (xhr.getResponseHeader("ETag") ?? "").replaceAll('"', "");
    if (xhr.status >= 200 && xhr.status < 300 && etag) { onSent(body.size); resolve(etag); }
    else reject(new UploadError("network", `A part was refused (HTTP ${xhr.status}).`));
  };
  xhr.onerror = () => reject(new UploadError("network", "A part failed to upload."));
  xhr.onabort = () => reject(new UploadError("cancelled", "Upload cancelled."));
  signal?.addEventListener("abort", () => xhr.abort());
  xhr.send(body);
});

export async function uploadInParts(file: Blob, partSize: number, parts: number, api: PartApi,
  onProgress: (p: Progress) => void, signal?: AbortSignal,
  { send = sendPart, concurrency = 4, retries = 3 }: { send?: PartSender; concurrency?: number; retries?: number } = {},
): Promise<void> {
  const sent = new Map<number, number>(), etags = new Map<number, string>();
  const started = performance.now();
  const report = () => {
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    onProgress({ sent: total, total: file.size, bytesPerSecond: total / Math.max(0.001, (performance.now() - started) / 1000) });
  };
  const queue = Array.from({ length: parts }, (_, i) => i + 1);
  const urls = new Map((await api.partUrls(queue.slice(0, 100))).map((p) => [p.part_number, p.url]));
  async function one(n: number): Promise<void> {
    const body = file.slice((n - 1) * partSize, Math.min(file.size, n * partSize));
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new UploadError("cancelled", "Upload cancelled.");
      let url = urls.get(n);
      if (!url || attempt > 1) url = (await api.partUrls([n]))[0].url;  // a fresh URL for a retry
      try {
        etags.set(n, await send(url, body, (bytes) => { sent.set(n, bytes); report(); }, signal));
        return;
      } catch (err) {
        sent.set(n, 0); report();
        if (err instanceof UploadError && err.kind === "cancelled") throw err;
        if (attempt >= retries) throw err;
        await new Promise((ok) => setTimeout(ok, 300 * attempt));
      }
    }
  }
  try {
    const workers = Array.from({ length: Math.min(concurrency, parts) }, async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) await one(n);
    });
    await Promise.all(workers);
  } catch (err) {
    await api.abort().catch(() => undefined);  // nothing half-uploaded stays behind
    throw err;
  }
  await api.complete([...etags].sort(([a], [b]) => a - b).map(([part_number, etag]) => ({ part_number, etag })));
}
