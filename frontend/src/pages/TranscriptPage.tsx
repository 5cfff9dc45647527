// One transcript: the original in a player, lines that seek it, the current line highlighted, search, downloads.
import { useEffect, useMemo, useRef, useState } from "react";
import { api, ApiError } from "../api/client";
import type { ExportFormat, Job, Transcript } from "../api/types";
import { navigate } from "../App";
import { clock, speakerLabel, stageWords } from "../lib/format";
import { currentLine, lines as toLines, matches, speakerLabels } from "../lib/transcript";

// "Speaker A" becomes "Anna" for this transcript; every view and export uses the names.
function SpeakerNames({ transcript, onSaved }: { transcript: Transcript; onSaved: (t: Transcript) => void }) {
  const labels = speakerLabels(transcript);
  const [names, setNames] = useState<Record<string, string>>(transcript.speaker_names ?? {});
  const [status, setStatus] = useState("");
  if (!labels.length) return null;
  async function save() {
    setStatus("Saving…");
    try {
      const all = Object.fromEntries(labels.map((l) => [l, names[l] ?? ""]));
      onSaved(await api.renameSpeakers(transcript.job_id, all));
      setStatus("Saved.");
    } catch (err) {
      setStatus(err instanceof ApiError ? err.message : "Could not save the names; try again.");
    }
  }
  return (
    <details className="speakers">
      <summary>Rename speakers</summary>
      <form onSubmit={(e) => { e.preventDefault(); void save(); }}>
        {labels.map((label) => (
          <label key={label} className="inline">Speaker {label}
            <input value={names[label] ?? ""} maxLength={60} placeholder={`Speaker ${label}`}
              onChange={(e) => setNames({ ...names, [label]: e.target.value })} /></label>
        ))}
        <button type="submit">Save names</button> <span role="status">{status}</span>
      </form>
    </details>
  );
}

function Highlighted({ text, ranges }: { text: string; ranges: [number, number][] | undefined }) {
  if (!ranges?.length) return <>{text}</>;
  const parts = [];
  let at = 0;
  for (const [s, e] of ranges) { parts.push(text.slice(at, s), <mark key={s}>{text.slice(s, e)}</mark>); at = e; }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

export function TranscriptPage({ jobId }: { jobId: string }) {
  const [job, setJob] = useState<Job | null>(null);
  const [transcript, setTranscript] = useState<Transcript | null>(null);
  const [media, setMedia] = useState("");
  const [error, setError] = useState("");
  const [now, setNow] = useState(0);
  const [query, setQuery] = useState("");
  const player = useRef<HTMLMediaElement | null>(null);

  useEffect(() => {
    (async () => {
      try {
        const j = await api.getJob(jobId);
        setJob(j);
        if (j.status !== "completed") return;
        const [t, link] = await Promise.all([api.transcript(jobId), api.downloadFile(j.file.id)]);
        setTranscript(t); setMedia(link.url);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return;
        setError(err instanceof ApiError && err.status === 404 ? "This transcript does not exist (or was deleted)."
          : "Could not load the transcript. Reload to try again.");
      }
    })();
  }, [jobId]);

  const all = useMemo(() => (transcript ? toLines(transcript) : []), [transcript]);
  const found = useMemo(() => matches(all, query), [all, query]);
  const active = currentLine(all, now);
  const count = [...found.values()].reduce((n, r) => n + r.length, 0);

  function seek(ms: number) {
    const p = player.current;
    if (!p) return;
    p.currentTime = ms / 1000;
    setNow(ms);
    void p.play().catch(() => undefined);
  }

  async function download(format: ExportFormat) {
    if (!job) return;
    const blob = await api.exportTranscript(job.id, format);
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${job.file.filename.replace(/\.[^.]+$/, "") || "transcript"}.${format}`;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  if (error) return <section className="card"><p className="error" role="alert">{error}</p></section>;
  if (!job) return <p aria-live="polite">Loading…</p>;
  const isVideo = job.file.content_type.startsWith("video/");
  const onTime = (e: { currentTarget: HTMLMediaElement }) => setNow(e.currentTarget.currentTime * 1000);

  return (
    <section className="card transcript">
      <p><a href="/" onClick={(e) => { e.preventDefault(); navigate("/"); }}>← All transcriptions</a></p>
      <h1>{job.file.filename}</h1>
      {job.status !== "completed" && <p className="hint">This job is {stageWords(job).toLowerCase()}.</p>}
      {media && (isVideo
        ? <video ref={(el) => { player.current = el; }} src={media} controls onTimeUpdate={onTime} data-testid="player" />
        : <audio ref={(el) => { player.current = el; }} src={media} controls onTimeUpdate={onTime} data-testid="player" />)}
      {transcript && <>
        <div className="toolbar">
          <label className="search">Search<input type="search" value={query} onChange={(e) => setQuery(e.target.value)}
            placeholder="Find words" /></label>
          {query && <span aria-live="polite">{count} match{count === 1 ? "" : "es"}</span>}
          <span className="downloads">Download:
            {(["txt", "srt", "vtt", "json"] as ExportFormat[]).map((f) =>
              <button key={f} className="link" onClick={() => void download(f)}>{f.toUpperCase()}</button>)}
          </span>
        </div>
        {transcript.mode === "dialogue" && <SpeakerNames transcript={transcript} onSaved={setTranscript} />}
        <ol className={`lines ${transcript.mode}`}>
          {all.map((line, i) => (
            <li key={i} className={i === active ? "active" : ""} aria-current={i === active ? "true" : undefined}>
              <button className="line" onClick={() => seek(line.start)} data-start={line.start}>
                <span className="stamp">{clock(line.start)}</span>
                {transcript.mode === "dialogue" && <span className="speaker">{speakerLabel(line.speaker)}</span>}
                <span className="text"><Highlighted text={line.text} ranges={found.get(i)} /></span>
              </button>
            </li>
          ))}
        </ol>
        {!all.length && <p className="hint">No speech was found in this recording.</p>}
      </>}
    </section>
  );
}
