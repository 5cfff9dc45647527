// The spec the API reference shows: the gateway's own, with nothing of the deployment in it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BEARER_SCHEME, publicSpec, type OpenApiDocument } from "./apiSpec";

const source = parse(readFileSync(new URL("../../../infra/api/openapi.yaml", import.meta.url), "utf8")) as OpenApiDocument;

describe("the published spec", () => {
  const spec = publicSpec(source);
  const text = JSON.stringify(spec);
  const paths = spec.paths as Record<string, Record<string, { operationId?: string }>>;

  it("keeps every API route of the gateway spec, and only those", () => {
    const api = Object.keys(source.paths as object).filter((p) => p.startsWith("/api/v1/") && p !== "/api/v1/webhooks/assemblyai");
    expect(Object.keys(paths).sort()).toEqual(api.sort());
    expect(paths["/api/v1/auth/token"].post.operationId).toBe("exchangeApiKey");
    expect(paths["/api/v1/jobs"].get.operationId).toBe("listJobs");
  });
  it("holds no Yandex extension, template value, function id or page of the app", () => {
    expect(text).not.toMatch(/x-yc-|\$\{|functions\.|spa_index_html|token_keys_url/);
    expect(Object.keys(paths).some((p) => !p.startsWith("/api/v1/"))).toBe(false);
    expect((spec.components as { securitySchemes: object }).securitySchemes).toEqual({ bearerAuth: BEARER_SCHEME });
  });
  it("shows how to call the API with a key from curl: exchange it, then list the jobs", () => {
    const description = String((spec.info as { description: string }).description);
    expect(description).toMatch(/curl -sS -X POST "\$BASE\/api\/v1\/auth\/token"/);
    expect(description).toMatch(/curl -sS "\$BASE\/api\/v1\/jobs[^"]*" -H "Authorization: Bearer \$TOKEN"/);
  });
  it("refuses to publish a template value left in, and undoes Terraform's $$ escape", () => {
    const leaky = { ...source, info: { title: "t", version: "1", description: "id ${functions.auth}" } };
    expect(() => publicSpec(leaky)).toThrow(/template value/);
    const escaped = { ...source, info: { title: "t", version: "1", description: "a shell's $${HOME}" } };
    expect(JSON.stringify(publicSpec(escaped).info)).toContain("a shell's ${HOME}");
  });
});
