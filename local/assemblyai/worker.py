"""The local speech engine in its own process, so the gateway and functions stay responsive while it works.

`WorkerEngine` implements the `Engine` protocol for the server. It starts one worker process (multiprocessing,
spawn context) that loads the model once and takes jobs from a bounded queue (`QUEUE_SIZE`); a submission
waits up to `queue_wait_s` for room, then the transcript errors saying the engine is busy. The server's
processing thread sends (audio bytes, request) and waits for the result. If the worker dies (killed, out of
memory, a crash in native code), the transcripts it held end in `error` with a message and a fresh worker is
started for the next ones.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.assemblyai.speech import EngineError, Request, Result

QUEUE_SIZE = 8
CRASHED = (
    "The local speech engine stopped unexpectedly while transcribing this file (worker exit code {code}); "
    "it has been restarted. Please try again."
)
BUSY = (
    "The local speech engine is busy: {size} recordings are already waiting. This one was not transcribed; "
    "try again when they have finished."
)
STOPPED = "The local speech engine was stopped before this file was transcribed."
TIMED_OUT = "The local speech engine did not finish this file within {seconds:.0f} seconds."


def serve(name: str, requests: Any, results: Any, models_dir: Path | None = None) -> None:
    """The worker process: load the engine once, then transcribe jobs until told to stop (a None job)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the parent stops us
        # A SIGTERM (to the group, or from the parent) exits cleanly: libraries' semaphores are released.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    info: dict[str, Any] = {"pid": os.getpid()}
    engine: Any = None
    began = time.perf_counter()
    try:
        engine = _load(name, info, models_dir)
    except EngineError as exc:  # every job will fail with this message; the server still answers
        info["error"] = str(exc)
    info["ready_s"] = round(time.perf_counter() - began, 3)
    results.put(("ready", 0, info))
    while True:
        job = requests.get()
        if job is None:
            return
        job_id, audio, req = job
        try:
            if engine is None:
                raise EngineError(info["error"])
            result = engine.transcribe(audio, req)
            result.extra["worker_pid"] = os.getpid()
            results.put(("result", job_id, result))
        except EngineError as exc:
            results.put(("error", job_id, str(exc)))
        except Exception as exc:  # an engine bug ends this transcript, not the worker
            results.put(("internal", job_id, f"{type(exc).__name__}: {exc}"))


def _load(name: str, info: dict[str, Any], models_dir: Path | None) -> Any:
    if name != "whisper":
        raise EngineError(f"unknown worker engine {name!r}")
    import numpy as np

    from local.assemblyai.whisper import SAMPLE_RATE, Whisper

    engine = Whisper(models_dir=models_dir).load()
    clip = (0.05 * np.sin(2 * np.pi * 220 * np.arange(SAMPLE_RATE) / SAMPLE_RATE)).astype(np.float32)
    engine.detect(clip)  # warm up (the first run allocates), then time base's look at a 1 s clip
    began = time.perf_counter()
    engine.detect(clip)
    info["one_second_clip_s"] = round(time.perf_counter() - began, 3)
    return engine


@dataclass
class _Job:
    generation: int
    process: Any
    done: threading.Event = field(default_factory=threading.Event)
    result: Result | None = None
    error: Exception | None = None


class WorkerEngine:
    """An `Engine` whose work happens in a worker process (see the module docstring)."""

    def __init__(
        self,
        name: str = "whisper",
        queue_size: int = QUEUE_SIZE,
        queue_wait_s: float = 600.0,
        result_timeout_s: float = 3600.0,
        models_dir: Path | None = None,
    ) -> None:
        self.name, self.queue_size, self.models_dir = name, queue_size, models_dir
        self.queue_wait_s, self.result_timeout_s = queue_wait_s, result_timeout_s
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._jobs: dict[int, _Job] = {}
        self._ids = itertools.count(1)
        self._generation = 0
        self._closed = False
        self._ready = threading.Event()
        self.info: dict[str, Any] = {}
        self.restarts = 0
        self._start()

    # the worker's life

    def _start(self) -> None:
        """A new worker with its own queues (the old ones may hold a half-written message from a dead worker)."""
        self._generation += 1
        self._ready.clear()
        self._requests = self._ctx.Queue(maxsize=self.queue_size)
        self._results = self._ctx.Queue()
        for q in (self._requests, self._results):
            q.cancel_join_thread()  # a dead worker reads nothing: never block exit writing to it
        self._process = self._ctx.Process(
            target=serve,
            args=(self.name, self._requests, self._results, self.models_dir),
            name="speech-engine",
            daemon=True,
        )
        self._process.start()
        self._collector = threading.Thread(
            target=self._collect,
            args=(self._generation, self._results, self._process),
            name=f"speech-engine-results-{self._generation}",
            daemon=True,
        )
        self._collector.start()

    def _collect(self, generation: int, results: Any, process: Any) -> None:
        """Hand each result to the job waiting for it, until this worker stops."""
        while True:
            try:
                kind, job_id, payload = results.get(timeout=0.2)
            except queue.Empty:
                if not process.is_alive() or self._closed or generation != self._generation:
                    return
                continue
            except (EOFError, OSError):
                return
            if kind == "ready":
                self.info = dict(payload)
                from local.assemblyai.whisper import record_startup

                record_startup(self.info)
                self._ready.set()
                continue
            with self._lock:
                job = self._jobs.pop(job_id, None)
            if job is None:
                continue
            if kind == "result":
                job.result = payload
                extra = payload.extra
                if extra.get("audio_s"):
                    from local.assemblyai.whisper import record_speed

                    record_speed(float(extra["audio_s"]), float(extra.get("engine_s", 0.0)))
            elif kind == "error":
                job.error = EngineError(payload)
            else:
                job.error = RuntimeError(payload)
            job.done.set()

    def _crashed(self, job: _Job) -> int | None:
        """The dead worker's exit code; the worker is restarted once (by whichever waiting job notices first)."""
        job.process.join(1.0)
        with self._lock:
            if job.generation == self._generation and not self._closed:
                self.restarts += 1
                self._start()
        return job.process.exitcode

    # the Engine protocol

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def wait_ready(self, timeout: float = 60.0) -> dict[str, Any]:
        """The worker's start-up facts (pid, ready_s, one_second_clip_s, error) once it has loaded the model."""
        self._ready.wait(timeout)
        return dict(self.info)

    def transcribe(self, audio: bytes, req: Request) -> Result:
        if self._closed:
            raise EngineError(STOPPED)
        with self._lock:
            if self._process.exitcode is not None:  # it died while idle: start a fresh one for this job
                self.restarts += 1
                self._start()
            job_id, job = next(self._ids), _Job(self._generation, self._process)
            self._jobs[job_id] = job
            requests, process = self._requests, job.process
        try:
            requests.put((job_id, audio, req), timeout=self.queue_wait_s)
        except queue.Full:
            with self._lock:
                self._jobs.pop(job_id, None)
            raise EngineError(BUSY.format(size=self.queue_size)) from None
        deadline = time.monotonic() + self.result_timeout_s
        while not job.done.wait(0.2):
            if self._closed:
                raise EngineError(STOPPED)
            if not process.is_alive() and not job.done.wait(0.5):  # a result sent just before dying still counts
                with self._lock:
                    self._jobs.pop(job_id, None)
                raise EngineError(CRASHED.format(code=self._crashed(job)))
            if time.monotonic() > deadline:
                with self._lock:
                    self._jobs.pop(job_id, None)
                raise EngineError(TIMED_OUT.format(seconds=self.result_timeout_s))
        if job.error is not None:
            raise job.error
        assert job.result is not None
        return job.result

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker (at once if it is busy); transcripts still waiting end in error."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            jobs, self._jobs = self._jobs, {}
            process, requests = self._process, self._requests
        for job in jobs.values():
            job.error = EngineError(STOPPED)
            job.done.set()
        if not jobs:
            with contextlib.suppress(queue.Full, ValueError, OSError):
                requests.put_nowait(None)
            process.join(timeout)
        if process.is_alive():
            process.terminate()
            process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join(timeout)
        for q in (self._requests, self._results):
            q.close()
        self._collector.join(1.0)
        self._requests = self._results = None  # freed now, so their semaphores are not reported as leaked at exit
