"""Run the AssemblyAI-compatible server alone: python -m local.assemblyai --port 8091 --engine whisper."""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading

from local.assemblyai.engines import ENGINES
from local.assemblyai.server import AssemblyAIServer


def main() -> None:
    parser = argparse.ArgumentParser(description="AssemblyAI-compatible v2 transcript API on this machine.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--engine", choices=ENGINES, default="whisper")
    parser.add_argument("--api-key", default=None, help="require this Authorization value (default: accept any)")
    parser.add_argument("--webhook-retry-interval", type=float, default=10.0)
    args = parser.parse_args()
    server = AssemblyAIServer(
        args.host, args.port, args.api_key, args.engine, args.webhook_retry_interval, log=print
    ).start()
    print(f"AssemblyAI-compatible API at {server.base_url} (engine: {args.engine})", flush=True)
    if args.engine == "whisper":
        from local.assemblyai.whisper import describe

        for line in describe(server.engine.wait_ready(60)):  # type: ignore[attr-defined]
            print(f"  {line}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
