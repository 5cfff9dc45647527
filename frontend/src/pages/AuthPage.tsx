import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../api/client";
import type { Capabilities, User } from "../api/types";
import { navigate } from "../routing";
import { formatList, languageName, loadCapabilities } from "../lib/capabilities";
import { bytes } from "../lib/format";
import { useTitle } from "../lib/title";

// What the product does and what it takes, before anyone signs up: from the server's own capabilities.
function About() {
  const [caps, setCaps] = useState<Capabilities | null>(null);
  useEffect(() => { loadCapabilities().then(setCaps).catch(() => undefined); }, []);
  const langs = caps && (caps.languages.length <= 6 ? caps.languages.map(languageName).join(", ")
    : `${caps.languages.length} languages${caps.auto_detect ? ", detected automatically" : ""}`);
  return (
    <section className="card about" aria-labelledby="about-title">
      <h2 id="about-title">Upload a recording, read and download its transcript</h2>
      <p>Transcribe turns interviews, meetings and lectures into text with timestamps and, for dialogues, who
        said what. Read it beside the player, search it, and download it as text, subtitles (SRT, VTT) or JSON.</p>
      {caps && <ul className="facts" data-testid="capabilities">
        <li><strong>Files:</strong> {formatList(caps)}, up to {bytes(caps.max_upload_bytes)} each</li>
        <li><strong>Languages:</strong> {langs}{caps.languages.length === 1 ? " only" : ""}</li>
        <li><strong>Engine:</strong> {caps.engine}</li>
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
  const signup = mode === "signup";
  useTitle(signup ? "Create your account" : "Sign in");

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true); setError("");
    try {
      const session = signup ? await api.register(email, password) : await api.login(email, password);
      onSignedIn(session.user);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not reach the server. Check your connection.");
    } finally { setBusy(false); }
  }

  return (
    <div className="auth-page">
    <About />
    <section className="card auth">
      <h1>{signup ? "Create your account" : "Sign in"}</h1>
      {notice && <p className="notice" role="status">{notice}</p>}
      <form onSubmit={submit}>
        <label>Email<input type="email" autoComplete="email" required value={email}
          onChange={(e) => setEmail(e.target.value)} /></label>
        <label>Password<input type="password" autoComplete={signup ? "new-password" : "current-password"} required
          minLength={signup ? 8 : 1} value={password} onChange={(e) => setPassword(e.target.value)} /></label>
        {signup && <p className="hint">At least 8 characters; very common passwords are refused.</p>}
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? "Please wait…" : signup ? "Sign up" : "Sign in"}</button>
      </form>
      {!signup && <p><a href="/forgot-password" onClick={(e) => { e.preventDefault(); navigate("/forgot-password"); }}>
        Forgot your password?</a></p>}
      <p>{signup ? "Already have an account? " : "New here? "}
        <a href={signup ? "/login" : "/signup"} onClick={(e) => { e.preventDefault(); navigate(signup ? "/login" : "/signup"); }}>
          {signup ? "Sign in" : "Create an account"}</a></p>
    </section>
    </div>
  );
}
