import { useCallback, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Job } from "../api/types";
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
  const onJobs = useCallback((list: Job[]) => setJobs(new Map(list.map((j) => [j.id, j]))), []);
  const panel = useRef<UploadPanelHandle>(null);
  const uploads = useMemo(() => ({
    resume: (job: Job) => panel.current?.resume(job),
    remove: async (job: Job) => { await panel.current?.remove(job.id, job.file.id); },
  }), []);
  return (
    <>
      <h1 className="visually-hidden">{t("jobs.heading")}</h1>
      <UploadPanel onJobCreated={() => setRefreshKey((k) => k + 1)} jobs={jobs} handle={panel} onDurations={setDurations} />
      <JobList refreshKey={refreshKey} onJobs={onJobs} uploads={uploads} durations={durations} />
      <SearchPanel />
    </>
  );
}
