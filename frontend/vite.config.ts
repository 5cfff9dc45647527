import react from "@vitejs/plugin-react";
import { readFileSync } from "node:fs";
import { defineConfig, type Plugin } from "vite";
import { parse } from "yaml";
import { publicSpec } from "./src/lib/apiSpec.ts";

// The gateway spec as the API reference shows it (src/pages/ApiDocsPage.tsx imports "virtual:openapi-spec"): read
// and cleaned at build time, so it goes into the reference's own lazily loaded chunk, never into the main bundle.
function openapiSpec(): Plugin {
  const id = "virtual:openapi-spec", resolved = "\0" + id;
  const file = new URL("../infra/api/openapi.yaml", import.meta.url).pathname;
  return {
    name: "openapi-spec",
    resolveId: (source) => (source === id ? resolved : null),
    load(loaded) {
      if (loaded !== resolved) return null;
      this.addWatchFile(file);
      return `export default ${JSON.stringify(publicSpec(parse(readFileSync(file, "utf8"))))};`;
    },
  };
}

// Static files for Object Storage; the API is same-origin unless VITE_API_BASE_URL says otherwise. The manifest
// (dist/.vite/, never uploaded) tells scripts/size.mjs which files the first page loads and which load on demand.
export default defineConfig({
  plugins: [react(), openapiSpec()],
  // The API reference chunk (Swagger UI) is ~1.6 MB before gzip, loaded at /api/docs only: size.mjs budgets it.
  build: { outDir: "dist", sourcemap: false, target: "es2022", manifest: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { "/api/v1": "http://127.0.0.1:8080" } },  // not /api/docs: a page of this app
  test: { environment: "node", include: ["src/**/*.test.ts", "src/**/*.test.tsx"] },
});
