"""An engine's result as GetRecognition streams it: per utterance a `final`, its `finalRefinement` and an
`eouUpdate`, each wrapped in {"result": …}; int64 values as strings, `confidence` 0 ("Currently is not used")."""

from __future__ import annotations

from typing import Any

from common.adapters.speechkit import LANGUAGES
from local.assemblyai.speech import Result

PAUSE_MS = 800  # a pause this long ends an utterance (an end of utterance, in SpeechKit's words)
MAX_WORDS = 40


def _utterances(result: Result, labeled: bool) -> list[tuple[str, list[dict[str, Any]]]]:
    """(channelTag, words) per utterance: the engine's speakers folded onto "0"/"1" when labeled (SpeechKit tells
    at most two apart), else one channel split at pauses and sentence ends."""
    if labeled and result.utterances:
        order: dict[str, str] = {}
        out = []
        for u in result.utterances:
            tag = order.setdefault(str(u.get("speaker")), str(min(len(order), 1)))
            out.append((tag, list(u["words"])))
        return out
    out, current = [], []
    for w in result.words:
        if current and (w["start"] - current[-1]["end"] >= PAUSE_MS or len(current) >= MAX_WORDS):
            out.append(("0", current))
            current = []
        current.append(w)
        if w["text"].rstrip().endswith((".", "?", "!")):
            out.append(("0", current))
            current = []
    if current:
        out.append(("0", current))
    return out


def _alternative(words: list[dict[str, Any]], language: str | None) -> dict[str, Any]:
    return {
        "words": [{"text": w["text"], "startTimeMs": str(w["start"]), "endTimeMs": str(w["end"])} for w in words],
        "text": " ".join(w["text"] for w in words),
        "startTimeMs": str(words[0]["start"]),
        "endTimeMs": str(words[-1]["end"]),
        "confidence": 0,
        "languages": [{"languageCode": language, "probability": 0.97}] if language else [],
    }


def recognition_stream(result: Result, labeled: bool, normalized: bool, session: str) -> list[dict[str, Any]]:
    language = LANGUAGES.get(result.language_code.split("_")[0]) if result.language_code else None
    out: list[dict[str, Any]] = []
    received = str(max(result.audio_duration * 1000, *(w["end"] for w in result.words[-1:])))
    for index, (tag, words) in enumerate(_utterances(result, labeled)):
        end = str(words[-1]["end"])
        cursors = {
            "receivedDataMs": received,  # the whole file has been read before the first result
            "resetTimeMs": "0",
            "partialTimeMs": end,
            "finalTimeMs": end,
            "finalIndex": str(index),
            "eouTimeMs": end,
        }
        common = {"sessionUuid": {"uuid": session, "userRequestId": ""}, "audioCursors": cursors}
        alternative = _alternative(words, language)
        out.append(
            {
                "result": {
                    **common,
                    "responseWallTimeMs": "0",
                    "final": {"alternatives": [alternative], "channelTag": tag},
                    "channelTag": tag,
                }
            }
        )
        if normalized:
            refinement = {
                "finalIndex": str(index),
                "normalizedText": {"alternatives": [alternative], "channelTag": tag},
            }
            out.append(
                {"result": {**common, "responseWallTimeMs": "0", "finalRefinement": refinement, "channelTag": tag}}
            )
        out.append({"result": {**common, "responseWallTimeMs": "0", "eouUpdate": {"timeMs": end}, "channelTag": tag}})
    return out
