// What this browser remembers of its uploads (localStorage, shared by its tabs): the same file chosen again after a
// reload continues its upload, and the job list tells an upload going on in some tab (a recent heartbeat) from one
// the page gave up on or lost ("upload interrupted").
import type { Job } from "../api/types";

export interface UploadRecord {
  fileId: string; jobId: string; name: string; size: number; modified: number; multipart: boolean; beat: number;
}

type Store = Pick<globalThis.Storage, "getItem" | "setItem">;

export const KEY = "transcribe.uploads", BEAT_MS = 2000, STALE_MS = 8000;

export class UploadRecords {
  constructor(private store: Store | null = typeof localStorage === "undefined" ? null : localStorage,
              private now: () => number = Date.now) {}

  all(): UploadRecord[] {
    try { return JSON.parse(this.store?.getItem(KEY) ?? "[]") as UploadRecord[]; } catch { return []; }
  }
  private write(records: UploadRecord[]) { this.store?.setItem(KEY, JSON.stringify(records.slice(-50))); }

  // The same file: name, size and modification time (the browser cannot be asked for more without reading it).
  find(file: { name: string; size: number; lastModified: number }): UploadRecord | undefined {
    return this.all().find((r) => r.name === file.name && r.size === file.size && r.modified === file.lastModified);
  }
  save(record: Omit<UploadRecord, "beat">) {
    this.write([...this.all().filter((r) => r.fileId !== record.fileId), { ...record, beat: this.now() }]);
  }
  beat(fileId: string, on = true) {
    this.write(this.all().map((r) => (r.fileId === fileId ? { ...r, beat: on ? this.now() : 0 } : r)));
  }
  drop(fileId: string) { this.write(this.all().filter((r) => r.fileId !== fileId)); }
  active(fileId: string): boolean {
    const r = this.all().find((x) => x.fileId === fileId);
    return !!r && this.now() - r.beat < STALE_MS;
  }
}

// A job still waiting for bytes that no tab of this browser is sending: it can be resumed or removed.
export function interrupted(job: Pick<Job, "stage" | "status" | "file">, records: UploadRecords): boolean {
  return job.status === "pending" && job.stage === "waiting_for_upload" && !records.active(job.file.id);
}

export const uploadRecords = new UploadRecords();
