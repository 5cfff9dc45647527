// After a correction: "always write it this way", which adds the term (and what was heard) to the user's vocabulary.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import { errorText } from "../i18n/errors";
import { navigate } from "../routing";
import { withCorrection, type Correction } from "../lib/review";

export function VocabularyOffer({ correction, onDone }: { correction: Correction; onDone: () => void }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<"offered" | "adding" | "added">("offered");
  const [error, setError] = useState("");
  const phrase = correction.to.includes(" ");  // a phrase is a term to listen for; a word also replaces what was heard

  async function accept() {
    setStatus("adding"); setError("");
    try {
      const { terms } = await api.vocabulary();
      await api.saveVocabulary(withCorrection(terms, correction));
      setStatus("added");
    } catch (err) {
      setStatus("offered"); setError(errorText(err));
    }
  }

  return (
    <div className="vocabulary-offer" role="status" data-testid="vocabulary-offer">
      {status === "added"
        ? <p>{t("review.added")}{" "}
            <a href="/account" onClick={(e) => { e.preventDefault(); navigate("/account"); }}>{t("review.seeVocabulary")}</a>
            {" "}<button className="link" onClick={onDone}>{t("transcript.close")}</button></p>
        : <p>{phrase ? t("review.offerTerm", { to: correction.to }) : t("review.offer", { from: correction.from, to: correction.to })}{" "}
            <button onClick={() => void accept()} disabled={status === "adding"}>
              {status === "adding" ? t("review.adding") : t("review.accept")}</button>{" "}
            <button className="link" onClick={onDone}>{t("review.dismiss")}</button></p>}
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}
