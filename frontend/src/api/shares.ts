// Read-only links to one transcript: the owner's calls (signed in) and the reader's (no account, never a token).
import { api, Client } from "./client";
import type { ExportFormat, Job, Transcript } from "./types";

export type ShareState = "active" | "expired" | "revoked";
export interface Share {
  id: string; state: ShareState; include_media: boolean; created_at: string; expires_at: string | null;
  revoked_at: string | null; last_opened_at: string | null; open_count: number;
}
export interface ShareCreated extends Share { token: string; path: string }
export interface ShareRequest { expires_in_days: number | null; include_media: boolean }
export interface SharedView {
  title: string; content_type: string; size: number; audio_duration: number | null; mode: "mono" | "dialogue";
  language: string | null; expires_at: string | null; recording: "included" | "withheld" | "unavailable";
  media: { url: string; expires_at: string } | null;
}

// Every share call, as (method, spec path): shares.test.ts holds them against the spec.
export const SHARE_ROUTES = {
  createShare: ["POST", "/api/v1/jobs/{job_id}/shares"],
  listShares: ["GET", "/api/v1/jobs/{job_id}/shares"],
  revokeShare: ["DELETE", "/api/v1/jobs/{job_id}/shares/{share_id}"],
  sharedView: ["GET", "/api/v1/shared/{token}"],
  sharedTranscript: ["GET", "/api/v1/shared/{token}/transcript"],
  sharedExport: ["GET", "/api/v1/shared/{token}/export"],
} as const;
// Required fields per schema, as the spec declares them (checked in shares.test.ts).
export const SHARE_REQUIRED: Record<string, string[]> = {
  Share: ["id", "state", "include_media", "created_at", "expires_at", "revoked_at", "last_opened_at", "open_count"],
  SharedView: ["title", "content_type", "size", "mode", "expires_at", "recording", "media"],
};

export const shareApi = {
  create: (jobId: string, req: ShareRequest) => api.json<ShareCreated>(SHARE_ROUTES.createShare, { job_id: jobId },
    { body: req }),
  list: async (jobId: string) => (await api.json<{ items: Share[] }>(SHARE_ROUTES.listShares, { job_id: jobId })).items,
  revoke: async (jobId: string, shareId: string) => {
    await api.raw(SHARE_ROUTES.revokeShare, { job_id: jobId, share_id: shareId });
  },
};

// The reader's client keeps no token (no storage): a signed-in reader's session never travels with a link's requests.
const reader = new Client(undefined, null);

export const sharedApi = {
  view: (token: string) => reader.json<SharedView>(SHARE_ROUTES.sharedView, { token }),
  transcript: (token: string) => reader.json<Transcript>(SHARE_ROUTES.sharedTranscript, { token }),
  exportTranscript: async (token: string, format: ExportFormat) =>
    (await reader.raw(SHARE_ROUTES.sharedExport, { token }, { query: { format } })).blob(),
};

// The link's full address, on the app's own origin.
export function shareUrl(created: Pick<ShareCreated, "path">, origin: string = window.location.origin): string {
  return `${origin}${created.path}`;
}

// The transcript page shows a Job; a reader's page has only the shared facts, so the rest stays empty (no ids).
export function sharedJob(view: SharedView): Job {
  return {
    id: "", status: "completed", stage: "completed", language: view.language ?? "auto", mode: view.mode,
    speakers_expected: null, language_detected: view.language, audio_duration: view.audio_duration,
    error_message: null, retryable: false, attempts: 0, created_at: "", submitted_at: null, completed_at: null,
    file: { id: "", filename: view.title, content_type: view.content_type, size: view.size, uploaded_size: null,
      status: "uploaded", status_reason: null, created_at: "", uploaded_at: null },
  };
}
