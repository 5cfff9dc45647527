// The one typed client of the Transcribe API. A session ends when the answer says the token is no good (see expired).
import type {
  ApiKey, ApiKeyRequest, CreatedApiKey, Capabilities, DeclaredUpload, Folder, FolderList, Language, MediaFile, SearchResults, DownloadLink, ExportFormat, Job, JobPage, JobRequest, JobStatus, LineEdit, Session, Transcript, UploadedParts, User,
  Vocabulary, VocabularyTerm, Voices, WebhookDelivery, WebhookEndpoint, WebhookEvent,
} from "./types";
import { t } from "../i18n/i18n";

export const API_BASE: string = (import.meta.env?.VITE_API_BASE_URL as string | undefined) ?? "";
const TOKEN_KEY = "transcribe.token";

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) { super(message); }
}

// Every call the SPA makes, as (method, spec path): a test holds this list against the spec.
export const ROUTES = {
  register: ["POST", "/api/v1/auth/register"],
  login: ["POST", "/api/v1/auth/login"],
  me: ["GET", "/api/v1/auth/me"],
  changeLanguage: ["PATCH", "/api/v1/auth/me"],
  logout: ["POST", "/api/v1/auth/logout"],
  changePassword: ["POST", "/api/v1/auth/password"],
  requestPasswordReset: ["POST", "/api/v1/auth/password-reset"],
  resetPassword: ["POST", "/api/v1/auth/password-reset/confirm"],
  deleteAccount: ["DELETE", "/api/v1/auth/me"],
  listApiKeys: ["GET", "/api/v1/auth/keys"],
  createApiKey: ["POST", "/api/v1/auth/keys"],
  revokeApiKey: ["DELETE", "/api/v1/auth/keys/{key_id}"],
  capabilities: ["GET", "/api/v1/capabilities"],
  declareFile: ["POST", "/api/v1/files"],
  downloadFile: ["GET", "/api/v1/files/{file_id}/download"],
  renameFile: ["PATCH", "/api/v1/files/{file_id}"],
  partUrls: ["POST", "/api/v1/files/{file_id}/parts"],
  uploadedParts: ["GET", "/api/v1/files/{file_id}/parts"],
  completeUpload: ["POST", "/api/v1/files/{file_id}/complete"],
  abortUpload: ["DELETE", "/api/v1/files/{file_id}/upload"],
  createJob: ["POST", "/api/v1/jobs"],
  importUrl: ["POST", "/api/v1/imports"],
  listJobs: ["GET", "/api/v1/jobs"],
  getJob: ["GET", "/api/v1/jobs/{job_id}"],
  deleteJob: ["DELETE", "/api/v1/jobs/{job_id}"],
  retryJob: ["POST", "/api/v1/jobs/{job_id}/retry"],
  getTranscript: ["GET", "/api/v1/jobs/{job_id}/transcript"],
  downloadRedactedAudio: ["GET", "/api/v1/jobs/{job_id}/redacted-audio"],
  renameSpeakers: ["PUT", "/api/v1/jobs/{job_id}/speakers"],
  search: ["GET", "/api/v1/search"],
  editTranscript: ["PUT", "/api/v1/jobs/{job_id}/transcript"],
  revertTranscript: ["DELETE", "/api/v1/jobs/{job_id}/transcript/edits"],
  listWebhooks: ["GET", "/api/v1/webhook-endpoints"],
  registerWebhook: ["POST", "/api/v1/webhook-endpoints"],
  deleteWebhook: ["DELETE", "/api/v1/webhook-endpoints/{endpoint_id}"],
  webhookDeliveries: ["GET", "/api/v1/webhook-endpoints/{endpoint_id}/deliveries"],
  redeliverWebhook: ["POST", "/api/v1/webhook-deliveries/{delivery_id}/redeliver"],
  listFolders: ["GET", "/api/v1/folders"],
  createFolder: ["POST", "/api/v1/folders"],
  renameFolder: ["PATCH", "/api/v1/folders/{folder_id}"],
  deleteFolder: ["DELETE", "/api/v1/folders/{folder_id}"],
  moveJob: ["PUT", "/api/v1/jobs/{job_id}/folder"],
  getVocabulary: ["GET", "/api/v1/vocabulary"],
  putVocabulary: ["PUT", "/api/v1/vocabulary"],
  listVoices: ["GET", "/api/v1/voices"],
  deleteVoice: ["DELETE", "/api/v1/voices/{voice_id}"],
} as const;

// The routes anyone may call: a 401 there (a wrong password at sign-in) says nothing about a session.
const PUBLIC: readonly (readonly [string, string])[] = [
  ROUTES.register, ROUTES.login, ROUTES.requestPasswordReset, ROUTES.resetPassword, ROUTES.capabilities,
];
// Our functions' codes for a token that no longer works.
const TOKEN_CODES = new Set(["missing_token", "invalid_token", "token_revoked"]);
// The gateway's own refusals of a token: its JWT authorizer answers 401 or 403 (jwt-authorizer.md says both) with a
// body the docs do not describe ("http_error": not our JSON), or the local gateway's "unauthorized"/"forbidden".
const GATEWAY_CODES = new Set(["http_error", "unauthorized", "forbidden"]);

// Whether an error answer means "sign in again". Never from the status alone: a wrong current password (422
// wrong_password), or any other error of a function, leaves the session as it is.
export function expired(route: readonly [string, string], status: number, code: string): boolean {
  if (PUBLIC.includes(route)) return false;
  return TOKEN_CODES.has(code) || ((status === 401 || status === 403) && GATEWAY_CODES.has(code));
}

type Storage = Pick<globalThis.Storage, "getItem" | "setItem" | "removeItem">;

export class Client {
  onExpired: (message: string) => void = () => {};

  constructor(private fetcher: typeof fetch = (...a) => fetch(...a), private store: Storage | null =
    typeof localStorage === "undefined" ? null : localStorage, private base = API_BASE) {}

  get token(): string | null { return this.store?.getItem(TOKEN_KEY) ?? null; }
  set token(value: string | null) {
    if (value) this.store?.setItem(TOKEN_KEY, value); else this.store?.removeItem(TOKEN_KEY);
  }

  // Public so a feature's own calls (api/shares.ts) go through the same sessions and errors.
  async raw(route: readonly [string, string], params: Record<string, string> = {},
                    init: { body?: unknown; query?: Record<string, string | undefined>;
                      headers?: Record<string, string> } = {}): Promise<Response> {
    let path: string = route[1];
    for (const [k, v] of Object.entries(params)) path = path.replace(`{${k}}`, encodeURIComponent(v));
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined && v !== "") query.set(k, v);
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers["Content-Type"] = "application/json";
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const res = await this.fetcher(`${this.base}${path}${query.size ? `?${query}` : ""}`, {
      method: route[0], headers, body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (res.ok) return res;
    let code = "http_error", message = t("app.serverAnswered", { status: res.status });
    try {
      const err = (await res.json()).error;
      if (err?.code) ({ code, message } = err);
    } catch { /* not JSON: keep the generic message */ }
    if (this.token && expired(route, res.status, code)) {
      this.token = null;
      this.onExpired(t("app.sessionExpired"));
    }
    throw new ApiError(res.status, code, message);
  }

  async json<T>(...args: Parameters<Client["raw"]>): Promise<T> {
    return (await (await this.raw(...args)).json()) as T;
  }

  // The app's language goes with the account: the mail it is sent (a reset link) is written in it.
  async register(email: string, password: string, language?: Language): Promise<Session> {
    const s = await this.json<Session>(ROUTES.register, {}, { body: { email, password, language } });
    this.token = s.access_token;
    return s;
  }
  async login(email: string, password: string): Promise<Session> {
    const s = await this.json<Session>(ROUTES.login, {}, { body: { email, password } });
    this.token = s.access_token;
    return s;
  }
  // Signing out ends every session of the account (the server revokes all earlier tokens), then forgets ours.
  async logout(): Promise<void> {
    if (this.token) await this.raw(ROUTES.logout).catch(() => undefined);
    this.token = null;
  }
  me(): Promise<User> { return this.json(ROUTES.me); }
  changeLanguage(language: Language): Promise<User> { return this.json(ROUTES.changeLanguage, {}, { body: { language } }); }
  async changePassword(current: string, next: string): Promise<void> {
    const s = await this.json<Session>(ROUTES.changePassword, {}, { body: { current_password: current, new_password: next } });
    this.token = s.access_token;  // this session goes on; every other one ends
  }
  // Always the same answer, whether or not the email has an account (the server never tells).
  async requestPasswordReset(email: string): Promise<string> {
    return (await this.json<{ message: string }>(ROUTES.requestPasswordReset, {}, { body: { email } })).message;
  }
  async resetPassword(token: string, newPassword: string): Promise<Session> {
    const s = await this.json<Session>(ROUTES.resetPassword, {}, { body: { token, new_password: newPassword } });
    this.token = s.access_token;  // signed in; every earlier session ended
    return s;
  }
  async deleteAccount(password: string): Promise<void> {
    await this.raw(ROUTES.deleteAccount, {}, { body: { password } });
    this.token = null;
  }
  // Personal API keys: the whole key is in createApiKey's answer only; the list never holds it.
  async listApiKeys(): Promise<ApiKey[]> { return (await this.json<{ items: ApiKey[] }>(ROUTES.listApiKeys)).items; }
  createApiKey(req: ApiKeyRequest): Promise<CreatedApiKey> { return this.json(ROUTES.createApiKey, {}, { body: req }); }
  async revokeApiKey(id: string): Promise<void> { await this.raw(ROUTES.revokeApiKey, { key_id: id }); }
  capabilities(): Promise<Capabilities> { return this.json(ROUTES.capabilities); }
  declareFile(file: { name: string; type: string; size: number }): Promise<DeclaredUpload> {
    return this.json(ROUTES.declareFile, {}, { body: { filename: file.name, content_type: file.type, size: file.size } });
  }
  downloadFile(fileId: string): Promise<DownloadLink> { return this.json(ROUTES.downloadFile, { file_id: fileId }); }
  // The calls of an upload in parts (lib/multipart.ts drives them).
  parts(fileId: string) {
    return {
      uploaded: async () => (await this.uploadedParts(fileId)).uploaded,
      partUrls: async (numbers: number[]) => (await this.json<{ parts: { part_number: number; url: string }[] }>(
        ROUTES.partUrls, { file_id: fileId }, { body: { part_numbers: numbers } })).parts,
      complete: (parts: { part_number: number; etag: string }[]) =>
        this.json(ROUTES.completeUpload, { file_id: fileId }, { body: { parts } }),
      abort: async () => { await this.raw(ROUTES.abortUpload, { file_id: fileId }); },
    };
  }
  // What storage holds of an upload in parts (409 `no_multipart_upload` once it is completed, aborted or expired).
  uploadedParts(fileId: string): Promise<UploadedParts> { return this.json(ROUTES.uploadedParts, { file_id: fileId }); }
  renameFile(fileId: string, filename: string): Promise<MediaFile> {
    return this.json(ROUTES.renameFile, { file_id: fileId }, { body: { filename } });
  }
  createJob(req: JobRequest): Promise<Job> { return this.json(ROUTES.createJob, {}, { body: req }); }
  importUrl(req: Omit<JobRequest, "file_id"> & { url: string }): Promise<Job> {
    return this.json(ROUTES.importUrl, {}, { body: req });
  }
  listJobs(opts: { cursor?: string; status?: JobStatus; limit?: number; folder?: string } = {}): Promise<JobPage> {
    return this.json(ROUTES.listJobs, {}, { query: { cursor: opts.cursor, status: opts.status,
      limit: opts.limit ? String(opts.limit) : undefined, folder: opts.folder } });
  }
  getJob(id: string): Promise<Job> { return this.json(ROUTES.getJob, { job_id: id }); }
  async deleteJob(id: string): Promise<void> { await this.raw(ROUTES.deleteJob, { job_id: id }); }
  retryJob(id: string): Promise<Job> { return this.json(ROUTES.retryJob, { job_id: id }); }
  transcript(id: string): Promise<Transcript> { return this.json(ROUTES.getTranscript, { job_id: id }); }
  search(q: string, folder?: string): Promise<SearchResults> {
    return this.json(ROUTES.search, {}, { query: { q, folder } });
  }
  listFolders(): Promise<FolderList> { return this.json(ROUTES.listFolders); }
  createFolder(name: string): Promise<Folder> { return this.json(ROUTES.createFolder, {}, { body: { name } }); }
  renameFolder(id: string, name: string): Promise<Folder> {
    return this.json(ROUTES.renameFolder, { folder_id: id }, { body: { name } });
  }
  // A folder holding jobs goes only with an answer for them: keep them (out of the folder) or delete them.
  async deleteFolder(id: string, jobs?: "keep" | "delete"): Promise<void> {
    await this.raw(ROUTES.deleteFolder, { folder_id: id }, { query: { jobs } });
  }
  moveJob(id: string, folderId: string | null): Promise<Job> {
    return this.json(ROUTES.moveJob, { job_id: id }, { body: { folder_id: folderId } });
  }
  // Saves name the version they edit (If-Match): a save on top of another tab's is refused (409), never lost.
  editTranscript(id: string, version: number, edits: LineEdit[]): Promise<Transcript> {
    return this.json(ROUTES.editTranscript, { job_id: id }, { body: { edits }, headers: { "If-Match": `"${version}"` } });
  }
  revertTranscript(id: string, version: number): Promise<Transcript> {
    return this.json(ROUTES.revertTranscript, { job_id: id }, { headers: { "If-Match": `"${version}"` } });
  }
  renameSpeakers(id: string, names: Record<string, string>): Promise<Transcript> {
    return this.json(ROUTES.renameSpeakers, { job_id: id }, { body: { names } });
  }
  vocabulary(): Promise<Vocabulary> { return this.json(ROUTES.getVocabulary); }
  saveVocabulary(terms: VocabularyTerm[]): Promise<Vocabulary> {
    return this.json(ROUTES.putVocabulary, {}, { body: { terms } });
  }
  // The directory of named voices (the account page), where the engine gives voice embeddings.
  listVoices(): Promise<Voices> { return this.json(ROUTES.listVoices); }
  async deleteVoice(id: string): Promise<void> { await this.raw(ROUTES.deleteVoice, { voice_id: id }); }
  // `translation`: a language the transcript was translated into; the export is then written in it.
  async exportTranscript(id: string, format: ExportFormat, translation?: string): Promise<Blob> {
    return (await this.raw(ROUTES.getTranscript, { job_id: id }, { query: { format, translation } })).blob();
  }
  // The redacted recording (personal data beeped out): 409 while it is being copied, or when there is none.
  redactedAudio(jobId: string): Promise<DownloadLink> {
    return this.json(ROUTES.downloadRedactedAudio, { job_id: jobId });
  }
  // Webhook endpoints: the secret comes once, in registerWebhook's answer.
  async listWebhooks(): Promise<WebhookEndpoint[]> {
    return (await this.json<{ items: WebhookEndpoint[] }>(ROUTES.listWebhooks)).items;
  }
  registerWebhook(url: string, events: WebhookEvent[]): Promise<WebhookEndpoint> {
    return this.json(ROUTES.registerWebhook, {}, { body: { url, events } });
  }
  async deleteWebhook(id: string): Promise<void> { await this.raw(ROUTES.deleteWebhook, { endpoint_id: id }); }
  async webhookDeliveries(id: string): Promise<WebhookDelivery[]> {
    return (await this.json<{ items: WebhookDelivery[] }>(ROUTES.webhookDeliveries, { endpoint_id: id })).items;
  }
  redeliverWebhook(id: string): Promise<WebhookDelivery> {
    return this.json(ROUTES.redeliverWebhook, { delivery_id: id });
  }
}

export const api = new Client();
