import { useState } from "react";
import { JobList } from "../components/JobList";
import { UploadPanel } from "../components/UploadPanel";

export function JobsPage() {
  const [refreshKey, setRefreshKey] = useState(0);
  return (
    <>
      <UploadPanel onJobCreated={() => setRefreshKey((k) => k + 1)} />
      <JobList refreshKey={refreshKey} />
    </>
  );
}
