// The bytes go straight to Object Storage with a presigned PUT; XHR because fetch cannot report upload progress.
import type { UploadInstructions } from "../api/types";

export interface Progress { sent: number; total: number; bytesPerSecond: number }

export class UploadError extends Error {
  constructor(public kind: "expired" | "network" | "rejected" | "cancelled", message: string) { super(message); }
}

export function uploadErrorFor(status: number): UploadError {
  if (status === 403) return new UploadError("expired", "The upload link expired — try again.");
  return new UploadError("rejected", `Storage refused the file (HTTP ${status}). Try again, or pick another file.`);
}

export function put(body: Blob, target: UploadInstructions, onProgress: (p: Progress) => void,
                    signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const started = performance.now();
    xhr.open(target.method, target.url);
    for (const [k, v] of Object.entries(target.headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      const seconds = Math.max(0.001, (performance.now() - started) / 1000);
      onProgress({ sent: e.loaded, total: e.total || body.size, bytesPerSecond: e.loaded / seconds });
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress({ sent: body.size, total: body.size, bytesPerSecond: 0 });
        resolve();
      } else reject(uploadErrorFor(xhr.status));
    };
    xhr.onerror = () => reject(new UploadError("network", "The upload failed: check your connection and retry."));
    xhr.onabort = () => reject(new UploadError("cancelled", "Upload cancelled."));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(body);
  });
}
