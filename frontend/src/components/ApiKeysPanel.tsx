// The account page's API keys: make one (shown once, whole), see each with its access, expiry and last use, revoke.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { ApiKey, CreatedApiKey } from "../api/types";
import { errorText } from "../i18n/errors";
import { accessKey, daysLeft, DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS, type Access, scopesFor } from "../lib/apiKeys";
import { when } from "../lib/format";
import "./ApiKeysPanel.css";

export function ApiKeysPanel() {
  const { t } = useTranslation();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [name, setName] = useState("");
  const [access, setAccess] = useState<Access>("read");
  const [days, setDays] = useState<number>(DEFAULT_EXPIRY_DAYS);
  const [status, setStatus] = useState("");
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [copied, setCopied] = useState(false);

  const load = useCallback(() => {
    api.listApiKeys().then(setKeys).catch(() => setStatus(t("apiKeys.loadError")));
  }, [t]);
  useEffect(load, [load]);

  async function create(e: FormEvent) {
    e.preventDefault();
    setStatus(t("apiKeys.creating"));
    try {
      const key = await api.createApiKey({ name, scopes: scopesFor(access), expires_in_days: days });
      setCreated(key); setCopied(false); setName(""); setStatus("");
      load();
    } catch (err) {
      setStatus(errorText(err));
    }
  }

  async function revoke(key: ApiKey) {
    if (!window.confirm(t("apiKeys.revokeConfirm", { name: key.name }))) return;
    try {
      await api.revokeApiKey(key.id);
      if (created?.id === key.id) setCreated(null);
      setStatus(t("apiKeys.revoked", { name: key.name }));
    } catch (err) {
      setStatus(errorText(err));
    }
    load();
  }

  async function copy(text: string) {
    try { await navigator.clipboard.writeText(text); setCopied(true); } catch { setCopied(false); }
  }

  return (
    <section className="card api-keys" aria-labelledby="api-keys-title">
      <h2 id="api-keys-title">{t("apiKeys.title")}</h2>
      <p className="hint">{t("apiKeys.intro")} <a href="/api/docs">{t("apiKeys.docs")}</a></p>
      <form onSubmit={create} className="api-key-form">
        <label>{t("apiKeys.name")}<input required maxLength={100} value={name} placeholder={t("apiKeys.namePlaceholder")}
          onChange={(e) => setName(e.target.value)} /></label>
        <label>{t("apiKeys.access")}<select value={access} onChange={(e) => setAccess(e.target.value as Access)}>
          <option value="read">{t("apiKeys.scopeRead")}</option>
          <option value="write">{t("apiKeys.scopeWrite")}</option>
        </select></label>
        <label>{t("apiKeys.expiry")}<select value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {EXPIRY_DAYS.map((d) => <option key={d} value={d}>{t("apiKeys.days", { count: d })}</option>)}
        </select></label>
        <button type="submit">{t("apiKeys.create")}</button>
      </form>
      <p role="status">{status}</p>
      {created && (
        <div className="new-key" role="region" aria-label={t("apiKeys.createdTitle", { name: created.name })}>
          <h3>{t("apiKeys.createdTitle", { name: created.name })}</h3>
          <p>{t("apiKeys.createdHint")}</p>
          <label>{t("apiKeys.keyLabel")}<input readOnly value={created.key} className="secret"
            onFocus={(e) => e.target.select()} /></label>
          <button type="button" onClick={() => void copy(created.key)}>{t("apiKeys.copy")}</button>{" "}
          <button type="button" className="link" onClick={() => setCreated(null)}>{t("apiKeys.saved")}</button>{" "}
          <span role="status">{copied ? t("apiKeys.copied") : ""}</span>
        </div>
      )}
      <h3>{t("apiKeys.listTitle")}</h3>
      {keys && !keys.length && <p className="hint">{t("apiKeys.none")}</p>}
      <ul className="key-list">
        {(keys ?? []).map((key) => {
          const left = daysLeft(key);
          return (
            <li key={key.id}>
              <span className="key-name">{key.name}</span> <code>{key.prefix}…</code>
              <span className="meta">
                <span>{t(accessKey(key))}</span>
                <span>{t("apiKeys.created")}: {when(key.created_at)}</span>
                <span className={left ? "" : "error"}>{t("apiKeys.expires")}: {left ? t("apiKeys.daysLeft", { count: left })
                  : t("apiKeys.expired")}</span>
                <span>{t("apiKeys.lastUsed")}: {key.last_used_at ? when(key.last_used_at) : t("apiKeys.never")}</span>
              </span>
              <button type="button" className="danger" aria-label={t("apiKeys.revokeLabel", { name: key.name })}
                onClick={() => void revoke(key)}>{t("apiKeys.revoke")}</button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
