// The account: change the password (other sessions end), personal API keys, webhooks, the vocabulary new jobs send,
// or delete the account and everything of it.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { User } from "../api/types";
import { ApiKeysPanel } from "../components/ApiKeysPanel";
import { errorText } from "../i18n/errors";
import { VocabularyEditor } from "../components/VocabularyEditor";
import { useTitle } from "../lib/title";
import { WebhooksPanel } from "../components/WebhooksPanel";
import { VoicesPanel } from "../components/VoicesPanel";

export function AccountPage({ user, onDeleted }: { user: User; onDeleted: () => void }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [changeStatus, setChangeStatus] = useState("");
  const [confirm, setConfirm] = useState("");
  const [deleteError, setDeleteError] = useState("");
  const { t } = useTranslation();
  useTitle(t("account.title"));

  async function change(e: FormEvent) {
    e.preventDefault();
    setChangeStatus(t("account.saving"));
    try {
      await api.changePassword(current, next);
      setCurrent(""); setNext("");
      setChangeStatus(t("account.changed"));
    } catch (err) {
      setChangeStatus(errorText(err));
    }
  }

  async function remove(e: FormEvent) {
    e.preventDefault();
    if (!window.confirm(t("account.deleteConfirm"))) return;
    try {
      await api.deleteAccount(confirm);
      onDeleted();
    } catch (err) {
      setDeleteError(errorText(err));
    }
  }

  return (
    <>
      <section className="card" aria-labelledby="password-title">
        <h1>{t("account.title")}</h1>
        <p className="hint">{t("account.signedInAs", { email: user.email })}</p>
        <h2 id="password-title">{t("account.changeTitle")}</h2>
        <form onSubmit={change}>
          <label>{t("account.current")}<input type="password" autoComplete="current-password" required value={current}
            onChange={(e) => setCurrent(e.target.value)} /></label>
          <label>{t("account.new")}<input type="password" autoComplete="new-password" required minLength={8} value={next}
            onChange={(e) => setNext(e.target.value)} /></label>
          <button type="submit">{t("account.change")}</button> <span role="status">{changeStatus}</span>
        </form>
      </section>
      <ApiKeysPanel />
      <WebhooksPanel />
      <VocabularyEditor />
      <VoicesPanel />
      <section className="card" aria-labelledby="delete-title">
        <h2 id="delete-title">{t("account.deleteTitle")}</h2>
        <p>{t("account.deleteText")}</p>
        <form onSubmit={remove}>
          <label>{t("auth.password")}<input type="password" autoComplete="current-password" required value={confirm}
            onChange={(e) => setConfirm(e.target.value)} /></label>
          {deleteError && <p className="error" role="alert">{deleteError}</p>}
          <button type="submit" className="danger">{t("account.delete")}</button>
        </form>
      </section>
    </>
  );
}
