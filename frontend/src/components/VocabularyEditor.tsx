// The account's vocabulary: terms as they should be written and what the engine wrote instead, sent with new jobs.
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { Capabilities, VocabularyTerm } from "../api/types";
import { errorText } from "../i18n/errors";
import { loadCapabilities } from "../lib/capabilities";

type Row = { term: string; spellings: string };
const toRow = (t: VocabularyTerm): Row => ({ term: t.term, spellings: t.spellings.join(", ") });
const toTerm = (r: Row): VocabularyTerm => ({ term: r.term, spellings: r.spellings.split(",").map((s) => s.trim()).filter(Boolean) });

export function VocabularyEditor() {
  const { t } = useTranslation();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [max, setMax] = useState(200);
  const [caps, setCaps] = useState<Capabilities | null>(null);
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");

  useEffect(() => {
    void api.vocabulary().then((v) => { setRows(v.terms.map(toRow)); setMax(v.max_terms); })
      .catch((err) => setError(errorText(err)));
    void loadCapabilities().then(setCaps).catch(() => undefined);
  }, []);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!rows) return;
    setStatus(t("review.saving")); setError("");
    try {
      const saved = await api.saveVocabulary(rows.filter((r) => r.term.trim() || r.spellings.trim()).map(toTerm));
      setRows(saved.terms.map(toRow));
      setStatus(t("review.saved"));
    } catch (err) {
      setStatus(""); setError(errorText(err));
    }
  }

  const set = (n: number, change: Partial<Row>) => setRows((all) => all && all.map((r, k) => (k === n ? { ...r, ...change } : r)));
  return (
    <section className="card" aria-labelledby="vocabulary-title" data-testid="vocabulary">
      <h2 id="vocabulary-title">{t("review.title")}</h2>
      <p className="hint">{t("review.intro")}</p>
      {caps && caps.vocabulary === false && <p className="hint">{t("review.notHere", { engine: caps.engine })}</p>}
      {rows && <form onSubmit={save}>
        {!rows.length && <p className="hint">{t("review.empty")}</p>}
        <ol className="vocabulary">
          {rows.map((row, n) => (
            <li key={n}>
              <label className="inline">{t("review.term")}
                <input value={row.term} maxLength={100} onChange={(e) => set(n, { term: e.target.value })} /></label>
              <label className="inline">{t("review.spellings")}
                <input value={row.spellings} onChange={(e) => set(n, { spellings: e.target.value })} /></label>
              <button type="button" className="link" aria-label={t("review.removeAt", { n: n + 1 })}
                onClick={() => setRows(rows.filter((_, k) => k !== n))}>{t("review.remove")}</button>
            </li>
          ))}
        </ol>
        <p className="hint">{t("review.limits", { max })}</p>
        <button type="button" onClick={() => setRows([...rows, { term: "", spellings: "" }])}
          disabled={rows.length >= max}>{t("review.add")}</button>{" "}
        <button type="submit">{t("review.save")}</button> <span role="status">{status}</span>
      </form>}
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}
