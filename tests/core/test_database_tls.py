"""The cloud's DATABASE_URL says sslmode=verify-full: psycopg must then check the server against Yandex's root CA,
which the zips carry, as managed-postgresql/operations/connect.md connects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlalchemy import event

from common.store.db import YANDEX_CA, build_engine

# SHA-256 of CN=YandexInternalRootCA (openssl x509 -fingerprint -sha256 on https://storage.yandexcloud.net/cloud-certs/CA.pem)
FINGERPRINT = "E3C31926 46536BC4 FFAE6DD3 4324EF9D D8D3B16D FA13A24E 13180EF1 4BA21BBA".replace(" ", "")


class Captured(Exception):
    pass


def connect_params(url: str) -> dict[str, Any]:
    """What psycopg would be handed for this URL (the connection itself is never opened)."""
    engine = build_engine(url)
    seen: dict[str, Any] = {}

    @event.listens_for(engine, "do_connect")
    def capture(_dialect: Any, _record: Any, _args: Any, kwargs: dict[str, Any]) -> None:
        seen.update(kwargs)
        raise Captured

    with pytest.raises(Captured), engine.connect():
        pass
    engine.dispose()
    return seen


def test_verify_full_checks_the_server_against_the_bundled_yandex_ca() -> None:
    params = connect_params("postgresql://u:p@c-abc.rw.mdb.yandexcloud.net:6432/transcribe?sslmode=verify-full")
    assert params["sslmode"] == "verify-full"
    assert params["sslrootcert"] == YANDEX_CA
    cert = x509.load_pem_x509_certificate(Path(YANDEX_CA).read_bytes())
    assert cert.subject.rfc4514_string() == "CN=YandexInternalRootCA"
    assert cert.fingerprint(hashes.SHA256()).hex().upper() == FINGERPRINT


def test_a_url_naming_its_own_ca_and_a_url_without_verification_are_left_alone() -> None:
    own = connect_params("postgresql://u@127.0.0.1:5432/d?sslmode=verify-full&sslrootcert=/etc/ca.pem")
    assert own["sslrootcert"] == "/etc/ca.pem"
    assert "sslrootcert" not in connect_params("postgresql://u@127.0.0.1:5432/d?sslmode=disable")
