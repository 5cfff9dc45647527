"""The local speech engine (Whisper tiny.en, in its worker process), measured on speech made with espeak-ng.

Generates its own recordings: single-voice sentences in three voices, two ~40 s two-voice dialogues (a man and
a woman; two men) and a ~90 s reading, then reports word error rate (case and punctuation ignored), speaker
attribution (share of words given the right voice, labels mapped to voices by majority), how many speakers
were found, and processing seconds per audio second. The workload is fixed; it takes well under a minute on
2 cores. espeak-ng is robotic: real recordings of clear speech do about as well, noisy rooms worse.

Run: .venv/bin/python bench/engine_accuracy.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from local.assemblyai import espeak  # noqa: E402
from local.assemblyai.speech import Request, Result  # noqa: E402

SENTENCES = [
    "The meeting has been moved to Tuesday morning, so we will have more time to prepare the slides.",
    "We reviewed the budget yesterday and agreed to hire two more engineers next month.",
    "Thank you all for joining today. Let us start with a short update from each team.",
    "The weather was lovely this weekend, so we walked along the river and had lunch in the park.",
    "Could you check whether the new printer on the third floor is working again?",
    "Our customers asked for a simpler way to export their data, and we plan to ship it in the spring.",
]
MONO_VOICES = ["en-us", "en+f4", "en+m3"]
TURNS = [
    "Hi Sam, do you have a minute to talk about the release?",
    "Sure. I was just looking at the list of open bugs.",
    "How many are left before we can ship?",
    "Only three, and two of them are small fixes in the settings page.",
    "That sounds good. What about the third one?",
    "It is a crash on older phones. I would like one more day to test it.",
    "Fine, let us move the release to Thursday then.",
    "Great, I will tell the support team this afternoon.",
]
DIALOGUE_PAIRS = [("en+m3", "en+f4"), ("en-us", "en+m3")]  # a man and a woman; two men
READING = (
    "Every city has its own rhythm. In the early morning the streets belong to bakers, cleaners and people "
    "walking their dogs. By eight o'clock the buses are full and the cafes smell of coffee and warm bread. "
    "Offices fill up slowly, and for a few hours the town is busy with meetings, phone calls and deliveries. "
    "At lunch time the parks are crowded with workers who sit on the grass and talk about their plans for the "
    "weekend. In the afternoon the schools open their doors and children run home, shouting and laughing. "
    "When the sun goes down, the light in the windows changes from white to yellow, and the restaurants "
    "prepare for dinner. Musicians play on the corners of the old square, and tourists take pictures of the "
    "river and the bridges. Late at night the city becomes quiet again. Only the taxis and the night trains "
    "keep moving, and the bakers are already getting ready for the next day. Some people say that a city is "
    "only as good as its libraries. Ours has a small one near the station, with big windows and old wooden "
    "tables. Students come to read there after school, and retired teachers meet on Wednesday evenings to "
    "discuss a new book. Nobody is in a hurry, and the librarian knows almost everybody by name. On Saturdays "
    "there is a market in front of the town hall, where farmers sell cheese, apples, honey and fresh flowers. "
    "It is the best place to hear the news, because everyone stops to talk for a while."
)


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    if not espeak.available():
        sys.exit("espeak-ng is not installed (apt-get install espeak-ng)")
    from local.assemblyai.whisper import ffmpeg_installed
    from local.assemblyai.worker import WorkerEngine

    began = time.perf_counter()
    engine = WorkerEngine("whisper")
    info = engine.wait_ready(120)
    print(
        f"worker pid {info.get('pid')}: model ready in {info.get('ready_s')} s, 1 s clip in "
        f"{info.get('one_second_clip_s')} s (this process {os.getpid()}); "
        f"cores {os.cpu_count()}; ffmpeg {'installed' if ffmpeg_installed() else 'not installed'}",
        flush=True,
    )
    audio_total = engine_total = 0.0

    def run(audio: bytes, req: Request) -> tuple[Result, float, float]:
        nonlocal audio_total, engine_total
        result = engine.transcribe(audio, req)
        audio_s, engine_s = float(result.extra["audio_s"]), float(result.extra["engine_s"])
        audio_total, engine_total = audio_total + audio_s, engine_total + engine_s
        return result, audio_s, engine_s

    try:
        print("\nsingle voice, one sentence each", flush=True)
        mono_errors = mono_words = 0.0
        for voice in MONO_VOICES:
            errors = words = audio_s = engine_s = 0.0
            for sentence in SENTENCES:
                result, a, e = run(espeak.speech(sentence, voice), Request(False, "en", False))
                n = len(espeak.normalised(sentence))
                errors += espeak.wer(sentence, result.text) * n
                words, audio_s, engine_s = words + n, audio_s + a, engine_s + e
            mono_errors, mono_words = mono_errors + errors, mono_words + words
            print(
                f"  {voice:8} WER {errors / words:6.1%}  {len(SENTENCES)} clips, {audio_s:5.1f} s audio, "
                f"{engine_s / audio_s:.3f} s per audio s",
                flush=True,
            )
        mono_wer = mono_errors / mono_words

        print("\ntwo-voice dialogues (8 turns, 0.6 s pauses)", flush=True)
        attributions = []
        for a_voice, b_voice in DIALOGUE_PAIRS:
            audio, spans = espeak.dialogue([((a_voice, b_voice)[i % 2], t) for i, t in enumerate(TURNS)])
            for expected in (None, 2):
                result, a, e = run(audio, Request(True, "en", False, expected))
                words = result.words
                right, _ = espeak.attribution(words, spans)
                found = len({w["speaker"] for w in words})
                wer = espeak.wer(" ".join(TURNS), result.text)
                attributions.append((a_voice, b_voice, expected, right, found))
                print(
                    f"  {a_voice}/{b_voice:6} speakers_expected={expected!s:4}  found {found}, "
                    f"words attributed right {right:6.1%}, WER {wer:5.1%}, {a:4.1f} s audio, {e / a:.3f} s per audio s",
                    flush=True,
                )

        print("\nreading, one voice (en-us), with speaker labels", flush=True)
        result, reading_audio, reading_engine = run(espeak.speech(READING, "en-us"), Request(True, None, False))
        reading_wer = espeak.wer(READING, result.text)
        reading_speakers = len({w["speaker"] for w in result.words})
        print(
            f"  {reading_audio:.1f} s audio: WER {reading_wer:.1%}, speakers found {reading_speakers}, "
            f"{reading_engine:.2f} s ({reading_engine / reading_audio:.3f} s per audio s, "
            f"{reading_audio / reading_engine:.0f}x real time)",
            flush=True,
        )
    finally:
        engine.close()

    rtf = engine_total / audio_total
    mixed = next(r for r in attributions if r[0] == "en+m3" and r[2] is None)
    similar = next(r for r in attributions if r[0] == "en-us" and r[2] == 2)
    print(
        f"\nSUMMARY whisper-tiny.en: mono WER {mono_wer:.1%}; man/woman dialogue {mixed[3]:.0%} of words right "
        f"({mixed[4]} speakers found); two men with speakers_expected=2 {similar[3]:.0%}; 90 s reading WER "
        f"{reading_wer:.1%}; {rtf:.3f} s per audio s ({1 / rtf:.0f}x real time) over {audio_total:.0f} s of audio; "
        f"wall {time.perf_counter() - began:.0f} s{'' if shutil.which('ffmpeg') else '; no ffmpeg'}",
        flush=True,
    )


if __name__ == "__main__":
    main()
