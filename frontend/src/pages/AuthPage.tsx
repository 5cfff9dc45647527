import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { Capabilities, User } from "../api/types";
import { navigate } from "../routing";
import { formatList, languageName, loadCapabilities } from "../lib/capabilities";
import { errorText } from "../i18n/errors";
import { language } from "../i18n/i18n";
import { bytes, list } from "../lib/format";
import { useTitle } from "../lib/title";

// What the product does and what it takes, before anyone signs up: from the server's own capabilities.
function About() {
  const { t } = useTranslation();
  const [caps, setCaps] = useState<Capabilities | null>(null);
  useEffect(() => { loadCapabilities().then(setCaps).catch(() => undefined); }, []);
  const names = caps && (caps.languages.length <= 6 ? list(caps.languages.map(languageName))
    : t("auth.languageCount", { count: caps.languages.length }));
  const langs = caps && (caps.languages.length === 1 ? t("auth.only", { list: names })
    : caps.auto_detect ? t("auth.detected", { list: names }) : names);
  return (
    <section className="card about" aria-labelledby="about-title">
      <h2 id="about-title">{t("auth.aboutTitle")}</h2>
      <p>{t("auth.aboutText")}</p>
      {caps && <ul className="facts" data-testid="capabilities">
        <li><strong>{t("auth.files")}</strong> {t("auth.filesValue", { formats: formatList(caps),
          size: bytes(caps.max_upload_bytes) })}</li>
        <li><strong>{t("auth.languages")}</strong> {langs}</li>
        <li><strong>{t("auth.engine")}</strong> {caps.engine}</li>
      </ul>}
    </section>
  );
}

export function AuthPage({ mode, notice, onSignedIn }: { mode: "login" | "signup"; notice: string;
  onSignedIn: (u: User) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const { t } = useTranslation();
  const signup = mode === "signup";
  const title = signup ? t("auth.signupTitle") : t("auth.signinTitle");
  useTitle(title);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true); setError("");
    try {
      const session = signup ? await api.register(email, password, language()) : await api.login(email, password);
      onSignedIn(session.user);
    } catch (err) {
      setError(errorText(err));
    } finally { setBusy(false); }
  }

  return (
    <div className="auth-page">
    <About />
    <section className="card auth">
      <h1>{title}</h1>
      {notice && <p className="notice" role="status">{notice}</p>}
      <form onSubmit={submit}>
        <label>{t("auth.email")}<input type="email" autoComplete="email" required value={email}
          onChange={(e) => setEmail(e.target.value)} /></label>
        <label>{t("auth.password")}<input type="password" autoComplete={signup ? "new-password" : "current-password"} required
          minLength={signup ? 8 : 1} value={password} onChange={(e) => setPassword(e.target.value)} /></label>
        {signup && <p className="hint">{t("auth.passwordRule")}</p>}
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? t("app.wait") : signup ? t("auth.signUp") : t("auth.signIn")}</button>
      </form>
      {!signup && <p><a href="/forgot-password" onClick={(e) => { e.preventDefault(); navigate("/forgot-password"); }}>
        {t("auth.forgot")}</a></p>}
      <p>{signup ? t("auth.haveAccount") : t("auth.newHere")}{" "}
        <a href={signup ? "/login" : "/signup"} onClick={(e) => { e.preventDefault(); navigate(signup ? "/login" : "/signup"); }}>
          {signup ? t("auth.signIn") : t("auth.createAccount")}</a></p>
    </section>
    </div>
  );
}
