// The app shell: who is signed in, which page is showing (history API, no router library needed).
import { useCallback, useEffect, useState } from "react";
import { api } from "./api/client";
import type { User } from "./api/types";
import { AccountPage } from "./pages/AccountPage";
import { AuthPage } from "./pages/AuthPage";
import { JobsPage } from "./pages/JobsPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { ForgotPasswordPage, ResetPasswordPage } from "./pages/PasswordResetPages";
import { TranscriptPage } from "./pages/TranscriptPage";
import { navigate } from "./routing";

const KNOWN = [/^\/$/, /^\/(login|signup|forgot-password|reset-password|account)$/, /^\/jobs\/[^/]+$/];

export function App() {
  const [path, setPath] = useState(window.location.pathname);
  const [startAt, setStartAt] = useState(() => Number(new URLSearchParams(window.location.search).get("t")) || 0);
  const [find, setFind] = useState(() => new URLSearchParams(window.location.search).get("q") ?? "");
  const [user, setUser] = useState<User | null>(null);
  const [checking, setChecking] = useState(Boolean(api.token));
  const [notice, setNotice] = useState("");

  useEffect(() => {
    const onPop = () => {
      setPath(window.location.pathname);
      setStartAt(Number(new URLSearchParams(window.location.search).get("t")) || 0);
      setFind(new URLSearchParams(window.location.search).get("q") ?? "");
    };
    window.addEventListener("popstate", onPop);
    api.onExpired = (message) => { setUser(null); setNotice(message); navigate("/login"); };
    if (api.token) api.me().then(setUser).catch(() => undefined).finally(() => setChecking(false));
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const signedIn = useCallback((u: User) => { setUser(u); setNotice(""); navigate("/"); }, []);
  const signOut = () => { void api.logout().finally(() => { setUser(null); navigate("/login"); }); };

  if (checking) return <main className="shell"><p aria-live="polite">Loading…</p></main>;
  const jobMatch = path.match(/^\/jobs\/([^/]+)$/);
  let page;
  // A reset link works signed in or out (someone signed in elsewhere may still have forgotten the password).
  if (!KNOWN.some((known) => known.test(path))) page = <NotFoundPage />;
  else if (path === "/reset-password") page = <ResetPasswordPage onSignedIn={signedIn} />;
  else if (!user && path === "/forgot-password") page = <ForgotPasswordPage />;
  else if (!user) page = <AuthPage mode={path === "/signup" ? "signup" : "login"} notice={notice} onSignedIn={signedIn} />;
  else if (jobMatch) page = <TranscriptPage jobId={decodeURIComponent(jobMatch[1])} startAt={startAt} find={find} />;
  else if (path === "/account") {
    page = <AccountPage user={user} onDeleted={() => { setUser(null); setNotice("Your account was deleted."); navigate("/signup"); }} />;
  }
  else page = <JobsPage />;

  return (
    <>
      <header className="topbar">
        <a href="/" className="brand" onClick={(e) => { e.preventDefault(); navigate("/"); }}>Transcribe</a>
        {user && <span className="who">
          <a href="/account" onClick={(e) => { e.preventDefault(); navigate("/account"); }}>{user.email}</a>
          <button className="link" onClick={signOut}>Sign out</button></span>}
      </header>
      <main className="shell">{page}</main>
    </>
  );
}
