// The user's jobs, newest first; refreshes itself while any is running (backing off), with paging.
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ApiError } from "../api/client";
import type { Folder, Job } from "../api/types";
import { errorText } from "../i18n/errors";
import { navigate } from "../routing";
import { anyRunning, fingerprint, FIRST_MS, nextDelay } from "../lib/backoff";
import { duration, stageWords, when } from "../lib/format";
import { interrupted, uploadRecords } from "../lib/resume";

// An upload no tab is sending any more (given up, or its page closed) can be resumed or removed from here.
export interface InterruptedActions { resume(job: Job): void; remove(job: Job): Promise<void> }

// With `folder`, only the jobs in that folder (the list is keyed by it, so a new folder starts a fresh list);
// `folders` lets each job be moved, and `onMoved` tells the page (the folders' counts change).
export function JobList({ refreshKey, onJobs, uploads, durations, folder = null, folders = [], onMoved }: {
  refreshKey: number; onJobs?: (jobs: Job[]) => void; uploads?: InterruptedActions; durations?: Map<string, number>;
  folder?: string | null; folders?: Folder[]; onMoved?: () => void }) {
  const { t } = useTranslation();
  const [jobs, setJobs] = useState<Job[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState("");
  const delay = useRef(FIRST_MS);
  const seen = useRef("");
  const timer = useRef<number | undefined>(undefined);

  const refresh = useCallback(async () => {
    window.clearTimeout(timer.current);
    try {
      const page = await api.listJobs({ limit: 20, folder: folder ?? undefined });
      const print = fingerprint(page.items);
      delay.current = nextDelay(delay.current, print !== seen.current);
      seen.current = print;
      setJobs((old) => [...page.items, ...old.filter((o) => !page.items.some((n) => n.id === o.id))
        .filter((o) => page.items.length && o.created_at < page.items[page.items.length - 1].created_at)]);
      setCursor((c) => c ?? page.next_cursor);
      setError("");
      if (anyRunning(page.items)) timer.current = window.setTimeout(refresh, delay.current);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      setError("jobs.loadError");
      timer.current = window.setTimeout(refresh, 5000);
    }
  }, [folder]);

  useEffect(() => { delay.current = FIRST_MS; void refresh(); return () => window.clearTimeout(timer.current); },
    [refresh, refreshKey]);
  useEffect(() => { onJobs?.(jobs); }, [jobs, onJobs]);

  async function more() {
    if (!cursor) return;
    const page = await api.listJobs({ limit: 20, cursor, folder: folder ?? undefined });
    setJobs((old) => [...old, ...page.items.filter((n) => !old.some((o) => o.id === n.id))]);
    setCursor(page.next_cursor);
  }

  async function remove(job: Job) {
    if (!window.confirm(t("jobs.confirmDelete", { name: job.file.filename }))) return;
    await api.deleteJob(job.id);
    setJobs((all) => all.filter((j) => j.id !== job.id));
  }

  async function moveTo(job: Job, target: string | null) {
    try {
      const moved = await api.moveJob(job.id, target);
      setJobs((all) => (folder && moved.folder_id !== folder ? all.filter((j) => j.id !== job.id)
        : all.map((j) => (j.id === job.id ? moved : j))));
      setError("");
      onMoved?.();
    } catch (err) { setError(errorText(err)); }
  }

  async function retry(job: Job) {
    const updated = await api.retryJob(job.id);
    setJobs((all) => all.map((j) => (j.id === job.id ? updated : j)));
    void refresh();
  }

  return (
    <section className="card" aria-labelledby="jobs-title">
      <h2 id="jobs-title">{t("jobs.title")}</h2>
      {error && <p className="error" role="alert">{error === "jobs.loadError" ? t(error) : error}</p>}
      {!jobs.length && !error && <p className="hint">{t("jobs.empty")}</p>}
      <ul className="jobs">
        {jobs.map((job) => { const stalled = interrupted(job, uploadRecords); return (
          <li key={job.id} className={`job ${job.status}`} data-testid="job" data-status={job.status}
            data-interrupted={stalled || undefined}>
            <div className="title">
              {job.status === "completed"
                ? <a href={`/jobs/${job.id}`} onClick={(e) => { e.preventDefault(); navigate(`/jobs/${job.id}`); }}>
                    {job.file.filename}</a>
                : <span>{job.file.filename}</span>}
            </div>
            <div className="meta">
              <span className={`badge ${job.status}`} aria-live="polite">
                {stalled ? t("jobs.interrupted") : stageWords(job)}</span>
              <span>{duration(job.audio_duration ?? durations?.get(job.id) ?? null)}</span>
              <span>{job.language_detected ?? job.language}{job.mode === "dialogue" ? ` · ${t("jobs.dialogue")}` : ""}</span>
              <time dateTime={job.created_at}>{when(job.created_at)}</time>
              {job.status === "completed" && !!job.uncertain_words && <span className="uncertain-count"
                data-testid="uncertain-count">{t("review.uncertain", { count: job.uncertain_words })}</span>}
            </div>
            {job.error_message && <p className={job.status === "failed" ? "error" : "hint"}>{job.error_message}</p>}
            <div className="actions">
              {folders.length > 0 &&
                <select className="move" value={job.folder_id ?? ""} onChange={(e) => void moveTo(job, e.target.value || null)}
                  aria-label={t("organise.folderOf", { name: job.file.filename })} data-testid="job-folder">
                  <option value="">{t("organise.noFolder")}</option>
                  {folders.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
                </select>}
              {job.status === "failed" && job.retryable && <button onClick={() => void retry(job)}>{t("jobs.retry")}</button>}
              {stalled && uploads && <>
                <button onClick={() => uploads.resume(job)} aria-label={t("jobs.resumeLabel", { name: job.file.filename })}>
                  {t("jobs.resume")}</button>
                <button onClick={() => void uploads.remove(job).then(() => setJobs((all) =>
                  all.filter((j) => j.id !== job.id)))} aria-label={t("jobs.removeLabel", { name: job.file.filename })}>{t("jobs.remove")}</button></>}
              {!(stalled && uploads) &&
                <button className="danger" onClick={() => void remove(job)} aria-label={t("jobs.deleteLabel", { name: job.file.filename })}>
                  {t("jobs.delete")}</button>}
            </div>
          </li>
        ); })}
      </ul>
      {cursor && <button onClick={() => void more()}>{t("jobs.more")}</button>}
    </section>
  );
}
