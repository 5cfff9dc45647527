"""python -m local: the whole Transcribe system on this machine (see README for how it maps to the cloud)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from local.cloud import LocalCloud, PortTaken


def _speech(cloud: LocalCloud) -> list[str]:
    """What transcribes, for the banner: the local engine's languages, speed and formats."""
    server = cloud.assemblyai or cloud.speechkit
    if server is None:
        return ["AssemblyAI (real, with ASSEMBLYAI_API_KEY)"]
    name = "whisper" if cloud.engine == "auto" else cloud.engine
    if name == "whisper":
        from local.assemblyai.whisper import describe

        return describe(server.engine.wait_ready(60))
    return [f"local {name} engine (test transcripts from the WAV files themselves)"]


def build_parser() -> argparse.ArgumentParser:
    """Every flag says what it moves or keeps, so `--help` is enough to run several copies side by side."""
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address every server listens on (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=8080, help="gateway and web app (default: %(default)s; 0: any free port)"
    )
    parser.add_argument(
        "--s3-port",
        type=int,
        default=9000,
        help="local Object Storage, S3 API (default: %(default)s; 0: any free port)",
    )
    parser.add_argument(
        "--assemblyai-port",
        type=int,
        default=8091,
        help="local speech server with AssemblyAI's API (default: %(default)s; 0: any free port)",
    )
    parser.add_argument(
        "--provider",
        choices=["assemblyai", "speechkit"],
        default="assemblyai",
        help="the cloud engine the functions talk to, each with its local server backed by the offline engine: "
        "AssemblyAI's API (webhooks) or Yandex SpeechKit's v3 (polled by the reconcile timer) (default: %(default)s)",
    )
    parser.add_argument(
        "--speechkit-port",
        type=int,
        default=8095,
        help="local speech server with SpeechKit's v3 API, with --provider speechkit (default: %(default)s; 0: any "
        "free port)",
    )
    parser.add_argument(
        "--mail-port",
        type=int,
        default=8025,
        help="Postbox stand-in and its page of sent mail (default: %(default)s; 0: any free port)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("data"),
        help="where everything is kept across restarts and crashes: accounts, jobs and transcripts (SQLite), the "
        "signing keys, recordings and open uploads (s3/), undelivered upload events and the local AssemblyAI's "
        "transcripts (default: ./%(default)s)",
    )
    parser.add_argument(
        "--engine",
        choices=["auto", "whisper", "deterministic"],
        default="auto",
        help="auto: real AssemblyAI when ASSEMBLYAI_API_KEY is set, else whisper (offline Whisper base, 99 "
        "languages, detected when left blank); deterministic: the test engine",
    )
    parser.add_argument(
        "--reconcile-interval",
        type=float,
        default=None,
        help="seconds between runs of the reconcile timer (default: 30, or 3 with --provider speechkit, whose "
        "results it polls; 0 turns the timer off)",
    )
    parser.add_argument(
        "--webhook-retry-interval",
        type=float,
        default=10.0,
        help="seconds the local speech server waits before re-sending a webhook that failed (default: %(default)s)",
    )
    return parser


def main() -> None:
    parser = build_parser()
    args = parser.parse_args()
    cloud = LocalCloud(
        args.host,
        args.port,
        args.s3_port,
        args.assemblyai_port,
        args.mail_port,
        args.data_dir,
        engine=args.engine,
        reconcile_interval_s=args.reconcile_interval
        if args.reconcile_interval is not None
        else (3.0 if args.provider == "speechkit" else 30.0),
        webhook_retry_interval_s=args.webhook_retry_interval,
        provider=args.provider,
        speechkit_port=args.speechkit_port,
    )
    try:
        cloud.start()
    except PortTaken as exc:
        sys.exit(f"error: {exc}")
    print(f"Transcribe is running at {cloud.url}", flush=True)
    print(f"  S3: {cloud.s3_endpoint}   database: {cloud.database_url}", flush=True)
    print(f"  mail it sent (password resets): {cloud.mail_url}", flush=True)
    if cloud.assemblyai:
        print(f"  AssemblyAI stand-in: {cloud.assemblyai.base_url}", flush=True)
    if cloud.speechkit:
        print(f"  SpeechKit stand-in: {cloud.speechkit.base_url}", flush=True)
    for i, line in enumerate(_speech(cloud)):
        print(f"  {'speech:' if i == 0 else '       '} {line}", flush=True)
    print("  Ctrl-C stops it.", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    print("stopping…", flush=True)
    cloud.stop()


if __name__ == "__main__":
    main()
