"""Access tokens as the gateway's JWT authorizer sees them: `ver` a string claim (claims reach functions as
map[string]string), iat and nbf back-dated so a gateway clock a moment behind ours takes a token just issued, and the
tokens issued before `ver` became a string still accepted until they expire."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from common.domain.accounts.tokens import CLOCK_SKEW_SECONDS, issue_token, token_version
from common.runtime.config import get_settings
from tests.api import Api, signed_up
from tests.conftest import unique_email

pytestmark = pytest.mark.usefixtures("clean_db")
ME = "/api/v1/auth/me"


def test_a_new_token_carries_ver_as_a_string_and_is_valid_from_30_seconds_ago() -> None:
    before = int(time.time())
    token, ttl = issue_token(uuid.uuid4(), get_settings(), version=3)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["ver"] == "3"
    assert CLOCK_SKEW_SECONDS == 30
    for name in ("iat", "nbf"):
        assert before - 31 <= claims[name] <= int(time.time()) - 30, name
    assert claims["exp"] - claims["iat"] == ttl + 30


def test_a_token_signed_in_the_old_way_with_a_numeric_ver_still_works() -> None:
    """Issued before this change: `ver` a JSON number, iat the second of issue. The gateway passes it on as text."""
    email = unique_email()
    api = signed_up(email)
    claims = jwt.decode(api.token or "", options={"verify_signature": False})
    settings = get_settings()
    now = int(time.time())
    old = {**claims, "ver": int(claims["ver"]), "iat": now, "nbf": now}
    token = jwt.encode(old, settings.JWT_PRIVATE_KEY, algorithm="ES256", headers={"kid": settings.JWT_KEY_ID})
    assert Api(token).get(ME).status == 200
    assert api.get(ME).status == 200


@pytest.mark.parametrize(("claim", "version"), [("0", 0), ("12", 12), ("1.0", 1), ("1e+00", 1), ("2E0", 2)])
def test_the_ways_a_gateway_may_render_a_version_are_read(claim: str, version: int) -> None:
    assert token_version(claim) == version


@pytest.mark.parametrize("claim", ["", "1.5", "-1", "abc", "\u0661", "nan", "inf", "1" * 12])
def test_anything_else_is_not_a_version(claim: str) -> None:
    with pytest.raises(ValueError):
        token_version(claim)
