"""AWS Signature V4 verification in front of the local S3 server, so it rejects what Object Storage rejects.

moto's server accepts any signature (or none); this WSGI middleware checks presigned URLs and header-signed
requests by recomputing the signature with botocore's own signer, and answers with S3's XML errors before
the request reaches moto. Only path-style addressing (`/bucket/key`) is understood, as our clients use it.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import IO, Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from xml.sax.saxutils import escape

from botocore.auth import SIGV4_TIMESTAMP, S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

StartResponse = Callable[..., Any]

MAX_EXPIRES_S = 604800  # a presigned URL lives at most a week
MAX_SKEW_S = 15 * 60  # S3 refuses header-signed requests this far from its own clock
DRAIN_LIMIT = 64 * 1024 * 1024
CHUNK = 64 * 1024
QUERY_AUTH = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders")
HEADER_AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=(\w+)$")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class S3Error(Exception):
    def __init__(self, status: int, code: str, message: str, **details: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def _mismatch(**details: str) -> S3Error:
    return S3Error(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method.",
        **details,
    )


def _timestamp(value: str, error: S3Error) -> float:
    try:
        return datetime.strptime(value, SIGV4_TIMESTAMP).replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise error from None


def _from_http_date(value: str | None) -> str | None:
    """A `Date:` header in SigV4's timestamp form (clients may sign Date instead of X-Amz-Date)."""
    try:
        return parsedate_to_datetime(value).astimezone(UTC).strftime(SIGV4_TIMESTAMP) if value else None
    except (TypeError, ValueError):
        return None


def _header(environ: dict[str, Any], name: str) -> str | None:
    key = name.upper().replace("-", "_")
    value = environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}")
    return None if value in (None, "") else str(value)  # WSGI servers set CONTENT_TYPE="" when it was not sent


def _raw_target(environ: dict[str, Any]) -> tuple[str, str]:
    """The path and query exactly as the client sent them: that is what it signed (percent-encoding included)."""
    if raw := str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""):
        if not raw.startswith("/"):  # the absolute form a client sends through a proxy
            raw = urlsplit(raw)._replace(scheme="", netloc="").geturl()
        path, _, query = raw.partition("?")
        return path, query
    path_info = str(environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8", "replace")
    return quote(path_info, safe="/~"), str(environ.get("QUERY_STRING", ""))


class SigV4Verifier:
    """WSGI middleware: verify SigV4 (presigned query or Authorization header) and reject like S3; else pass on."""

    def __init__(
        self,
        app: Any,
        credentials: dict[str, str],
        public_read_buckets: Iterable[str] = frozenset(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app, self.credentials, self.clock = app, dict(credentials), clock
        self.public_read_buckets = frozenset(public_read_buckets)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            self._verify(environ)
        except S3Error as exc:
            self._drain(environ)
            return self._error(environ, start_response, exc)
        return self.app(environ, start_response)

    # verification

    def _verify(self, environ: dict[str, Any]) -> None:
        method = environ["REQUEST_METHOD"]
        if method == "OPTIONS":
            return  # a CORS preflight is never signed (its URL may carry a presigned query); moto answers it
        path, query = _raw_target(environ)
        params = dict(parse_qsl(query, keep_blank_values=True))
        authorization = _header(environ, "Authorization")
        presigned = any(name in params for name in (*QUERY_AUTH, "X-Amz-Signature"))
        if authorization and presigned:
            raise S3Error(
                400,
                "InvalidArgument",
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                "parameter, Signature query string parameter or the Authorization header should be specified",
            )
        if presigned:
            self._verify_query(environ, method, path, query, params)
        elif authorization:
            self._verify_header(environ, method, path, query, authorization)
        else:
            bucket, _, key = unquote(path).lstrip("/").partition("/")
            if not (method in ("GET", "HEAD") and key and bucket in self.public_read_buckets):
                raise S3Error(403, "AccessDenied", "Access Denied")

    def _verify_query(
        self, environ: dict[str, Any], method: str, path: str, query: str, params: dict[str, str]
    ) -> None:
        def malformed(message: str) -> S3Error:
            return S3Error(400, "AuthorizationQueryParametersError", message)

        if missing := [name for name in (*QUERY_AUTH, "X-Amz-Signature") if not params.get(name)]:
            raise malformed(f"Query-string authentication version 4 requires the {', '.join(missing)} parameters.")
        if params["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
            raise malformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
        try:
            expires = int(params["X-Amz-Expires"])
        except ValueError:
            raise malformed("X-Amz-Expires should be a number") from None
        if expires < 0:
            raise malformed("X-Amz-Expires must be non-negative")
        if expires > MAX_EXPIRES_S:
            raise malformed(f"X-Amz-Expires must be less than a week (in seconds) that is; {MAX_EXPIRES_S}")
        amz_date = params["X-Amz-Date"]
        signed_at = _timestamp(
            amz_date, malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
        )
        access_key, secret, region = self._scope(params["X-Amz-Credential"], amz_date, malformed)
        if signed_at + expires < self.clock():
            raise S3Error(403, "AccessDenied", "Request has expired")
        # The client signed the query without X-Amz-Signature, in the order and encoding it sent.
        unsigned_query = "&".join(p for p in query.split("&") if p.partition("=")[0] != "X-Amz-Signature")
        signer = S3SigV4QueryAuth(Credentials(access_key, secret), "s3", region)
        self._check(
            signer,
            environ,
            method,
            path,
            unsigned_query,
            params["X-Amz-SignedHeaders"],
            amz_date,
            params["X-Amz-Signature"],
            access_key,
        )

    def _verify_header(self, environ: dict[str, Any], method: str, path: str, query: str, authorization: str) -> None:
        def malformed(message: str) -> S3Error:
            return S3Error(400, "AuthorizationHeaderMalformed", message)

        if not authorization.startswith("AWS4-HMAC-SHA256 "):
            raise S3Error(400, "InvalidArgument", "Unsupported Authorization Type")
        match = HEADER_AUTH.match(authorization.strip())
        if not match:
            raise malformed(
                "The authorization header is malformed; the authorization header requires three "
                "components: Credential, SignedHeaders, and Signature."
            )
        credential, signed_headers, provided = match.groups()
        no_date = S3Error(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
        amz_date = _header(environ, "X-Amz-Date") or _from_http_date(_header(environ, "Date")) or ""
        signed_at = _timestamp(amz_date, no_date)
        access_key, secret, region = self._scope(credential, amz_date, malformed)
        if abs(self.clock() - signed_at) > MAX_SKEW_S:
            raise S3Error(
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
            )
        payload_hash = _header(environ, "X-Amz-Content-SHA256")
        if payload_hash is None:
            raise S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
        signer = S3SigV4Auth(Credentials(access_key, secret), "s3", region)
        self._check(signer, environ, method, path, query, signed_headers, amz_date, provided, access_key)
        # Signed-payload hashes (what boto3 sends over plain HTTP) must match the body, as S3 checks them;
        # the UNSIGNED-PAYLOAD / STREAMING-* markers carry no hash to compare.
        if SHA256_HEX.fullmatch(payload_hash) and "wsgi.input_terminated" not in environ:
            body, digest = self._spool(environ)
            environ["wsgi.input"] = body
            if not hmac.compare_digest(digest, payload_hash):
                raise S3Error(
                    400,
                    "XAmzContentSHA256Mismatch",
                    "The provided 'x-amz-content-sha256' header does not match what was computed.",
                )

    def _scope(self, credential: str, amz_date: str, malformed: Callable[[str], S3Error]) -> tuple[str, str, str]:
        """The access key, its secret and the region from `AKID/yyyymmdd/region/s3/aws4_request`."""
        parts = credential.split("/")
        if len(parts) != 5 or parts[3:] != ["s3", "aws4_request"]:
            raise malformed(
                f"Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
                f'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request". ({credential})'
            )
        access_key, day, region = parts[:3]
        if day != amz_date[:8]:
            raise malformed(
                f'Invalid credential date "{day}". This date is not the same as X-Amz-Date: "{amz_date[:8]}".'
            )
        secret = self.credentials.get(access_key)
        if secret is None:
            raise S3Error(
                403,
                "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.",
                AWSAccessKeyId=access_key,
            )
        return access_key, secret, region

    @staticmethod
    def _check(
        signer: SigV4Auth,
        environ: dict[str, Any],
        method: str,
        path: str,
        query: str,
        signed_headers: str,
        amz_date: str,
        provided: str,
        access_key: str,
    ) -> None:
        """Rebuild the request as the client saw it (only the headers it signed) and let botocore sign it again."""
        host = _header(environ, "Host") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        headers = {}
        for name in signed_headers.split(";"):
            value = _header(environ, name)
            if value is not None:  # a signed header that is missing now simply fails to verify, as in S3
                headers[name] = value
        url = f"{environ.get('wsgi.url_scheme', 'http')}://{host}{path}" + (f"?{query}" if query else "")
        request = AWSRequest(method=method, url=url, headers=headers)
        request.context["timestamp"] = amz_date
        canonical_request = signer.canonical_request(request)
        string_to_sign = signer.string_to_sign(request, canonical_request)
        expected = signer.signature(string_to_sign, request)
        if not hmac.compare_digest(expected, provided):
            # Like S3, say what was signed, so a client bug can be found by diffing.
            raise _mismatch(
                AWSAccessKeyId=access_key,
                StringToSign=string_to_sign,
                SignatureProvided=provided,
                CanonicalRequest=canonical_request,
            )

    # the body

    @staticmethod
    def _length(environ: dict[str, Any]) -> int:
        try:
            return max(0, int(environ.get("CONTENT_LENGTH") or 0))
        except ValueError:
            return 0

    def _spool(self, environ: dict[str, Any]) -> tuple[IO[bytes], str]:
        """Read the body once to hash it, and hand moto an identical stream positioned at the start."""
        remaining, digest = self._length(environ), hashlib.sha256()
        spooled: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - moto reads it
        stream = environ["wsgi.input"]
        while remaining > 0 and (chunk := stream.read(min(CHUNK, remaining))):
            digest.update(chunk)
            spooled.write(chunk)
            remaining -= len(chunk)
        spooled.seek(0)
        return spooled, digest.hexdigest()

    def _drain(self, environ: dict[str, Any]) -> None:
        """Read what the client is still sending: closing on unread bytes resets the socket, losing our answer."""
        stream, terminated = environ.get("wsgi.input"), environ.get("wsgi.input_terminated")
        remaining = DRAIN_LIMIT if terminated else min(self._length(environ), DRAIN_LIMIT)
        try:
            while stream is not None and remaining > 0 and (chunk := stream.read(min(CHUNK, remaining))):
                remaining -= len(chunk)
        except (OSError, ValueError):
            pass
        environ["wsgi.input"] = io.BytesIO()

    # the answer

    @staticmethod
    def _error(environ: dict[str, Any], start_response: StartResponse, exc: S3Error) -> list[bytes]:
        request_id = uuid.uuid4().hex.upper()[:16]
        fields = {"Code": exc.code, "Message": exc.message, **exc.details, "RequestId": request_id}
        xml = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
        body = f'<?xml version="1.0" encoding="UTF-8"?><Error>{xml}</Error>'.encode()
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
        if origin := _header(environ, "Origin"):
            # moto (flask-cors and the bucket's AllowedOrigins "*") echoes the Origin; do the same, so the
            # browser lets the page read the status instead of reporting an opaque network error.
            headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        if environ["REQUEST_METHOD"] == "HEAD":
            body = b""  # S3 answers HEAD errors with the status alone
        headers.append(("Content-Length", str(len(body))))
        start_response(f"{exc.status} {HTTPStatus(exc.status).phrase}", headers)
        return [body]
