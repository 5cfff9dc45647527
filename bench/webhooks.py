"""Webhooks ingested per second, one process, transcripts of a 30-minute recording (issue #14, target 2: ≥ 200/s).

Real PostgreSQL (a throwaway database), the local cloud on free ports with the local AssemblyAI server over HTTP
(deterministic engine), the real SDK path. One 30-minute dialogue recording (a low-rate WAV, so it is a few MB)
carries a script of ~5,000 words in ~230 utterances (~1 MB of transcript JSON); N jobs of it finish at the provider
with their webhooks held back; then `functions.assemblyai_webhook.index.handler` ingests all N in one process
(re-fetch by id through the SDK's client, store words and utterances, complete the job, delete the provider copy,
look for a job to take the freed slot).

Run: .venv/bin/python bench/webhooks.py [--webhooks 300] [--words 5000] [--threads 1] [--breakdown]
                                        [--profile out.html | --py-spy stacks.txt]
`--breakdown` times named steps (wrapped for the run); the profilers are pip-installed into .venv by hand.
The last line is the ratio to the target, e.g. `webhooks/s vs 200 target: 1.12x`.
"""

from __future__ import annotations

import argparse
import faulthandler
import gc
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from harness import cloud, postgres_database, webhook_events

TARGET = 200.0
DURATION_S = 30 * 60

_VOCABULARY = (  # words a meeting is made of, split where used
    "the a to and of we it that is in you for this on so but with they have be just what not are like can do "
    "was think about there if know our at all would one well from yeah right now going get then people more "
    "when time really because out some how which up them also very see could did here want need make okay "
    "customer release budget quarter numbers meeting question timeline migration database latency invoice "
    "transcription recording speaker review deadline priority roadmap feedback estimate dashboard incident "
    "Monday Tuesday Anna Boris Berlin Helsinki twenty thirty percent actually probably basically definitely"
)


def long_dialogue(words: int, speakers: str = "AB", seed: int = 14) -> list[tuple[str, str]]:
    """Turns of a meeting: alternating speakers, 3 to 40 words a turn, sentences with punctuation."""
    rng, vocabulary = random.Random(seed), _VOCABULARY.split()
    turns: list[tuple[str, str]] = []
    left, turn = words, 0
    while left > 0:
        n = min(left, rng.randint(3, 40))
        chosen = [rng.choice(vocabulary) for _ in range(n)]
        chosen[0] = chosen[0].capitalize()
        for i in range(1, n - 1):
            if rng.random() < 0.08:
                chosen[i] += ","
        chosen[-1] += rng.choice(".?.")
        turns.append((speakers[turn % len(speakers)], " ".join(chosen)))
        left -= n
        turn += 1
    return turns


def _py_spy(out: str) -> subprocess.Popen[bytes]:
    """py-spy sampling this process (only what runs while it is attached: the ingestion)."""
    exe = Path(sys.executable).with_name("py-spy")
    spy = subprocess.Popen(
        [str(exe), "record", "-r", "200", "--nonblocking", "-f", "raw", "-o", out, "--pid", str(os.getpid())]
    )
    time.sleep(2)  # attached
    return spy


def _timed() -> dict[str, float]:
    """Wall time spent in a few named places (wrapped here, for the breakdown): name → seconds."""
    import common.adapters.assemblyai
    import common.domain.pipeline.cleanups
    import common.domain.pipeline.pipeline
    import common.domain.pipeline.transitions

    spent: dict[str, float] = {}

    def wrap(owner: Any, name: str, label: str) -> None:
        inner = getattr(owner, name)
        spent[label] = 0.0

        def timed(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return inner(*a, **kw)
            finally:
                spent[label] += time.perf_counter() - t0

        setattr(owner, name, timed)

    wrap(common.adapters.assemblyai, "parse_transcript", "parse")
    wrap(common.adapters.assemblyai.AssemblyAI, "get", "provider get (incl. parse)")
    wrap(common.adapters.assemblyai.AssemblyAI, "delete", "provider delete")
    wrap(common.domain.pipeline.pipeline, "finish", "finish")
    wrap(common.domain.pipeline.transitions, "complete", "complete (update)")
    wrap(common.domain.pipeline.cleanups, "enqueue", "flush transcript + enqueue")
    wrap(common.domain.pipeline.transitions, "claim", "claim")
    wrap(common.domain.pipeline.cleanups, "run", "cleanup (incl. delete)")
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--webhooks", type=int, default=300)
    parser.add_argument("--words", type=int, default=5000, help="words in the 30-minute recording")
    parser.add_argument("--threads", type=int, default=1, help="handler calls at once (one process)")
    parser.add_argument("--breakdown", action="store_true", help="time named steps: parse, HTTP calls, transactions")
    parser.add_argument("--timeout", type=float, default=600, help="the whole run is stopped after this many s")
    parser.add_argument("--profile", metavar="HTML", help="profile the ingestion with pyinstrument (pip-installed)")
    parser.add_argument("--py-spy", metavar="OUT", help="sample the ingestion with py-spy (pip-installed), raw stacks")
    args = parser.parse_args()
    faulthandler.dump_traceback_later(args.timeout, exit=True)  # bounded in time, whatever hangs

    from sqlalchemy import func, select

    from common.store.db import transaction
    from common.store.models import Transcript, TranscriptionJob
    from local.assemblyai.media import dialogue_script, make_wav
    from tests.api import Api, signed_up
    from tests.pipeline.helpers import declare, put_bytes

    limits = {"MAX_ACTIVE_JOBS_PER_USER": "100000", "MAX_PARALLEL_PER_USER": "100000"}  # one user submits them all
    with postgres_database() as url, cloud(url, MAX_PARALLEL_TRANSCRIPTIONS="100000", **limits) as c:
        script = dialogue_script(long_dialogue(args.words), DURATION_S)
        script["processing_ms"] = 0
        wav = make_wav(script, DURATION_S, sample_rate=1000)  # 30 min of a 220 Hz tone: 3.6 MB, not 29
        n_words = sum(len(u["words"]) for u in script["utterances"])
        api: Api = signed_up(f"bench-{uuid.uuid4().hex[:6]}@example.com")
        declared = declare(api, wav)
        put_bytes(declared, wav)
        c.wait_idle(60)

        c.assemblyai.faults.add({"op": "webhook", "mode": "drop", "times": args.webhooks})
        setup = time.perf_counter()
        for _ in range(args.webhooks):
            created = api.post("/api/v1/jobs", {"file_id": declared["file"]["id"], "mode": "dialogue"})
            assert created.status == 201, created.text
        c.assemblyai.wait_idle(args.timeout / 2)
        with transaction() as s:
            pairs = s.execute(
                select(TranscriptionJob.id, TranscriptionJob.provider_transcript_id).where(
                    TranscriptionJob.stage == "submitted"
                )
            ).all()
        assert len(pairs) == args.webhooks, f"{len(pairs)} of {args.webhooks} jobs reached the provider"
        sample: dict[str, Any] = c.assemblyai.get(pairs[0][1])
        assert sample["status"] == "completed" and len(sample["words"]) == n_words, sample.get("error")
        size = len(json.dumps(sample))
        print(
            f"{args.webhooks} transcripts of {DURATION_S // 60} min at the provider: {n_words} words, "
            f"{len(sample['utterances'])} utterances, {size / 1e6:.2f} MB of JSON each "
            f"(set up in {time.perf_counter() - setup:.0f} s)"
        )

        from functions.assemblyai_webhook.index import handler

        events = webhook_events(pairs)
        profiler: Any = None
        spy = _py_spy(args.py_spy) if args.py_spy else None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        timers = _timed() if args.breakdown else {}
        gc_time = [0.0, 0.0]

        def _gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                gc_time[1] = time.perf_counter()
            else:
                gc_time[0] += time.perf_counter() - gc_time[1]

        gc.callbacks.append(_gc)
        start, cpu = time.perf_counter(), time.process_time()

        def ingest(event: dict[str, Any]) -> None:
            res = handler(event, None)
            assert res["statusCode"] == 200 and '"completed"' in res["body"], res

        if args.threads > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(args.threads) as pool:
                list(pool.map(ingest, events))
        else:
            for event in events:
                ingest(event)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        gc.callbacks.remove(_gc)
        parts = {"gc": gc_time[0], **timers}
        print("ms a webhook: " + ", ".join(f"{k} {v / len(events) * 1000:.1f}" for k, v in parts.items()))
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
        if profiler is not None:
            profiler.stop()
            Path(args.profile).write_text(profiler.output_html())
            print(profiler.output_text(unicode=False, color=False, show_all=False))

        with transaction() as s:
            done = s.scalar(
                select(func.count()).select_from(TranscriptionJob).where(TranscriptionJob.status == "completed")
            )
            stored = s.get(Transcript, pairs[0][0])
            assert stored is not None
            stored_words, stored_utterances = stored.words, stored.utterances
        assert done == len(events), done
        assert stored_words == sample["words"] and len(stored_utterances) == len(sample["utterances"])
        assert c.assemblyai.stats["deletes"] == len(events)  # every provider copy deleted
        rate = len(events) / elapsed
        print(
            f"webhooks ingested: {len(events)} in {elapsed:.2f} s = {rate:.0f}/s "
            f"({elapsed / len(events) * 1000:.1f} ms each, {cpu / len(events) * 1000:.1f} ms of it the process CPU; "
            f"one process, {args.threads} thread(s), {n_words}-word transcripts)"
        )
        print(f"webhooks/s vs {TARGET:.0f} target: {rate / TARGET:.2f}x")
    faulthandler.cancel_dump_traceback_later()


if __name__ == "__main__":
    main()
