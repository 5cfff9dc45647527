// The API reference at /api/docs: the gateway spec (infra/api/openapi.yaml, cleaned at build time) rendered by Swagger
// UI. A chunk of its own, loaded only when this page opens (App.tsx: lazy), so the app's first load stays small.
// Swagger UI is the renderer that works under the app's Content-Security-Policy as it is (no inline styles or
// scripts, no fonts or images from elsewhere): Redoc and RapiDoc inject <style> elements the policy refuses.
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import SwaggerUIBundle from "swagger-ui-dist/swagger-ui-bundle.js";
import "swagger-ui-dist/swagger-ui.css";
import spec from "virtual:openapi-spec";
import { useTitle } from "../lib/title";

export default function ApiDocsPage() {
  const { t } = useTranslation();
  const root = useRef<HTMLDivElement>(null);
  useTitle(t("apiDocs.title"));

  useEffect(() => {
    if (!root.current) return;
    SwaggerUIBundle({
      spec, domNode: root.current, deepLinking: false, docExpansion: "list", defaultModelsExpandDepth: 0,
      validatorUrl: null,  // no call to swagger.io's validator: the page talks to this site only
      tryItOutEnabled: false,
    });
    const node = root.current;
    return () => { node.replaceChildren(); };
  }, []);

  return (
    <section className="card api-docs" aria-labelledby="api-docs-title">
      <h1 id="api-docs-title">{t("apiDocs.title")}</h1>
      <p className="hint">{t("apiDocs.intro")}</p>
      <div ref={root} data-testid="api-reference" />
    </section>
  );
}
