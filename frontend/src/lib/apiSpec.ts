// The API reference's document: infra/api/openapi.yaml (the gateway spec itself, so the reference cannot drift from
// the routes) made fit to publish. The Vite build runs this over the parsed YAML (vite.config.ts, the module
// "virtual:openapi-spec"), so the page ships the spec of the very build it belongs to.
//
// What goes: Yandex's extensions (function ids, buckets, the rendered index.html are Terraform template values:
// `${…}`), the operations that serve the web app itself (tag `spa`), and callbacks meant for a provider, not for
// people (AssemblyAI's webhook). The bearer scheme is the gateway's JWT authorizer, whose JWKS address is a template
// value too: it is described as what a caller sends, a bearer token.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type OpenApiDocument = { [key: string]: Json };

const INTERNAL_TAGS = new Set(["spa"]);
const INTERNAL_OPERATIONS = new Set(["assemblyaiWebhook"]);
const METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options", "trace"]);

export const BEARER_SCHEME = {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT",
  description: "An access token: from POST /api/v1/auth/login (a person), or POST /api/v1/auth/token (an API key).",
};

// Drops `x-yc-…` keys at every depth.
function clean(node: Json): Json {
  if (Array.isArray(node)) return node.map(clean);
  if (node && typeof node === "object") {
    return Object.fromEntries(Object.entries(node).filter(([k]) => !k.startsWith("x-yc-")).map(([k, v]) => [k, clean(v)]));
  }
  return node;
}

function published(op: Json): boolean {
  if (!op || typeof op !== "object" || Array.isArray(op)) return false;
  const tags = Array.isArray(op.tags) ? op.tags : [];
  return !tags.some((tag) => INTERNAL_TAGS.has(String(tag))) && !INTERNAL_OPERATIONS.has(String(op.operationId));
}

export function publicSpec(source: OpenApiDocument): OpenApiDocument {
  const doc = clean(source) as OpenApiDocument;
  const paths: Record<string, Json> = {};
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, Json>>)) {
    const kept = Object.fromEntries(Object.entries(item).filter(([method, op]) => !METHODS.has(method) || published(op)));
    if (Object.keys(kept).some((method) => METHODS.has(method))) paths[path] = kept;
  }
  const components = (doc.components ?? {}) as Record<string, Json>;
  const schemes = (components.securitySchemes ?? {}) as Record<string, Json>;
  const out: OpenApiDocument = {
    ...doc,
    paths,
    components: { ...components, securitySchemes: Object.fromEntries(Object.keys(schemes).map((name) => [name, BEARER_SCHEME])) },
  };
  const text = JSON.stringify(out);
  const left = text.match(/(?<!\$)\$\{[^}]*\}/);
  if (left) throw new Error(`the published spec still holds a template value: ${left[0]}`);
  return JSON.parse(text.replaceAll("$${", "${")) as OpenApiDocument;  // Terraform's escape: `$${` is a plain `${`
}
