"""LocalCloud: the whole system in one process — database, S3 with triggers, AssemblyAI, gateway, timer.

The functions run unchanged, reading the same environment variables as in the cloud; only endpoints differ.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from common.domain.accounts.jwks import documents as token_key_documents
from common.domain.accounts.jwks import new_private_key_pem
from common.runtime import logs
from common.runtime.config import get_settings
from common.store.db import reset_engine
from common.store.migrate import upgrade
from local import functions
from local.gateway import spec as gateway_spec
from local.gateway.server import Gateway
from local.mail import REGION as MAIL_REGION
from local.mail import MailServer
from local.storage import S3Server, TriggerQueue, object_create_message
from local.timer import Timer, timer_event

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "transcribe-media"
KEYS_BUCKET = "transcribe-keys"  # public-read, like the cloud's: the gateway's authorizer fetches the JWKS from it
REGION = "ru-central1"
LOCAL_KEY_ID = "local-1"
MAIL_FROM = "Transcribe <noreply@transcribe.local>"


class PortTaken(RuntimeError):
    pass


def _bind(what: str, flag: str, port: int, make: Any) -> Any:
    try:
        return make()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortTaken(f"port {port} for the {what} is taken; choose another with {flag} PORT") from None
        raise


logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request lines drown the useful ones


def _origin(url: str) -> str:
    """scheme://host:port of a URL: what a Content-Security-Policy names."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def url_import_note(admitted: list[str]) -> str:
    """Why a link may not import on this machine: only the public internet is fetched, unless hosts are admitted."""
    also = f" Admitted besides: {', '.join(admitted)}." if admitted else ""
    return (
        "Here the local speech server fetches a link as AssemblyAI would: only from the public internet, which this "
        "machine must be able to reach. To import from a server on this machine or your network, start the local "
        f"cloud with URL_IMPORT_ALLOWED_HOSTS=host:port (comma-separated).{also}"
    )


def _say(line: str) -> None:
    logs.log(line)


def whisper_speech_settings() -> dict[str, str]:
    """The SPEECH_* settings that describe the offline Whisper engine to the API (its languages, detection, formats)."""
    from local.assemblyai.whisper import BENCH_RTF_BASE, capabilities

    caps = capabilities()
    return {
        "SPEECH_ENGINE": "the local Whisper engine (base)",
        # Processing seconds per audio second, for the SPA's "about N s" while a job runs (base's bench figure until
        # this machine has measured its own; the API process cannot see the worker's later measurements).
        "SPEECH_REALTIME_FACTOR": f"{caps['realtime_factor'] or BENCH_RTF_BASE:.3f}",
        "SPEECH_LANGUAGES": ",".join(caps["languages"]),
        "SPEECH_AUTO_DETECT": "true" if caps["auto_detect"] else "false",
        "SPEECH_FORMATS": ",".join(caps["formats"]),
        "SPEECH_REDACTION": "true" if caps["redaction"] else "false",
        "SPEECH_TRANSLATION_TARGETS": ",".join(caps["translation_targets"]),
        "SPEECH_ENTITIES": "true" if caps["entities"] else "false",
    }


class LocalCloud:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8080,
        s3_port: int = 9000,
        assemblyai_port: int = 8091,
        mail_port: int = 8025,
        data_dir: Path | str = "data",
        database_url: str | None = None,
        engine: str = "auto",
        reconcile_interval_s: float = 30.0,
        trigger_retry_attempts: int = 5,
        trigger_retry_interval_s: float = 2.0,
        webhook_retry_interval_s: float = 10.0,
        spa_dir: Path | str | None = None,
        extra_env: dict[str, str] | None = None,
        provider: str = "assemblyai",
        speechkit_port: int = 8095,
    ) -> None:
        """`provider`: which cloud engine the functions talk to, "assemblyai" or "speechkit"; each has its local
        server here (backed by the same offline engine), and only the chosen one runs."""
        if provider not in ("assemblyai", "speechkit"):
            raise ValueError(f"unknown provider {provider!r}; use assemblyai or speechkit")
        self.host, self.data_dir, self.provider = host, Path(data_dir), provider
        self.ports = {
            "gateway": port,
            "s3": s3_port,
            "assemblyai": assemblyai_port,
            "mail": mail_port,
            "speechkit": speechkit_port,
        }
        self.database_url = database_url or os.environ.get("DATABASE_URL") or ""
        self.engine = engine
        self.reconcile_interval_s = reconcile_interval_s
        self.webhook_retry_interval_s = webhook_retry_interval_s
        self.spa_dir = Path(spa_dir) if spa_dir else ROOT / "frontend" / "dist"
        self.extra_env = extra_env or {}
        self.bucket = BUCKET
        self.triggers = TriggerQueue(
            lambda event: functions.invoke("upload_trigger", event),
            _say,
            retry_attempts=trigger_retry_attempts,
            retry_interval_s=trigger_retry_interval_s,
            folder=self.data_dir / "triggers",
        )
        self.assemblyai: Any = None
        self.speechkit: Any = None
        self._threads: list[threading.Thread] = []

    # start and stop

    def _secrets(self) -> dict[str, str]:
        """Keys kept in the data dir, so a restart keeps everyone signed in (missing ones are added)."""
        path = self.data_dir / "secrets.json"
        stored = dict(json.loads(path.read_text())) if path.is_file() else {}
        values = {k: v for k, v in stored.items() if k in ("JWT_PRIVATE_KEY", "JWT_KEY_ID", "WEBHOOK_SECRET")}
        if "JWT_PRIVATE_KEY" not in values:
            values.update(JWT_PRIVATE_KEY=new_private_key_pem(), JWT_KEY_ID=LOCAL_KEY_ID)
        values.setdefault("WEBHOOK_SECRET", secrets.token_urlsafe(32))
        if values != stored:
            path.write_text(json.dumps(values))
            path.chmod(0o600)
        return values

    def _url_import_note(self) -> str:
        """The import form's sentence: the local speech server fetches as AssemblyAI would, public links only."""
        return url_import_note(self._url_import_hosts()) if self.assemblyai else ""

    def _url_import_hosts(self) -> list[str]:
        raw = self.extra_env.get("URL_IMPORT_ALLOWED_HOSTS") or os.environ.get("URL_IMPORT_ALLOWED_HOSTS", "")
        return [h.strip() for h in raw.split(",") if h.strip()]

    def _speech_settings(self) -> dict[str, str]:
        """What the API tells people the local engine can do (GET /capabilities), and holds uploads and jobs to."""
        if not self.assemblyai:
            return {}  # real AssemblyAI: its own lists; no voice embeddings, so no directory of voices
        voices = {"SPEECH_VOICE_DIRECTORY": "true"}  # the local server returns each speaker's voice embedding
        if self.assemblyai.engine_name != "whisper":
            return voices  # the test engine that stands in for AssemblyAI: AssemblyAI's own lists
        return {**whisper_speech_settings(), **voices}

    def _publish_token_keys(self, private_key_pem: str, key_id: str) -> str:
        """The JWKS and OpenID configuration in the public keys bucket, as deploy.sh publishes the cloud's."""
        s3 = self.s3.client()
        if KEYS_BUCKET not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
            s3.create_bucket(Bucket=KEYS_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        base_url = f"{self.s3.endpoint}/{KEYS_BUCKET}"
        for key, content in token_key_documents({key_id: private_key_pem}, base_url).items():
            s3.put_object(Bucket=KEYS_BUCKET, Key=key, Body=content, ContentType="application/json")
        return base_url

    def _register_sender(self) -> None:
        """The sending address, registered as deploy.sh registers the cloud's (scripts/mail_sender.py)."""
        from common.adapters.postbox import ensure_sender, sender_domain, sesv2_client

        client = sesv2_client(self.mail.endpoint, MAIL_REGION, "local", "local")
        ensure_sender(client, sender_domain(MAIL_FROM))

    def start(self) -> LocalCloud:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'transcribe.db').resolve()}"
        upgrade(self.database_url)
        self.s3 = _bind(
            "S3 server",
            "--s3-port",
            self.ports["s3"],
            lambda: S3Server(
                self.host,
                self.ports["s3"],
                BUCKET,
                REGION,
                self._on_upload,
                public_read_buckets=[KEYS_BUCKET],
                folder=self.data_dir / "s3",
            ),
        )
        self.s3.start()
        self.mail = _bind(
            "mail server", "--mail-port", self.ports["mail"], lambda: MailServer(self.host, self.ports["mail"])
        )
        self.mail.start()
        self._register_sender()
        keys = {**self._secrets(), **self.extra_env}
        token_keys_url = self._publish_token_keys(keys["JWT_PRIVATE_KEY"], keys["JWT_KEY_ID"])
        real_key = os.environ.get("ASSEMBLYAI_API_KEY") if self.engine == "auto" else None
        provider_env: dict[str, str] = {}
        if self.provider == "speechkit":
            real_key, assemblyai_url, api_key = None, "", ""
            provider_env = self._start_speechkit()
        elif real_key:
            assemblyai_url = os.environ.get("ASSEMBLYAI_BASE_URL", "https://api.assemblyai.com")
            api_key = real_key
        else:
            from local.assemblyai.server import AssemblyAIServer
            from local.assemblyai.whisper_base import models_dir

            engine = "whisper" if self.engine == "auto" else self.engine  # offline Whisper, in a worker process
            self.assemblyai = _bind(
                "AssemblyAI server",
                "--assemblyai-port",
                self.ports["assemblyai"],
                lambda: AssemblyAIServer(
                    self.host,
                    self.ports["assemblyai"],
                    api_key="local-assemblyai-key",
                    engine=engine,
                    webhook_retry_interval_s=self.webhook_retry_interval_s,
                    log=_say,
                    # Like AssemblyAI, fetch only public URLs; our S3 stands in for the public Object Storage.
                    allowed_hosts={urlsplit(self.s3.endpoint).netloc, *self._url_import_hosts()},
                    folder=self.data_dir / "assemblyai",
                    models_dir=models_dir(self.data_dir),
                ),
            )
            self.assemblyai.start()
            assemblyai_url, api_key = self.assemblyai.base_url, "local-assemblyai-key"
        self.gateway = _bind(
            "gateway",
            "--port",
            self.ports["gateway"],
            lambda: Gateway(
                gateway_spec.for_provider(self.provider),
                self.host,
                self.ports["gateway"],
                self.spa_dir,
                _say,
                variables={"token_keys_url": token_keys_url, "media_origin": _origin(self.s3.endpoint)},
            ),
        )
        env = {
            "ENV": "local",
            "DATABASE_URL": self.database_url,
            "S3_ENDPOINT_URL": self.s3.endpoint,
            "S3_BUCKET": BUCKET,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": "local",
            "S3_SECRET_ACCESS_KEY": "local",
            "ASSEMBLYAI_BASE_URL": assemblyai_url,
            "ASSEMBLYAI_API_KEY": api_key,
            **provider_env,
            "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL")
            if real_key and os.environ.get("PUBLIC_BASE_URL")
            else self.gateway.url,
            "MAIL_ENDPOINT_URL": self.mail.endpoint,
            "MAIL_REGION": MAIL_REGION,
            "MAIL_FROM": MAIL_FROM,
            "MAIL_ACCESS_KEY_ID": "local",
            "MAIL_SECRET_ACCESS_KEY": "local",
            "DB_POOL_SIZE": "5",
            **self._speech_settings(),
            "URL_IMPORT_NOTE": self._url_import_note(),
            **self._secrets(),
            **self.extra_env,
        }
        applied = {k: v for k, v in env.items() if v is not None}
        # The functions read their settings from the environment, as in the cloud; stop() puts back what was there,
        # so one cloud's engine settings do not outlive it in a process that starts another (the tests do).
        self._replaced_env = {k: os.environ.get(k) for k in applied}
        os.environ.update(applied)
        get_settings.cache_clear()
        reset_engine()
        self.gateway.load_functions()
        self.triggers.start()
        self._spawn(self.gateway.serve_forever, "gateway")
        self.timer = Timer(self.reconcile_interval_s, lambda e: functions.invoke("reconcile", e), _say)
        self.timer.start()
        return self

    def _start_speechkit(self) -> dict[str, str]:
        """SpeechKit's emulator, reading the bucket as the functions' account; the functions get its IAM token in
        their context, as in the cloud. The settings it answers with are SpeechKit's (languages, formats, limits)."""
        from local.assemblyai.whisper_base import models_dir
        from local.speechkit.server import SpeechKitServer

        token = secrets.token_urlsafe(24)
        s3 = self.s3.client()

        def read_object(bucket: str, key: str) -> bytes | None:
            try:
                return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
            except s3.exceptions.NoSuchKey:
                return None

        engine = "whisper" if self.engine == "auto" else self.engine
        self.speechkit = _bind(
            "SpeechKit emulator",
            "--speechkit-port",
            self.ports["speechkit"],
            lambda: SpeechKitServer(
                self.host,
                self.ports["speechkit"],
                storage_url=self.s3.endpoint,
                read_object=read_object,
                iam_tokens={token},
                engine=engine,
                folder=self.data_dir / "speechkit",
                models_dir=models_dir(self.data_dir),
                log=_say,
            ),
        )
        self.speechkit.start()
        functions.IAM_TOKEN = token
        env = {
            "SPEECH_PROVIDER": "speechkit",
            "SPEECHKIT_STT_URL": self.speechkit.base_url,
            "SPEECHKIT_OPERATION_URL": self.speechkit.base_url,
            "POLL_INTERVAL_SECONDS": "1",  # each run of the local timer polls (the cloud's runs once a minute)
        }
        if engine == "whisper":
            env["SPEECH_ENGINE"] = "Yandex SpeechKit (emulated here by the local Whisper engine)"
        return env

    def _spawn(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self.timer.stop()
        self.gateway.stop()
        self.triggers.stop()
        if self.assemblyai:
            self.assemblyai.stop()
        if self.speechkit:
            self.speechkit.stop()
            functions.IAM_TOKEN = None
        self.s3.stop()
        self.mail.stop()
        for name, value in getattr(self, "_replaced_env", {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
        reset_engine()

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # what tests and benchmarks use

    @property
    def url(self) -> str:
        return str(self.gateway.url)

    @property
    def s3_endpoint(self) -> str:
        return str(self.s3.endpoint)

    @property
    def mail_url(self) -> str:
        """The page listing the mail the functions sent (password resets)."""
        return str(self.mail.endpoint)

    def _on_upload(self, bucket: str, key: str) -> None:
        self.triggers.put(object_create_message(bucket, key))

    def pause_triggers(self) -> None:
        self.triggers.pause()

    def resume_triggers(self) -> None:
        self.triggers.resume()

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Until every upload event is delivered and the AssemblyAI server has sent its webhooks."""
        self.triggers.wait_idle(timeout)
        if self.assemblyai:
            self.assemblyai.wait_idle(timeout)
        self.triggers.wait_idle(timeout)

    def run_reconcile(self) -> dict[str, Any]:
        return dict(functions.invoke("reconcile", timer_event()))

    def object_exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.s3.client().head_object(Bucket=BUCKET, Key=key)
            return True
        except ClientError:
            return False

    def put_object(self, key: str, data: bytes, content_type: str = "audio/wav") -> None:
        """An upload that did not come through our API (the trigger still sees it); signed, as S3 requires."""
        self.s3.client().put_object(Bucket=BUCKET, Key=key, Body=data, ContentType=content_type)
