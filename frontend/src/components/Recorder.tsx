// Record from the microphone, in the upload card: an input-level meter (Web Audio's AnalyserNode), pause and resume,
// the capabilities' time limit, and the result handed to the upload like a chosen file. Every second of it is kept in
// IndexedDB (lib/recordings.ts) until its upload is accepted; a recording left behind by a closed tab is offered
// again, here or in any tab, with Upload, Download and Discard. A Web Lock per recording tells the tab that owns one
// (recording or uploading it) from one nobody holds: the browser frees a closed tab's locks at once.
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { Capabilities } from "../api/types";
import { formatList } from "../lib/capabilities";
import { bytes, clock } from "../lib/format";
import { cannotRecord, chooseContainer, IDLE, level, next, recorded, refusalOf, stamp, tokenSubject, type Container,
  type RecorderEvent, type RecorderState, type Refusal } from "../lib/recorder";
import { recordings, type RecordingMeta } from "../lib/recordings";
import "./Recorder.css";

const TIMESLICE_MS = 1000;       // a chunk kept every second: what a closed tab can lose at most
const BITRATE = 64_000;          // Opus speech at 64 kbit/s: ~29 MB an hour
const TICK_MS = 100;             // the clock, the meter and the limit are looked at ten times a second
const lockName = (id: string) => `transcribe.recording.${id}`;

// The upload card's answer to a recording: null when it went to the upload, else the sentence that refused it.
export type SendRecording = (file: File, accepted: () => void, seconds: number) => string | null;

const REFUSALS: Record<Refusal, string> = { denied: "record.denied", "no-device": "record.noDevice", busy: "record.busy",
  insecure: "record.insecure", unsupported: "record.unsupported" };

// Hold a recording's lock until `release` is called; false when another tab holds it already.
async function hold(id: string): Promise<(() => void) | false> {
  if (!navigator.locks) return () => undefined;  // no Web Locks: every tab may offer it (the server refuses a twin)
  return new Promise((answer) => {
    void navigator.locks.request(lockName(id), { ifAvailable: true }, (lock) => {
      if (!lock) { answer(false); return; }
      return new Promise<void>((release) => answer(release));
    });
  });
}

async function heldElsewhere(): Promise<Set<string>> {
  if (!navigator.locks) return new Set();
  const { held = [] } = await navigator.locks.query();
  return new Set(held.map((l) => l.name ?? ""));
}

function download(file: File) {
  const url = URL.createObjectURL(file), a = document.createElement("a");
  a.href = url; a.download = file.name;
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

interface Live {
  id: string; name: string; container: Container; started: number; stream: MediaStream; media: MediaRecorder;
  audio: AudioContext; analyser: AnalyserNode; chunks: Blob[]; seq: number; writes: Promise<void>; release: () => void;
}

export function Recorder({ caps, onRecorded }: { caps: Capabilities | null; onRecorded: SendRecording }) {
  const { t } = useTranslation();
  const limitMs = (caps?.max_recording_seconds ?? 7200) * 1000;
  const [state, dispatch] = useReducer((s: RecorderState, e: RecorderEvent) => next(s, e, limitMs), IDLE);
  const [now, setNow] = useState(0);
  const [meter, setMeter] = useState(0);
  const [unsaved, setUnsaved] = useState(false);
  const [note, setNote] = useState<{ text: string; alert?: boolean } | null>(null);
  const [kept, setKept] = useState<RecordingMeta[]>([]);
  const [keptNotes, setKeptNotes] = useState<Record<string, string>>({});
  const live = useRef<Live | null>(null);
  const send = useRef(onRecorded);  // the card's latest (its language and mode may change while recording)
  useEffect(() => { send.current = onRecorded; });
  const elapsed = useRef(0);
  const mounted = useRef(true);

  const env = typeof window === "undefined" ? null : cannotRecord({ secure: window.isSecureContext,
    mediaDevices: !!navigator.mediaDevices?.getUserMedia, mediaRecorder: typeof MediaRecorder !== "undefined" });
  const choice = caps && !env ? chooseContainer((m) => MediaRecorder.isTypeSupported(m), caps.formats) : null;

  // The recordings nobody is recording or uploading: a closed tab's, or one this tab could not send.
  const refresh = useCallback(async () => {
    try {
      const [all, held] = await Promise.all([recordings.list(tokenSubject(api.token)), heldElsewhere()]);
      const free = all.filter((r) => !held.has(lockName(r.id)));
      for (const r of free.filter((x) => x.chunks === 0)) void recordings.discard(r.id);  // closed within a second
      if (mounted.current) setKept(free.filter((r) => r.chunks > 0));
    } catch { /* no IndexedDB here: nothing was kept either */ }
  }, []);

  useEffect(() => {
    mounted.current = true;
    void refresh();
    const onFocus = () => void refresh();
    window.addEventListener("focus", onFocus);
    return () => {
      mounted.current = false;
      window.removeEventListener("focus", onFocus);
      const r = live.current;
      if (r && r.media.state !== "inactive") r.media.stop();  // left the page: what was recorded stays offered
    };
  }, [refresh]);

  // The clock, the meter and the limit, while the microphone is open.
  const open = state.kind === "recording" || state.kind === "paused";
  useEffect(() => {
    if (!open) return;
    const samples = new Float32Array(2048);
    const timer = window.setInterval(() => {
      const r = live.current, at = performance.now();
      if (!r) return;
      r.analyser.getFloatTimeDomainData(samples);
      setMeter(level(samples));
      setNow(at);
      dispatch({ type: "tick", now: at });
    }, TICK_MS);
    const stay = (e: BeforeUnloadEvent) => { e.preventDefault(); e.returnValue = ""; };  // "Leave site?" first
    window.addEventListener("beforeunload", stay);
    return () => { window.clearInterval(timer); window.removeEventListener("beforeunload", stay); };
  }, [open]);
  useEffect(() => { elapsed.current = recorded(state, performance.now()); }, [state, now]);

  // Stopped (by Stop or by the limit): the recorder hands over its last chunk, then `finish` runs.
  useEffect(() => {
    const r = live.current;
    if (state.kind === "stopped" && r && r.media.state !== "inactive") r.media.stop();
  }, [state]);

  async function finish(r: Live, ms: number, atLimit: boolean) {
    r.stream.getTracks().forEach((track) => track.stop());
    void r.audio.close();
    live.current = null;
    setMeter(0);
    await r.writes;
    await recordings.stop(r.id, ms).catch(() => undefined);
    if (!mounted.current) { r.release(); return; }  // the page went away: offered on the next visit
    const file = new File(r.chunks, r.name, { type: r.container.type, lastModified: r.started });
    const refused = send.current(file, () => void recordings.discard(r.id).then(r.release, r.release), ms / 1000);
    dispatch({ type: "reset" });
    if (refused) {
      r.release();
      setNote({ text: refused, alert: true });
      void refresh();
    } else setNote(atLimit ? { text: t("record.atLimit", { limit: clock(limitMs) }) } : null);
  }

  async function start() {
    if (!choice?.container) return;
    const container = choice.container;
    setNote(null);
    setUnsaved(false);
    dispatch({ type: "ask" });
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      dispatch({ type: "refused", why: refusalOf(err) });
      return;
    }
    if (!mounted.current) { stream.getTracks().forEach((track) => track.stop()); return; }  // left while asked
    const id = crypto.randomUUID(), started = Date.now();
    const name = `${t("record.fileName", { date: stamp(new Date(started)) })}.${container.ext}`;
    let media: MediaRecorder, audio: AudioContext, analyser: AnalyserNode;
    try {
      media = new MediaRecorder(stream, { mimeType: container.mimeType, audioBitsPerSecond: BITRATE });
      audio = new AudioContext();
      analyser = audio.createAnalyser();
      analyser.fftSize = 2048;
      audio.createMediaStreamSource(stream).connect(analyser);  // measured only, never played back
      void audio.resume().catch(() => undefined);  // a context made after an await may start suspended (Safari)
    } catch {  // the browser said it records this type, then would not: nothing was recorded, the microphone goes
      stream.getTracks().forEach((track) => track.stop());
      dispatch({ type: "refused", why: "unsupported" });
      return;
    }
    const release = (await hold(id)) || (() => undefined);
    if (!mounted.current) { release(); stream.getTracks().forEach((track) => track.stop()); void audio.close(); return; }
    const begun = recordings.begin({ id, owner: tokenSubject(api.token), name, type: container.type, started });
    const r: Live = { id, name, container, started, stream, media, audio, analyser, chunks: [], seq: 0,
      writes: begun.catch(() => setUnsaved(true)), release };
    media.ondataavailable = (e) => {
      if (!e.data.size) return;
      r.chunks.push(e.data);
      const seq = r.seq++, ms = elapsed.current;
      r.writes = r.writes.then(() => recordings.append(id, seq, e.data, ms)).catch(() => setUnsaved(true));
    };
    media.onstop = () => {
      const ms = Math.min(limitMs, elapsed.current);
      void finish(r, ms, ms >= limitMs);
    };
    live.current = r;
    media.start(TIMESLICE_MS);
    const at = performance.now();
    setNow(at);
    dispatch({ type: "granted", now: at });
  }

  function pause() { live.current?.media.pause(); dispatch({ type: "pause", now: performance.now() }); }
  function resume() { live.current?.media.resume(); dispatch({ type: "resume", now: performance.now() }); }
  function stop() { dispatch({ type: "stop", now: performance.now() }); }

  async function sendKept(meta: RecordingMeta) {
    const release = await hold(meta.id);
    if (!release) { setKeptNotes((n) => ({ ...n, [meta.id]: t("record.elsewhere") })); return; }
    const file = await recordings.file(meta.id).catch(() => null);
    if (!file) { release(); setKeptNotes((n) => ({ ...n, [meta.id]: t("record.lost") })); return; }
    const refused = send.current(file, () => void recordings.discard(meta.id).then(release, release),
      meta.durationMs / 1000);
    if (refused) { release(); setKeptNotes((n) => ({ ...n, [meta.id]: refused })); return; }
    setKept((all) => all.filter((r) => r.id !== meta.id));
  }

  async function downloadKept(meta: RecordingMeta) {
    const file = await recordings.file(meta.id).catch(() => null);
    if (file) download(file);
    else setKeptNotes((n) => ({ ...n, [meta.id]: t("record.lost") }));
  }

  async function discardKept(meta: RecordingMeta) {
    if (!window.confirm(t("record.discardConfirm", { name: meta.name }))) return;
    await recordings.discard(meta.id).catch(() => undefined);
    void refresh();
  }

  const ms = recorded(state, now);
  return (
    <div className="recorder" data-testid="recorder" data-state={state.kind}>
      <h3>{t("record.title")}</h3>
      {env && <p className="error" role="alert">{t(REFUSALS[env])}</p>}
      {!env && choice && !choice.container && <p className="error" role="alert">{t("record.cannotRead", {
        type: choice.fallback?.ext.toUpperCase() ?? "?", engine: caps?.engine ?? "", formats: caps ? formatList(caps) : "" })}</p>}
      {(state.kind === "idle" || state.kind === "refused" || state.kind === "stopped") &&
        <button type="button" onClick={() => void start()} disabled={!choice?.container || state.kind === "stopped"}>
          <span aria-hidden="true" className="dot" /> {t("record.start")}
        </button>}
      {state.kind === "asking" && <p role="status">{t("record.asking")}</p>}
      {state.kind === "refused" && <div className="error" role="alert" data-testid="record-refused">
        <p>{t(REFUSALS[state.why])}</p>{state.why === "denied" && <p>{t("record.deniedHow")}</p>}</div>}
      {open && <div className="live">
        <span role="status" className={state.kind === "recording" ? "on" : "off"}><span aria-hidden="true" className="dot" />
          {" "}{t(state.kind === "recording" ? "record.recording" : "record.paused")}</span>
        <span role="timer" data-testid="record-time" data-ms={Math.round(ms)}>
          {t("record.time", { time: clock(ms), limit: clock(limitMs) })}</span>
        <meter min={0} max={1} low={0.25} high={0.9} optimum={0.6} value={meter} aria-label={t("record.level")}
          data-testid="record-level" />
        {state.kind === "recording"
          ? <button type="button" onClick={pause}>{t("record.pause")}</button>
          : <button type="button" onClick={resume}>{t("record.resume")}</button>}
        <button type="button" onClick={stop}>{t("record.stop")}</button>
      </div>}
      {unsaved && open && <p className="notice" role="alert">{t("record.unsaved")}</p>}
      {note && <p className={note.alert ? "error" : "hint"} role={note.alert ? "alert" : "status"}>{note.text}</p>}
      {kept.length > 0 && <section className="kept" aria-labelledby="kept-title" data-testid="kept-recordings">
        <h4 id="kept-title">{t("record.keptTitle")}</h4>
        <p className="hint">{t("record.keptHint")}</p>
        <ul>{kept.map((r) => <li key={r.id} data-testid="kept-recording">
          <span className="name">{r.name}</span>{" "}
          <span className="meta">{t("record.keptLine", { length: clock(r.durationMs), size: bytes(r.bytes) })}
            {r.stopped ? "" : ` · ${t("record.cut")}`}</span>
          <button className="link" onClick={() => void sendKept(r)} aria-label={t("record.sendLabel", { name: r.name })}>
            {t("record.send")}</button>
          <button className="link" onClick={() => void downloadKept(r)} aria-label={t("record.downloadLabel", { name: r.name })}>
            {t("record.download")}</button>
          <button className="link" onClick={() => void discardKept(r)} aria-label={t("record.discardLabel", { name: r.name })}>
            {t("record.discard")}</button>
          {keptNotes[r.id] && <span className="error" role="alert">{keptNotes[r.id]}</span>}
        </li>)}</ul>
      </section>}
    </div>
  );
}
