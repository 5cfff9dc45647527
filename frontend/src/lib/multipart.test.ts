import { describe, expect, it } from "vitest";
import { uploadInParts, type PartApi } from "./multipart";
import { UploadError } from "./upload";

function fakeApi() {
  const calls = { urls: [] as number[][], completed: null as unknown, aborted: false };
  const api: PartApi = {
    partUrls: async (numbers) => { calls.urls.push(numbers); return numbers.map((n) => ({ part_number: n, url: `u${n}` })); },
    complete: async (parts) => { calls.completed = parts; },
    abort: async () => { calls.aborted = true; },
  };
  return { api, calls };
}

describe("uploads in parts", () => {
  it("resumes a part after a network error with a fresh URL, and completes with every ETag in order", async () => {
    const { api, calls } = fakeApi();
    const failures = new Set([2]);
    const seen: number[] = [];
    await uploadInParts(new Blob([new Uint8Array(25)]), 10, 3, api, (p) => seen.push(p.sent), undefined, {
      send: async (url, body, onSent) => {
        const n = Number(url.slice(1));
        if (failures.delete(n)) throw new UploadError("network", "lost");
        onSent(body.size);
        return `etag-${n}`;
      },
      concurrency: 2,
    });
    expect(calls.completed).toEqual([1, 2, 3].map((n) => ({ part_number: n, etag: `etag-${n}` })));
    expect(calls.urls).toContainEqual([2]);  // asked again for the failed part only
    expect(Math.max(...seen)).toBe(25);
    expect(calls.aborted).toBe(false);
  });

  it("gives up after the retries, aborting the upload so nothing half-sent stays", async () => {
    const { api, calls } = fakeApi();
    await expect(uploadInParts(new Blob([new Uint8Array(20)]), 10, 2, api, () => undefined, undefined, {
      send: async () => { throw new UploadError("network", "down"); }, retries: 2,
    })).rejects.toThrow("down");
    expect(calls.aborted).toBe(true);
    expect(calls.completed).toBeNull();
  });
});
