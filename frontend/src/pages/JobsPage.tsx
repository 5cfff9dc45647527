import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { Folder, Job } from "../api/types";
import { FolderBar } from "../components/FolderBar";
import { JobList } from "../components/JobList";
import { SearchPanel } from "../components/SearchPanel";
import { UploadPanel, type UploadPanelHandle } from "../components/UploadPanel";
import { useTitle } from "../lib/title";

export function JobsPage() {
  const [refreshKey, setRefreshKey] = useState(0);
  const [jobs, setJobs] = useState<Map<string, Job>>(new Map());
  const [durations, setDurations] = useState<Map<string, number>>(new Map());
  const { t } = useTranslation();
  useTitle(t("jobs.title"));
  // Merged, not replaced: a job the shown folder leaves out keeps its last known state for the upload lines.
  const onJobs = useCallback((list: Job[]) => setJobs((old) => new Map([...old, ...list.map((j) => [j.id, j] as const)])),
    []);
  const panel = useRef<UploadPanelHandle>(null);
  // The folders, and the one the list shows (null: every recording).
  const [folders, setFolders] = useState<Folder[]>([]);
  const [maxFolders, setMaxFolders] = useState<number | null>(null);
  const [folder, setFolder] = useState<string | null>(null);
  const loadFolders = useCallback(async () => {
    try {
      const list = await api.listFolders();
      setFolders(list.items); setMaxFolders(list.max_folders);
      setFolder((f) => (f && !list.items.some((x) => x.id === f) ? null : f));  // deleted elsewhere: show all
    } catch { /* the job list says when the server cannot be reached */ }
  }, []);
  useEffect(() => { void loadFolders(); }, [loadFolders]);
  const uploads = useMemo(() => ({
    resume: (job: Job) => panel.current?.resume(job),
    remove: async (job: Job) => { await panel.current?.remove(job.id, job.file.id); },
  }), []);
  return (
    <>
      <h1 className="visually-hidden">{t("jobs.heading")}</h1>
      <UploadPanel onJobCreated={() => setRefreshKey((k) => k + 1)} jobs={jobs} handle={panel} onDurations={setDurations}
        folder={folders.find((f) => f.id === folder) ?? null} />
      <FolderBar folders={folders} max={maxFolders} selected={folder} onSelect={setFolder} onChanged={loadFolders} />
      <JobList key={folder ?? "all"} refreshKey={refreshKey} onJobs={onJobs} uploads={uploads} durations={durations}
        folder={folder} folders={folders} onMoved={() => void loadFolders()} />
      <SearchPanel folders={folders} folder={folder} />
    </>
  );
}
