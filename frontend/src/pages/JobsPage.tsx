import { useCallback, useState } from "react";
import type { Job } from "../api/types";
import { JobList } from "../components/JobList";
import { SearchPanel } from "../components/SearchPanel";
import { UploadPanel } from "../components/UploadPanel";

export function JobsPage() {
  const [refreshKey, setRefreshKey] = useState(0);
  const [jobs, setJobs] = useState<Map<string, Job>>(new Map());
  const onJobs = useCallback((list: Job[]) => setJobs(new Map(list.map((j) => [j.id, j]))), []);
  return (
    <>
      <UploadPanel onJobCreated={() => setRefreshKey((k) => k + 1)} jobs={jobs} />
      <JobList refreshKey={refreshKey} onJobs={onJobs} />
      <SearchPanel />
    </>
  );
}
