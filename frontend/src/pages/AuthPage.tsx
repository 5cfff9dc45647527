import { useState, type FormEvent } from "react";
import { api, ApiError } from "../api/client";
import type { User } from "../api/types";
import { navigate } from "../App";

export function AuthPage({ mode, notice, onSignedIn }: { mode: "login" | "signup"; notice: string;
  onSignedIn: (u: User) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const signup = mode === "signup";

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
    <section className="card auth">
      <h1>{signup ? "Create your account" : "Sign in"}</h1>
      {notice && <p className="notice" role="status">{notice}</p>}
      <form onSubmit={submit}>
        <label>Email<input type="email" autoComplete="email" required value={email}
          onChange={(e) => setEmail(e.target.value)} /></label>
        <label>Password<input type="password" autoComplete={signup ? "new-password" : "current-password"} required
          minLength={signup ? 8 : 1} value={password} onChange={(e) => setPassword(e.target.value)} /></label>
        {signup && <p className="hint">At least 8 characters.</p>}
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? "Please wait…" : signup ? "Sign up" : "Sign in"}</button>
      </form>
      <p>{signup ? "Already have an account? " : "New here? "}
        <a href={signup ? "/login" : "/signup"} onClick={(e) => { e.preventDefault(); navigate(signup ? "/login" : "/signup"); }}>
          {signup ? "Sign in" : "Create an account"}</a></p>
    </section>
  );
}
