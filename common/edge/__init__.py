"""The HTTP edge: routing, request parsing, error shapes, the caller from the authorizer's claims, idempotency keys,
trigger events. Knows HTTP, nothing of SQL; calls the domain (docs/architecture.md)."""
