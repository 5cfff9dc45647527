// Mirrors the schemas of infra/api/openapi.yaml; `required` lists are checked against the spec by a test.

export type Language = "en" | "ru";  // the web app's languages (i18n/i18n.ts)
export interface User { id: string; email: string; created_at: string; language?: Language }
export interface Session { access_token: string; token_type: "bearer"; expires_in: number; user: User }
export type FileStatus = "awaiting_upload" | "uploaded" | "rejected" | "expired";
export interface MediaFile {
  id: string; filename: string; content_type: string; size: number; uploaded_size: number | null;
  status: FileStatus; status_reason: string | null; created_at: string; uploaded_at: string | null;
}
export interface UploadInstructions { method: "PUT"; url: string; headers: Record<string, string>; expires_at: string }
export interface MultipartInstructions { part_size: number; parts: number; expires_at: string }
export interface DeclaredUpload { file: MediaFile; upload: UploadInstructions | null; multipart?: MultipartInstructions | null }
export interface UploadedParts {
  part_size: number; parts: number; uploaded: { part_number: number; size: number; etag: string }[];
}
export interface DownloadLink { url: string; expires_at: string }
export type JobStatus = "pending" | "processing" | "completed" | "failed";
export type JobStage = "waiting_for_upload" | "queued" | "retrying" | "submitting" | "submitted" | "completed" | "failed";
export type Mode = "mono" | "dialogue";
export interface Job {
  id: string; file: MediaFile; status: JobStatus; stage: JobStage; language: string; mode: Mode;
  speakers_expected: number | null; language_detected: string | null; audio_duration: number | null;
  error_message: string | null; retryable: boolean; attempts: number; created_at: string; submitted_at: string | null;
  completed_at: string | null; folder_id?: string | null;
  uncertain_words?: number | null;  // words below the confidence threshold (lib/review.ts), once the transcript is in
}
export interface JobPage { items: Job[]; next_cursor: string | null }
export type SpeakerType = "name" | "role";
export type Substitution = "entity_name" | "hash";
// What a job may ask beyond words (AssemblyAI's names): redaction of personal data, translation, entities.
export interface Understanding {
  redact_pii?: boolean; redact_pii_policies?: string[]; redact_pii_sub?: Substitution; redact_pii_audio?: boolean;
  translation_targets?: string[]; entity_detection?: boolean;
}
export interface JobRequest extends Understanding {
  file_id: string; language?: string; mode?: Mode; speakers_expected?: number | null;
  speaker_names?: string[] | null; speaker_type?: SpeakerType;  // for the provider's speaker identification
}
export type RedactedAudio = "pending" | "copied" | "unavailable";
export interface Redaction { policies: string[]; substitution: Substitution; audio: RedactedAudio | null }
export interface TranslatedLine { start: number; end: number; speaker?: string | null; texts: Record<string, string> }
export interface Entity { entity_type: string; text: string; start: number; end: number }
export interface Word { text: string; start: number; end: number; confidence?: number | null; speaker?: string | null }
export interface Utterance {
  speaker?: string | null; speaker_name?: string | null; start: number; end: number; text: string; words: Word[];
}
export interface Transcript {
  job_id: string; mode: Mode; text: string; language: string | null; audio_duration: number | null;
  confidence: number | null; utterances: Utterance[]; words: Word[]; speaker_names?: Record<string, string>;
  paragraphs?: number[]; version?: number; edited?: boolean;
  speaker_suggestions?: Record<string, string>;  // unnamed speakers whose voice matches a named one: offered, not applied
  redaction?: Redaction | null; translations?: Record<string, string>; translated_lines?: TranslatedLine[];
  entities?: Entity[];
}
export interface Voice { id: string; name: string; recordings: number; created_at: string }
export interface Voices { items: Voice[] }
// A line's new text, speaker, or both; `line` is its index in the version edited (an utterance, else a paragraph).
export interface LineEdit { line: number; text?: string; speaker?: string }
export type ExportFormat = "txt" | "srt" | "vtt" | "json";
export interface Capabilities {
  engine: string; provider: "assemblyai" | "speechkit"; languages: string[]; auto_detect: boolean; formats: string[];
  max_upload_bytes: number; max_duration_seconds?: number | null;
  max_speakers?: number | null;  // the most voices the engine tells apart (SpeechKit: 2); null: as many as asked
  url_import?: boolean;
  max_parallel_per_user: number; max_active_jobs_per_user: number; max_stored_bytes_per_user: number;
  max_recording_seconds: number;  // the browser's recorder stops by itself here
  realtime_factor?: number | null;
  url_import_note?: string | null;  // why some links cannot be fetched here (the local cloud says), else null
  word_confidence?: boolean;  // the engine rates each word: the review mode marks the uncertain ones
  vocabulary?: boolean;  // the engine takes the user's vocabulary with each new job
  speaker_identification?: boolean;  // a job may name its speakers when created
  voice_directory?: boolean;  // named voices are recognised in later recordings
  redaction?: boolean; redaction_policies?: string[]; translation_targets?: string[]; entities?: boolean;
}
// A term as it should be written, and what the engine wrote instead (each replaced by the term in new jobs).
export interface VocabularyTerm { term: string; spellings: string[] }
export interface Vocabulary { terms: VocabularyTerm[]; max_terms: number; max_term_chars: number; max_spellings: number }

export type ApiScope = "read" | "write";
export interface ApiKeyRequest { name: string; scopes: ApiScope[]; expires_in_days: number }
export interface ApiKey {
  id: string; name: string; prefix: string; scopes: ApiScope[]; created_at: string; expires_at: string;
  last_used_at: string | null;
}
export interface CreatedApiKey extends ApiKey { key: string }

// Required fields per schema, as the spec declares them (checked in client.test.ts).
export const REQUIRED: Record<string, string[]> = {
  User: ["id", "email", "created_at"],
  Session: ["access_token", "token_type", "expires_in", "user"],
  MediaFile: ["id", "filename", "content_type", "size", "status", "created_at"],
  UploadInstructions: ["method", "url", "headers", "expires_at"],
  DeclaredUpload: ["file"],
  DownloadLink: ["url", "expires_at"],
  UploadedParts: ["part_size", "parts", "uploaded"],
  Job: ["id", "file", "status", "stage", "language", "mode", "retryable", "attempts", "created_at"],
  JobPage: ["items", "next_cursor"],
  Transcript: ["job_id", "mode", "text", "utterances", "words"],
  ApiKey: ["id", "name", "prefix", "scopes", "created_at", "expires_at", "last_used_at"],
  ApiKeyRequest: ["name", "scopes", "expires_in_days"],
  Folder: ["id", "name", "jobs", "created_at"],
  FolderList: ["items", "max_folders", "max_name_length"],
  Vocabulary: ["terms", "max_terms", "max_term_chars", "max_spellings"],
  Voice: ["id", "name", "recordings", "created_at"],
  Voices: ["items"],
  Capabilities: ["engine", "provider", "languages", "auto_detect", "formats", "max_upload_bytes", "max_parallel_per_user",
    "max_active_jobs_per_user", "max_stored_bytes_per_user", "max_recording_seconds"],
};
export interface SearchHit { job_id: string; filename: string; snippet: string; offset_ms: number | null }
export interface SearchResults { query: string; items: SearchHit[] }
// Outgoing webhooks: a user's endpoint (its secret only in the answer that created it) and its deliveries.
export type WebhookEvent = "job.completed" | "job.failed";
export interface WebhookEndpoint { id: string; url: string; events: WebhookEvent[]; created_at: string; secret?: string }
export interface WebhookDelivery {
  id: string; endpoint_id: string; job_id: string | null; event_type: WebhookEvent;
  status: "pending" | "succeeded" | "failed"; attempts: number; last_status_code: number | null;
  last_error: string | null; next_attempt_at: string | null; created_at: string; delivered_at: string | null;
}
export interface Folder { id: string; name: string; jobs: number; created_at: string }
export interface FolderList { items: Folder[]; max_folders: number; max_name_length: number }
