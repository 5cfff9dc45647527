"""What every HTTP handler shares: the signed-in user's id and path parameters as UUIDs."""

from __future__ import annotations

import uuid

from common.config import Settings
from common.errors import NotFound
from common.http import Request
from common.security import user_id_from_authorization


def caller(req: Request, settings: Settings) -> uuid.UUID:
    return user_id_from_authorization(req.header("authorization"), settings)


def path_id(req: Request, name: str) -> uuid.UUID:
    """A path id; a malformed one is as absent as an unknown one."""
    try:
        return uuid.UUID(req.path_params.get(name, ""))
    except ValueError:
        raise NotFound(f"no such {name.removesuffix('_id')}", f"{name.removesuffix('_id')}_not_found") from None
