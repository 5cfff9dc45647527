"""A local Yandex API Gateway: routes from infra/api/openapi.yaml, Cloud Functions events, the SPA's files."""
