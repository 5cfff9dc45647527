// Forgotten password: ask for a link by email, then choose a new password on the page the link opens.
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../api/client";
import type { User } from "../api/types";
import { navigate } from "../routing";
import { useTitle } from "../lib/title";

const offline = "Could not reach the server. Check your connection.";

function BackToSignIn() {
  return <p><a href="/login" onClick={(e) => { e.preventDefault(); navigate("/login"); }}>Back to sign in</a></p>;
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState("");
  useTitle("Reset your password");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true); setError("");
    try { setSent(await api.requestPasswordReset(email)); }
    catch (err) { setError(err instanceof ApiError ? err.message : offline); }
    finally { setBusy(false); }
  }

  return (
    <section className="card auth">
      <h1>Reset your password</h1>
      {sent ? <p className="notice" role="status">{sent}</p> : <form onSubmit={submit}>
        <p className="hint">Enter the email you signed up with; we mail you a link to choose a new password.</p>
        <label>Email<input type="email" autoComplete="email" required value={email}
          onChange={(e) => setEmail(e.target.value)} /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? "Please wait…" : "Email me a link"}</button>
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
  useTitle("Choose a new password");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true); setError("");
    try { onSignedIn((await api.resetPassword(token, password)).user); }
    catch (err) { setError(err instanceof ApiError ? err.message : offline); }
    finally { setBusy(false); }
  }

  if (!token) {
    return (
      <section className="card auth">
        <h1>Choose a new password</h1>
        <p className="error" role="alert">This page needs the link from the reset email. Open the link again, or
          ask for a new one.</p>
        <p><a href="/forgot-password" onClick={(e) => { e.preventDefault(); navigate("/forgot-password"); }}>
          Ask for a new link</a></p>
      </section>
    );
  }
  return (
    <section className="card auth">
      <h1>Choose a new password</h1>
      <form onSubmit={submit}>
        <label>New password<input type="password" autoComplete="new-password" required minLength={8} value={password}
          onChange={(e) => setPassword(e.target.value)} /></label>
        <p className="hint">At least 8 characters; very common passwords are refused. Every other session of your
          account is signed out.</p>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? "Please wait…" : "Set new password"}</button>
      </form>
      <BackToSignIn />
    </section>
  );
}
