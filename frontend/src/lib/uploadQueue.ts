// One queue for every file chosen or dropped: at most `limit` upload at once and the rest wait their turn in the order
// they came; each can be paused (its upload stops where it is; Resume continues from what storage holds), resumed,
// or cancelled. The queue knows nothing of HTTP: `run` uploads one file, honours its signal, and settles when done.
export type TaskState = "queued" | "running" | "paused" | "done" | "failed" | "cancelled";

export type Run = (key: string, signal: AbortSignal) => Promise<void>;
export type OnState = (key: string, state: TaskState, error?: unknown) => void;

export class UploadQueue {
  private order: string[] = [];
  private states = new Map<string, TaskState>();
  private controllers = new Map<string, AbortController>();
  // Runs not settled yet, by key: a paused upload whose request is still unwinding is not started a second time.
  private active = new Set<string>();

  constructor(private run: Run, private limit: number, private onState: OnState = () => {}) {}

  state(key: string): TaskState | undefined { return this.states.get(key); }
  get running(): number { return this.active.size; }

  add(key: string): void {
    if (this.states.has(key)) return;
    this.order.push(key);
    this.set(key, "queued");
    this.pump();
  }

  // A running upload stops (its request aborted); a waiting one keeps its place but is skipped until resumed.
  pause(key: string): void {
    const state = this.states.get(key);
    if (state !== "queued" && state !== "running") return;
    this.set(key, "paused");
    this.controllers.get(key)?.abort();
  }

  // A paused or failed upload waits for a free slot again, in its original place in the order.
  resume(key: string): void {
    const state = this.states.get(key);
    if (state !== "paused" && state !== "failed") return;
    this.set(key, "queued");
    this.pump();
  }

  cancel(key: string): void {
    const state = this.states.get(key);
    if (state === undefined || state === "done" || state === "cancelled") return;
    this.set(key, "cancelled");
    this.controllers.get(key)?.abort();
    this.pump();
  }

  // Forget a finished, failed or cancelled file (the list's "Clear finished").
  forget(key: string): void {
    if (this.active.has(key)) return;
    this.order = this.order.filter((k) => k !== key);
    this.states.delete(key);
  }

  private set(key: string, state: TaskState, error?: unknown): void {
    this.states.set(key, state);
    this.onState(key, state, error);
  }

  private pump(): void {
    while (this.active.size < this.limit) {
      const next = this.order.find((k) => this.states.get(k) === "queued" && !this.active.has(k));
      if (next === undefined) return;
      this.start(next);
    }
  }

  private start(key: string): void {
    const control = new AbortController();
    this.controllers.set(key, control);
    this.active.add(key);
    this.set(key, "running");
    let settled: Promise<void>;
    try { settled = this.run(key, control.signal); } catch (err) { settled = Promise.reject(err); }
    settled.then(
      // Finished just as it was paused: the bytes are up, so it is done (resuming would start it over).
      () => { if (this.states.get(key) === "running" || this.states.get(key) === "paused") this.set(key, "done"); },
      (err: unknown) => { if (this.states.get(key) === "running") this.set(key, "failed", err); },
    ).finally(() => {
      this.active.delete(key);
      if (this.controllers.get(key) === control) this.controllers.delete(key);
      this.pump();
    });
  }
}
