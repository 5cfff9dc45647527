// An address the app does not have: said plainly, with the way back (not the dashboard under a wrong URL).
import { navigate } from "../routing";
import { useTitle } from "../lib/title";

export function NotFoundPage() {
  useTitle("Page not found");
  return (
    <section className="card">
      <h1>Page not found</h1>
      <p>There is nothing at <code>{window.location.pathname}</code>. The link may be mistyped, or the page was
        removed.</p>
      <p><a href="/" onClick={(e) => { e.preventDefault(); navigate("/"); }}>Go to your transcriptions</a></p>
    </section>
  );
}
