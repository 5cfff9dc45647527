// Forgotten password: ask for a link by email, then choose a new password on the page the link opens.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { User } from "../api/types";
import { navigate } from "../routing";
import { errorText } from "../i18n/errors";
import { useTitle } from "../lib/title";

function BackToSignIn() {
  const { t } = useTranslation();
  return <p><a href="/login" onClick={(e) => { e.preventDefault(); navigate("/login"); }}>{t("reset.back")}</a></p>;
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const { t } = useTranslation();
  useTitle(t("reset.title"));
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true); setError("");
    // The answer is the same whether or not the email has an account: the catalogue says it in the app's language.
    try { await api.requestPasswordReset(email); setSent(true); }
    catch (err) { setError(errorText(err)); }
    finally { setBusy(false); }
  }

  return (
    <section className="card auth">
      <h1>{t("reset.title")}</h1>
      {sent ? <p className="notice" role="status">{t("reset.sent")}</p> : <form onSubmit={submit}>
        <p className="hint">{t("reset.hint")}</p>
        <label>{t("auth.email")}<input type="email" autoComplete="email" required value={email}
          onChange={(e) => setEmail(e.target.value)} /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? t("app.wait") : t("reset.send")}</button>
      </form>}
      <BackToSignIn />
    </section>
  );
}

// The token travels in the URL's fragment (#token=…): it never reaches a server log. Read once, then dropped from
// the address bar so it does not linger in history.
function tokenFromFragment(): string {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "";
  if (token) window.history.replaceState({}, "", window.location.pathname);
  return token;
}

export function ResetPasswordPage({ onSignedIn }: { onSignedIn: (u: User) => void }) {
  const [token] = useState(tokenFromFragment);
  const { t } = useTranslation();
  useTitle(t("reset.chooseTitle"));
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true); setError("");
    try { onSignedIn((await api.resetPassword(token, password)).user); }
    catch (err) { setError(errorText(err)); }
    finally { setBusy(false); }
  }

  if (!token) {
    return (
      <section className="card auth">
        <h1>{t("reset.chooseTitle")}</h1>
        <p className="error" role="alert">{t("reset.noToken")}</p>
        <p><a href="/forgot-password" onClick={(e) => { e.preventDefault(); navigate("/forgot-password"); }}>
          {t("reset.askAgain")}</a></p>
      </section>
    );
  }
  return (
    <section className="card auth">
      <h1>{t("reset.chooseTitle")}</h1>
      <form onSubmit={submit}>
        <label>{t("reset.newPassword")}<input type="password" autoComplete="new-password" required minLength={8} value={password}
          onChange={(e) => setPassword(e.target.value)} /></label>
        <p className="hint">{t("reset.newHint")}</p>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? t("app.wait") : t("reset.set")}</button>
      </form>
      <BackToSignIn />
    </section>
  );
}
