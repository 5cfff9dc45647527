// What a new job may ask beyond words, offered only where the engine does it (GET /capabilities): redaction of
// personal data (which kinds, how, and a redacted copy of the recording), a translation, names and places marked.
import { useTranslation } from "react-i18next";
import type { Capabilities, Understanding } from "../api/types";
import { languageName } from "../lib/capabilities";

// The kinds most recordings hold, shown first; the rest of AssemblyAI's 44 fold away.
const COMMON = ["person_name", "phone_number", "email_address", "location", "date_of_birth", "credit_card_number",
  "banking_information", "medical_condition"];

// The request fields for what is chosen: nothing at all when nothing is (older servers take the request as before).
export function understandingFields(u: Understanding): Understanding {
  const out: Understanding = {};
  if (u.redact_pii && u.redact_pii_policies?.length) {
    Object.assign(out, { redact_pii: true, redact_pii_policies: u.redact_pii_policies,
      redact_pii_sub: u.redact_pii_sub ?? "entity_name", redact_pii_audio: !!u.redact_pii_audio });
  }
  if (u.translation_targets?.length) out.translation_targets = u.translation_targets;
  if (u.entity_detection) out.entity_detection = true;
  return out;
}

export function UnderstandingOptions({ caps, value, onChange }: {
  caps: Capabilities | null; value: Understanding; onChange: (u: Understanding) => void;
}) {
  const { t } = useTranslation();
  if (!caps) return null;
  const policies = caps.redaction_policies ?? [];
  const targets = caps.translation_targets ?? [];
  if (!caps.redaction && !targets.length && !caps.entities) return null;
  const chosen = new Set(value.redact_pii_policies ?? []);
  const toggle = (policy: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(policy); else next.delete(policy);
    onChange({ ...value, redact_pii_policies: policies.filter((p) => next.has(p)) });
  };
  const box = (policy: string) => (
    <label key={policy} className="inline"><input type="checkbox" checked={chosen.has(policy)}
      data-policy={policy} onChange={(e) => toggle(policy, e.target.checked)} /> {t(`policies.${policy}`)}</label>
  );
  return (
    <div className="understanding" data-testid="understanding">
      {caps.redaction && <fieldset>
        <legend><label className="inline"><input type="checkbox" checked={!!value.redact_pii} data-testid="redact"
          onChange={(e) => onChange({ ...value, redact_pii: e.target.checked,
            redact_pii_policies: e.target.checked && !chosen.size ? ["person_name", "phone_number"] : [...chosen] })} />
          {" "}{t("understanding.redact")}</label></legend>
        {value.redact_pii && <>
          <p className="hint">{t("understanding.redactHint")}</p>
          <div role="group" aria-label={t("understanding.kinds")}>
            {COMMON.filter((p) => policies.includes(p)).map(box)}
            <details><summary>{t("understanding.moreKinds")}</summary>
              {policies.filter((p) => !COMMON.includes(p)).map(box)}</details>
          </div>
          <div role="radiogroup" aria-label={t("understanding.substitution")}>{t("understanding.substitution")}{" "}
            {(["entity_name", "hash"] as const).map((sub) => (
              <label key={sub} className="inline"><input type="radio" name="redact-sub"
                checked={(value.redact_pii_sub ?? "entity_name") === sub}
                onChange={() => onChange({ ...value, redact_pii_sub: sub })} />
                {" "}{t(sub === "hash" ? "understanding.hash" : "understanding.entityName")}</label>))}
          </div>
          <label className="inline"><input type="checkbox" checked={!!value.redact_pii_audio} data-testid="redact-audio"
            onChange={(e) => onChange({ ...value, redact_pii_audio: e.target.checked })} />
            {" "}{t("understanding.redactAudio")}</label>
        </>}
      </fieldset>}
      {targets.length > 0 && <label>{t("understanding.translate")}
        <select value={value.translation_targets?.[0] ?? ""} data-testid="translate"
          onChange={(e) => onChange({ ...value, translation_targets: e.target.value ? [e.target.value] : [] })}>
          <option value="">{t("understanding.noTranslation")}</option>
          {targets.map((code) => <option key={code} value={code}>{languageName(code)}</option>)}
        </select>
        {targets.length === 1 && targets[0] === "en" &&
          <span className="hint">{" "}{t("understanding.translateOnlyEnglish", { engine: caps.engine })}</span>}
      </label>}
      {caps.entities && <label className="inline"><input type="checkbox" checked={!!value.entity_detection}
        data-testid="entities" onChange={(e) => onChange({ ...value, entity_detection: e.target.checked })} />
        {" "}{t("understanding.entities")}</label>}
    </div>
  );
}
