// Each page's own title (WCAG 2.4.2), so tabs, history and screen readers tell the pages apart.
import { useEffect } from "react";

export const APP_NAME = "Transcribe";

export function pageTitle(name: string): string { return name.trim() ? `${name.trim()} · ${APP_NAME}` : APP_NAME; }

export function useTitle(name: string): void {
  useEffect(() => { document.title = pageTitle(name); }, [name]);
}
