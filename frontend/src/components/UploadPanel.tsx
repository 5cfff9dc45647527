// Pick or drop files, choose language and mode; each file is declared, its job created, then PUT with progress.
// Files chosen together go through one queue (lib/uploadQueue.ts), UPLOADS_AT_ONCE at a time, each with Pause,
// Resume and Cancel. An upload that cannot go on is "interrupted", never silently dropped: Resume continues it from
// the parts storage holds (also after a reload, when the same file is chosen again), Cancel deletes its job. A file
// the server refuses says which file and why, in the app's language.
import { useEffect, useImperativeHandle, useRef, useState, type DragEvent, type FormEvent, type Ref } from "react";
import { useTranslation } from "react-i18next";
import { api, ApiError } from "../api/client";
import type { Capabilities, Job, Mode, SpeakerType, Understanding } from "../api/types";
import { speakerNames, SpeakerNamesField } from "./SpeakerNamesField";
import { acceptAttribute, formatList, languageName, languageOptions, loadCapabilities, mediaDuration, refusal,
  takesAnyMedia, transcribingLine } from "../lib/capabilities";
import { errorText } from "../i18n/errors";
import { t as translate } from "../i18n/i18n";
import { bytes, stageWords } from "../lib/format";
import { uploadInParts } from "../lib/multipart";
import { browserNetwork, persist } from "../lib/network";
import { BEAT_MS, uploadRecords, type UploadRecord } from "../lib/resume";
import { put, UploadError, type Progress } from "../lib/upload";
import { Recorder } from "./Recorder";
import { understandingFields, UnderstandingOptions } from "./UnderstandingOptions";
import { UploadQueue, type TaskState } from "../lib/uploadQueue";

// Two files at a time: each large one already sends 4 parts in parallel, and waiting files hold no upload slot on
// the server (a file is declared when its turn comes), so the per-user pending-upload quota is never crowded.
export const UPLOADS_AT_ONCE = 2;

// What the job list asks of the panel for a job whose upload was interrupted.
export interface UploadPanelHandle { resume(job: Job): void; remove(jobId: string, fileId: string): Promise<void> }

// A job gone (404) is as good as removed; anything else is retried while the network comes back.
async function removeJob(jobId: string, fileId: string): Promise<void> {
  await persist(() => api.deleteJob(jobId).catch((err) => {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  }), browserNetwork, 8);
  uploadRecords.drop(fileId);
}

interface Target { fileId: string; jobId: string; multipart?: { part_size: number; parts: number } }

// Where an earlier upload of this file stands: its parts still open (continue there), or nothing to continue.
type Earlier = Pick<UploadRecord, "fileId" | "jobId"> & { multipart?: boolean };

async function resumable(known: Earlier): Promise<Target | null> {
  try {
    const held = await persist(() => api.uploadedParts(known.fileId), browserNetwork, 8);
    return { fileId: known.fileId, jobId: known.jobId, multipart: { part_size: held.part_size, parts: held.parts } };
  } catch (err) {
    if (!(err instanceof ApiError && (err.status === 409 || err.status === 404))) throw err;
  }
  // A single PUT is sent again whole, as a new upload; its old job would wait for nothing, so it goes. (Parts that
  // were joined meanwhile leave the job to go on; unknown: the job says whether it still waits.)
  const single = known.multipart === false || (known.multipart === undefined
    && (await persist(() => api.getJob(known.jobId), browserNetwork, 8)).stage === "waiting_for_upload");
  if (single) await removeJob(known.jobId, known.fileId);
  else uploadRecords.drop(known.fileId);
  return null;
}

export function jobLine(job: Job | undefined, seconds: number | null, caps: Capabilities | null): string {
  if (!job) return translate("upload.waiting");
  if (job.stage === "waiting_for_upload") return translate("upload.checking");  // the bytes are up; storage's event is due
  if (job.status === "failed") return translate("upload.failedWith", { reason: job.error_message ?? translate("upload.seeBelow") });
  if (job.stage === "submitting" || job.stage === "submitted") return transcribingLine(seconds, caps);
  return stageWords(job).toLowerCase();
}

interface Item { key: string; file: File; progress: Progress | null;
  state: "queued" | "uploading" | "paused" | "done" | "error" | "interrupted";
  error?: string; wrongFile?: boolean; jobId?: string; fileId?: string; seconds?: number | null }

// Which file, and the reason: the server's (by its code, in the app's language) or the browser's.
function refusedText(name: string, err: unknown): string {
  const reason = err instanceof UploadError ? err.message : errorText(err, "upload.failed");
  return translate("organise.refused", { name, reason });
}

// Each upload's line follows its job (`jobs`, kept fresh by the job list): uploading, queued, transcribing, done
// or failed, so the panel never says "started" about a job that has ended.
// `folder`: the folder the page shows; new uploads go into it (a failure to file one leaves it among all recordings).
export function UploadPanel({ onJobCreated, jobs, handle, onDurations, folder = null }: { onJobCreated: () => void;
  jobs: Map<string, Job>; handle?: Ref<UploadPanelHandle>; onDurations?: (seconds: Map<string, number>) => void;
  folder?: { id: string; name: string } | null }) {
  const { t } = useTranslation();
  const [items, setItems] = useState<Item[]>([]);
  const [caps, setCaps] = useState<Capabilities | null>(null);
  const [language, setLanguage] = useState("auto");
  useEffect(() => {
    loadCapabilities().then((c) => { setCaps(c); setLanguage((l) => (languageOptions(c).some(([k]) => k === l)
      ? l : languageOptions(c)[0]?.[0] ?? "en")); }).catch(() => undefined);
  }, []);
  const [mode, setMode] = useState<Mode>("mono");
  const [speakers, setSpeakers] = useState("");
  const [understanding, setUnderstanding] = useState<Understanding>({});
  const [names, setNames] = useState("");
  const [speakerType, setSpeakerType] = useState<SpeakerType>("name");
  // Names for the provider's speaker identification, where the engine has it, for a dialogue.
  const naming = () => (mode === "dialogue" && caps?.speaker_identification && speakerNames(names)
    ? { speaker_names: speakerNames(names), speaker_type: speakerType } : {});
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

  // The queue: it decides when each file's `send` runs; its states become the items' (a failed file that already has
  // a job is "interrupted": resumable; one refused before any job is an "error").
  const chosen = useRef(new Map<string, { file: File; earlier?: Earlier }>());
  const made = useRef(new Map<string, { jobId: string; fileId: string }>());  // each item's job, once it has one
  const runner = useRef<(key: string, signal: AbortSignal) => Promise<void>>(async () => {});
  const queue = useRef<UploadQueue | null>(null);
  queue.current ??= new UploadQueue((key, signal) => runner.current(key, signal), UPLOADS_AT_ONCE,
    (key: string, state: TaskState) => {
      if (state === "cancelled") return;  // `cancel` takes the item away itself
      setItems((all) => all.map((i) => (i.key !== key ? i : { ...i, state: state === "queued" ? "queued"
        : state === "running" ? "uploading" : state === "paused" ? "paused" : state === "done" ? "done"
          : i.jobId ? "interrupted" : "error" })));
    });
  runner.current = async (key, signal) => {
    const entry = chosen.current.get(key);
    if (!entry) return;
    const earlier = entry.earlier;
    entry.earlier = undefined;  // only the first run continues a job the list named; later ones find their record
    await send(entry.file, key, signal, earlier);
  };

  async function send(file: File, key: string, signal: AbortSignal, earlier?: Earlier) {
    update(key, { error: undefined, progress: null });
    let target: Target | null = null;
    let beat: number | undefined;
    try {
      const known = earlier ?? uploadRecords.find(file);
      if (known) target = await resumable(known);
      let single: Awaited<ReturnType<typeof api.declareFile>>["upload"] = null;
      if (!target) {
        const declared = await api.declareFile({ name: file.name, type: file.type, size: file.size });
        const job = await api.createJob({ file_id: declared.file.id, language, mode,
          speakers_expected: mode === "dialogue" && speakers ? Number(speakers) : null, ...naming(),
          ...understandingFields(understanding) });
        target = { fileId: declared.file.id, jobId: job.id, multipart: declared.multipart ?? undefined };
        if (folder) await api.moveJob(job.id, folder.id).catch(() => undefined);
        single = declared.upload;
      }
      const { fileId, jobId } = target;
      uploadRecords.save({ fileId, jobId, name: file.name, size: file.size, modified: file.lastModified,
        multipart: !!target.multipart });
      beat = window.setInterval(() => uploadRecords.beat(fileId), BEAT_MS);  // "some tab is sending this"
      made.current.set(key, { jobId, fileId });
      update(key, { jobId, fileId });
      onJobCreated();
      const onProgress = (progress: Progress) => update(key, { progress });
      if (target.multipart) {
        await uploadInParts(file, target.multipart.part_size, target.multipart.parts, api.parts(fileId), onProgress,
          signal);
      } else if (single) {
        const instructions = single;
        // Its one URL cannot be renewed: refused (or expired), Resume declares the file anew.
        await persist(() => put(file, instructions, onProgress, signal).catch((err: unknown) => {
          throw err instanceof UploadError && err.kind === "expired" ? new UploadError("rejected", err.message) : err;
        }), browserNetwork, 8, signal);
      }
      uploadRecords.drop(fileId);
      accepted.current.get(file)?.();  // a recording: the browser's copy may go now
      onJobCreated();
    } catch (err) {
      const message = signal.aborted ? t("upload.stopped") : refusedText(file.name, err);
      // A job exists: it stays, saying so, until resumed or cancelled (the server expires it if neither happens).
      if (target) uploadRecords.beat(target.fileId, false);
      if (target && queue.current?.state(key) === "cancelled") {  // cancelled while its job was being made
        void removeJob(target.jobId, target.fileId).catch(() => undefined);
      }
      update(key, { error: message });
      onJobCreated();
      throw err;  // the queue marks it failed (or keeps it paused or cancelled, when that is why it stopped)
    } finally {
      window.clearInterval(beat);
    }
  }

  // Cancel: the upload stops for good and its job (if it has one yet) is deleted, so nothing is left half-made.
  async function removeItem(item: Item) {
    queue.current?.cancel(item.key);
    const ids = made.current.get(item.key);
    if (ids) {
      try { await removeJob(ids.jobId, ids.fileId); }
      catch (err) { update(item.key, { error: errorText(err) }); return; }
    }
    chosen.current.delete(item.key);
    made.current.delete(item.key);
    queue.current?.forget(item.key);
    setItems((all) => all.filter((i) => i.key !== item.key));
    onJobCreated();
  }

  // The job list's Resume: this page still has the file, or the person chooses it again.
  const expected = useRef<Job | null>(null);
  useImperativeHandle(handle, () => ({
    resume(job: Job) {
      const here = items.find((i) => i.jobId === job.id && (i.state === "paused" || i.state === "interrupted"));
      if (here) { queue.current?.resume(here.key); return; }
      if (items.some((i) => i.jobId === job.id)) return;  // this page is sending it already
      expected.current = job;
      input.current?.click();
    },
    async remove(jobId: string, fileId: string) {
      const here = items.find((i) => i.jobId === jobId);
      if (here) { await removeItem(here); return; }
      await removeJob(jobId, fileId);
      onJobCreated();
    },
  }));

  // A recording goes the way of a chosen file; the recorder keeps its own copy until the bytes are accepted.
  // Its length is known (a recorder's WebM does not say it; the job list shows it while transcribing).
  const accepted = useRef(new WeakMap<File, () => void>());
  const lengths = useRef(new WeakMap<File, number>());
  function sendRecording(file: File, onAccepted: () => void, seconds: number): string | null {
    const reason = caps && refusal(caps, file);
    if (reason) return reason;
    accepted.current.set(file, onAccepted);
    lengths.current.set(file, seconds);
    expected.current = null;  // not the file a job list's Resume is waiting for
    add([file]);
    return null;
  }

  function add(files: FileList | File[] | null) {
    for (const file of Array.from(files ?? [])) {
      const key = `${file.name}-${file.size}-${Math.random()}`;
      const reason = caps && refusal(caps, file);
      if (reason) {  // refused before a single byte leaves the browser
        setItems((all) => [...all, { key, file, progress: null, state: "error",
          error: translate("organise.refused", { name: file.name, reason }) }]);
        continue;
      }
      const job = expected.current;
      expected.current = null;
      if (job && (file.size !== job.file.size)) {
        setItems((all) => [...all, { key, file, progress: null, state: "error", wrongFile: true,
          error: t("upload.notThatFile", { name: job.file.filename, size: bytes(job.file.size) }) }]);
        continue;
      }
      setItems((all) => [...all, { key, file, progress: null, state: "queued" }]);  // in the queue's order
      void (lengths.current.has(file) ? Promise.resolve(lengths.current.get(file) ?? null) : mediaDuration(file))
        .then((seconds) => update(key, { seconds }));
      chosen.current.set(key, { file,
        earlier: job ? uploadRecords.find(file) ?? { fileId: job.file.id, jobId: job.id } : undefined });
      queue.current?.add(key);
    }
    if (input.current) input.current.value = "";
  }

  async function importLink(e: FormEvent) {
    e.preventDefault();
    if (!link.trim()) return;
    setLinkStatus({ text: t("upload.importing") });
    try {
      await api.importUrl({ url: link.trim(), language, mode,
        speakers_expected: mode === "dialogue" && speakers ? Number(speakers) : null, ...naming(),
          ...understandingFields(understanding) });
      setLink(""); setLinkStatus({ text: t("upload.imported") });
      onJobCreated();
    } catch (err) {
      setLinkStatus({ failed: true, text: errorText(err) });
    }
  }

  const onDrop = (e: DragEvent) => { e.preventDefault(); setDragging(false); add(e.dataTransfer.files); };

  return (
    <section className="card" aria-labelledby="upload-title">
      <h2 id="upload-title">{t("upload.title")}</h2>
      <div className="options">
        <label>{t("upload.language")}
          <select value={language} onChange={(e) => setLanguage(e.target.value)} data-testid="language">
            {(caps ? languageOptions(caps) : [["auto", t("upload.auto")] as [string, string]])
              .map(([code, name]) => <option key={code} value={code}>{name}</option>)}
          </select>
        </label>
        <fieldset><legend>{t("upload.mode")}</legend>
          <label className="inline"><input type="radio" name="mode" checked={mode === "mono"}
            onChange={() => setMode("mono")} /> {t("upload.mono")}</label>
          <label className="inline"><input type="radio" name="mode" checked={mode === "dialogue"}
            onChange={() => setMode("dialogue")} /> {t("upload.dialogue")}</label>
        </fieldset>
        {mode === "dialogue" && <label>{t("upload.speakers")}
          <input type="number" min={1} max={caps?.max_speakers ?? 10} value={speakers} onChange={(e) => setSpeakers(e.target.value)} />
        </label>}
      </div>
      {mode === "dialogue" && caps?.speaker_identification &&
        <SpeakerNamesField value={names} onChange={setNames} type={speakerType} onType={setSpeakerType} />}
      <UnderstandingOptions caps={caps} value={understanding} onChange={setUnderstanding} />
      {caps && caps.languages.length === 1 &&
        <p className="hint" data-testid="language-note">{t(caps.auto_detect ? "upload.onlyLanguage"
          : "upload.onlyLanguageNoDetect", { engine: caps.engine, language: languageName(caps.languages[0]) })}</p>}
      {folder && <p className="hint" data-testid="upload-folder">{t("organise.uploadInto", { name: folder.name })}</p>}
      <div className={`drop ${dragging ? "over" : ""}`} onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)} onDrop={onDrop}>
        <p>{caps && !takesAnyMedia(caps) ? t("upload.drop", { formats: formatList(caps) }) : t("upload.dropAny")}</p>
        <label className="button">{t("upload.choose")}
          <input ref={input} type="file" accept={acceptAttribute(caps)} multiple className="visually-hidden"
            onChange={(e) => add(e.target.files)} data-testid="file-input" /></label>
      </div>
      <Recorder caps={caps} onRecorded={sendRecording} />
      {caps?.url_import !== false && <form className="import" onSubmit={(e) => void importLink(e)}>
        <label>{t("upload.link")}
          <input type="url" value={link} maxLength={2048} placeholder="https://example.com/episode.mp3"
            onChange={(e) => setLink(e.target.value)} /></label>
        <button type="submit">{t("upload.import")}</button>
        <p className="hint">{t("upload.linkHint")}</p>
        {caps?.url_import_note && <p className="hint" data-testid="import-note">{caps.url_import_note}</p>}
        {linkStatus.text && <p role={linkStatus.failed ? "alert" : "status"} className={linkStatus.failed ? "error" : ""}
          data-testid="import-status">{linkStatus.text}</p>}
      </form>}
      {items.some((i) => i.state === "done" || i.state === "error") &&
        <button className="link" onClick={() => setItems((all) => all.filter((i) => {
          const keep = !(i.state === "done" || i.state === "error");
          if (!keep) { chosen.current.delete(i.key); queue.current?.forget(i.key); }
          return keep;
        }))}>
          {t("upload.clear")}</button>}
      <ul className="uploads" aria-live="polite">
        {items.map((item) => {
          const p = item.progress, pct = p && p.total ? Math.round((100 * p.sent) / p.total) : 0;
          return (
            <li key={item.key} className={item.state}>
              <span className="name">{item.file.name}</span>
              {item.state === "uploading" && <>
                <progress max={100} value={pct} aria-label={t("upload.uploadingLabel", { name: item.file.name })} data-pct={pct} />
                <span className="meta">{p ? t("upload.progress", { sent: bytes(p.sent), total: bytes(p.total) }) : t("upload.preparing")}
                  {p && p.bytesPerSecond > 0 ? ` · ${t("upload.rate", { size: bytes(p.bytesPerSecond) })}` : ""}</span>
                <button className="link" onClick={() => queue.current?.pause(item.key)}
                  aria-label={t("organise.pauseLabel", { name: item.file.name })}>{t("organise.pause")}</button>
                <button className="link" onClick={() => void removeItem(item)}
                  aria-label={t("organise.cancelLabel", { name: item.file.name })}>{t("organise.cancel")}</button></>}
              {item.state === "queued" && <>
                <span className="meta" data-testid="upload-queued">{t("organise.queued")}</span>
                <button className="link" onClick={() => queue.current?.pause(item.key)}
                  aria-label={t("organise.pauseLabel", { name: item.file.name })}>{t("organise.pause")}</button>
                <button className="link" onClick={() => void removeItem(item)}
                  aria-label={t("organise.cancelLabel", { name: item.file.name })}>{t("organise.cancel")}</button></>}
              {item.state === "paused" && <>
                <span className="meta" data-testid="upload-paused">{item.progress ? t("organise.pausedAt", {
                  sent: bytes(item.progress.sent), total: bytes(item.progress.total) }) : t("organise.paused")}</span>
                <button className="link" onClick={() => queue.current?.resume(item.key)}
                  aria-label={t("jobs.resumeLabel", { name: item.file.name })}>{t("jobs.resume")}</button>
                <button className="link" onClick={() => void removeItem(item)}
                  aria-label={t("organise.cancelLabel", { name: item.file.name })}>{t("organise.cancel")}</button></>}
              {item.state === "done" && <>
                <progress max={100} value={100} aria-label={t("upload.uploadedLabel", { name: item.file.name })} data-pct={100} />
                <span className="meta" data-testid="upload-done">{t("upload.done", { size: bytes(item.file.size) })}
                  {" · "}{jobLine(item.jobId ? jobs.get(item.jobId) : undefined, item.seconds ?? null, caps)}</span></>}
              {item.state === "error" && <>
                <span className="error" role="alert">{item.error}</span>
                {!(caps && refusal(caps, item.file)) && !item.wrongFile &&
                  <button className="link" onClick={() => queue.current?.resume(item.key)}>{t("jobs.retry")}</button>}</>}
              {item.state === "interrupted" && <>
                <span className="error" role="alert" data-testid="upload-interrupted">
                  {item.progress ? t("upload.interruptedAt", { sent: bytes(item.progress.sent),
                    total: bytes(item.progress.total) }) : t("upload.interrupted")} {item.error}</span>
                <button className="link" onClick={() => queue.current?.resume(item.key)}>{t("jobs.resume")}</button>
                <button className="link" onClick={() => void removeItem(item)}>{t("jobs.remove")}</button></>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
