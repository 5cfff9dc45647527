// Polling that slows down while nothing changes and stops when nothing is running.
import type { Job } from "../api/types";

export const FIRST_MS = 1000, MAX_MS = 10_000;

export function nextDelay(previous: number, changed: boolean): number {
  return changed ? FIRST_MS : Math.min(MAX_MS, Math.round(previous * 1.6));
}

export function anyRunning(jobs: Pick<Job, "status">[]): boolean {
  return jobs.some((j) => j.status === "pending" || j.status === "processing");
}

export function fingerprint(jobs: Pick<Job, "id" | "status" | "stage">[]): string {
  return jobs.map((j) => `${j.id}:${j.status}:${j.stage}`).join("|");
}

// Retrying an upload while the network is up: 0.5 s, 1 s, 2 s … at most 15 s apart (offline time is not counted).
export const RETRY_FIRST_MS = 500, RETRY_MAX_MS = 15_000;

export function retryDelay(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, failures - 1));
}
