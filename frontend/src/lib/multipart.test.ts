import { describe, expect, it } from "vitest";
import { retryDelay } from "./backoff";
import { finishedParts, uploadInParts, type PartApi, type StoredPart } from "./multipart";
import type { Network } from "./network";
import { interrupted, UploadRecords, STALE_MS } from "./resume";
import { UploadError } from "./upload";

// A storage that keeps the parts it received, and counts every PUT of each part.
function fakeStorage(held: StoredPart[] = []) {
  const stored = new Map(held.map((p) => [p.part_number, p]));
  const calls = { urls: [] as number[][], puts: new Map<number, number>(), completed: null as unknown, listings: 0 };
  const api: PartApi = {
    partUrls: async (numbers) => { calls.urls.push(numbers); return numbers.map((n) => ({ part_number: n, url: `u${n}` })); },
    uploaded: async () => { calls.listings++; return [...stored.values()]; },
    complete: async (parts) => { calls.completed = parts; },
  };
  const keep = (n: number, size: number) => { stored.set(n, { part_number: n, size, etag: `etag-${n}` }); return `etag-${n}`; };
  const put = (n: number) => calls.puts.set(n, (calls.puts.get(n) ?? 0) + 1);
  return { api, calls, keep, put };
}

function fakeNetwork() {
  let up = true, waiters: (() => void)[] = [];
  const net: Network = {
    online: () => up,
    whenOnline: () => (up ? Promise.resolve() : new Promise<void>((ok) => waiters.push(ok))),
    sleep: async () => undefined,
  };
  const set = (value: boolean) => { up = value; if (up) { waiters.forEach((w) => w()); waiters = []; } };
  return { net, set };
}

const n = (url: string) => Number(url.slice(1));

describe("uploads in parts", () => {
  it("resumes a part after a network error, and completes with every ETag in order", async () => {
    const { api, calls, keep, put } = fakeStorage();
    const failures = new Set([2]);
    const seen: number[] = [];
    await uploadInParts(new Blob([new Uint8Array(25)]), 10, 3, api, (p) => seen.push(p.sent), undefined, {
      send: async (url, body, onSent) => {
        put(n(url));
        if (failures.delete(n(url))) throw new UploadError("network", "lost");
        onSent(body.size);
        return keep(n(url), body.size);
      },
      concurrency: 2, net: fakeNetwork().net,
    });
    expect(calls.completed).toEqual([1, 2, 3].map((p) => ({ part_number: p, etag: `etag-${p}` })));
    expect(calls.puts.get(2)).toBe(2);
    expect(Math.max(...seen)).toBe(25);
  });

  it("starts from the parts storage already holds and sends only the others", async () => {
    // Part 1 is whole; part 2 was cut short (4 of 10 bytes), so it goes again.
    const { api, calls, keep, put } = fakeStorage([{ part_number: 1, size: 10, etag: "old-1" },
      { part_number: 2, size: 4, etag: "short" }]);
    const seen: number[] = [];
    await uploadInParts(new Blob([new Uint8Array(25)]), 10, 3, api, (p) => seen.push(p.sent), undefined, {
      send: async (url, body, onSent) => { put(n(url)); onSent(body.size); return keep(n(url), body.size); },
      net: fakeNetwork().net,
    });
    expect([...calls.puts.keys()].sort()).toEqual([2, 3]);
    expect(calls.urls).toEqual([[2, 3]]);
    expect(seen[0]).toBe(10);  // the bar starts where the upload was
    expect(calls.completed).toEqual([{ part_number: 1, etag: "old-1" }, { part_number: 2, etag: "etag-2" },
      { part_number: 3, etag: "etag-3" }]);
  });

  it("waits while the browser is offline instead of spending its retries, then goes on", async () => {
    const { api, calls, keep, put } = fakeStorage();
    const { net, set } = fakeNetwork();
    let cut = false;
    const done = uploadInParts(new Blob([new Uint8Array(30)]), 10, 3, api, () => undefined, undefined, {
      send: async (url, body) => {
        put(n(url));
        if (n(url) === 2 && !cut) { cut = true; set(false); }  // the network goes during part 2
        if (!net.online()) throw new UploadError("network", "offline");
        return keep(n(url), body.size);
      },
      concurrency: 1, retries: 1, net,
    });
    await new Promise((ok) => setTimeout(ok, 20));
    expect(calls.completed).toBeNull();  // still waiting, not failed
    set(true);
    await done;
    expect(calls.puts.get(2)).toBe(2);
    expect(calls.completed).toHaveLength(3);
  });

  it("never sends a finished part twice, even when its answer was lost", async () => {
    const { api, calls, keep, put } = fakeStorage();
    let lost = false;
    await uploadInParts(new Blob([new Uint8Array(20)]), 10, 2, api, () => undefined, undefined, {
      send: async (url, body) => {
        put(n(url));
        const etag = keep(n(url), body.size);  // storage has it…
        if (n(url) === 1 && !lost) { lost = true; throw new UploadError("network", "answer lost"); }  // …we never hear
        return etag;
      },
      concurrency: 1, net: fakeNetwork().net,
    });
    expect(calls.puts.get(1)).toBe(1);
    expect(calls.completed).toEqual([{ part_number: 1, etag: "etag-1" }, { part_number: 2, etag: "etag-2" }]);
  });

  it("gives up after its retries while online, keeping the parts for a later resume", async () => {
    const { api, calls, put } = fakeStorage();
    await expect(uploadInParts(new Blob([new Uint8Array(20)]), 10, 2, api, () => undefined, undefined, {
      send: async (url) => { put(n(url)); throw new UploadError("network", "down"); }, retries: 3, concurrency: 1,
      net: fakeNetwork().net,
    })).rejects.toThrow("down");
    expect(calls.puts.get(1)).toBe(3);
    expect(calls.completed).toBeNull();
  });

  it("backs off from half a second to at most fifteen", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(retryDelay)).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000]);
  });

  it("counts only whole parts as finished", () => {
    const held = finishedParts([{ part_number: 1, size: 10, etag: "a" }, { part_number: 3, size: 4, etag: "c" },
      { part_number: 2, size: 9, etag: "b" }, { part_number: 4, size: 1, etag: "x" }], 24, 10, 3);
    expect([...held.keys()].sort()).toEqual([1, 3]);
  });
});

describe("upload records", () => {
  const memory = () => { const m = new Map<string, string>(); return { getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v) }; };

  it("finds the same file again and tells an upload in progress from an interrupted one", () => {
    let now = 1000;
    const records = new UploadRecords(memory(), () => now);
    records.save({ fileId: "f", jobId: "j", name: "a.wav", size: 5, modified: 7, multipart: true });
    expect(records.find({ name: "a.wav", size: 5, lastModified: 7 })?.jobId).toBe("j");
    expect(records.find({ name: "a.wav", size: 5, lastModified: 8 })).toBeUndefined();
    const job = { status: "pending" as const, stage: "waiting_for_upload" as const, file: { id: "f" } as never };
    expect(interrupted(job, records)).toBe(false);
    now += STALE_MS + 1;  // no tab has said it is sending it for a while
    expect(interrupted(job, records)).toBe(true);
    records.beat("f");
    expect(interrupted(job, records)).toBe(false);
    records.beat("f", false);  // given up
    expect(interrupted(job, records)).toBe(true);
    expect(interrupted({ ...job, stage: "queued" }, records)).toBe(false);
    records.drop("f");
    expect(records.all()).toEqual([]);
  });
});
