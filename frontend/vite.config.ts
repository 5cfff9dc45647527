import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Static files for Object Storage; the API is same-origin unless VITE_API_BASE_URL says otherwise.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: false, target: "es2022" },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
  test: { environment: "node", include: ["src/**/*.test.ts", "src/**/*.test.tsx"] },
});
