// Pick or drop files, choose language and mode; each file is declared, its job created, then PUT with progress.
import { useEffect, useRef, useState, type DragEvent, type FormEvent } from "react";
import { api, ApiError } from "../api/client";
import type { Capabilities, Job, Mode } from "../api/types";
import { acceptAttribute, formatList, languageName, languageOptions, loadCapabilities, mediaDuration, refusal,
  transcribingLine } from "../lib/capabilities";
import { bytes, stageWords } from "../lib/format";
import { uploadInParts } from "../lib/multipart";
import { put, UploadError, type Progress } from "../lib/upload";

export function jobLine(job: Job | undefined, seconds: number | null, caps: Capabilities | null): string {
  if (!job) return "waiting for the job's status";
  if (job.stage === "waiting_for_upload") return "checking the file";  // the bytes are up; storage's event is due
  if (job.status === "failed") return `failed: ${job.error_message ?? "see the job below"}`;
  if (job.stage === "submitting" || job.stage === "submitted") return transcribingLine(seconds, caps);
  return stageWords(job).toLowerCase();
}

interface Item { key: string; file: File; progress: Progress | null; state: "uploading" | "done" | "error";
  error?: string; jobId?: string; abort?: AbortController; seconds?: number | null }

// Each upload's line follows its job (`jobs`, kept fresh by the job list): uploading, queued, transcribing, done
// or failed, so the panel never says "started" about a job that has ended.
export function UploadPanel({ onJobCreated, jobs, onDurations }: { onJobCreated: () => void; jobs: Map<string, Job>;
  onDurations?: (seconds: Map<string, number>) => void }) {
  const [items, setItems] = useState<Item[]>([]);
  const [caps, setCaps] = useState<Capabilities | null>(null);
  const [language, setLanguage] = useState("auto");
  useEffect(() => {
    loadCapabilities().then((c) => { setCaps(c); setLanguage((l) => (languageOptions(c).some(([k]) => k === l)
      ? l : languageOptions(c)[0]?.[0] ?? "en")); }).catch(() => undefined);
  }, []);
  const [mode, setMode] = useState<Mode>("mono");
  const [speakers, setSpeakers] = useState("");
  const [dragging, setDragging] = useState(false);
  const [link, setLink] = useState("");
  const [linkStatus, setLinkStatus] = useState<{ text: string; failed?: boolean }>({ text: "" });
  const input = useRef<HTMLInputElement>(null);

  // The browser knows a recording's length before the server does: the job list shows it while transcribing.
  useEffect(() => {
    onDurations?.(new Map(items.flatMap((i) => (i.jobId && i.seconds ? [[i.jobId, i.seconds] as const] : []))));
  }, [items, onDurations]);

  const update = (key: string, patch: Partial<Item>) =>
    setItems((all) => all.map((i) => (i.key === key ? { ...i, ...patch } : i)));

  async function send(file: File, key: string) {
    const abort = new AbortController();
    update(key, { state: "uploading", error: undefined, progress: null, abort });
    let jobId: string | undefined;
    try {
      const declared = await api.declareFile({ name: file.name, type: file.type, size: file.size });
      const job = await api.createJob({ file_id: declared.file.id, language, mode,
        speakers_expected: mode === "dialogue" && speakers ? Number(speakers) : null });
      jobId = job.id;
      update(key, { jobId });
      onJobCreated();
      const onProgress = (progress: Progress) => update(key, { progress });
      if (declared.multipart) {
        await uploadInParts(file, declared.multipart.part_size, declared.multipart.parts, api.parts(declared.file.id),
          onProgress, abort.signal);
      } else if (declared.upload) {
        await put(file, declared.upload, onProgress, abort.signal);
      }
      update(key, { state: "done" });
      onJobCreated();
    } catch (err) {
      if (jobId) await api.deleteJob(jobId).catch(() => undefined);  // no half-started job stays behind
      onJobCreated();
      const message = err instanceof ApiError || err instanceof UploadError ? err.message
        : "The upload failed: check your connection and retry.";
      update(key, { state: "error", error: message });
    }
  }

  function add(files: FileList | null) {
    for (const file of Array.from(files ?? [])) {
      const key = `${file.name}-${file.size}-${Math.random()}`;
      const reason = caps && refusal(caps, file);
      if (reason) {  // refused before a single byte leaves the browser
        setItems((all) => [{ key, file, progress: null, state: "error", error: reason }, ...all]);
        continue;
      }
      setItems((all) => [{ key, file, progress: null, state: "uploading" }, ...all]);
      void mediaDuration(file).then((seconds) => update(key, { seconds }));
      void send(file, key);
    }
    if (input.current) input.current.value = "";
  }

  async function importLink(e: FormEvent) {
    e.preventDefault();
    if (!link.trim()) return;
    setLinkStatus({ text: "Importing…" });
    try {
      await api.importUrl({ url: link.trim(), language, mode,
        speakers_expected: mode === "dialogue" && speakers ? Number(speakers) : null });
      setLink(""); setLinkStatus({ text: "Imported: the job below fetches and transcribes it." });
      onJobCreated();
    } catch (err) {
      setLinkStatus({ failed: true,
        text: err instanceof ApiError ? err.message : "Could not reach the server. Check your connection." });
    }
  }

  const onDrop = (e: DragEvent) => { e.preventDefault(); setDragging(false); add(e.dataTransfer.files); };

  return (
    <section className="card" aria-labelledby="upload-title">
      <h2 id="upload-title">New transcription</h2>
      <div className="options">
        <label>Language
          <select value={language} onChange={(e) => setLanguage(e.target.value)} data-testid="language">
            {(caps ? languageOptions(caps) : [["auto", "Detect automatically"] as [string, string]])
              .map(([code, name]) => <option key={code} value={code}>{name}</option>)}
          </select>
        </label>
        <fieldset><legend>Mode</legend>
          <label className="inline"><input type="radio" name="mode" checked={mode === "mono"}
            onChange={() => setMode("mono")} /> One speaker</label>
          <label className="inline"><input type="radio" name="mode" checked={mode === "dialogue"}
            onChange={() => setMode("dialogue")} /> Dialogue (speaker labels)</label>
        </fieldset>
        {mode === "dialogue" && <label>Speakers (optional)
          <input type="number" min={1} max={10} value={speakers} onChange={(e) => setSpeakers(e.target.value)} />
        </label>}
      </div>
      {caps && caps.languages.length === 1 &&
        <p className="hint" data-testid="language-note">{caps.engine} transcribes {languageName(caps.languages[0])} only
          {caps.auto_detect ? "" : "; it does not detect languages"}.</p>}
      <div className={`drop ${dragging ? "over" : ""}`} onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)} onDrop={onDrop}>
        <p>Drop {caps ? formatList(caps) : "audio or video"} files here, or</p>
        <label className="button">Choose files
          <input ref={input} type="file" accept={acceptAttribute(caps)} multiple className="visually-hidden"
            onChange={(e) => add(e.target.files)} data-testid="file-input" /></label>
      </div>
      <form className="import" onSubmit={(e) => void importLink(e)}>
        <label>Or paste a link to an audio or video file
          <input type="url" value={link} maxLength={2048} placeholder="https://example.com/episode.mp3"
            onChange={(e) => setLink(e.target.value)} /></label>
        <button type="submit">Import</button>
        <p className="hint">A direct link to the file itself; pages such as YouTube cannot be imported.</p>
        {caps?.url_import_note && <p className="hint" data-testid="import-note">{caps.url_import_note}</p>}
        {linkStatus.text && <p role={linkStatus.failed ? "alert" : "status"} className={linkStatus.failed ? "error" : ""}
          data-testid="import-status">{linkStatus.text}</p>}
      </form>
      {items.some((i) => i.state !== "uploading") &&
        <button className="link" onClick={() => setItems((all) => all.filter((i) => i.state === "uploading"))}>
          Clear finished</button>}
      <ul className="uploads" aria-live="polite">
        {items.map((item) => {
          const p = item.progress, pct = p && p.total ? Math.round((100 * p.sent) / p.total) : 0;
          return (
            <li key={item.key} className={item.state}>
              <span className="name">{item.file.name}</span>
              {item.state === "uploading" && <>
                <progress max={100} value={pct} aria-label={`Uploading ${item.file.name}`} data-pct={pct} />
                <span className="meta">{p ? `${bytes(p.sent)} of ${bytes(p.total)}` : "Preparing…"}
                  {p && p.bytesPerSecond > 0 ? ` · ${bytes(p.bytesPerSecond)}/s` : ""}</span>
                <button className="link" onClick={() => item.abort?.abort()}>Cancel</button></>}
              {item.state === "done" && <>
                <progress max={100} value={100} aria-label={`Uploaded ${item.file.name}`} data-pct={100} />
                <span className="meta" data-testid="upload-done">{bytes(item.file.size)} uploaded
                  · {jobLine(item.jobId ? jobs.get(item.jobId) : undefined, item.seconds ?? null, caps)}</span></>}
              {item.state === "error" && <>
                <span className="error" role="alert">{item.error}</span>
                {!(caps && refusal(caps, item.file)) &&
                  <button className="link" onClick={() => void send(item.file, item.key)}>Retry</button>}</>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
