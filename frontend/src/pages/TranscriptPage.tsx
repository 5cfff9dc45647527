// One transcript: the original in a sticky player (speed, skips, keyboard shortcuts), lines and words that seek it,
// the current word highlighted, search, speaker names, renaming the recording, downloads.
import { useEffect, useMemo, useRef, useState } from "react";
import { api, ApiError } from "../api/client";
import type { ExportFormat, Job, Transcript } from "../api/types";
import { navigate } from "../App";
import { bytes, clock, duration, speakerLabel, stageWords } from "../lib/format";
import { currentLine, currentWord, lines as toLines, matches, oneVoiceFound, speakerLabels } from "../lib/transcript";
import { OneVoiceNotice } from "../components/OneVoiceNotice";

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];
const SHORTCUTS: [string, string][] = [
  ["Space or K", "play / pause"], ["← / →", "back / forward 5 s"], ["J / L", "back / forward 10 s"],
  ["< / >", "slower / faster"], ["?", "show or hide this help"],
];

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

export function TranscriptPage({ jobId, startAt = 0 }: { jobId: string; startAt?: number }) {
  const [job, setJob] = useState<Job | null>(null);
  const [transcript, setTranscript] = useState<Transcript | null>(null);
  const [media, setMedia] = useState("");
  const [error, setError] = useState("");
  const [now, setNow] = useState(0);
  const [query, setQuery] = useState("");
  const player = useRef<HTMLMediaElement | null>(null);
  const [speed, setSpeed] = useState(1);
  const [help, setHelp] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ index: number; text: string } | null>(null);
  const [editError, setEditError] = useState("");

  // Keyboard shortcuts, except while typing in a field.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const p = player.current;
      const act: Record<string, () => void> = {
        " ": () => p && (p.paused ? void p.play().catch(() => undefined) : p.pause()),
        k: () => p && (p.paused ? void p.play().catch(() => undefined) : p.pause()),
        ArrowLeft: () => skip(-5), ArrowRight: () => skip(5), j: () => skip(-10), l: () => skip(10),
        "<": () => changeSpeed(-1), ">": () => changeSpeed(1), "?": () => setHelp((h) => !h),
        Escape: () => setHelp(false),
      };
      const run = act[e.key] ?? act[e.key.toLowerCase()];
      if (run) { e.preventDefault(); run(); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

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
  const activeWord = currentWord(all[active], now);
  const count = [...found.values()].reduce((n, r) => n + r.length, 0);

  function seek(ms: number) {
    const p = player.current;
    if (!p) return;
    p.currentTime = ms / 1000;
    setNow(ms);
    void p.play().catch(() => undefined);
  }

  function skip(seconds: number) {
    const p = player.current;
    if (!p) return;
    p.currentTime = Math.max(0, p.currentTime + seconds);
    setNow(p.currentTime * 1000);
  }

  function changeSpeed(step: number) {
    setSpeed((current) => {
      const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, SPEEDS.indexOf(current) + step))];
      if (player.current) player.current.playbackRate = next;
      return next;
    });
  }

  async function saveEdit() {
    if (!transcript || !editing) return;
    const line = all[editing.index];
    try {
      setTranscript(await api.editTranscript(transcript.job_id, transcript.version ?? 1,
        [{ start: line.start, end: line.end, text: editing.text }]));
      setEditing(null); setEditError("");
    } catch (err) {
      setEditError(err instanceof ApiError && err.status === 409
        ? "This transcript was changed in another tab. Reload to see that version, then edit again."
        : err instanceof ApiError ? err.message : "Could not save; try again.");
    }
  }

  async function revert() {
    if (!transcript || !window.confirm("Drop every edit and go back to the original transcript?")) return;
    try {
      setTranscript(await api.revertTranscript(transcript.job_id, transcript.version ?? 1));
    } catch (err) {
      setEditError(err instanceof ApiError ? err.message : "Could not revert; try again.");
    }
  }

  async function rename(name: string) {
    if (!job || !name.trim()) return;
    try {
      const file = await api.renameFile(job.file.id, name.trim());
      setJob({ ...job, file });
      setRenaming(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not rename the recording.");
    }
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
  // Opened from a search hit (?t=ms): start where the words are said.
  const onReady = (e: { currentTarget: HTMLMediaElement }) => {
    if (startAt > 0) { e.currentTarget.currentTime = startAt / 1000; setNow(startAt); }
  };

  return (
    <section className="card transcript">
      <p><a href="/" onClick={(e) => { e.preventDefault(); navigate("/"); }}>← All transcriptions</a></p>
      {renaming === null
        ? <h1>{job.file.filename} <button className="link" onClick={() => setRenaming(job.file.filename)}>Rename</button></h1>
        : <form className="rename" onSubmit={(e) => { e.preventDefault(); void rename(renaming); }}>
            <label>Name<input value={renaming} maxLength={1024} autoFocus onChange={(e) => setRenaming(e.target.value)} /></label>
            <button type="submit">Save</button> <button type="button" className="link" onClick={() => setRenaming(null)}>Cancel</button>
          </form>}
      <p className="meta" data-testid="file-facts">
        <span>{bytes(job.file.size)}</span><span>{duration(job.audio_duration)}</span><span>{job.file.content_type}</span>
      </p>
      {job.status !== "completed" && <p className="hint">This job is {stageWords(job).toLowerCase()}.</p>}
      {media && <div className="player">
        {isVideo
          ? <video ref={(el) => { player.current = el; }} src={media} controls onTimeUpdate={onTime} onLoadedMetadata={onReady} data-testid="player" />
          : <audio ref={(el) => { player.current = el; }} src={media} controls onTimeUpdate={onTime} onLoadedMetadata={onReady}
              data-testid="player" />}
        <div className="controls">
          <button onClick={() => skip(-5)} aria-label="Back 5 seconds">−5 s</button>
          <button onClick={() => skip(5)} aria-label="Forward 5 seconds">+5 s</button>
          <label className="inline">Speed
            <select value={speed} data-testid="speed" onChange={(e) => {
              const next = Number(e.target.value); setSpeed(next);
              if (player.current) player.current.playbackRate = next;
            }}>{SPEEDS.map((v) => <option key={v} value={v}>{v}×</option>)}</select></label>
          <button className="link" onClick={() => setHelp((h) => !h)} aria-expanded={help}>Keyboard shortcuts</button>
        </div>
        {help && <div className="help" role="dialog" aria-label="Keyboard shortcuts">
          <dl>{SHORTCUTS.map(([keys, what]) => <div key={keys}><dt>{keys}</dt><dd>{what}</dd></div>)}</dl>
          <button className="link" onClick={() => setHelp(false)}>Close</button>
        </div>}
      </div>}
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
        {oneVoiceFound(job, transcript) && <OneVoiceNotice job={job} />}
        {transcript.edited && <p className="hint">Edited. <button className="link" onClick={() => void revert()}>
          Revert to original</button></p>}
        {editError && <p className="error" role="alert">{editError}</p>}
        <ol className={`lines ${transcript.mode}`}>
          {all.map((line, i) => (
            <li key={i} className={i === active ? "active" : ""} aria-current={i === active ? "true" : undefined}>
              <div className="line">
                <button className="stamp" onClick={() => seek(line.start)} data-start={line.start}
                  aria-label={`Play from ${clock(line.start)}`}>{clock(line.start)}</button>
                {transcript.mode === "dialogue" && <span className="speaker">{speakerLabel(line.speaker)}</span>}
                {editing?.index === i
                  ? <form className="edit" onSubmit={(e) => { e.preventDefault(); void saveEdit(); }}>
                      <label className="visually-hidden" htmlFor={`edit-${i}`}>Text of this line</label>
                      <textarea id={`edit-${i}`} value={editing.text} autoFocus rows={Math.min(6, 1 + Math.ceil(editing.text.length / 70))}
                        onChange={(e) => setEditing({ index: i, text: e.target.value })} />
                      <button type="submit">Save</button>
                      <button type="button" className="link" onClick={() => setEditing(null)}>Cancel</button>
                    </form>
                  : <>
                <span className="text">{query || !line.words.length
                  ? <Highlighted text={line.text} ranges={found.get(i)} />
                  : line.words.map((w, k) => <span key={k}>
                      <span className={`word${i === active && k === activeWord ? " now" : ""}`} data-start={w.start}
                        onClick={() => seek(w.start)}>{w.text}</span>{k < line.words.length - 1 ? " " : ""}</span>)}</span>
                <button className="link edit-line" aria-label={`Edit the line at ${clock(line.start)}`}
                  onClick={() => setEditing({ index: i, text: line.text })}>Edit</button></>}
              </div>
            </li>
          ))}
        </ol>
        {!all.length && <p className="hint">No speech was found in this recording.</p>}
      </>}
    </section>
  );
}
