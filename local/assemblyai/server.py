"""The AssemblyAI v2 transcript API on loopback, as the official spec defines it, with real webhooks.

Implemented: POST/GET /v2/transcript, GET/DELETE /v2/transcript/{id}, GET /v2/transcript/{id}/redacted-audio (and
the redacted recording at its URL, with the second webhook that says it is ready), the Authorization header, error
bodies `{"error": "..."}`; redaction, entities and translation as `understanding.py` says. The audio is fetched from
`audio_url` like the real service (an expired or missing URL fails the transcript), processed by an engine, and the
webhook is POSTed with the custom auth header and retried like AssemblyAI (timeout per attempt, up to 10 attempts,
never after a 4xx). Tests steer failures through `faults` and read `stats`; the same is reachable over HTTP under
/_control/.

Given a folder, each transcript is a file there from the moment its submission is answered, as AssemblyAI keeps it:
after a crash and restart, transcripts still queued or processing are transcribed, and webhooks not yet delivered are
sent, so the pipeline carries on as it would after a crash of ours alone.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from common.domain.languages import SUPPORTED
from local.assemblyai import identification, understanding
from local.assemblyai.engines import engine_named
from local.assemblyai.faults import Faults, Rule
from local.assemblyai.speech import VOICES_FIELD, Engine, EngineError, Request, Result
from local.assemblyai.vocabulary import RequestProblem, apply_spelling, custom_spelling_of, keyterms_of
from local.durable_files import remove, write_atomically
from local.http import JsonHandler

MAX_AUDIO_BYTES = 5 * 1024**3
STATUS_MESSAGES = {
    400: "Bad request",
    401: "Authentication error, API token missing/invalid",
    404: "Not found",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
    504: "Gateway timeout",
}


REDACTED_FILES = "/_files/redacted-audio/"  # where redacted recordings are served, like AssemblyAI's presigned S3 URLs
_UNDERSTANDING_FIELDS = (
    "redact_pii",
    "redact_pii_policies",
    "redact_pii_sub",
    "redact_pii_audio",
    "redact_pii_audio_quality",
    "redact_pii_audio_options",
    "entity_detection",
    "speech_understanding",
    "speaker_labels",
)


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat()  # the spec's pattern: no UTC offset


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to where a first request could have gone (no bounce into a private network)."""

    def __init__(self, check: Any) -> None:
        self._check = check

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        self._check(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _join_understanding(named: dict[str, Any], beyond: dict[str, Any]) -> None:
    """Speaker identification's and translation's parts of one `speech_understanding` (request and response), into
    `named`; both may be asked in one transcript."""
    parts = [p for p in (named.pop("speech_understanding", None), beyond.pop("speech_understanding", None)) if p]
    if parts:
        named["speech_understanding"] = {
            key: {k: v for part in parts for k, v in (part.get(key) or {}).items()} for key in ("request", "response")
        }


class AssemblyAIServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        engine: str = "deterministic",
        webhook_retry_interval_s: float = 10.0,
        webhook_timeout_s: float = 10.0,
        max_webhook_attempts: int = 10,
        log: Any = None,
        allowed_hosts: set[str] | None = None,
        folder: Path | None = None,
        models_dir: Path | None = None,
    ) -> None:
        """`allowed_hosts`: fetch audio only from public addresses, or these "host:port" pairs (the local S3), as
        AssemblyAI can only reach the public internet; None fetches anything (unit tests of the API alone).
        `folder`: where transcripts are kept across restarts; None keeps them in memory only. `models_dir`: where
        the Whisper base model is reassembled (`local.assemblyai.whisper_base.models_dir`)."""
        self.allowed_hosts = allowed_hosts
        self.folder = folder
        self.api_key = api_key
        self.engine_name = engine
        self.webhook_retry_interval_s = webhook_retry_interval_s
        self.webhook_timeout_s = webhook_timeout_s
        self.max_webhook_attempts = max_webhook_attempts
        self.faults = Faults()
        self._log = log or (lambda line: None)
        self._lock = threading.Lock()
        self._transcripts: dict[str, dict[str, Any]] = {}
        # Each transcript's JSON as GET returns it, encoded once and dropped on any change: a 30-minute transcript is
        # ~1 MB, and encoding it per request (in the same process as the code under test) is no cost of the real API.
        self._encoded: dict[str, bytes] = {}
        self._meta: dict[str, dict[str, Any]] = {}
        self._threads: list[threading.Thread] = []
        self.last_request: dict[str, Any] = {}
        self.reset()
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        # after binding: a taken port leaves no worker process behind
        self.engine: Engine = engine_named(engine, models_dir)
        self._serve: threading.Thread | None = None

    # lifecycle

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> AssemblyAIServer:
        self._resume()
        self._serve = threading.Thread(target=self._httpd.serve_forever, name="assemblyai", daemon=True)
        self._serve.start()
        return self

    # durability

    def _save(self, tid: str) -> None:
        """The transcript on disk as it is now (caller holds the lock, so files follow the order of changes)."""
        if self.folder:
            record = {"transcript": self._transcripts[tid], "meta": self._meta[tid]}
            write_atomically(self.folder / f"{tid}.json", [json.dumps(record).encode()])

    def _resume(self) -> None:
        """Take up what a previous run left: finish unfinished transcripts, send undelivered webhooks."""
        if not self.folder or not self.folder.is_dir():
            return
        records = [json.loads(p.read_text()) for p in self.folder.glob("*.json")]
        records.sort(key=lambda r: str(r["meta"]["created"]))
        with self._lock:
            for r in records:
                tid = r["transcript"]["id"]
                self._transcripts[tid], self._meta[tid] = r["transcript"], r["meta"]
        for r in records:
            t, tid = r["transcript"], r["transcript"]["id"]
            if t["status"] in ("queued", "processing"):
                with self._lock:
                    self.stats["in_flight"] += 1
                self._spawn(self._process, tid)
            elif r["meta"].get("webhook_pending") and t["webhook_url"]:
                self._spawn(self._notify, tid, t["webhook_url"], t["status"])
        if records:
            self._log(f"assemblyai resumed {len(records)} transcript(s) from {self.folder}")

    def _spawn(self, target: Any, *args: Any) -> None:
        worker = threading.Thread(target=target, args=args, name=f"transcript-{str(args[0])[:8]}", daemon=True)
        self._threads.append(worker)
        worker.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        close = getattr(self.engine, "close", None)
        if close:  # the whisper engine's worker process
            close()

    def __enter__(self) -> AssemblyAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget transcripts, faults and counters (between tests)."""
        with self._lock:
            if self.folder:
                for tid in self._transcripts:
                    remove(self.folder / f"{tid}.json")
                    remove(self.folder / f"{tid}.redacted")
            self._transcripts.clear()
            self._encoded.clear()
            self._meta.clear()
            self.faults.clear()
            self.last_request = {}
            self.stats: dict[str, Any] = {
                "submissions": 0,
                "gets": 0,
                "deletes": 0,
                "lists": 0,
                "deleted": [],
                "webhook_attempts": {},
                "in_flight": 0,
                "max_in_flight": 0,
                "redacted_audio_gets": 0,
                "redacted_downloads": 0,
            }
            self._redacted: dict[str, bytes] = {}

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Until every transcript has finished and its webhooks are delivered or given up."""
        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))

    # what tests read

    def transcript_status(self, transcript_id: str | None) -> str | None:
        with self._lock:
            t = self._transcripts.get(transcript_id or "")
            return t["status"] if t else None

    def submissions_per_job(self) -> dict[str, int]:
        """How many transcripts were created for each job (the job id its webhook URL names)."""
        counts: dict[str, int] = {}
        with self._lock:
            for t in self._transcripts.values():
                job = parse_qs(urlsplit(t.get("webhook_url") or "").query).get("job_id", [""])[0]
                counts[job] = counts.get(job, 0) + 1
        return counts

    def webhook_codes(self, transcript_id: str | None) -> list[int]:
        with self._lock:
            return list(self.stats["webhook_attempts"].get(transcript_id or "", []))

    # the API

    def _fault(self, op: str) -> None:
        rule = self.faults.take(op)
        if rule is None:
            return
        if rule.delay_s:
            time.sleep(rule.delay_s)
        if rule.status:
            raise ApiError(rule.status, STATUS_MESSAGES.get(rule.status, "Error"))

    def create(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ApiError(400, "Request body must be a JSON object")
        audio_url = body.get("audio_url")
        if not isinstance(audio_url, str) or urlsplit(audio_url).scheme not in ("http", "https"):
            raise ApiError(400, "audio_url must be a valid URL")
        models = body.get("speech_models")
        if body.get("speech_model") is None and (not isinstance(models, list) or not models):
            raise ApiError(400, "speech_models is required: list the speech models to use in priority order")
        language = body.get("language_code")
        if language is not None and language not in SUPPORTED:
            raise ApiError(400, f"language_code {language!r} is not supported")
        detect = bool(body.get("language_detection"))
        if detect and language is not None:
            raise ApiError(400, "language_code cannot be set when language_detection is enabled")
        speakers = body.get("speakers_expected")
        if speakers is not None and (not isinstance(speakers, int) or speakers < 1):
            raise ApiError(400, "speakers_expected must be a positive integer")
        for flag in ("speaker_labels", "language_detection", "punctuate", "format_text"):
            if body.get(flag) is not None and not isinstance(body[flag], bool):
                raise ApiError(400, f"{flag} must be a Boolean")
        try:
            model = str(body.get("speech_model") or models[0])
            keyterms, spellings = keyterms_of(body, model), custom_spelling_of(body)
            naming = identification.check(body)
            asked = understanding.read_request(body)
        except (RequestProblem, identification.Refused, understanding.RequestError) as exc:
            raise ApiError(400, str(exc)) from None
        if self.engine_name == "whisper" and set(asked.targets) - {"en"}:
            raise ApiError(400, "The local Whisper engine translates into English only (task=translate)")
        self._fault("submit")
        tid = str(uuid.uuid4())
        transcript = {
            "id": tid,
            "status": "queued",
            "audio_url": audio_url,
            "speech_model": body.get("speech_model"),
            "speech_models": models,
            "language_model": "assemblyai_default",
            "acoustic_model": "assemblyai_default",
            "language_code": language,
            "language_detection": detect,
            "language_confidence_threshold": None,
            "language_confidence": None,
            "speaker_labels": body.get("speaker_labels"),
            "speakers_expected": speakers,
            "punctuate": body.get("punctuate", True),
            "format_text": body.get("format_text", True),
            "webhook_url": body.get("webhook_url"),
            "webhook_auth": bool(body.get("webhook_auth_header_name")),
            "webhook_auth_header_name": body.get("webhook_auth_header_name"),
            "webhook_status_code": None,
            "auto_highlights": False,
            "redact_pii": asked.redact,
            "redact_pii_audio": asked.audio,
            "redact_pii_audio_quality": (body.get("redact_pii_audio_quality") or "mp3") if asked.audio else None,
            "redact_pii_policies": list(asked.policies) or None,
            "redact_pii_sub": asked.substitution if asked.redact else None,
            "entity_detection": asked.entities,
            "summarization": False,
            "custom_spelling": spellings,
            "text": None,
            "words": None,
            "utterances": None,
            "confidence": None,
            "audio_duration": None,
        }
        if naming is not None:
            transcript["speech_understanding"] = {"request": {"speaker_identification": naming}}
        if language is None:
            del transcript["language_code"]  # a string when present; unknown until detected
        if keyterms is not None:
            transcript["keyterms_prompt"] = keyterms  # an array when present (the spec's Transcript)
        if not asked.redact:
            del transcript["redact_pii_sub"]  # a SubstitutionPolicy when present, never null
        with self._lock:
            self._transcripts[tid] = transcript
            self._meta[tid] = {
                "created": _now(),
                "completed": None,
                "auth_value": body.get("webhook_auth_header_value"),
                "webhook_pending": False,
                # What was asked beyond words, re-read when it is processed (after a restart too).
                "understanding": {k: v for k, v in body.items() if k in _UNDERSTANDING_FIELDS},
                "redacted_token": uuid.uuid4().hex if asked.audio else None,
            }
            self._save(tid)  # kept before the id is answered: from then on the caller may rely on it
            self.stats["submissions"] += 1
            self.stats["in_flight"] += 1
            self.stats["max_in_flight"] = max(self.stats["max_in_flight"], self.stats["in_flight"])
            self.last_request = {k: v for k, v in body.items() if k != "webhook_auth_header_value"}
            snapshot = json.loads(json.dumps(transcript))
        self._spawn(self._process, tid)
        self._log(f"assemblyai submitted transcript={tid} audio_url={audio_url.split('?')[0]}")
        return snapshot

    def get(self, tid: str) -> dict[str, Any]:
        return dict(json.loads(self.get_encoded(tid)))

    def get_encoded(self, tid: str) -> bytes:
        """GET /v2/transcript/{id}'s body."""
        self._fault("get")
        with self._lock:
            self.stats["gets"] += 1
            if tid not in self._transcripts:
                raise ApiError(404, "Transcript not found")
            return self._encode(tid)

    def _encode(self, tid: str) -> bytes:
        """The transcript's JSON (caller holds the lock), kept until it changes."""
        data = self._encoded.get(tid)
        if data is None:
            data = self._encoded[tid] = json.dumps(self._transcripts[tid]).encode()
        return data

    def delete(self, tid: str) -> dict[str, Any]:
        self._fault("delete")
        with self._lock:
            t = self._transcripts.get(tid)
            if t is None:
                raise ApiError(404, "Transcript not found")
            if t["status"] in ("queued", "processing"):
                raise ApiError(400, "Transcript is still being processed and cannot be deleted yet")
            t.update(
                {"text": "Deleted by user.", "words": None, "utterances": None, "audio_url": "http://deleted_by_user"}
            )
            self._drop_redacted(tid)  # the redacted recording goes with the transcript
            self._encoded.pop(tid, None)
            self._save(tid)
            self.stats["deletes"] += 1
            if tid not in self.stats["deleted"]:
                self.stats["deleted"].append(tid)
            self._log(f"assemblyai deleted transcript={tid}")
            return json.loads(json.dumps(t))

    def list(self, query: dict[str, str]) -> dict[str, Any]:
        self._fault("list")
        try:
            limit = min(200, max(1, int(query.get("limit", "10"))))
        except ValueError:
            raise ApiError(400, "limit must be an integer") from None
        with self._lock:
            self.stats["lists"] += 1
            items = [
                {
                    "id": tid,
                    "resource_url": f"{self.base_url}/v2/transcript/{tid}",
                    "status": t["status"],
                    "created": self._meta[tid]["created"],
                    "completed": self._meta[tid]["completed"],
                    "audio_url": t["audio_url"],
                    "error": t.get("error"),
                }
                for tid, t in reversed(self._transcripts.items())
                if not query.get("status") or t["status"] == query["status"]
            ]
        ids = [i["id"] for i in items]
        if query.get("before_id") in ids:
            items = items[ids.index(query["before_id"]) + 1 :]
        page = items[:limit]
        return {
            "page_details": {
                "limit": limit,
                "result_count": len(page),
                "current_url": f"{self.base_url}/v2/transcript?limit={limit}",
                "prev_url": None,
                "next_url": None,
            },
            "transcripts": page,
        }

    # processing

    def _set(self, tid: str, **values: Any) -> None:
        with self._lock:
            self._transcripts[tid].update(values)
            self._encoded.pop(tid, None)
            if self._transcripts[tid]["status"] in ("completed", "error"):
                self._encode(tid)  # finished: encoded here, in the worker thread, not by each GET
                self._meta[tid].update(completed=_now(), webhook_pending=bool(self._transcripts[tid]["webhook_url"]))
            self._save(tid)

    def _process(self, tid: str) -> None:
        with self._lock:
            t = dict(self._transcripts[tid])
        self._set(tid, status="processing")
        try:
            rule = self.faults.take("fetch_audio")
            if rule and rule.status:
                raise EngineError(
                    f"Download error, unable to download {t['audio_url']}. Please make sure the file "
                    "exists and is accessible from the internet."
                )
            audio = self._download(t["audio_url"])
            with self._lock:
                asked = understanding.read_request(self._meta[tid].get("understanding") or {})
            request = Request(
                bool(t["speaker_labels"]),
                t.get("language_code"),
                bool(t["language_detection"]),
                t.get("speakers_expected"),
                tuple(t.get("keyterms_prompt") or ()),
                translate="en" in asked.targets,
            )
            result = self.engine.transcribe(audio, request)
            if t.get("custom_spelling"):  # after recognition, whatever the engine, as AssemblyAI applies it
                result.text, result.words, result.utterances = apply_spelling(
                    t["custom_spelling"], result.words, result.utterances
                )
            delay = self.faults.take("processing")
            time.sleep(result.processing_s + (delay.delay_s if delay else 0.0))
            named = self._identify_speakers(t, result)
            transcribed = {"text": result.text, "words": result.words, "utterances": result.utterances}
            beyond, spans = understanding.apply(asked, transcribed, audio, result.extra.get("translation"))
            _join_understanding(named, beyond)
            # AssemblyAI makes a redacted recording only when speech was heard, unless asked for one of silence too.
            if asked.audio and (result.words or asked.no_speech_audio):
                self._keep_redacted(tid, *understanding.redacted_recording(audio, spans, asked.silence, asked.quality))
            elif asked.audio:
                with self._lock:
                    self._meta[tid].update(redacted_token=None, redacted_missing="no speech was detected")
            self._set(
                tid,
                **named,
                status="completed",
                **{**transcribed, **beyond},
                confidence=result.confidence,
                audio_duration=result.audio_duration,
                language_code=result.language_code,
                language_confidence=(result.extra.get("language_confidence") or 0.97)
                if t["language_detection"]
                else None,
            )
        except EngineError as exc:
            self._set(tid, status="error", error=str(exc))
        except Exception as exc:  # an engine bug must still end the transcript, as the real service would
            self._set(tid, status="error", error=f"Internal error: {exc}")
        with self._lock:
            self.stats["in_flight"] -= 1
            status = self._transcripts[tid]["status"]
        self._log(f"assemblyai {status} transcript={tid}")
        if t["webhook_url"]:
            self._notify(tid, t["webhook_url"], status)
            if status == "completed" and self._redacted_url(tid):
                # The second notification AssemblyAI sends when a redacted recording is ready (its own body shape).
                payload = {"status": "redacted_audio_ready", "redacted_audio_url": self._redacted_url(tid)}
                self._deliver(tid, t["webhook_url"], status, None, payload)

    @staticmethod
    def _identify_speakers(t: dict[str, Any], result: Result) -> dict[str, Any]:
        """The response fields of speaker identification, when it was asked for, and the voices extension field."""
        fields: dict[str, Any] = {}
        voices = result.extra.get("speaker_embeddings")
        if voices and t["speaker_labels"]:
            # Not AssemblyAI's: each speaker's voice embedding (by label), for the app's directory of named voices.
            fields[VOICES_FIELD] = voices
        asked = (t.get("speech_understanding") or {}).get("request", {}).get("speaker_identification")
        if asked is not None:
            mapping = identification.identify(asked, result.utterances or [], result.words)
            fields["speech_understanding"] = {
                "request": {"speaker_identification": asked},
                "response": {"speaker_identification": {"mapping": mapping, "status": "success"}},
            }
        return fields

    def _download(self, url: str) -> bytes:
        message = (
            f"Download error, unable to download {url}. Please make sure the file exists and is accessible "
            "from the internet."
        )
        opener = urllib.request.build_opener(_CheckedRedirects(self._check_url))
        try:
            self._check_url(url)
            with opener.open(url, timeout=30) as res:
                data = res.read(MAX_AUDIO_BYTES + 1)
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise EngineError(message) from exc
        if len(data) > MAX_AUDIO_BYTES:
            raise EngineError("File is too large: the maximum is 5 GB")
        return data

    def _check_url(self, url: str) -> None:
        """Refuse what AssemblyAI could not reach either: private, loopback, metadata addresses (each redirect too)."""
        if self.allowed_hosts is None:
            return
        from common.adapters.url_safety import UnsafeUrl, check

        try:
            check(url, self.allowed_hosts)
        except UnsafeUrl as exc:
            raise ValueError(str(exc)) from None

    def _notify(self, tid: str, url: str, status: str) -> None:
        rule = self.faults.take("webhook")
        copies = 1
        if rule and rule.mode == "drop":
            self._log(f"assemblyai webhook dropped transcript={tid}")
            with self._lock:
                self._meta[tid]["webhook_pending"] = False
                self._save(tid)
            return
        if rule and rule.mode == "duplicate":
            copies = rule.copies
        senders = [
            threading.Thread(target=self._deliver, args=(tid, url, status, rule), daemon=True) for _ in range(copies)
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()

    def _deliver(self, tid: str, url: str, status: str, rule: Rule | None, body: dict[str, Any] | None = None) -> None:
        with self._lock:
            header, value = self._transcripts[tid]["webhook_auth_header_name"], self._meta[tid]["auth_value"]
        headers = {"Content-Type": "application/json", "User-Agent": "AssemblyAI-Webhook"}
        if header:
            headers[header] = value or ""
        payload = json.dumps(body or {"transcript_id": tid, "status": status}).encode()
        for attempt in range(1, self.max_webhook_attempts + 1):
            code = 0
            try:
                req = urllib.request.Request(url, data=payload, method="POST", headers=headers)
                with urllib.request.urlopen(req, timeout=self.webhook_timeout_s) as res:
                    code = int(res.status)
            except urllib.error.HTTPError as exc:
                code = int(exc.code)
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                code = 0
            with self._lock:
                self.stats["webhook_attempts"].setdefault(tid, []).append(code)
                self._transcripts[tid]["webhook_status_code"] = code or None
                self._encoded.pop(tid, None)
            self._log(f"assemblyai webhook transcript={tid} attempt={attempt} status={code or 'no answer'}")
            if 200 <= code < 300 or 400 <= code < 500:  # AssemblyAI treats any 4xx as final
                break
            time.sleep(self.webhook_retry_interval_s)
        with self._lock:
            self._meta[tid]["webhook_pending"] = False
            self._save(tid)

    # The redacted recording

    def _redacted_path(self, tid: str) -> Path | None:
        return self.folder / f"{tid}.redacted" if self.folder else None

    def _keep_redacted(self, tid: str, data: bytes, extension: str) -> None:
        with self._lock:
            self._redacted[tid] = data
            path = self._redacted_path(tid)
            if path:
                write_atomically(path, [data])  # before the record that names it
            self._meta[tid]["redacted_extension"] = extension
            self._save(tid)

    def _drop_redacted(self, tid: str) -> None:
        """Caller holds the lock."""
        self._redacted.pop(tid, None)
        self._meta[tid]["redacted_token"] = None
        path = self._redacted_path(tid)
        if path:
            remove(path)

    def _redacted_url(self, tid: str) -> str | None:
        with self._lock:
            token = self._meta[tid].get("redacted_token")
            extension = self._meta[tid].get("redacted_extension") or "mp3"
        return f"{self.base_url}{REDACTED_FILES}{tid}.{token}.{extension}" if token else None

    def redacted_audio(self, tid: str) -> tuple[int, dict[str, Any]]:
        """GET /v2/transcript/{id}/redacted-audio: 200 with the URL, 202 while it is made, 400 when there is none."""
        rule = self.faults.take("redacted_audio")
        if rule and rule.delay_s:
            time.sleep(rule.delay_s)
        with self._lock:
            self.stats["redacted_audio_gets"] += 1
            t = self._transcripts.get(tid)
            if t is None:
                raise ApiError(404, "Transcript not found")
        if rule and rule.status:
            raise ApiError(rule.status, STATUS_MESSAGES.get(rule.status, "Error"))
        if not t.get("redact_pii_audio"):
            raise ApiError(400, "Redacted audio was not requested for this transcript")
        if t["status"] in ("queued", "processing") or (rule and rule.mode == "pending"):
            return 202, {"status": "processing", "redacted_audio_url": ""}
        url = self._redacted_url(tid)
        if url is None:
            with self._lock:
                why = self._meta[tid].get("redacted_missing")
            message = f"Redacted audio was not created: {why}" if why else "Redacted audio is no longer available"
            raise ApiError(400, message)
        return 200, {"status": "redacted_audio_ready", "redacted_audio_url": url}

    def redacted_file(self, name: str) -> tuple[bytes, str]:
        """The redacted recording at its URL (`<id>.<token>.<extension>`) and its content type."""
        tid, _, rest = name.partition(".")
        token = rest.split(".", 1)[0]
        rule = self.faults.take("redacted_download")
        with self._lock:
            meta = self._meta.get(tid)
            if meta is None or not token or meta.get("redacted_token") != token:
                raise ApiError(404, "Not found")  # S3 would answer 403 for a wrong signature
            if rule and rule.status:
                raise ApiError(rule.status, STATUS_MESSAGES.get(rule.status, "Error"))
            self.stats["redacted_downloads"] += 1
            data = self._redacted.get(tid)
            path = self._redacted_path(tid)
            if data is None and path and path.is_file():
                data = self._redacted[tid] = path.read_bytes()
            extension = meta.get("redacted_extension") or "mp3"
        if data is None:
            raise ApiError(404, "Not found")
        return data, "audio/mpeg" if extension == "mp3" else "audio/wav"

    # HTTP

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(JsonHandler):
            def _send(self, status: int, payload: Any) -> None:
                self.send_json(status, payload)

            def _body(self) -> Any:
                try:
                    return self.json_body()
                except ValueError:
                    raise ApiError(400, "Request body is not valid JSON") from None

            def _route(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                path = parts.path.rstrip("/")
                try:
                    if path.startswith("/_control/"):
                        return self._send(200, server.control(method, path, self._body()))
                    if path.startswith(REDACTED_FILES):  # a presigned-like URL: whoever holds it may read it
                        data, content_type = server.redacted_file(path.removeprefix(REDACTED_FILES))
                        self.send_response(200)
                        self.send_header("Content-Type", content_type)
                        self.send_header("Content-Length", str(len(data)))
                        self.end_headers()
                        return self.wfile.write(data)  # type: ignore[func-returns-value]
                    if server.api_key and self.headers.get("Authorization") != server.api_key:
                        raise ApiError(401, STATUS_MESSAGES[401])
                    if path == "/v2/transcript" and method == "POST":
                        return self._send(200, server.create(self._body()))
                    if path == "/v2/transcript" and method == "GET":
                        return self._send(200, server.list(query))
                    if path.startswith("/v2/transcript/") and path.endswith("/redacted-audio") and method == "GET":
                        status, payload = server.redacted_audio(path.split("/")[3])
                        return self._send(status, payload)
                    if path.startswith("/v2/transcript/") and path.count("/") == 3:
                        tid = path.rsplit("/", 1)[1]
                        if method == "GET":
                            return self._send(200, server.get_encoded(tid))
                        if method == "DELETE":
                            return self._send(200, server.delete(tid))
                    raise ApiError(404, "Not found")
                except ApiError as exc:
                    self._send(exc.status, {"error": exc.message})

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_DELETE(self) -> None:
                self._route("DELETE")

        return Handler

    def control(self, method: str, path: str, body: Any) -> Any:
        """Test control over HTTP: /_control/faults (POST adds, DELETE clears), /_control/stats, /_control/submissions
        (transcripts per job, across restarts), /_control/reset."""
        if path == "/_control/faults" and method == "POST":
            for rule in body if isinstance(body, list) else [body]:
                self.faults.add(rule)
            return {"faults": self.faults.describe()}
        if path == "/_control/faults" and method == "DELETE":
            self.faults.clear()
            return {"faults": []}
        if path == "/_control/stats":
            with self._lock:
                return json.loads(json.dumps(self.stats))
        if path == "/_control/submissions":
            return self.submissions_per_job()
        if path == "/_control/reset" and method == "POST":
            self.reset()
            return {"ok": True}
        raise ApiError(404, "Not found")
