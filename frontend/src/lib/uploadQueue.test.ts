import { describe, expect, it } from "vitest";
import { UploadQueue, type TaskState } from "./uploadQueue";

// A fake upload per key that the test finishes or fails by hand, and that rejects when its signal aborts (as the
// real XHR does).
function harness(limit = 2) {
  const pending = new Map<string, { ok: () => void; fail: (e: unknown) => void; signal: AbortSignal }>();
  const starts: string[] = [];
  const history: [string, TaskState][] = [];
  const queue = new UploadQueue((key, signal) => new Promise<void>((ok, fail) => {
    starts.push(key);
    pending.set(key, { ok, fail, signal });
    signal.addEventListener("abort", () => fail(new Error("aborted")));
  }), limit, (key, state) => history.push([key, state]));
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { queue, pending, starts, history, settle };
}

describe("the upload queue", () => {
  it("runs at most `limit` files at once, the rest in the order they came", async () => {
    const { queue, pending, starts, settle } = harness(2);
    for (const k of ["a", "b", "c", "d"]) queue.add(k);
    expect(starts).toEqual(["a", "b"]);
    expect(queue.state("c")).toBe("queued");
    pending.get("b")!.ok();
    await settle();
    expect(starts).toEqual(["a", "b", "c"]);
    expect(queue.state("b")).toBe("done");
    expect(queue.running).toBe(2);
  });

  it("a failed file frees its slot for the next, and says why", async () => {
    const errors: unknown[] = [];
    const queue = new UploadQueue(async (key) => { if (key === "bad") throw new Error("storage_quota"); }, 1,
      (_, state, error) => { if (state === "failed") errors.push(error); });
    queue.add("bad"); queue.add("good");
    await new Promise((r) => setTimeout(r, 0));
    expect(queue.state("bad")).toBe("failed");
    expect(queue.state("good")).toBe("done");
    expect(String(errors[0])).toContain("storage_quota");
  });

  it("pausing a running file aborts its upload and starts the next; resuming puts it back in line", async () => {
    const { queue, pending, starts, settle } = harness(1);
    queue.add("a"); queue.add("b");
    queue.pause("a");
    expect(pending.get("a")!.signal.aborted).toBe(true);
    await settle();
    expect(queue.state("a")).toBe("paused");  // not "failed": the abort was the pause
    expect(starts).toEqual(["a", "b"]);
    queue.resume("a");
    expect(queue.state("a")).toBe("queued");
    pending.get("b")!.ok();
    await settle();
    expect(starts).toEqual(["a", "b", "a"]);  // resumed in a free slot
    pending.get("a")!.ok();
    await settle();
    expect(queue.state("a")).toBe("done");
  });

  it("a paused waiting file keeps its place but is skipped until resumed", async () => {
    const { queue, pending, starts, settle } = harness(1);
    queue.add("a"); queue.add("b"); queue.add("c");
    queue.pause("b");
    pending.get("a")!.ok();
    await settle();
    expect(starts).toEqual(["a", "c"]);
    queue.resume("b");
    pending.get("c")!.ok();
    await settle();
    expect(starts).toEqual(["a", "c", "b"]);
  });

  it("cancel stops a running file for good and never starts a waiting one", async () => {
    const { queue, pending, starts, settle } = harness(1);
    queue.add("a"); queue.add("b"); queue.add("c");
    queue.cancel("b");
    queue.cancel("a");
    expect(pending.get("a")!.signal.aborted).toBe(true);
    await settle();
    expect(queue.state("a")).toBe("cancelled");
    expect(starts).toEqual(["a", "c"]);
    queue.resume("a");  // a cancelled file is not resumable
    expect(queue.state("a")).toBe("cancelled");
  });

  it("a file that finishes just as it is paused is done, not paused (resuming would send it again)", async () => {
    const queue = new UploadQueue(() => Promise.resolve(), 1);
    queue.add("a");
    queue.pause("a");
    await new Promise((r) => setTimeout(r, 0));
    expect(queue.state("a")).toBe("done");
  });

  it("a paused file whose request is still unwinding is not started twice", async () => {
    let runs = 0;
    const unwind: (() => void)[] = [];
    const queue = new UploadQueue((_, signal) => new Promise<void>((_ok, fail) => {
      runs++;
      signal.addEventListener("abort", () => unwind.push(() => fail(new Error("aborted"))));
    }), 2);
    queue.add("a");
    queue.pause("a");
    queue.resume("a");
    expect(runs).toBe(1);  // the first run has not settled yet
    unwind.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
    expect(queue.state("a")).toBe("running");
  });
});
