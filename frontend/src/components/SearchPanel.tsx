// Search across all of my transcripts; a hit opens its transcript at the moment the words are said.
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../api/client";
import type { SearchResults } from "../api/types";
import { navigate } from "../routing";
import { clock } from "../lib/format";

export function SearchPanel() {
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<SearchResults | null>(null);
  const [error, setError] = useState("");

  async function run(e: FormEvent) {
    e.preventDefault();
    if (!query.trim()) return;
    try {
      setResults(await api.search(query)); setError("");
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not search; try again.");
    }
  }

  return (
    <section className="card" aria-labelledby="search-title">
      <h2 id="search-title">Search your transcripts</h2>
      <form className="search-all" onSubmit={run} role="search">
        <label className="visually-hidden" htmlFor="search-all">Words to find</label>
        <input id="search-all" type="search" value={query} maxLength={200} placeholder="Words to find"
          onChange={(e) => setQuery(e.target.value)} />
        <button type="submit">Search</button>
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
                    {hit.filename}{hit.offset_ms != null ? ` at ${clock(at)}` : ""}</a>
                  <p className="snippet">…{hit.snippet}…</p>
                </li>
              );
            })}
          </ul>
        : <p className="hint" aria-live="polite">No transcript of yours has “{results.query}”.</p>)}
    </section>
  );
}
