"""One settings object per container, read from the environment (and a local .env) at cold start."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# Which variables each capability needs; a handler names the capabilities it uses, so a function
# deployed without one of its variables fails at cold start with the variable's name.
REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "database": ("DATABASE_URL",),
    "tokens": ("JWT_PRIVATE_KEY", "JWT_KEY_ID"),
    "storage": ("S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"),
    "provider": ("ASSEMBLYAI_API_KEY", "WEBHOOK_SECRET", "PUBLIC_BASE_URL"),
    "webhook": ("WEBHOOK_SECRET",),
}


class ConfigError(RuntimeError):
    """The environment is missing or has a bad value for a setting."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    ENV: Literal["local", "test", "prod"] = "local"
    DATABASE_URL: str = ""
    DB_STATEMENT_TIMEOUT_MS: int = Field(10_000, ge=100)
    DB_POOL_SIZE: int = Field(2, ge=1)

    # The ES256 key the auth function signs access tokens with (PEM), and its id in the published JWKS.
    JWT_PRIVATE_KEY: str = ""
    JWT_KEY_ID: str = ""
    ACCESS_TOKEN_EXPIRE_MINUTES: int = Field(60 * 12, ge=1)
    BCRYPT_ROUNDS: int = Field(12, ge=4, le=16)
    # Sign-in attempts per (email, client address) per window, and per email from all addresses per window.
    LOGIN_MAX_FAILURES: int = Field(5, ge=1)
    LOGIN_LOCK_SECONDS: int = Field(15 * 60, ge=1)
    LOGIN_ACCOUNT_MAX_FAILURES: int = Field(100, ge=1)
    LOGIN_ACCOUNT_WINDOW_SECONDS: int = Field(3600, ge=1)

    S3_ENDPOINT_URL: str = "https://storage.yandexcloud.net"
    S3_REGION: str = "ru-central1"
    S3_BUCKET: str = ""
    S3_ACCESS_KEY_ID: str = ""
    S3_SECRET_ACCESS_KEY: str = ""
    MAX_UPLOAD_BYTES: int = Field(2 * 1024**3, ge=1)
    UPLOAD_URL_EXPIRE_SECONDS: int = Field(15 * 60, ge=10, le=7 * 24 * 3600)
    DOWNLOAD_URL_EXPIRE_SECONDS: int = Field(15 * 60, ge=10, le=7 * 24 * 3600)
    AUDIO_URL_EXPIRE_SECONDS: int = Field(3 * 3600, ge=60, le=7 * 24 * 3600)

    ASSEMBLYAI_API_KEY: str = ""
    ASSEMBLYAI_BASE_URL: str = "https://api.assemblyai.com"
    # Below AssemblyAI's 10 s webhook budget, so a slow re-fetch answers 5xx (retried) rather than being cut off.
    ASSEMBLYAI_TIMEOUT_SECONDS: float = Field(8.0, gt=0)
    # Priority list sent as speech_models (required by the v2 API); the provider routes to the first available.
    ASSEMBLYAI_SPEECH_MODELS: str = "universal-3-pro,universal-2"
    PUBLIC_BASE_URL: str = ""
    # What transcribes, as users read it in messages and GET /capabilities. The local cloud names its own engine,
    # languages and formats; empty means AssemblyAI's own lists (common/languages.py, any audio or video type).
    SPEECH_ENGINE: str = "AssemblyAI"
    SPEECH_LANGUAGES: str = ""
    SPEECH_AUTO_DETECT: bool = True
    SPEECH_FORMATS: str = ""
    SPEECH_REALTIME_FACTOR: float | None = Field(None, gt=0)  # processing s per audio s, when the engine knows it
    WEBHOOK_SECRET: str = ""
    DELETE_PROVIDER_COPY: bool = True

    MAX_PARALLEL_TRANSCRIPTIONS: int = Field(5, ge=1)
    # Fair share and quotas: provider slots one user may hold, and what one user may keep at once.
    MAX_PARALLEL_PER_USER: int = Field(3, ge=1)
    MAX_ACTIVE_JOBS_PER_USER: int = Field(100, ge=1)
    MAX_PENDING_UPLOADS_PER_USER: int = Field(20, ge=1)
    MAX_STORED_BYTES_PER_USER: int = Field(20 * 1024**3, ge=1)
    SUBMIT_MAX_ATTEMPTS: int = Field(5, ge=1)
    RETRY_BASE_SECONDS: float = Field(30.0, ge=0)
    CLAIM_TIMEOUT_SECONDS: int = Field(120, ge=1)
    SILENT_AFTER_SECONDS: int = Field(15 * 60, ge=1)
    POLL_INTERVAL_SECONDS: int = Field(60, ge=1)
    UPLOAD_EXPIRE_SECONDS: int = Field(24 * 3600, ge=60)
    PROVIDER_MAX_WAIT_SECONDS: int = Field(12 * 3600, ge=60)

    def require(self, capabilities: Iterable[str]) -> Settings:
        missing = [name for cap in capabilities for name in REQUIREMENTS[cap] if not str(getattr(self, name)).strip()]
        if missing:
            raise ConfigError(f"missing environment variable(s): {', '.join(sorted(set(missing)))}")
        if "tokens" in capabilities and "PRIVATE KEY-----" not in self.JWT_PRIVATE_KEY:
            raise ConfigError("JWT_PRIVATE_KEY must be a PEM private key (an ES256 / P-256 key)")
        return self


def read_dotenv(path: Path) -> dict[str, str]:
    """The KEY=VALUE lines of a .env file (no interpolation; quotes stripped)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def settings_from(env: Mapping[str, str]) -> Settings:
    fields = Settings.model_fields
    data = {k: v for k, v in env.items() if k in fields}
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"bad environment: {problems}") from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = dict(os.environ)
    if env.get("ENV", "local") != "prod":
        # Real environment variables win over the file, as with every dotenv tool.
        env = {**read_dotenv(Path(env.get("DOTENV_PATH", ".env"))), **env}
    return settings_from(env)


def load_settings(*capabilities: str) -> Settings:
    """Settings checked for what a function needs; call at import time so a bad deploy fails at cold start."""
    return get_settings().require(capabilities)
