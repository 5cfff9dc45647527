// One transcript: the original in a sticky player (speed, skips, keyboard shortcuts), lines and words that seek it,
// the current word highlighted, search, speaker names, renaming the recording, downloads, and review mode: words the
// engine was unsure of marked and visited with N / P, a correction offered to the vocabulary.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { api, ApiError } from "../api/client";
import type { Capabilities, ExportFormat, Job, Transcript } from "../api/types";
import { errorText } from "../i18n/errors";
import { navigate } from "../routing";
import { bytes, clock, duration, speakerLabel, stageWords } from "../lib/format";
import { VoiceSuggestions } from "../components/VoiceSuggestions";
import { OneVoiceNotice } from "../components/OneVoiceNotice";
import { entityAt, EntityList, RecordingVersions, translatedLine, TranslationChoice } from "../components/BeyondWords";
import { VocabularyOffer } from "../components/VocabularyOffer";
import { loadCapabilities } from "../lib/capabilities";
import { correctionOf, isUncertain, nextUncertain, type Correction } from "../lib/review";
import { playbackProblem } from "../lib/playback";
import { rememberShortcuts, shortcutFor, shortcutsEnabled } from "../lib/shortcuts";
import { useTitle } from "../lib/title";
import { ownerSource, type MediaNote, type TranscriptSource } from "../lib/transcriptSource";
import { ShareDialog } from "../components/ShareDialog";
import { currentLine, currentWord, lines as toLines, matches, newSpeakerLabel, oneVoiceFound, speakerLabels,
  turns as toTurns, type Line } from "../lib/transcript";

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];
// The keys (a catalogue key where the keys have a name in words, else the keys themselves) and what they do.
const SHORTCUTS: [string, string][] = [
  ["transcript.keysToggle", "transcript.doToggle"], ["← / →", "transcript.doSkip5"], ["J / L", "transcript.doSkip10"],
  ["< / >", "transcript.doSpeed"], ["?", "transcript.doHelp"], ["transcript.keysWord", "transcript.doWord"],
];
const REVIEW_SHORTCUT: [string, string] = ["review.keysUncertain", "review.doUncertain"];
const isKey = (keys: string) => /^[a-z]+\./.test(keys);  // a catalogue key, not the keys themselves

// "Speaker A" becomes "Anna" for this transcript; every view and export uses the names.
function SpeakerNames({ transcript, onSaved }: { transcript: Transcript; onSaved: (t: Transcript) => void }) {
  const { t } = useTranslation();
  const labels = speakerLabels(transcript);
  const [names, setNames] = useState<Record<string, string>>(transcript.speaker_names ?? {});
  const [status, setStatus] = useState("");
  // Names saved elsewhere (a confirmed voice suggestion) show here too.
  useEffect(() => setNames(transcript.speaker_names ?? {}), [transcript.speaker_names]);
  if (!labels.length) return null;
  async function save() {
    setStatus(t("speaker.saving"));
    try {
      const all = Object.fromEntries(labels.map((l) => [l, names[l] ?? ""]));
      onSaved(await api.renameSpeakers(transcript.job_id, all));
      setStatus(t("speaker.saved"));
    } catch (err) {
      setStatus(errorText(err, "speaker.failed"));
    }
  }
  return (
    <details className="speakers">
      <summary>{t("speaker.rename")}</summary>
      <form onSubmit={(e) => { e.preventDefault(); void save(); }}>
        {labels.map((label) => (
          <label key={label} className="inline">{t("speaker.label", { label })}
            <input value={names[label] ?? ""} maxLength={60} placeholder={t("speaker.label", { label })}
              onChange={(e) => setNames({ ...names, [label]: e.target.value })} /></label>
        ))}
        <button type="submit">{t("speaker.saveNames")}</button> <span role="status">{status}</span>
      </form>
    </details>
  );
}

type Draft = { text: string; label: string | null };

// A turn's lines while edited: each one's text and, in a dialogue, its speaker (one already there, or a new one).
function TurnEditor({ turn, drafts, labels, names, dialogue, onChange, onSave, onCancel }: {
  turn: Line[]; drafts: Draft[]; labels: string[]; names: Record<string, string>; dialogue: boolean;
  onChange: (drafts: Draft[]) => void; onSave: () => void; onCancel: () => void;
}) {
  const { t } = useTranslation();
  const fresh = newSpeakerLabel(labels);
  const choices = [...labels, ...drafts.map((d) => d.label).filter((l): l is string => !!l && !labels.includes(l))];
  const set = (k: number, change: Partial<Draft>) => onChange(drafts.map((d, n) => (n === k ? { ...d, ...change } : d)));
  return (
    <form className="edit" onSubmit={(e) => { e.preventDefault(); onSave(); }}>
      {turn.map((line, k) => {
        const at = turn.length > 1 ? clock(line.start) : "";
        return (
          <div key={line.index} className="edit-part">
            <label className="visually-hidden" htmlFor={`edit-${line.index}`}>
              {at ? t("transcript.lineTextAt", { time: at }) : t("transcript.lineText")}</label>
            <textarea id={`edit-${line.index}`} value={drafts[k].text} autoFocus={k === 0}
              rows={Math.min(6, 1 + Math.ceil(drafts[k].text.length / 70))}
              onChange={(e) => set(k, { text: e.target.value })} />
            {dialogue && <>
              <label className="inline" htmlFor={`speaker-${line.index}`}>
                {at ? t("speaker.at", { time: at }) : t("speaker.unknown")}</label>
              <select id={`speaker-${line.index}`} value={drafts[k].label ?? ""}
                onChange={(e) => set(k, { label: e.target.value })}>
                {choices.map((l) => <option key={l} value={l}>{speakerLabel(names[l] || l)}</option>)}
                {!choices.includes(fresh) && <option value={fresh}>{t("speaker.new", { label: speakerLabel(fresh) })}</option>}
              </select></>}
          </div>
        );
      })}
      <button type="submit">{t("transcript.save")}</button>
      <button type="button" className="link" onClick={onCancel}>{t("transcript.cancel")}</button>
    </form>
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

// `source`: where the page reads from; the owner's job by default, or a share link (read-only, for a reader).
export function TranscriptPage({ jobId = "", startAt = 0, find = "", source: given }: {
  jobId?: string; startAt?: number; find?: string; source?: TranscriptSource;
}) {
  const { t } = useTranslation();
  const source = useMemo(() => given ?? ownerSource(jobId), [given, jobId]);
  const readOnly = source.readOnly;
  const [job, setJob] = useState<Job | null>(null);
  const [transcript, setTranscript] = useState<Transcript | null>(null);
  const [media, setMedia] = useState("");
  const [original, setOriginal] = useState("");  // the original recording's link, when the redacted one plays
  const [translation, setTranslation] = useState("");  // the language shown beside each line, "" for none
  const [mediaError, setMediaError] = useState("");
  const [mediaNote, setMediaNote] = useState<MediaNote | null>(null);
  const [error, setError] = useState("");
  const [now, setNow] = useState(0);
  const [query, setQuery] = useState(find);  // opened from a search hit: its words are marked
  const player = useRef<HTMLMediaElement | null>(null);
  const [speed, setSpeed] = useState(1);
  const [help, setHelp] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  // The turn being edited (its index on the page) and a draft of each of its lines.
  const [editing, setEditing] = useState<{ index: number; lines: { text: string; label: string | null }[] } | null>(null);
  const [editError, setEditError] = useState("");
  const [keysOn, setKeysOn] = useState(() => shortcutsEnabled());
  const helpBox = useRef<HTMLDivElement | null>(null), helpButton = useRef<HTMLButtonElement | null>(null);
  const focusLine = useRef<number | null>(null);  // after an edit closes, focus goes back to its line
  const [caps, setCaps] = useState<Capabilities | null>(null);
  const [offer, setOffer] = useState<Correction | null>(null);  // "always write it this way", after a correction
  const [reviewNote, setReviewNote] = useState("");
  const reviewing = !!caps?.word_confidence;  // only where the engine rates its words
  useTitle(job?.file.filename ?? t("transcript.title"));

  // Single-key shortcuts: never while focus is on a control (Space there presses it), and only while turned on.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const p = player.current;
      const act: Record<string, () => void> = {
        toggle: () => p && (p.paused ? void p.play().catch(() => undefined) : p.pause()),
        back5: () => skip(-5), forward5: () => skip(5), back10: () => skip(-10), forward10: () => skip(10),
        slower: () => changeSpeed(-1), faster: () => changeSpeed(1), help: () => setHelp((h) => !h),
        close: () => setHelp(false), nextUncertain: () => jump(1), previousUncertain: () => jump(-1),
      };
      const action = shortcutFor(e, keysOn);
      if (action && (action !== "close" || help)) { e.preventDefault(); act[action](); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  // The shortcuts dialog takes focus when it opens and hands it back to its button when it closes.
  const helpWasOpen = useRef(false);
  useEffect(() => {
    if (help) helpBox.current?.focus();
    else if (helpWasOpen.current) helpButton.current?.focus();
    helpWasOpen.current = help;
  }, [help]);

  useEffect(() => {
    if (focusLine.current === null || editing) return;
    document.querySelector<HTMLElement>(`[data-edit-line="${focusLine.current}"]`)?.focus();
    focusLine.current = null;
  });

  useEffect(() => { void loadCapabilities().then(setCaps).catch(() => undefined); }, []);

  useEffect(() => {
    (async () => {
      try {
        const got = await source.load();
        setJob(got.job);
        setTranscript(got.transcript);
        setMedia(got.media);
        setOriginal(got.media);
        setMediaNote(got.mediaNote);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401 && !readOnly) return;
        setError(err instanceof ApiError && err.status === 404 ? t(source.missing)
          : err instanceof ApiError && err.status === 429 ? errorText(err) : t("transcript.loadFailed"));
      }
    })();
  }, [source]);

  // The redacted recording's copy arrived: only its state is taken from a fresh read (edits on screen stay).
  const refreshRedaction = useCallback(() => {
    void api.transcript(jobId).then((fresh) => setTranscript((mine) => (mine && fresh.redaction
      ? { ...mine, redaction: fresh.redaction } : mine))).catch(() => undefined);
  }, [jobId]);

  const all = useMemo(() => (transcript ? toLines(transcript) : []), [transcript]);
  const turns = useMemo(() => toTurns(all), [all]);
  const found = useMemo(() => matches(all, query), [all, query]);
  const active = currentLine(all, now);
  const activeWord = currentWord(all[active], now);
  const count = [...found.values()].reduce((n, r) => n + r.length, 0);
  const uncertain = useMemo(() => all.reduce((n, line) => n + line.words.filter(isUncertain).length, 0), [all]);

  // Opened from a search hit (?t=ms): bring the line said at that moment into view.
  useEffect(() => {
    if (startAt <= 0 || !all.length) return;
    const at = all.reduce((last, line, i) => (line.start <= startAt ? i : last), 0);
    const turn = Math.max(0, turns.findIndex((t) => t.lines.some((l) => l.index === at)));  // one <li> per turn
    document.querySelector(`ol.lines > li:nth-child(${turn + 1})`)?.scrollIntoView({ block: "center" });
  }, [all, turns, startAt]);

  function seek(ms: number) {
    const p = player.current;
    if (!p) return;
    p.currentTime = ms / 1000;
    setNow(ms);
    void p.play().catch(() => undefined);
  }

  // The words that seek on click, by keyboard: Enter or Space plays from the focused word, arrows move between words.
  function wordKey(e: ReactKeyboardEvent<HTMLElement>, ms: number) {
    const words = [...(e.currentTarget.closest(".text")?.querySelectorAll<HTMLElement>(".word") ?? [])];
    const at = words.indexOf(e.currentTarget);
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: words.length - 1 }[e.key];
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); seek(ms); }
    else if (next !== undefined) { e.preventDefault(); words[Math.max(0, Math.min(words.length - 1, next))]?.focus(); }
  }

  // To the next or previous uncertain word from the focused one (else the one playing): focus it and cue the player.
  function jump(step: 1 | -1) {
    if (!reviewing) return;
    const words = [...document.querySelectorAll<HTMLElement>("ol.lines .word")];
    const focused = words.indexOf(document.activeElement as HTMLElement);
    const from = focused >= 0 ? focused : words.findIndex((el) => el.classList.contains("now"));
    const to = nextUncertain(words.map((el) => el.classList.contains("uncertain")), from, step);
    if (to < 0) { setReviewNote(t("review.noneUncertain")); return; }
    setReviewNote("");
    words[to].focus();
    words[to].scrollIntoView({ block: "center" });
    const ms = Number(words[to].dataset.start);
    if (player.current) player.current.currentTime = ms / 1000;
    setNow(ms);
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

  function startEdit(index: number) {
    setEditing({ index, lines: turns[index].lines.map((l) => ({ text: l.text, label: l.label })) });
  }

  // Each line of the turn is named by its index in the version on screen; only what changed is sent.
  async function saveEdit() {
    if (!transcript || !editing) return;
    const edits = turns[editing.index].lines.flatMap((line, k) => {
      const draft = editing.lines[k];
      const text = draft.text !== line.text ? draft.text : undefined;
      const speaker = draft.label !== line.label && draft.label ? draft.label : undefined;
      return text === undefined && speaker === undefined ? [] : [{ line: line.index, text, speaker }];
    });
    // A word or phrase put right may be worth learning: offered once the save is through.
    const learnt = turns[editing.index].lines.map((line, k) => correctionOf(line.text, editing.lines[k].text))
      .find((c) => c !== null) ?? null;
    try {
      if (edits.length) setTranscript(await api.editTranscript(transcript.job_id, transcript.version ?? 1, edits));
      focusLine.current = editing.index;
      setEditing(null); setEditError("");
      if (edits.length && learnt && caps?.vocabulary) setOffer(learnt);
    } catch (err) {
      setEditError(err instanceof ApiError && err.status === 409 ? t("transcript.editConflict")
        : errorText(err, "transcript.saveFailed"));
    }
  }

  async function revert() {
    if (!transcript || !window.confirm(t("transcript.revertConfirm"))) return;
    try {
      setTranscript(await api.revertTranscript(transcript.job_id, transcript.version ?? 1));
    } catch (err) {
      setEditError(errorText(err, "transcript.revertFailed"));
    }
  }

  async function rename(name: string) {
    if (!job || !name.trim()) return;
    try {
      const file = await api.renameFile(job.file.id, name.trim());
      setJob({ ...job, file });
      setRenaming(null);
    } catch (err) {
      setError(errorText(err, "transcript.renameFailed"));
    }
  }

  async function download(format: ExportFormat, language?: string) {
    if (!job) return;
    const blob = await source.exportTranscript(format, language);
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    const stem = job.file.filename.replace(/\.[^.]+$/, "") || "transcript";
    a.download = `${stem}${language ? `.${language}` : ""}.${format}`;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  if (error) return <section className="card"><p className="error" role="alert">{error}</p></section>;
  if (!job) return <p aria-live="polite">{t("app.loading")}</p>;
  const isVideo = job.file.content_type.startsWith("video/");
  const onTime = (e: { currentTarget: HTMLMediaElement }) => setNow(e.currentTarget.currentTime * 1000);
  const onMediaError = (e: { currentTarget: HTMLMediaElement }) =>
    void playbackProblem(media, e.currentTarget.error?.code).then(setMediaError);
  // Opened from a search hit (?t=ms): start where the words are said.
  const onReady = (e: { currentTarget: HTMLMediaElement }) => {
    if (startAt > 0) { e.currentTarget.currentTime = startAt / 1000; setNow(startAt); }
  };

  return (
    <section className="card transcript">
      {!readOnly && <p><a href="/" onClick={(e) => { e.preventDefault(); navigate("/"); }}>{t("transcript.back")}</a></p>}
      {renaming === null
        ? <h1>{job.file.filename} {!readOnly && <button className="link" onClick={() => setRenaming(job.file.filename)}>
            {t("transcript.rename")}</button>}</h1>
        : <form className="rename" onSubmit={(e) => { e.preventDefault(); void rename(renaming); }}>
            <label>{t("transcript.name")}<input value={renaming} maxLength={1024} autoFocus onChange={(e) => setRenaming(e.target.value)} /></label>
            <button type="submit">{t("transcript.save")}</button>{" "}
            <button type="button" className="link" onClick={() => setRenaming(null)}>{t("transcript.cancel")}</button>
          </form>}
      <p className="meta" data-testid="file-facts">
        <span>{bytes(job.file.size)}</span><span>{duration(job.audio_duration)}</span><span>{job.file.content_type}</span>
      </p>
      {source.note && <p className="hint" data-testid="shared-note">{t(source.note)}</p>}
      {job.status !== "completed" && <p className="hint">
        {t("transcript.notDone", { stage: stageWords(job).toLocaleLowerCase() })}</p>}
      {mediaNote && !mediaNote.error && <p className="hint" data-testid="player-note">{t(mediaNote.key)}</p>}
      {(mediaError || mediaNote?.error) && <p className="error" role="alert" data-testid="player-error">
        {mediaError || (mediaNote ? t(mediaNote.key) : "")}</p>}
      {media && <div className="player">
        {isVideo
          ? <video ref={(el) => { player.current = el; }} src={media} controls onTimeUpdate={onTime} onLoadedMetadata={onReady}
              onError={onMediaError} data-testid="player" />
          : <audio ref={(el) => { player.current = el; }} src={media} controls onTimeUpdate={onTime} onLoadedMetadata={onReady}
              onError={onMediaError} data-testid="player" />}
        <div className="controls">
          <button onClick={() => skip(-5)} title={t("transcript.back5")}>{t("transcript.minus5")}</button>
          <button onClick={() => skip(5)} title={t("transcript.forward5")}>{t("transcript.plus5")}</button>
          <label className="inline">{t("transcript.speed")}
            <select value={speed} data-testid="speed" onChange={(e) => {
              const next = Number(e.target.value); setSpeed(next);
              if (player.current) player.current.playbackRate = next;
            }}>{SPEEDS.map((v) => <option key={v} value={v}>{v}×</option>)}</select></label>
          <button className="link" ref={helpButton} onClick={() => setHelp((h) => !h)} aria-expanded={help}>
            {t("transcript.shortcuts")}</button>
        </div>
        {help && <div className="help" role="dialog" aria-label={t("transcript.shortcuts")} tabIndex={-1} ref={helpBox}
          onKeyDown={(e) => { if (e.key === "Escape") { e.preventDefault(); setHelp(false); } }}>
          <label className="inline"><input type="checkbox" checked={keysOn}
            onChange={(e) => { setKeysOn(e.target.checked); rememberShortcuts(e.target.checked); }} />
            {t("transcript.singleKeys")}</label>
          <dl>{[...SHORTCUTS, ...(reviewing ? [REVIEW_SHORTCUT] : [])].map(([keys, what]) => <div key={keys}>
            <dt>{isKey(keys) ? t(keys) : keys}</dt><dd>{t(what)}</dd></div>)}</dl>
          <button className="link" onClick={() => setHelp(false)}>{t("transcript.close")}</button>
        </div>}
      </div>}
      {transcript && <>
        <div className="toolbar">
          <label className="search">{t("transcript.search")}<input type="search" value={query}
            onChange={(e) => setQuery(e.target.value)} placeholder={t("transcript.find")} /></label>
          {query && <span aria-live="polite">{t("transcript.matches", { count })}</span>}
          {reviewing && !query && (uncertain > 0 || reviewNote) && <span className="review" data-testid="review">
            <span aria-live="polite">{reviewNote || (uncertain ? t("review.uncertain", { count: uncertain })
              : t("review.noneUncertain"))}</span>
            {uncertain > 0 && <>{" "}
              <button className="link" onClick={() => jump(-1)} aria-keyshortcuts="P">{t("review.previous")}</button>{" "}
              <button className="link" onClick={() => jump(1)} aria-keyshortcuts="N">{t("review.next")}</button></>}
          </span>}
          <span className="downloads">{t("transcript.download")}
            {(["txt", "srt", "vtt", "json"] as ExportFormat[]).map((f) =>
              <button key={f} className="link" onClick={() => void download(f)}>{f.toUpperCase()}</button>)}
          </span>
          {!readOnly && <ShareDialog jobId={job.id} />}
        </div>
        {!readOnly && <RecordingVersions job={job} transcript={transcript} onRefresh={refreshRedaction}
          onMedia={(redacted) => { setMediaError(""); setMedia(redacted ?? original); }} />}
        {!readOnly && <TranslationChoice transcript={transcript} value={translation} onChange={setTranslation}
          onDownload={(format, language) => void download(format, language)} />}
        <EntityList entities={transcript.entities} onSeek={seek} />
        {!readOnly && transcript.mode === "dialogue" && <VoiceSuggestions transcript={transcript} onSaved={setTranscript} />}
        {!readOnly && transcript.mode === "dialogue" && <SpeakerNames transcript={transcript} onSaved={setTranscript} />}
        {!readOnly && oneVoiceFound(job, transcript) && <OneVoiceNotice job={job} />}
        {!readOnly && transcript.edited && <p className="hint">{t("transcript.edited")}{" "}
          <button className="link" onClick={() => void revert()}>{t("transcript.revert")}</button></p>}
        {editError && <p className="error" role="alert">{editError}</p>}
        {offer && <VocabularyOffer correction={offer} onDone={() => setOffer(null)} />}
        <ol className={`lines ${transcript.mode}${translation && transcript.translated_lines?.length
          ? " translated" : ""}`}>
          {turns.map((turn, i) => {
            const current = turn.lines.some((l) => l.index === active);
            return (
            <li key={turn.first} className={current ? "active" : ""} aria-current={current ? "true" : undefined}>
              <div className="line">
                <button className="stamp" onClick={() => seek(turn.lines[0].start)} data-start={turn.lines[0].start}
                  aria-label={t("transcript.playFrom", { time: clock(turn.lines[0].start) })}>{clock(turn.lines[0].start)}</button>
                {transcript.mode === "dialogue" && <span className="speaker">{speakerLabel(turn.speaker)}</span>}
                {editing?.index === i
                  ? <TurnEditor turn={turn.lines} drafts={editing.lines} labels={speakerLabels(transcript)}
                      names={transcript.speaker_names ?? {}} dialogue={transcript.mode === "dialogue"}
                      onChange={(lines) => setEditing({ index: i, lines })} onSave={() => void saveEdit()}
                      onCancel={() => { focusLine.current = i; setEditing(null); }} />
                  : <>
                <span className="text">{turn.lines.map((line, n) => <span key={line.index} className="segment">
                  {n ? " " : ""}{query || !line.words.length
                  ? <Highlighted text={line.text} ranges={found.get(line.index)} />
                  : line.words.map((w, k) => { const unsure = reviewing && isUncertain(w); return <span key={k}>
                      <span className={`word${line.index === active && k === activeWord ? " now" : ""}${unsure ? " uncertain" : ""}${
                        entityAt(transcript.entities, w.start) ? " entity" : ""}`}
                        title={unsure ? t("review.unsure") : undefined} data-start={w.start} tabIndex={k ? -1 : 0} aria-describedby={k ? undefined : "word-keys"}
                        onClick={() => seek(w.start)} onKeyDown={(e) => wordKey(e, w.start)}>{w.text}</span>
                      {k < line.words.length - 1 ? " " : ""}</span>; })}</span>)}</span>
                {translation && transcript.translated_lines?.length ? <span className="translation" lang={translation}
                  data-testid="translated-line">{turn.lines.map((line) => translatedLine(transcript, translation, line))
                    .filter(Boolean).join(" ")}</span> : null}
                {!readOnly && <button className="link edit-line"
                  aria-label={t("transcript.editLine", { time: clock(turn.lines[0].start) })}
                  data-edit-line={i} onClick={() => startEdit(i)}>{t("transcript.edit")}</button>}</>}
              </div>
            </li>);
          })}
        </ol>
        {!all.length && <p className="hint">{t("transcript.noSpeech")}</p>}
        <p id="word-keys" hidden>{t("transcript.wordKeys")}</p>
      </>}
    </section>
  );
}
