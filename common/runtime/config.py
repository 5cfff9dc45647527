"""One settings object per container, read from the environment (and a local .env) at cold start."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

# Which variables each capability needs; a handler names the capabilities it uses, so a function
# deployed without one of its variables fails at cold start with the variable's name.
REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "database": ("DATABASE_URL",),
    "tokens": ("JWT_PRIVATE_KEY", "JWT_KEY_ID"),
    "storage": ("S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"),
    # AssemblyAI's; SpeechKit's are in SPEECHKIT_REQUIREMENTS (it signs with the function's IAM token: no key).
    "provider": ("ASSEMBLYAI_API_KEY", "WEBHOOK_SECRET", "PUBLIC_BASE_URL"),
    "webhook": ("WEBHOOK_SECRET",),
    # Password-reset mail through Postbox; the link in it opens the web app at PUBLIC_BASE_URL.
    "mail": ("MAIL_FROM", "MAIL_ACCESS_KEY_ID", "MAIL_SECRET_ACCESS_KEY", "PUBLIC_BASE_URL"),
}


# With SPEECH_PROVIDER=speechkit: the recordings are read from the bucket by URI, results are polled, no webhook.
SPEECHKIT_REQUIREMENTS: tuple[str, ...] = ("S3_BUCKET",)  # SpeechKit's hosts have their defaults


class ConfigError(RuntimeError):
    """The environment is missing or has a bad value for a setting."""


def setting(
    default: Any,
    *,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    choices: tuple[str, ...] = (),
) -> Any:
    """A setting's default and bounds (checked by `settings_from`). Plain dataclasses rather than pydantic:
    every function reads settings at cold start, and pydantic's import costs ~40 ms of it."""
    return field(default=default, metadata={"ge": ge, "le": le, "gt": gt, "choices": choices})


@dataclass(frozen=True)
class Settings:
    """Every setting with its default; `settings_from` parses and bounds-checks the environment into it."""

    ENV: str = setting("local", choices=("local", "test", "prod"))
    DATABASE_URL: str = ""
    DB_STATEMENT_TIMEOUT_MS: int = setting(10_000, ge=100)
    DB_POOL_SIZE: int = setting(2, ge=1)

    # The ES256 key the auth function signs access tokens with (PEM), and its id in the published JWKS.
    JWT_PRIVATE_KEY: str = ""
    JWT_KEY_ID: str = ""
    ACCESS_TOKEN_EXPIRE_MINUTES: int = setting(60 * 12, ge=1)
    # An access token exchanged for a personal API key lives this long at most (never past the key's own expiry).
    API_KEY_TOKEN_MINUTES: int = setting(15, ge=1, le=60)
    BCRYPT_ROUNDS: int = setting(12, ge=4, le=16)
    # Sign-in attempts per (email, client address) per window, and per email from all addresses per window.
    LOGIN_MAX_FAILURES: int = setting(5, ge=1)
    LOGIN_LOCK_SECONDS: int = setting(15 * 60, ge=1)
    LOGIN_ACCOUNT_MAX_FAILURES: int = setting(100, ge=1)
    LOGIN_ACCOUNT_WINDOW_SECONDS: int = setting(3600, ge=1)

    # Password reset: a signed link, valid this long and once (it names the password it replaces). Asking for one
    # answers no sooner than PASSWORD_RESET_ANSWER_SECONDS, so the time does not tell whether the account exists.
    PASSWORD_RESET_EXPIRE_MINUTES: int = setting(30, ge=1, le=24 * 60)
    PASSWORD_RESET_ANSWER_SECONDS: float = setting(0.6, ge=0)
    PASSWORD_RESET_MAX_PER_EMAIL: int = setting(5, ge=1)  # per hour, whoever asks
    PASSWORD_RESET_MAX_PER_ADDRESS: int = setting(30, ge=1)  # per hour, from one client address
    # Reads through share links (page, transcript, exports) per client address per window. A page is two reads; the
    # window stays within the hour the reconcile sweep keeps counters for.
    SHARE_READS_PER_ADDRESS: int = setting(300, ge=1)
    SHARE_READS_WINDOW_SECONDS: int = setting(600, ge=1, le=3600)

    # Yandex Cloud Postbox (the Amazon SES v2 API); MAIL_FROM's domain is the address deploy.sh registers there.
    MAIL_ENDPOINT_URL: str = "https://postbox.cloud.yandex.net"
    MAIL_REGION: str = "ru-central1"
    MAIL_FROM: str = ""
    MAIL_ACCESS_KEY_ID: str = ""
    MAIL_SECRET_ACCESS_KEY: str = ""

    S3_ENDPOINT_URL: str = "https://storage.yandexcloud.net"
    S3_REGION: str = "ru-central1"
    S3_BUCKET: str = ""
    S3_ACCESS_KEY_ID: str = ""
    S3_SECRET_ACCESS_KEY: str = ""
    # Up to what AssemblyAI fetches by URL (5 GB); above MULTIPART_THRESHOLD_BYTES a file goes up in parts.
    MAX_UPLOAD_BYTES: int = setting(5 * 1024**3, ge=1)
    MULTIPART_THRESHOLD_BYTES: int = setting(100 * 1024**2, ge=5 * 1024**2)
    MULTIPART_PART_BYTES: int = setting(16 * 1024**2, ge=5 * 1024**2)
    UPLOAD_URL_EXPIRE_SECONDS: int = setting(15 * 60, ge=10, le=7 * 24 * 3600)
    DOWNLOAD_URL_EXPIRE_SECONDS: int = setting(15 * 60, ge=10, le=7 * 24 * 3600)
    AUDIO_URL_EXPIRE_SECONDS: int = setting(3 * 3600, ge=60, le=7 * 24 * 3600)

    # Which cloud engine transcribes: AssemblyAI (webhooks; US or EU) or Yandex SpeechKit (polled; stays in Russia).
    SPEECH_PROVIDER: str = setting("assemblyai", choices=("assemblyai", "speechkit"))
    # SpeechKit's v3 REST hosts (the local cloud points both at its emulator). The function's IAM token signs each
    # call; SPEECHKIT_API_KEY is for running outside Cloud Functions (an API key of a service account).
    SPEECHKIT_STT_URL: str = "https://stt.api.cloud.yandex.net"
    SPEECHKIT_OPERATION_URL: str = "https://operation.api.cloud.yandex.net"
    SPEECHKIT_API_KEY: str = ""
    SPEECHKIT_FOLDER_ID: str = ""  # x-folder-id: only needed with a user's token; a service account bills its own
    SPEECHKIT_MODEL: str = "general"
    SPEECHKIT_TIMEOUT_SECONDS: float = setting(8.0, gt=0)
    ASSEMBLYAI_API_KEY: str = ""
    ASSEMBLYAI_BASE_URL: str = "https://api.assemblyai.com"
    # Below AssemblyAI's 10 s webhook budget, so a slow re-fetch answers 5xx (retried) rather than being cut off.
    ASSEMBLYAI_TIMEOUT_SECONDS: float = setting(8.0, gt=0)
    # Priority list sent as speech_models (required by the v2 API); the provider routes to the first available.
    ASSEMBLYAI_SPEECH_MODELS: str = "universal-3-pro,universal-2"
    PUBLIC_BASE_URL: str = ""
    # What transcribes, as users read it in messages and GET /capabilities. The local cloud names its own engine,
    # languages and formats; empty means the provider's own (common/domain/pipeline/providers.py).
    SPEECH_ENGINE: str = ""
    SPEECH_LANGUAGES: str = ""
    SPEECH_AUTO_DETECT: bool = True
    SPEECH_FORMATS: str = ""
    # Review mode: whether the engine rates each word (AssemblyAI and the local Whisper do), and whether it takes a
    # user's vocabulary with each job (AssemblyAI's keyterms_prompt and custom_spelling; Whisper's hotwords); false
    # turns either off. A provider without it (SpeechKit: providers.py) never has it, whatever these say.
    SPEECH_WORD_CONFIDENCE: bool = True
    SPEECH_VOCABULARY: bool = True
    # Names for speakers: AssemblyAI's speaker identification (and the local server's); a directory of named voices
    # needs each speaker's voice embedding, which only the local engine returns (AssemblyAI's API has none).
    SPEECH_SPEAKER_IDENTIFICATION: bool = True
    SPEECH_VOICE_DIRECTORY: bool = False
    # A cosine similarity at or above which a speaker is suggested under a named voice (bench/voices.py measured it).
    VOICE_MATCH_THRESHOLD: float = setting(0.955, gt=0, le=1)
    # Beyond words: personal data redaction, translation targets ("*": AssemblyAI's list; "": none; "en": Whisper's
    # one) and entity detection. An engine without them sets them off, and the SPA does not offer them.
    SPEECH_REDACTION: bool = True
    SPEECH_TRANSLATION_TARGETS: str = "*"
    SPEECH_ENTITIES: bool = True
    # URL imports: "host:port" pairs admitted although private (a self-hosted media server; the local cloud's tests).
    URL_IMPORT_ALLOWED_HOSTS: str = ""
    # A sentence for the import form when fetching is narrower than "any public link" (the local cloud says why).
    URL_IMPORT_NOTE: str = ""
    # The longest recording the browser makes before it stops by itself (GET /capabilities): at the 64 kbit/s Opus
    # the SPA asks for, two hours are ~58 MB, well inside the browser's storage for unsent chunks and any upload limit.
    MAX_RECORDING_SECONDS: int = setting(2 * 3600, ge=10, le=24 * 3600)
    SPEECH_REALTIME_FACTOR: float | None = setting(None, gt=0)  # processing s per audio s, when the engine knows it
    WEBHOOK_SECRET: str = ""
    DELETE_PROVIDER_COPY: bool = True

    MAX_PARALLEL_TRANSCRIPTIONS: int = setting(5, ge=1)
    # Fair share and quotas: provider slots one user may hold, and what one user may keep at once.
    MAX_PARALLEL_PER_USER: int = setting(3, ge=1)
    MAX_ACTIVE_JOBS_PER_USER: int = setting(100, ge=1)
    MAX_PENDING_UPLOADS_PER_USER: int = setting(20, ge=1)
    MAX_STORED_BYTES_PER_USER: int = setting(20 * 1024**3, ge=1)
    SUBMIT_MAX_ATTEMPTS: int = setting(5, ge=1)
    RETRY_BASE_SECONDS: float = setting(30.0, ge=0)
    CLAIM_TIMEOUT_SECONDS: int = setting(120, ge=1)
    # An Idempotency-Key whose first request died mid-way frees itself after this (a little past the longest timeout
    # of the functions that take keys, `jobs`' 30 s in infra/functions.tf), so a retry does not meet 409 all day.
    IDEMPOTENCY_IN_PROGRESS_SECONDS: int = setting(40, ge=1)
    SILENT_AFTER_SECONDS: int = setting(15 * 60, ge=1)
    POLL_INTERVAL_SECONDS: int = setting(60, ge=0)  # 0: every run of the timer (the local tests)
    UPLOAD_EXPIRE_SECONDS: int = setting(24 * 3600, ge=60)
    PROVIDER_MAX_WAIT_SECONDS: int = setting(12 * 3600, ge=60)

    # Outgoing webhooks (job.completed, job.failed) to the users' own endpoints: https to public addresses only;
    # "host:port" pairs here are admitted although private, over http too (the local cloud's test receivers).
    OUTGOING_WEBHOOK_ALLOWED_HOSTS: str = ""
    OUTGOING_WEBHOOKS_PER_USER: int = setting(5, ge=1)
    OUTGOING_WEBHOOK_TIMEOUT_SECONDS: float = setting(5.0, gt=0, le=30)  # connect, and each read after it
    OUTGOING_WEBHOOK_RETRY_BASE_SECONDS: float = setting(30.0, ge=0)  # doubled per attempt, at most an hour
    OUTGOING_WEBHOOK_EXPIRE_SECONDS: int = setting(24 * 3600, ge=60)  # then a delivery is marked failed
    OUTGOING_WEBHOOK_SENDS_PER_RUN: int = setting(50, ge=1)  # what one reconcile run attempts at most
    OUTGOING_WEBHOOK_RUN_SECONDS: float = setting(15.0, gt=0)  # no new attempt after this long (reconcile: 55 s)

    @property
    def engine(self) -> str:
        """The engine's name as people read it: SPEECH_ENGINE, else the provider's."""
        return self.SPEECH_ENGINE or ("Yandex SpeechKit" if self.SPEECH_PROVIDER == "speechkit" else "AssemblyAI")

    def require(self, capabilities: Iterable[str]) -> Settings:
        needs = dict(REQUIREMENTS)
        if self.SPEECH_PROVIDER == "speechkit":
            needs["provider"] = SPEECHKIT_REQUIREMENTS
        missing = [name for cap in capabilities for name in needs[cap] if not str(getattr(self, name)).strip()]
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


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _parse(name: str, raw: str, default: Any, meta: Mapping[str, Any]) -> Any:
    """One variable as its setting's type (that of its default; a None default means a number), within bounds."""
    text = raw.strip()
    if isinstance(default, bool):
        if text.lower() not in _TRUE | _FALSE:
            raise ValueError("must be true or false")
        return text.lower() in _TRUE
    if isinstance(default, str):
        if meta["choices"] and raw not in meta["choices"]:
            raise ValueError(f"must be one of {', '.join(meta['choices'])}")
        return raw
    if default is None and not text:
        return None
    try:
        value: float = int(text) if isinstance(default, int) else float(text)
    except ValueError:
        raise ValueError("must be a whole number" if isinstance(default, int) else "must be a number") from None
    if meta["ge"] is not None and value < meta["ge"]:
        raise ValueError(f"must be at least {meta['ge']}")
    if meta["le"] is not None and value > meta["le"]:
        raise ValueError(f"must be at most {meta['le']}")
    if meta["gt"] is not None and value <= meta["gt"]:
        raise ValueError(f"must be more than {meta['gt']}")
    return value


def settings_from(env: Mapping[str, str]) -> Settings:
    values: dict[str, Any] = {}
    problems = []
    for f in fields(Settings):
        if f.name in env:
            meta = f.metadata or {"ge": None, "le": None, "gt": None, "choices": ()}
            try:
                values[f.name] = _parse(f.name, env[f.name], f.default, meta)
            except ValueError as exc:
                problems.append(f"{f.name}: {exc}")
    if problems:
        raise ConfigError(f"bad environment: {'; '.join(problems)}")
    return Settings(**values)


def setting_names() -> set[str]:
    return {f.name for f in fields(Settings)}


def with_changes(settings: Settings, **changes: Any) -> Settings:
    """A copy with some values changed (tests and benchmarks)."""
    return replace(settings, **changes)


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
