// Modules the build provides or that ship without types.
declare module "virtual:openapi-spec" {
  import type { OpenApiDocument } from "./lib/apiSpec";
  const spec: OpenApiDocument;
  export default spec;
}

// Swagger UI's self-contained browser build (its own React inside): the one call the reference page makes.
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const SwaggerUIBundle: (options: Record<string, unknown>) => unknown;
  export default SwaggerUIBundle;
}
