// Who speaks in a dialogue, given before it is transcribed: the provider's speaker identification names the speakers
// with these (offered only where the engine can).
import { useTranslation } from "react-i18next";
import type { SpeakerType } from "../api/types";

export function speakerNames(raw: string): string[] | null {
  const names = raw.split(",").map((n) => n.trim()).filter(Boolean);
  return names.length ? names : null;
}

export function SpeakerNamesField({ value, onChange, type, onType }: {
  value: string; onChange: (v: string) => void; type: SpeakerType; onType: (t: SpeakerType) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="speaker-names">
      <label>{t("voices.names")}
        <input value={value} maxLength={400} data-testid="speaker-names"
          onChange={(e) => onChange(e.target.value)} /></label>
      <label className="inline"><input type="checkbox" checked={type === "role"}
        onChange={(e) => onType(e.target.checked ? "role" : "name")} /> {t("voices.asRoles")}</label>
      <p className="hint">{t("voices.namesHint")}</p>
    </div>
  );
}
