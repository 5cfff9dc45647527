// Search across all of my transcripts; a hit opens its transcript at the moment the words are said.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { SearchResults } from "../api/types";
import { navigate } from "../routing";
import { errorText } from "../i18n/errors";
import { clock } from "../lib/format";

export function SearchPanel() {
  const { t } = useTranslation();
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<SearchResults | null>(null);
  const [error, setError] = useState("");

  async function run(e: FormEvent) {
    e.preventDefault();
    if (!query.trim()) return;
    try {
      setResults(await api.search(query)); setError("");
    } catch (err) {
      setError(errorText(err, "search.failed"));
    }
  }

  return (
    <section className="card" aria-labelledby="search-title">
      <h2 id="search-title">{t("search.title")}</h2>
      <form className="search-all" onSubmit={run} role="search">
        <label className="visually-hidden" htmlFor="search-all">{t("search.words")}</label>
        <input id="search-all" type="search" value={query} maxLength={200} placeholder={t("search.words")}
          onChange={(e) => setQuery(e.target.value)} />
        <button type="submit">{t("search.button")}</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {results && (results.items.length
        ? <ul className="hits" aria-live="polite">
            {results.items.map((hit) => {
              const at = hit.offset_ms ?? 0;
              const href = `/jobs/${hit.job_id}?t=${at}&q=${encodeURIComponent(results.query)}`;  // marked there
              return (
                <li key={hit.job_id}>
                  <a href={href} onClick={(e) => { e.preventDefault(); navigate(href); }}>
                    {hit.offset_ms != null ? t("search.hitAt", { name: hit.filename, time: clock(at) }) : hit.filename}</a>
                  <p className="snippet">…{hit.snippet}…</p>
                </li>
              );
            })}
          </ul>
        : <p className="hint" aria-live="polite">{t("search.none", { query: results.query })}</p>)}
    </section>
  );
}
