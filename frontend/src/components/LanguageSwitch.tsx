// The language switch, on every page (in the header): each language named in itself, so anyone can find theirs.
import { useTranslation } from "react-i18next";
import { chooseLanguage, language, LANGUAGES, NATIVE_NAMES, type Language } from "../i18n/i18n";

export function LanguageSwitch({ onChange }: { onChange?: (lng: Language) => void }) {
  const { t } = useTranslation();
  return (
    <label className="inline language-switch">
      <span className="visually-hidden">{t("app.language")}</span>
      <select value={language()} data-testid="language-switch" onChange={(e) => {
        const lng = e.target.value as Language;
        chooseLanguage(lng);
        onChange?.(lng);
      }}>
        {LANGUAGES.map((lng) => <option key={lng} value={lng} lang={lng}>{NATIVE_NAMES[lng]}</option>)}
      </select>
    </label>
  );
}
