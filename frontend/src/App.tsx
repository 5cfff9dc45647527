// The app shell: who is signed in, which page is showing (history API, no router library needed).
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "./api/client";
import type { User } from "./api/types";
import { LanguageSwitch } from "./components/LanguageSwitch";
import { i18n, language, storedLanguage, type Language } from "./i18n/i18n";
import { APP_NAME } from "./lib/title";
import { AccountPage } from "./pages/AccountPage";
import { AuthPage } from "./pages/AuthPage";
import { JobsPage } from "./pages/JobsPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { ForgotPasswordPage, ResetPasswordPage } from "./pages/PasswordResetPages";
import { SharedPage } from "./pages/SharedPage";
import { TranscriptPage } from "./pages/TranscriptPage";
import { navigate } from "./routing";

// The API reference (Swagger UI and the spec) is loaded only when opened: its own chunk, outside the first load.
const ApiDocsPage = lazy(() => import("./pages/ApiDocsPage"));

// Signed in, the account and this browser agree on the language: a choice made here goes to the account (its mail
// follows it); with no choice made here, the account's language is shown.
function agreeOnLanguage(user: User): void {
  const chosen = storedLanguage();
  if (chosen && chosen !== user.language) void api.changeLanguage(chosen).catch(() => undefined);
  else if (!chosen && user.language && user.language !== language()) void i18n.changeLanguage(user.language);
}

const KNOWN = [/^\/$/, /^\/(login|signup|forgot-password|reset-password|account)$/, /^\/jobs\/[^/]+$/, /^\/api\/docs$/,
  /^\/s\/[^/]+$/];

export function App() {
  const { t } = useTranslation();
  const [path, setPath] = useState(window.location.pathname);
  const [startAt, setStartAt] = useState(() => Number(new URLSearchParams(window.location.search).get("t")) || 0);
  const [find, setFind] = useState(() => new URLSearchParams(window.location.search).get("q") ?? "");
  const [user, setUser] = useState<User | null>(null);
  const [checking, setChecking] = useState(Boolean(api.token));
  const [notice, setNotice] = useState("");  // a catalogue key, so it follows the language switch

  useEffect(() => {
    const onPop = () => {
      setPath(window.location.pathname);
      setStartAt(Number(new URLSearchParams(window.location.search).get("t")) || 0);
      setFind(new URLSearchParams(window.location.search).get("q") ?? "");
    };
    window.addEventListener("popstate", onPop);
    api.onExpired = () => {
      setUser(null); setNotice("app.sessionExpired");
      if (!window.location.pathname.startsWith("/s/")) navigate("/login");  // a shared page needs no session
    };
    if (api.token) {
      api.me().then((u) => { agreeOnLanguage(u); setUser(u); }).catch(() => undefined)
        .finally(() => setChecking(false));
    }
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const signedIn = useCallback((u: User) => { agreeOnLanguage(u); setUser(u); setNotice(""); navigate("/"); }, []);
  const switched = (lng: Language) => { if (user) void api.changeLanguage(lng).catch(() => undefined); };
  const signOut = () => { void api.logout().finally(() => { setUser(null); navigate("/login"); }); };

  if (checking) return <main className="shell"><p aria-live="polite">{t("app.loading")}</p></main>;
  const jobMatch = path.match(/^\/jobs\/([^/]+)$/);
  const sharedMatch = path.match(/^\/s\/([^/]+)$/);
  let page;
  // A reset link works signed in or out (someone signed in elsewhere may still have forgotten the password).
  if (!KNOWN.some((known) => known.test(path))) page = <NotFoundPage />;
  else if (sharedMatch) page = <SharedPage token={decodeURIComponent(sharedMatch[1])} />;  // signed in or out
  else if (path === "/reset-password") page = <ResetPasswordPage onSignedIn={signedIn} />;
  else if (path === "/api/docs") {  // signed in or out: the reference is public, like the spec
    page = <Suspense fallback={<p aria-live="polite">{t("app.loading")}</p>}><ApiDocsPage /></Suspense>;
  }
  else if (!user && path === "/forgot-password") page = <ForgotPasswordPage />;
  else if (!user) page = <AuthPage mode={path === "/signup" ? "signup" : "login"} notice={notice && t(notice)} onSignedIn={signedIn} />;
  else if (jobMatch) page = <TranscriptPage jobId={decodeURIComponent(jobMatch[1])} startAt={startAt} find={find} />;
  else if (path === "/account") {
    page = <AccountPage user={user} onDeleted={() => { setUser(null); setNotice("app.accountDeleted"); navigate("/signup"); }} />;
  }
  else page = <JobsPage />;

  return (
    <>
      <header className="topbar">
        <a href="/" className="brand" onClick={(e) => { e.preventDefault(); navigate("/"); }}>{APP_NAME}</a>
        <span className="who">
          <LanguageSwitch onChange={switched} />
          {user && <>
          <a href="/account" onClick={(e) => { e.preventDefault(); navigate("/account"); }}>{user.email}</a>
          <button className="link" onClick={signOut}>{t("app.signOut")}</button></>}</span>
      </header>
      <main className="shell">{page}</main>
    </>
  );
}
