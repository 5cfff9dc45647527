// Words and numbers as a person reads them.
import type { Job, JobStage } from "../api/types";

export const STAGE_WORDS: Record<JobStage, string> = {
  waiting_for_upload: "Uploading",
  queued: "Uploaded · queued",
  retrying: "Retrying soon",
  submitting: "Transcribing",
  submitted: "Transcribing",
  completed: "Done",
  failed: "Failed",
};

export function stageWords(job: Pick<Job, "stage">): string { return STAGE_WORDS[job.stage] ?? job.stage; }

export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const mm = String(m).padStart(h ? 2 : 1, "0"), ss = String(s).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function duration(seconds: number | null): string { return seconds == null ? "—" : clock(seconds * 1000); }

export function when(iso: string, now: Date = new Date()): string {
  const t = new Date(iso), diff = (now.getTime() - t.getTime()) / 1000;
  if (diff < 60) return "just now";
  if (diff < 3600) return `${Math.floor(diff / 60)} min ago`;
  if (diff < 86400) return `${Math.floor(diff / 3600)} h ago`;
  return t.toLocaleDateString();
}

// A provider label ("A", "2") reads "Speaker A"; a name the user gave ("Anna") or "Speaker A" itself stays.
export function speakerLabel(speaker: string | null | undefined): string {
  if (!speaker) return "Speaker";
  return /^([A-Z]|\d+)$/.test(speaker) ? `Speaker ${speaker}` : speaker;
}

export const LANGUAGES: [string, string][] = [
  ["auto", "Detect automatically"], ["en", "English"], ["es", "Spanish"], ["fr", "French"], ["de", "German"],
  ["it", "Italian"], ["pt", "Portuguese"], ["nl", "Dutch"], ["ru", "Russian"], ["uk", "Ukrainian"],
  ["pl", "Polish"], ["tr", "Turkish"], ["ja", "Japanese"], ["ko", "Korean"], ["zh", "Chinese"], ["hi", "Hindi"],
  ["ar", "Arabic"], ["sv", "Swedish"], ["fi", "Finnish"], ["da", "Danish"],
];
