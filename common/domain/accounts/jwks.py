"""The public documents the gateway's JWT authorizer reads: a JWKS with every verification key, and an OpenID
configuration naming it. deploy.sh publishes them to the cloud's keys bucket; the local cloud to its own."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from common.domain.accounts.tokens import ALGORITHM, ISSUER

JWKS_PATH = "jwks.json"
OPENID_CONFIGURATION_PATH = ".well-known/openid-configuration"


def public_jwk(pem: str, kid: str) -> dict[str, Any]:
    """The public JWK of a PEM key (private or public), tagged with its key id."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
    from jwt.algorithms import ECAlgorithm

    data = pem.encode()
    key = load_pem_private_key(data, None) if b"PRIVATE KEY" in data else load_pem_public_key(data)
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
        raise ValueError(f"key {kid!r} is not a P-256 EC key (tokens are {ALGORITHM})")
    jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(public))
    return {**jwk, "kid": kid, "use": "sig", "alg": ALGORITHM}


def documents(keys: Mapping[str, str], base_url: str) -> dict[str, bytes]:
    """Object path → content for the keys location; `keys` maps key id → PEM, all of them published."""
    if not keys:
        raise ValueError("no token keys to publish")
    jwks = {"keys": [public_jwk(pem, kid) for kid, pem in sorted(keys.items())]}
    openid = {
        "issuer": ISSUER,
        "jwks_uri": f"{base_url.rstrip('/')}/{JWKS_PATH}",
        "id_token_signing_alg_values_supported": [ALGORITHM],
    }
    return {
        JWKS_PATH: json.dumps(jwks, indent=1).encode(),
        OPENID_CONFIGURATION_PATH: json.dumps(openid, indent=1).encode(),
    }


def new_private_key_pem() -> str:
    """A fresh P-256 signing key (PKCS#8 PEM), for the local cloud and tests; the cloud's comes from Terraform."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
