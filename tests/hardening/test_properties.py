"""Property tests for everything that parses outside input: keys, events, requests and exports."""

from __future__ import annotations

import re
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.domain.errors import AppError
from common.domain.transcripts import alignment, exports
from common.domain.uploads import keys
from common.edge import events
from common.edge.http import Router, parse_event

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$|^recording$")


@given(st.text(max_size=2000))
def test_any_filename_becomes_one_safe_key_segment(name: str) -> None:
    safe = keys.sanitise_filename(name)
    assert 1 <= len(safe) <= 120
    assert SAFE_NAME.match(safe) and ".." not in safe.split("/") and "/" not in safe
    user, file = uuid.uuid4(), uuid.uuid4()
    assert keys.parse_upload_key(keys.upload_key(user, file, name)) == (user, file)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_trigger_parsing_accepts_only_the_documented_shape(event: Any) -> None:
    try:
        created, _skipped = events.object_creations(event)
    except events.EventError:
        return
    for item in created:
        assert isinstance(item.bucket, str) and item.bucket and isinstance(item.key, str) and item.key


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "httpMethod",
                "path",
                "url",
                "headers",
                "body",
                "isBase64Encoded",
                "queryStringParameters",
                "params",
                "requestContext",
            ]
        ),
        json_values,
    )
)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_any_gateway_event_gets_an_http_answer_never_an_exception(event: dict[str, Any]) -> None:
    router = Router()
    router.route("POST", "/x")(lambda req: (_ for _ in ()).throw(AssertionError("unreachable")))
    try:
        parse_event(event)
    except AppError:
        pass
    except (TypeError, AttributeError, ValueError) as exc:  # pragma: no cover - the property under test
        raise AssertionError(f"parse_event crashed on {event!r}") from exc
    result = router.handle(event)
    assert result["statusCode"] in (400, 404, 500) and result["body"]


words = st.lists(
    st.fixed_dictionaries(
        {
            "text": st.text(min_size=0, max_size=30),
            "start": st.integers(min_value=-10, max_value=10_000_000),
            "end": st.integers(min_value=-10, max_value=10_000_000),
        },
        optional={"speaker": st.sampled_from(["A", "B", None, "", "Speaker 3"])},
    ),
    max_size=60,
)
utterances = st.lists(
    st.fixed_dictionaries(
        {
            "speaker": st.sampled_from(["A", "B", None]),
            "start": st.integers(0, 10**7),
            "end": st.integers(0, 10**7),
            "text": st.text(max_size=200),
            "words": words,
        }
    ),
    max_size=8,
)
SRT_TIME = r"\d{2}:\d{2}:\d{2},\d{3}"
VTT_TIME = r"\d{2}:\d{2}:\d{2}\.\d{3}"


def _ms(stamp: str) -> int:
    h, m, rest = stamp.replace(",", ".").split(":")
    s, ms = rest.split(".")
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms)


@given(words, utterances, st.text(max_size=300), st.booleans(), st.floats(0, 100_000, allow_nan=False))
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_srt_and_vtt_are_always_well_formed(ws: list, us: list, text: str, dialogue: bool, duration: float) -> None:
    transcript = {"words": ws, "utterances": us, "text": text, "audio_duration": duration}
    cues = exports.build_cues(transcript, dialogue)
    srt = exports.to_srt(cues)
    blocks = [b for b in srt.split("\n\n") if b.strip()]
    assert len(blocks) == len(cues)
    previous_end = 0
    for n, block in enumerate(blocks, 1):
        lines = block.strip("\n").split("\n")
        assert lines[0] == str(n)
        match = re.fullmatch(f"({SRT_TIME}) --> ({SRT_TIME})", lines[1])
        assert match, lines[1]
        start, end = _ms(match[1]), _ms(match[2])
        assert previous_end <= start < end
        previous_end = end
        assert 1 <= len(lines[2:]) <= 2 and all(line.strip() for line in lines[2:])
    vtt = exports.to_vtt(cues)
    assert vtt.startswith("WEBVTT\n")
    vtt_blocks = [b for b in vtt.split("\n\n")[1:] if b.strip()]
    assert len(vtt_blocks) == len(cues)
    for block in vtt_blocks:
        timing, *body = block.strip("\n").split("\n")
        assert re.fullmatch(f"{VTT_TIME} --> {VTT_TIME}", timing)
        assert body and all("-->" not in line for line in body)
    exports.to_txt(transcript, dialogue)  # never raises


def _longest_common(a: list[str], b: list[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        above, row = row, [0]
        for j, y in enumerate(b):
            row.append(above[j] + 1 if x == y else max(above[j + 1], row[j]))
    return row[-1]


few_words = st.lists(st.sampled_from("abcd") | st.text("xyz", min_size=1, max_size=2), max_size=60)


@given(few_words, few_words)
@settings(max_examples=300)
def test_an_edit_keeps_as_many_unchanged_words_as_can_be_kept_on_a_short_line(old: list[str], new: list[str]) -> None:
    """The fast word alignment turns the old words into the new ones, and on lines short enough for the exact
    alignment keeps the most words unchanged (so the most words keep their timings)."""
    kept, at_old, at_new, rebuilt = 0, 0, 0, []
    for tag, a1, a2, b1, b2 in alignment.opcodes(old, new):
        assert (a1, b1) == (at_old, at_new) and tag in ("equal", "replace", "insert", "delete")
        if tag == "equal":
            assert old[a1:a2] == new[b1:b2]
            kept += a2 - a1
        rebuilt += new[b1:b2]
        at_old, at_new = a2, b2
    assert (at_old, at_new) == (len(old), len(new)) and rebuilt == new
    if len(old) * len(new) <= alignment.EXACT_CELLS:
        assert kept == _longest_common(old, new)
