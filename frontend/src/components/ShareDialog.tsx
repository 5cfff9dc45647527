// The owner's Share dialog on a transcript page: make a read-only link (an expiry, with or without the recording), copy
// it (its token is shown this once: only a hash is kept), and see each link's opens and revoke it.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { shareApi, shareUrl, type Share } from "../api/shares";
import { errorText } from "../i18n/errors";
import { language } from "../i18n/i18n";
import { when } from "../lib/format";

const EXPIRIES = [0, 1, 7, 30];  // days; 0: until revoked

function date(iso: string): string {
  return new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

function LinkFacts({ share }: { share: Share }) {
  const { t } = useTranslation();
  const state = share.state === "revoked" ? t("share.revoked", { date: date(share.revoked_at ?? share.created_at) })
    : share.state === "expired" ? t("share.expired", { date: date(share.expires_at ?? share.created_at) })
    : share.expires_at ? t("share.activeUntil", { date: date(share.expires_at) }) : t("share.activeForever");
  const opened = share.open_count && share.last_opened_at
    ? t("share.opened", { count: share.open_count, when: when(share.last_opened_at) }) : t("share.neverOpened");
  return <>{t("share.made", { when: when(share.created_at) })}: {state}; {opened}
    {!share.include_media && <>; {t("share.noMedia")}</>}</>;
}

export function ShareDialog({ jobId }: { jobId: string }) {
  const { t } = useTranslation();
  const box = useRef<HTMLDialogElement | null>(null);
  const [days, setDays] = useState(0);
  const [withMedia, setWithMedia] = useState(true);
  const [links, setLinks] = useState<Share[] | null>(null);
  const [made, setMade] = useState("");  // the new link's address, shown this once
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");

  async function refresh() {
    try { setLinks(await shareApi.list(jobId)); } catch (err) { setError(errorText(err, "share.listFailed")); }
  }
  useEffect(() => { setMade(""); setLinks(null); }, [jobId]);

  function open() {
    setError(""); setStatus("");
    box.current?.showModal();
    void refresh();
  }

  async function create() {
    setError(""); setStatus(t("share.creating"));
    try {
      const created = await shareApi.create(jobId, { expires_in_days: days || null, include_media: withMedia });
      setMade(shareUrl(created)); setStatus("");
      await refresh();
    } catch (err) {
      setStatus(""); setError(errorText(err, "share.failed"));
    }
  }

  async function copy() {
    try { await navigator.clipboard.writeText(made); setStatus(t("share.copied")); }
    catch { setStatus(t("share.copyFailed")); }
  }

  async function revoke(share: Share) {
    setError("");
    try { await shareApi.revoke(jobId, share.id); await refresh(); }
    catch (err) { setError(errorText(err, "share.revokeFailed")); }
  }

  return (
    <>
      <button type="button" aria-haspopup="dialog" onClick={open}>{t("share.open")}</button>
      <dialog ref={box} className="share" aria-labelledby="share-title">
        <h2 id="share-title">{t("share.title")}</h2>
        <p className="hint">{t("share.about")}</p>
        <form onSubmit={(e) => { e.preventDefault(); void create(); }}>
          <label className="inline">{t("share.expiry")}{" "}
            <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
              {EXPIRIES.map((d) => <option key={d} value={d}>{d ? t("share.days", { count: d }) : t("share.never")}</option>)}
            </select></label>{" "}
          <label className="inline"><input type="checkbox" checked={withMedia}
            onChange={(e) => setWithMedia(e.target.checked)} />{t("share.includeMedia")}</label>{" "}
          <button type="submit">{t("share.create")}</button>
        </form>
        {made && <div className="share-made">
          <label htmlFor="share-link">{t("share.linkLabel")}</label>
          <input id="share-link" readOnly value={made} onFocus={(e) => e.currentTarget.select()} data-testid="share-link" />
          <button type="button" onClick={() => void copy()}>{t("share.copy")}</button>
          <p className="hint">{t("share.shownOnce")}</p>
        </div>}
        <p role="status">{status}</p>
        {error && <p className="error" role="alert">{error}</p>}
        <h3>{t("share.links")}</h3>
        {links && !links.length && <p className="hint">{t("share.none")}</p>}
        {links && links.length > 0 && <ul className="share-links">
          {links.map((share) => <li key={share.id} data-testid="share" data-state={share.state}>
            <span><LinkFacts share={share} /></span>{" "}
            {share.state === "active" && <button type="button" className="link"
              aria-label={t("share.revokeLabel", { when: when(share.created_at) })}
              onClick={() => void revoke(share)}>{t("share.revoke")}</button>}
          </li>)}
        </ul>}
        <button type="button" className="link" onClick={() => box.current?.close()}>{t("share.close")}</button>
      </dialog>
    </>
  );
}
