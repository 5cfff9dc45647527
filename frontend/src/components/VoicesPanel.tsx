// The account's directory of named voices (only where the engine gives voice embeddings): what is kept, and forgetting.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { Voice } from "../api/types";
import { errorText } from "../i18n/errors";
import { loadCapabilities } from "../lib/capabilities";

export function VoicesPanel() {
  const { t } = useTranslation();
  const [shown, setShown] = useState(false);
  const [voices, setVoices] = useState<Voice[] | null>(null);
  const [status, setStatus] = useState("");
  useEffect(() => {
    loadCapabilities().then((c) => {
      if (!c.voice_directory) return;
      setShown(true);
      return api.listVoices().then((v) => setVoices(v.items));
    }).catch((err) => setStatus(errorText(err)));
  }, []);
  if (!shown) return null;
  async function forget(voice: Voice) {
    try {
      await api.deleteVoice(voice.id);
      setVoices((all) => (all ?? []).filter((v) => v.id !== voice.id));
      setStatus(t("voices.forgotten", { name: voice.name }));
    } catch (err) { setStatus(errorText(err)); }
  }
  return (
    <section className="card" aria-labelledby="voices-title" data-testid="voices">
      <h2 id="voices-title">{t("voices.title")}</h2>
      <p className="hint">{t("voices.intro")}</p>
      {voices && !voices.length && <p>{t("voices.none")}</p>}
      <ul>
        {(voices ?? []).map((v) => (
          <li key={v.id}><span data-testid="voice-name">{v.name}</span>{" · "}
            {t("voices.recordings", { count: v.recordings })}{" "}
            <button className="link" onClick={() => void forget(v)}>{t("voices.forget", { name: v.name })}</button></li>
        ))}
      </ul>
      <p role="status">{status}</p>
    </section>
  );
}
