// The account: change the password (other sessions end), or delete the account and everything of it.
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../api/client";
import type { User } from "../api/types";
import { useTitle } from "../lib/title";

export function AccountPage({ user, onDeleted }: { user: User; onDeleted: () => void }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [changeStatus, setChangeStatus] = useState("");
  const [confirm, setConfirm] = useState("");
  const [deleteError, setDeleteError] = useState("");
  useTitle("Your account");

  async function change(e: FormEvent) {
    e.preventDefault();
    setChangeStatus("Saving…");
    try {
      await api.changePassword(current, next);
      setCurrent(""); setNext("");
      setChangeStatus("Password changed. Your other sessions have been signed out.");
    } catch (err) {
      setChangeStatus(err instanceof ApiError ? err.message : "Could not reach the server. Check your connection.");
    }
  }

  async function remove(e: FormEvent) {
    e.preventDefault();
    if (!window.confirm("Delete your account, every recording and every transcript? This cannot be undone.")) return;
    try {
      await api.deleteAccount(confirm);
      onDeleted();
    } catch (err) {
      setDeleteError(err instanceof ApiError ? err.message : "Could not reach the server. Check your connection.");
    }
  }

  return (
    <>
      <section className="card" aria-labelledby="password-title">
        <h1>Your account</h1>
        <p className="hint">Signed in as {user.email}.</p>
        <h2 id="password-title">Change your password</h2>
        <form onSubmit={change}>
          <label>Current password<input type="password" autoComplete="current-password" required value={current}
            onChange={(e) => setCurrent(e.target.value)} /></label>
          <label>New password<input type="password" autoComplete="new-password" required minLength={8} value={next}
            onChange={(e) => setNext(e.target.value)} /></label>
          <button type="submit">Change password</button> <span role="status">{changeStatus}</span>
        </form>
      </section>
      <section className="card" aria-labelledby="delete-title">
        <h2 id="delete-title">Delete your account</h2>
        <p>Your recordings, transcripts and any copies at the speech provider are deleted. This cannot be undone.</p>
        <form onSubmit={remove}>
          <label>Password<input type="password" autoComplete="current-password" required value={confirm}
            onChange={(e) => setConfirm(e.target.value)} /></label>
          {deleteError && <p className="error" role="alert">{deleteError}</p>}
          <button type="submit" className="danger">Delete my account</button>
        </form>
      </section>
    </>
  );
}
