"""Answers of the public routes that show a shared transcript: never indexed, never sending a referrer, errors too."""

from __future__ import annotations

from functools import wraps

from common.domain.errors import AppError
from common.edge.http import Request, Response, Route

# What the gateway sends with the app's pages (infra/api/openapi.yaml), plus `noindex`: a link is for its reader.
SHARED_HEADERS = {"X-Robots-Tag": "noindex, nofollow, noarchive", "Referrer-Policy": "no-referrer"}


def unindexed(route: Route) -> Route:
    @wraps(route)
    def answer(req: Request) -> Response:
        try:
            res = route(req)
        except AppError as exc:  # the 404 of a dead link and the 429 of a busy address carry them too
            exc.headers = {**exc.headers, **SHARED_HEADERS}
            raise
        res.headers.update(SHARED_HEADERS)
        return res

    return answer
