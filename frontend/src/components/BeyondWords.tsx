// The transcript page beyond words: which recording plays (the original, or the redacted copy with personal data
// beeped out), a translation beside each line, and the names, places and dates found, each playing from its moment.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { Entity, Job, Transcript } from "../api/types";
import { errorText } from "../i18n/errors";
import { i18n } from "../i18n/i18n";
import { languageName } from "../lib/capabilities";
import { clock, list } from "../lib/format";

// The redaction note, and the choice of recording: the redacted one is a short-lived link, fetched when chosen.
// While the copy is still on its way, the transcript is read again now and then (`onRefresh`) until it is there.
export function RecordingVersions({ job, transcript, onMedia, onRefresh }: {
  job: Job; transcript: Transcript; onMedia: (redactedUrl: string | null) => void; onRefresh: () => void;
}) {
  const { t } = useTranslation();
  const [version, setVersion] = useState<"original" | "redacted">("original");
  const [status, setStatus] = useState("");
  const redaction = transcript.redaction;
  const pending = redaction?.audio === "pending";
  useEffect(() => {
    if (!pending) return;
    const timer = window.setInterval(onRefresh, 5000);
    return () => window.clearInterval(timer);
  }, [pending, onRefresh]);
  if (!redaction) return null;
  const kinds = list(redaction.policies.map((p) => t(`policies.${p}`)));
  async function choose(next: "original" | "redacted") {
    setStatus("");
    setVersion(next);
    if (next === "original") { onMedia(null); return; }
    try { onMedia((await api.redactedAudio(job.id)).url); }
    catch (err) { setVersion("original"); setStatus(errorText(err)); }
  }
  // The presigned GET says "inline" (the player uses it too): fetched (storage allows the app's origin) and saved.
  async function download() {
    try {
      const res = await fetch((await api.redactedAudio(job.id)).url);
      if (!res.ok) throw new Error(res.statusText);
      const blob = await res.blob();
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      const extension = blob.type.includes("wav") ? "wav" : "mp3";
      a.download = `${job.file.filename.replace(/\.[^.]+$/, "") || "recording"}.redacted.${extension}`;
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (err) { setStatus(errorText(err)); }
  }
  return (
    <div className="versions" data-testid="redaction">
      <p className="hint">{t("understanding.redacted", { kinds })}</p>
      {redaction.audio === "copied" && <div role="radiogroup" aria-label={t("understanding.versions")}>
        {t("understanding.versions")}{" "}
        {(["original", "redacted"] as const).map((v) => (
          <label key={v} className="inline"><input type="radio" name="recording-version" checked={version === v}
            data-version={v} onChange={() => void choose(v)} />
            {" "}{t(v === "original" ? "understanding.original" : "understanding.redactedVersion")}</label>))}
        {" "}<button className="link" data-testid="download-redacted" onClick={() => void download()}>
          {t("understanding.downloadRedacted")}</button>
      </div>}
      {redaction.audio === "pending" && <p className="hint">{t("understanding.redactedPending")}</p>}
      {redaction.audio === "unavailable" && <p className="hint">{t("understanding.redactedUnavailable")}</p>}
      {status && <p className="error" role="alert">{status}</p>}
    </div>
  );
}

export function translationLanguages(transcript: Transcript): string[] {
  return Object.keys(transcript.translations ?? {});
}

// A line's translation: the translated utterance said over the same span (dialogues); "" when there is none.
export function translatedLine(transcript: Transcript, language: string, line: { start: number; end: number }): string {
  const lines = transcript.translated_lines ?? [];
  const same = lines.find((l) => l.start === line.start)
    ?? lines.find((l) => l.start < line.end && l.end > line.start);
  return same?.texts[language] ?? "";
}

export function TranslationChoice({ transcript, value, onChange, onDownload }: {
  transcript: Transcript; value: string; onChange: (language: string) => void;
  onDownload: (format: "txt" | "srt" | "vtt", language: string) => void;
}) {
  const { t } = useTranslation();
  const languages = translationLanguages(transcript);
  if (!languages.length) return null;
  return (
    <div className="translation-choice">
      <label className="inline">{t("understanding.showTranslation")}
        <select value={value} data-testid="show-translation" onChange={(e) => onChange(e.target.value)}>
          <option value="">{t("understanding.translationOff")}</option>
          {languages.map((code) => <option key={code} value={code}>{languageName(code)}</option>)}
        </select></label>
      {value && <span className="downloads">{t("understanding.downloadTranslation", { language: languageName(value) })}
        {(["txt", "srt", "vtt"] as const).map((f) => <button key={f} className="link" data-export-translation={f}
          onClick={() => onDownload(f, value)}>{f.toUpperCase()}</button>)}</span>}
      {value && !(transcript.translated_lines ?? []).length &&
        <div className="translation-whole" lang={value} data-testid="translation-whole">
          <h2>{t("understanding.translationOf", { language: languageName(value) })}</h2>
          <p>{transcript.translations?.[value]}</p></div>}
    </div>
  );
}

export function entityAt(entities: Entity[] | undefined, ms: number): Entity | undefined {
  return entities?.find((e) => ms >= e.start && ms < Math.max(e.end, e.start + 1));
}

export function EntityList({ entities, onSeek }: { entities: Entity[] | undefined; onSeek: (ms: number) => void }) {
  const { t } = useTranslation();
  if (!entities?.length) return null;
  const kind = (type: string) => t(i18n.exists(`entity.${type}`) ? `entity.${type}` : "entity.other");
  return (
    <aside className="entities" aria-labelledby="entities-title" data-testid="entities">
      <h2 id="entities-title">{t("understanding.entitiesTitle")}</h2>
      <ul>{entities.map((e, i) => (
        <li key={i}><button className="link" data-start={e.start} onClick={() => onSeek(e.start)}
          aria-label={t("understanding.entityAt", { text: e.text, time: clock(e.start) })}>{e.text}</button>
          {" "}<span className="meta">{kind(e.entity_type)} · {clock(e.start)}</span></li>))}</ul>
    </aside>
  );
}
