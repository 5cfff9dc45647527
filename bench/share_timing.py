"""Share links: the time to refuse an unknown, a revoked and an expired link, measured loosely on PostgreSQL.

The tests hold the three refusals to one code path (the same statements); this only shows the times agree too.
Run: .venv/bin/python bench/share_timing.py [--samples 200]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time
import uuid
from datetime import timedelta

from harness import postgres_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    with postgres_database() as url:
        os.environ.update({"DATABASE_URL": url, "SHARE_READS_PER_ADDRESS": str(10**9)})
        from sqlalchemy import update

        from common.domain.errors import NotFound
        from common.domain.transcripts import shared, shares
        from common.runtime.config import get_settings
        from common.store.db import transaction
        from common.store.migrate import upgrade
        from common.store.models import MediaFile, TranscriptionJob, TranscriptShare, User, utcnow

        upgrade(url)
        settings = get_settings()
        user_id, file_id, job_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        tokens = {name: shares.new_token() for name in ("live", "revoked", "expired")}
        with transaction() as s:
            s.add(User(id=user_id, email=f"b-{user_id.hex[:6]}@example.com", password_hash="x"))
            s.flush()
            s.add(
                MediaFile(
                    id=file_id,
                    owner_id=user_id,
                    object_key=f"k/{file_id}",
                    filename="a.wav",
                    content_type="audio/wav",
                    declared_size=1,
                )
            )
            s.flush()
            s.add(
                TranscriptionJob(
                    id=job_id, owner_id=user_id, media_file_id=file_id, status="completed", stage="completed"
                )
            )
            s.flush()
            for token in tokens.values():
                s.add(TranscriptShare(job_id=job_id, owner_id=user_id, token_hash=shares.token_digest(token)))
            s.flush()
            now = utcnow()
            s.execute(
                update(TranscriptShare)
                .where(TranscriptShare.token_hash == shares.token_digest(tokens["revoked"]))
                .values(revoked_at=now)
            )
            s.execute(
                update(TranscriptShare)
                .where(TranscriptShare.token_hash == shares.token_digest(tokens["expired"]))
                .values(expires_at=now - timedelta(seconds=1))
            )

        def timed(token: str) -> float:
            start = time.perf_counter()
            with contextlib.suppress(NotFound):  # the transcript read behind a live link is not timed: no transcript
                shared.transcript(token, "json", "192.0.2.1", settings)
            return (time.perf_counter() - start) * 1000

        cases = {
            "unknown": lambda: shares.new_token(),
            "revoked": lambda: tokens["revoked"],
            "expired": lambda: tokens["expired"],
        }
        for make in cases.values():
            timed(make())
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.samples):  # interleaved, so drift on shared cores hits every case alike
            for name, make in cases.items():
                samples[name].append(timed(make()))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    spread = max(medians.values()) - min(medians.values())
    print(
        f"{args.samples} samples each, interleaved (medians): "
        + ", ".join(f"{name} {ms:.2f} ms" for name, ms in medians.items())
        + f"; largest gap {spread:.2f} ms ({spread / min(medians.values()) * 100:.1f}%)"
    )


if __name__ == "__main__":
    main()
