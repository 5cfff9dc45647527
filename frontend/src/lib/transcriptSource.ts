// Where the transcript page's data comes from: the owner's own API (editable), or a share link (read-only, no account).
import { api } from "../api/client";
import { sharedApi, sharedJob } from "../api/shares";
import type { ExportFormat, Job, Transcript } from "../api/types";
import { RECORDING_GONE } from "./playback";

// Said beside the player instead of it: a catalogue key, and whether it is a problem or the owner's choice.
export interface MediaNote { key: string; error: boolean }
export interface Loaded { job: Job; transcript: Transcript | null; media: string; mediaNote: MediaNote | null }
export interface TranscriptSource {
  readOnly: boolean;  // no edits, renames, speaker names, re-runs or sharing: a reader's view
  missing: string;  // the catalogue key said when the transcript is not there (404)
  note?: string;  // a catalogue key said under the title (a reader is told what the page is)
  load(): Promise<Loaded>;
  exportTranscript(format: ExportFormat, translation?: string): Promise<Blob>;  // a translation: the owner's only
}

export function ownerSource(jobId: string): TranscriptSource {
  return {
    readOnly: false,
    missing: "transcript.missing",
    async load() {
      const job = await api.getJob(jobId);
      if (job.status !== "completed") return { job, transcript: null, media: "", mediaNote: null };
      // A recording that is gone must not take the transcript with it: the page says so beside the player.
      const [transcript, link] = await Promise.all([api.transcript(jobId), api.downloadFile(job.file.id).catch(() => null)]);
      return { job, transcript, media: link?.url ?? "", mediaNote: link ? null : { key: RECORDING_GONE, error: true } };
    },
    exportTranscript: (format, translation) => api.exportTranscript(jobId, format, translation),
  };
}

// A shared transcript: the link's facts and a player URL minted for this view, the transcript, and its exports.
export function sharedSource(token: string): TranscriptSource {
  return {
    readOnly: true,
    missing: "errors.share_not_found",
    note: "share.readOnly",
    async load() {
      const [view, transcript] = await Promise.all([sharedApi.view(token), sharedApi.transcript(token)]);
      const mediaNote = view.recording === "withheld" ? { key: "share.withheld", error: false }
        : view.recording === "unavailable" ? { key: RECORDING_GONE, error: true } : null;
      return { job: sharedJob(view), transcript, media: view.media?.url ?? "", mediaNote };
    },
    exportTranscript: (format) => sharedApi.exportTranscript(token, format),
  };
}
