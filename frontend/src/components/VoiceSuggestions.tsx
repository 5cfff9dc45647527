// Speakers whose voice matches one the user named before: the name is offered, and applied only when confirmed.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { Transcript } from "../api/types";
import { errorText } from "../i18n/errors";
import { speakerLabel } from "../lib/format";

export function VoiceSuggestions({ transcript, onSaved }: { transcript: Transcript; onSaved: (t: Transcript) => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState("");
  const offered = Object.entries(transcript.speaker_suggestions ?? {});
  if (!offered.length) return null;
  async function use(label: string, name: string) {
    try { onSaved(await api.renameSpeakers(transcript.job_id, { [label]: name })); setError(""); }
    catch (err) { setError(errorText(err, "speaker.failed")); }
  }
  return (
    <div className="suggestions" data-testid="voice-suggestions">
      {offered.map(([label, name]) => (
        <p key={label} className="hint">{t("voices.suggestion", { label: speakerLabel(label), name })}{" "}
          <button className="link" onClick={() => void use(label, name)}>
            {t("voices.use", { label: speakerLabel(label), name })}</button></p>
      ))}
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}
