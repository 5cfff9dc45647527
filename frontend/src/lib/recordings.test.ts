// The chunk store against fake-indexeddb (the IndexedDB API in memory, run against the W3C tests): a second store on
// the same factory is the page opened again after the tab was closed.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { RecordingStore } from "./recordings";

const META = { id: "r1", owner: "anna", name: "Recording 2026-12-06 13.40.webm", type: "audio/webm", started: 1_765_000_000_000 };
const blob = (text: string) => new Blob([text]);

describe("recordings kept in the browser", () => {
  it("keep every chunk in order, so a page opened again gets the whole recording back", async () => {
    const factory = new IDBFactory();
    const tab = new RecordingStore(factory);
    await tab.begin(META);
    for (const [seq, text] of ["one ", "two ", "three"].entries()) await tab.append("r1", seq, blob(text), (seq + 1) * 1000);
    const reopened = new RecordingStore(factory);  // the tab was closed mid-recording: never stopped
    const [kept] = await reopened.list("anna");
    expect(kept).toMatchObject({ id: "r1", chunks: 3, bytes: 13, durationMs: 3000, stopped: false });
    const file = await reopened.file("r1");
    expect(await file?.text()).toBe("one two three");
    expect([file?.name, file?.type, file?.lastModified]).toEqual([META.name, "audio/webm", META.started]);
  });

  it("join chunks by their place, whichever write finished first", async () => {
    const store = new RecordingStore(new IDBFactory());
    await store.begin(META);
    await Promise.all([store.append("r1", 1, blob("B"), 2000), store.append("r1", 0, blob("A"), 1000),
      store.append("r1", 10, blob("C"), 3000)]);
    expect(await (await store.file("r1"))?.text()).toBe("ABC");
    expect((await store.list("anna"))[0].durationMs).toBe(3000);
  });

  it("keep recordings apart, list them oldest first, and say when one was stopped", async () => {
    const store = new RecordingStore(new IDBFactory());
    await store.begin({ ...META, id: "later", started: META.started + 60_000 });
    await store.begin(META);
    await store.append("later", 0, blob("late"), 500);
    await store.append("r1", 0, blob("early"), 700);
    await store.stop("r1", 900);
    expect((await store.list("anna")).map((r) => [r.id, r.stopped, r.durationMs])).toEqual([["r1", true, 900], ["later", false, 500]]);
    expect(await (await store.file("later"))?.text()).toBe("late");
  });

  it("forget a recording once discarded, chunks and all, and ignore a chunk that arrives after", async () => {
    const factory = new IDBFactory();
    const store = new RecordingStore(factory);
    await store.begin(META);
    await store.append("r1", 0, blob("gone"), 1000);
    await store.discard("r1");
    await store.append("r1", 1, blob("late"), 2000);  // the recorder's last chunk, after the upload was accepted
    expect(await store.list("anna")).toEqual([]);
    expect(await store.file("r1")).toBeNull();
    await store.begin(META);  // the same id again holds none of the old bytes
    expect((await (await store.file("r1"))?.text())).toBe("");
  });

  it("are offered only to the account that made them (a browser may be shared)", async () => {
    const store = new RecordingStore(new IDBFactory());
    await store.begin(META);
    await store.begin({ ...META, id: "r2", owner: "boris" });
    expect((await store.list("anna")).map((r) => r.id)).toEqual(["r1"]);
    expect((await store.list("boris")).map((r) => r.id)).toEqual(["r2"]);
    expect(await store.list("")).toEqual([]);
  });

  it("refuse plainly where the browser has no IndexedDB", async () => {
    await expect(new RecordingStore(null).list("anna")).rejects.toThrow(/IndexedDB/);
  });
});
