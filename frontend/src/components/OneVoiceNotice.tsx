// Said on a dialogue transcript whose speaker count was left blank when only one voice was found, with a re-run
// that gives the count (a new job on the same recording; this transcript stays as it is).
import { useState } from "react";
import { api, ApiError } from "../api/client";
import type { Job } from "../api/types";
import { navigate } from "../routing";

export function OneVoiceNotice({ job }: { job: Job }) {
  const [count, setCount] = useState(2);
  const [status, setStatus] = useState("");
  async function rerun() {
    setStatus("Starting…");
    try {
      await api.createJob({ file_id: job.file.id, language: job.language, mode: "dialogue", speakers_expected: count });
      navigate("/");
    } catch (err) {
      setStatus(err instanceof ApiError ? err.message : "Could not start it; try again.");
    }
  }
  return (
    <div className="hint one-voice" role="note">
      <p>Only one voice was found in this recording. If more people speak, transcribe it again with the number of
        speakers: voices that sound alike are split when the count is given.</p>
      <form onSubmit={(e) => { e.preventDefault(); void rerun(); }}>
        <label className="inline">Speakers
          <input type="number" min={2} max={10} value={count} onChange={(e) => setCount(Number(e.target.value))} /></label>
        <button type="submit">Transcribe again</button> <span role="status">{status}</span>
      </form>
    </div>
  );
}
