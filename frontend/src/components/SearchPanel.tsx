// Search across all of my transcripts; a hit opens its transcript at the moment the words are said.
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { Folder, SearchResults } from "../api/types";
import { navigate } from "../routing";
import { errorText } from "../i18n/errors";
import { clock } from "../lib/format";

// Everywhere, or within one folder: the folder shown in the list, unless the person picks another.
export function SearchPanel({ folders = [], folder = null }: { folders?: Folder[]; folder?: string | null }) {
  const { t } = useTranslation();
  const [where, setWhere] = useState<string>(folder ?? "");
  useEffect(() => { setWhere(folder ?? ""); }, [folder]);
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<SearchResults | null>(null);
  const [error, setError] = useState("");

  async function run(e: FormEvent) {
    e.preventDefault();
    if (!query.trim()) return;
    try {
      setResults(await api.search(query, where || undefined)); setError("");
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
        {folders.length > 0 &&
          <select value={where} onChange={(e) => setWhere(e.target.value)} aria-label={t("organise.searchWhere")}
            data-testid="search-folder">
            <option value="">{t("organise.everywhere")}</option>
            {folders.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
          </select>}
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
