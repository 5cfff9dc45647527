// An address the app does not have: said plainly, with the way back (not the dashboard under a wrong URL).
import { Trans, useTranslation } from "react-i18next";
import { navigate } from "../routing";
import { useTitle } from "../lib/title";

export function NotFoundPage() {
  const { t } = useTranslation();
  useTitle(t("notFound.title"));
  return (
    <section className="card">
      <h1>{t("notFound.title")}</h1>
      <p><Trans i18nKey="notFound.text" values={{ path: window.location.pathname }} components={{ code: <code /> }} /></p>
      <p><a href="/" onClick={(e) => { e.preventDefault(); navigate("/"); }}>{t("notFound.home")}</a></p>
    </section>
  );
}
