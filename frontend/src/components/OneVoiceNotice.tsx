// Said on a dialogue transcript whose speaker count was left blank when only one voice was found, with a re-run
// that gives the count (a new job on the same recording; this transcript stays as it is).
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { Job } from "../api/types";
import { errorText } from "../i18n/errors";
import { navigate } from "../routing";

export function OneVoiceNotice({ job }: { job: Job }) {
  const { t } = useTranslation();
  const [count, setCount] = useState(2);
  const [status, setStatus] = useState("");
  async function rerun() {
    setStatus(t("oneVoice.starting"));
    try {
      await api.createJob({ file_id: job.file.id, language: job.language, mode: "dialogue", speakers_expected: count });
      navigate("/");
    } catch (err) {
      setStatus(errorText(err, "oneVoice.failed"));
    }
  }
  return (
    <div className="hint one-voice" role="note">
      <p>{t("oneVoice.found")}</p>
      <form onSubmit={(e) => { e.preventDefault(); void rerun(); }}>
        <label className="inline">{t("oneVoice.speakers")}
          <input type="number" min={2} max={10} value={count} onChange={(e) => setCount(Number(e.target.value))} /></label>
        <button type="submit">{t("oneVoice.again")}</button> <span role="status">{status}</span>
      </form>
    </div>
  );
}
