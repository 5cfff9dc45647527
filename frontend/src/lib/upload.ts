// The bytes go straight to Object Storage with a presigned PUT; XHR because fetch cannot report upload progress.
import type { UploadInstructions } from "../api/types";
import { t } from "../i18n/i18n";

export interface Progress { sent: number; total: number; bytesPerSecond: number }

export class UploadError extends Error {
  constructor(public kind: "expired" | "network" | "rejected" | "cancelled", message: string) { super(message); }
}

export function uploadErrorFor(status: number): UploadError {
  if (status === 403) return new UploadError("expired", t("upload.expired"));
  return new UploadError("rejected", t("upload.rejected", { status }));
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
    xhr.onerror = () => reject(new UploadError("network", t("upload.failed")));
    xhr.onabort = () => reject(new UploadError("cancelled", t("upload.cancelled")));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(body);
  });
}
