// Recordings kept in this browser (IndexedDB), chunk by chunk as MediaRecorder hands them over, until their upload is
// accepted: a closed tab, a crash or a lost network costs at most the last second, and the next visit offers to send
// what was kept (or to discard it). Chunks are stored as ArrayBuffers, which every browser's IndexedDB clones.

export interface RecordingMeta {
  id: string;
  owner: string;      // the account it was made in: offered to that account only (a browser may be shared)
  name: string;       // the file name the upload will carry
  type: string;       // its media type, without codecs ("audio/webm")
  started: number;    // epoch ms; also the file's lastModified, so a resumed upload finds its earlier job
  durationMs: number; // recorded time, pauses left out, as of the last chunk kept
  bytes: number;
  chunks: number;
  stopped: boolean;   // false: the tab went away while recording
}

const DB = "transcribe.recordings", META = "recordings", CHUNKS = "chunks";

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((ok, fail) => { request.onsuccess = () => ok(request.result); request.onerror = () => fail(request.error); });
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((ok, fail) => {
    tx.oncomplete = () => ok();
    tx.onerror = () => fail(tx.error);
    tx.onabort = () => fail(tx.error ?? new DOMException("transaction aborted", "AbortError"));
  });
}

// Read, change and put back one recording's meta within the caller's transaction (callbacks, not promises: a
// transaction stays active only while its own events are handled). Gone (discarded meanwhile): nothing is written.
function update(store: IDBObjectStore, id: string, change: (meta: RecordingMeta) => RecordingMeta): void {
  const request = store.get(id) as IDBRequest<RecordingMeta | undefined>;
  request.onsuccess = () => { if (request.result) store.put(change(request.result)); };
}

export class RecordingStore {
  private db: Promise<IDBDatabase> | null = null;

  constructor(private factory: IDBFactory | null = typeof indexedDB === "undefined" ? null : indexedDB) {}

  private open(): Promise<IDBDatabase> {
    if (!this.factory) return Promise.reject(new Error("IndexedDB is not available"));
    this.db ??= new Promise<IDBDatabase>((ok, fail) => {
      const request = this.factory!.open(DB, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(META, { keyPath: "id" });
        request.result.createObjectStore(CHUNKS, { keyPath: ["id", "seq"] });
      };
      request.onsuccess = () => ok(request.result);
      request.onerror = () => fail(request.error);
    }).catch((err: unknown) => { this.db = null; throw err; });
    return this.db;
  }

  private async write(fn: (meta: IDBObjectStore, chunks: IDBObjectStore) => void): Promise<void> {
    const tx = (await this.open()).transaction([META, CHUNKS], "readwrite");
    const end = finished(tx);
    fn(tx.objectStore(META), tx.objectStore(CHUNKS));
    await end;
  }

  async begin(meta: Pick<RecordingMeta, "id" | "owner" | "name" | "type" | "started">): Promise<void> {
    const record: RecordingMeta = { ...meta, durationMs: 0, bytes: 0, chunks: 0, stopped: false };
    await this.write((m) => m.put(record));
  }

  // One chunk and the meta that counts it, in one transaction: the meta never claims a chunk that is not there.
  // Chunks must be appended in order (the recorder chains its writes); `seq` is their place in the recording.
  async append(id: string, seq: number, data: Blob, durationMs: number): Promise<void> {
    const bytes = await data.arrayBuffer();  // before the transaction: one left waiting on other work commits early
    await this.write((m, c) => {
      update(m, id, (meta) => {
        c.put({ id, seq, bytes });
        return { ...meta, chunks: meta.chunks + 1, bytes: meta.bytes + bytes.byteLength,
          durationMs: Math.max(meta.durationMs, durationMs) };
      });
    });
  }

  async stop(id: string, durationMs: number): Promise<void> {
    await this.write((m) => update(m, id, (meta) => ({ ...meta, stopped: true,
      durationMs: Math.max(meta.durationMs, durationMs) })));
  }

  // The recordings one account made in this browser, oldest first.
  async list(owner: string): Promise<RecordingMeta[]> {
    const tx = (await this.open()).transaction(META, "readonly");
    const all = await done(tx.objectStore(META).getAll() as IDBRequest<RecordingMeta[]>);
    return all.filter((r) => r.owner === owner).sort((a, b) => a.started - b.started);
  }

  // The recording as a file: its chunks joined in order, named and dated as when it was made.
  async file(id: string): Promise<File | null> {
    const tx = (await this.open()).transaction([META, CHUNKS], "readonly");
    const range = IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);
    // Both asked at once: after an await the transaction may no longer take requests.
    const [meta, chunks] = await Promise.all([
      done(tx.objectStore(META).get(id) as IDBRequest<RecordingMeta | undefined>),
      done(tx.objectStore(CHUNKS).getAll(range) as IDBRequest<{ seq: number; bytes: ArrayBuffer }[]>)]);
    if (!meta) return null;
    return new File(chunks.map((c) => c.bytes), meta.name, { type: meta.type, lastModified: meta.started });
  }

  async discard(id: string): Promise<void> {
    await this.write((m, c) => {
      m.delete(id);
      c.delete(IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]));
    });
  }
}

export const recordings = new RecordingStore();
