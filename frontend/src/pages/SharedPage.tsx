// A transcript shared by link (/s/<token>): the transcript page, read-only, for anyone with the link (no sign-in).
// The page asks not to be indexed and sends no referrer (the gateway's headers say so too).
import { useEffect, useMemo } from "react";
import { sharedSource } from "../lib/transcriptSource";
import { TranscriptPage } from "./TranscriptPage";

function useHeadMeta(name: string, content: string): void {
  useEffect(() => {
    const meta = document.createElement("meta");
    meta.name = name; meta.content = content;
    document.head.appendChild(meta);
    return () => meta.remove();
  }, [name, content]);
}

export function SharedPage({ token }: { token: string }) {
  useHeadMeta("robots", "noindex, nofollow, noarchive");
  useHeadMeta("referrer", "no-referrer");
  const source = useMemo(() => sharedSource(token), [token]);
  return <TranscriptPage source={source} />;
}
