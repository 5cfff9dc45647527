"""Pure parts: object keys, config, event parsing, exports edge cases, and the spec mirrored by the routers."""

from __future__ import annotations

import base64
import importlib
import itertools
import uuid
from pathlib import Path

import pytest

from common.domain.transcripts import exports
from common.domain.uploads import keys
from common.edge.http import Router, json_response, parse_event
from common.runtime.config import ConfigError, read_dotenv, settings_from
from tests.api import spec

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("talk.wav", "talk.wav"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\My Talk.mp3", "My_Talk.mp3"),
        ("Интервью.wav", "wav"),
        ("café ünïcode.m4a", "cafe_unicode.m4a"),
        ("...", "recording"),
        ("\x00\x1f.wav", "wav"),
        ("a" * 500 + ".flac", "a" * 115 + ".flac"),
    ],
)
def test_filenames_become_safe_key_parts(name: str, expected: str) -> None:
    assert keys.sanitise_filename(name) == expected


def test_upload_keys_round_trip_and_reject_foreign_keys() -> None:
    user, file = uuid.uuid4(), uuid.uuid4()
    key = keys.upload_key(user, file, "../x y.wav")
    assert key == f"uploads/{user}/{file}/x_y.wav"
    assert keys.parse_upload_key(key) == (user, file)
    for foreign in ("uploads/x/y/z", "other/a/b/c", f"uploads/{user}/{file}", f"uploads/{user}/{file}/a/b"):
        assert keys.parse_upload_key(foreign) is None


def test_missing_settings_name_the_variable() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        settings_from({}).require(["database"])
    with pytest.raises(ConfigError, match="S3_ACCESS_KEY_ID, S3_BUCKET, S3_SECRET_ACCESS_KEY"):
        settings_from({"DATABASE_URL": "sqlite://"}).require(["database", "storage"])
    with pytest.raises(ConfigError, match="MAX_PARALLEL_TRANSCRIPTIONS"):
        settings_from({"MAX_PARALLEL_TRANSCRIPTIONS": "zero"})
    with pytest.raises(ConfigError, match="JWT_KEY_ID, JWT_PRIVATE_KEY"):
        settings_from({}).require(["tokens"])
    with pytest.raises(ConfigError, match="PEM private key"):
        settings_from({"JWT_PRIVATE_KEY": "a shared secret", "JWT_KEY_ID": "k1"}).require(["tokens"])


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("# comment\nexport DATABASE_URL='sqlite:///x.db'\nS3_BUCKET=media\n\nbroken line\n")
    assert read_dotenv(env) == {"DATABASE_URL": "sqlite:///x.db", "S3_BUCKET": "media"}


def test_events_parse_base64_bodies_and_any_header_case() -> None:
    event = {
        "httpMethod": "POST",
        "path": "/api/v1/jobs",
        "url": "/api/v1/jobs?x=1",
        "headers": {"AUTHORIZATION": "Bearer t", "Content-Type": "application/json"},
        "queryStringParameters": {"x": "1"},
        "params": {},
        "isBase64Encoded": True,
        "body": base64.b64encode(b'{"a": 1}').decode(),
        "requestContext": {"requestId": "r1"},
    }
    req = parse_event(event)
    assert req.header("authorization") == "Bearer t" and req.header("content-type") == "application/json"
    assert req.json() == {"a": 1} and req.query == {"x": "1"} and req.request_id == "r1"


def test_router_answers_json_errors_for_unknown_routes_and_crashes() -> None:
    router = Router()

    @router.route("GET", "/boom")
    def boom(req: object) -> object:
        raise RuntimeError("secret detail")

    missing = router.handle({"httpMethod": "GET", "path": "/nope", "url": "/nope"})
    assert missing["statusCode"] == 404 and '"route_not_found"' in missing["body"]
    crashed = router.handle({"httpMethod": "GET", "path": "/boom", "url": "/boom"})
    assert crashed["statusCode"] == 500 and "secret detail" not in crashed["body"]
    assert json_response(200, {"a": "é"}).to_result()["headers"]["Content-Type"].startswith("application/json")


def test_every_spec_route_is_served_by_its_function_and_nothing_else_is() -> None:
    declared: dict[str, set[tuple[str, str]]] = {}
    for path, ops in spec()["paths"].items():
        for method, op in ops.items():
            integration = op["x-yc-apigateway-integration"]
            if integration["type"] == "cloud_functions":
                name = integration["function_id"].removeprefix("${functions.").removesuffix("}")
                declared.setdefault(name, set()).add((method.upper(), path))
    http_functions = {p.parent.name for p in FUNCTIONS.glob("*/index.py") if "Router()" in p.read_text()}
    assert set(declared) == http_functions
    for name in http_functions:
        router = importlib.import_module(f"functions.{name}.index").router
        assert set(router.routes) == declared[name], name


def _cue_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "-->" in line]


def test_long_mono_speech_is_cut_into_readable_cues() -> None:
    words = [{"text": f"word{i}", "start": i * 400, "end": i * 400 + 350} for i in range(60)]
    cues = exports.build_cues({"words": words, "utterances": [], "text": ""}, dialogue=False)
    assert len(cues) > 3
    for cue in cues:
        assert len(cue.text) <= exports.MAX_CUE_CHARS and cue.end - cue.start <= exports.MAX_CUE_MS
        assert all(len(line) <= exports.MAX_LINE_CHARS for line in exports.wrap(cue.text))
    assert [w for c in cues for w in c.text.split()] == [w["text"] for w in words]
    assert all(b.start >= a.end for a, b in itertools.pairwise(cues))


def test_timestamps_and_escaping() -> None:
    assert exports.srt_time(3_723_004) == "01:02:03,004" and exports.vtt_time(59_999) == "00:00:59.999"
    cues = exports.build_cues({"words": [{"text": "a<b>&c", "start": 0, "end": 0}]}, dialogue=False)
    vtt = exports.to_vtt(cues)
    assert "a&lt;b&gt;&amp;c" in vtt and _cue_lines(vtt) == ["00:00:00.000 --> 00:00:00.001"]


def test_empty_and_wordless_transcripts_still_export() -> None:
    assert exports.to_srt(exports.build_cues({"text": "", "words": []}, False)) == ""
    assert exports.to_vtt([]) == "WEBVTT\n"
    cues = exports.build_cues({"text": "no timings here", "audio_duration": 4.0}, dialogue=False)
    assert _cue_lines(exports.to_srt(cues)) == ["00:00:00,000 --> 00:00:04,000"]
