"""Search over transcripts of realistic length (issue #14, target 3's search, with 30-minute recordings).

`bench/scale.py` measures search at a million jobs, but its transcripts are a dozen words. A 30-minute recording's is
~5,000 words (~30 KB of text, ~0.4 MB of timed words), and two costs grow with that length, not with the job count:
matching a transcript that is not looked up in the index (the newest-first walk computes its words' search vector),
and the snippet of each hit (its timed words are read to find the moment the words are said).

A throwaway PostgreSQL database, migrated to head; one user with `--jobs` completed jobs whose transcripts are 5,000
words of a meeting's vocabulary (every transcript says the common words), plus "quarterly" in 1 transcript in 20 and
the name "zanzibar" in 5 transcripts; ANALYZE. Then, through the real `jobs` handler, warm, medians of `--runs`:
- a word every transcript says ("budget": a page of 20 from the newest);
- a word in 1 in 20 ("quarterly": PostgreSQL's statistics list it among the index's common words);
- a name in 5 recordings ("zanzibar").

Run: .venv/bin/python bench/search_long.py [--jobs 1000] [--runs 9]   (about a minute; the last line is the worst)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from harness import HANDLER_ENV, copy_history, median_ms, postgres_database

WORDS = 5_000
EVERY, SOMETIMES, RARE = "budget", "quarterly", "zanzibar"


def _transcript(rng: random.Random, vocabulary: list[str], extra: list[str]) -> tuple[str, str]:
    """A 30-minute transcript: its text and its timed words (as stored: JSON)."""
    said = [rng.choice(vocabulary) for _ in range(WORDS)]
    said[rng.randrange(WORDS)] = EVERY
    for word in extra:
        said[rng.randrange(WORDS)] = word
    words = [
        {"text": w, "start": i * 360, "end": i * 360 + 300, "confidence": 0.93, "speaker": "AB"[i // 40 % 2]}
        for i, w in enumerate(said)
    ]
    return " ".join(said), json.dumps(words)


def seed(url: str, jobs: int) -> uuid.UUID:
    import psycopg
    from webhooks import _VOCABULARY

    rng, vocabulary = random.Random(14), [w.lower() for w in _VOCABULARY.split()]
    now, user = datetime.now(UTC), uuid.uuid4()
    rare_at = set(rng.sample(range(jobs), 5))
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO users (id, email, password_hash, created_at, token_version) VALUES (%s, %s, 'x', %s, 0)",
            (user, "long@example.com", now),
        )
        for start in range(0, jobs, 100):  # in batches: a batch's words are ~40 MB of JSON
            files, rows, transcripts = io.StringIO(), io.StringIO(), io.StringIO()
            for n in range(start, min(jobs, start + 100)):
                fid, jid, created = uuid.uuid4(), uuid.uuid4(), (now - timedelta(seconds=jobs - n)).isoformat()
                files.write(
                    f"{fid}\t{user}\tuploads/{user}/{fid}/a\tmeeting {n}.wav\taudio/wav\t48000\t48000\tuploaded"
                    f"\t{created}\t{created}\n"
                )
                rows.write(f"{jid}\t{user}\t{fid}\ten\tmono\tcompleted\tcompleted\t1\t{created}\t{created}\n")
                extra = ([SOMETIMES] if n % 20 == 0 else []) + ([RARE] if n in rare_at else [])
                text, words = _transcript(rng, vocabulary, extra)
                transcripts.write(f"{jid}\t{text}\t[]\t{words}\ten\t1800\t0.93\t{created}\n")
            copy_history(
                cur,
                files.getvalue(),
                rows.getvalue(),
                "id, owner_id, media_file_id, language, mode, status, stage, attempts, created_at, completed_at",
                transcripts.getvalue(),
            )
        conn.commit()
        cur.execute("ANALYZE")
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--profile", action="store_true", help="cProfile the 1-in-20 word's searches (top 25)")
    args = parser.parse_args()
    os.environ.update(HANDLER_ENV)
    from common.store.migrate import upgrade

    with postgres_database() as url:
        upgrade(url)
        started = time.perf_counter()
        user = seed(url, args.jobs)
        print(f"{args.jobs} transcripts of {WORDS} words seeded in {time.perf_counter() - started:.0f} s")
        os.environ["DATABASE_URL"] = url
        from common.domain.transcripts import search
        from common.runtime.config import get_settings
        from common.store import db
        from functions.jobs import index as jobs_function
        from local.gateway.events import event_for

        get_settings.cache_clear()
        db.reset_engine()
        claims = {"jwt": {"claims": {"sub": str(user), "ver": "0"}, "scopes": []}}
        with db.transaction() as s:
            common = search._common_words(s)
        print(f"statistics list {len(common)} common words; {SOMETIMES!r} among them: {SOMETIMES in common}")

        def find(word: str, hits: int) -> Callable[[], None]:
            def call() -> None:
                event = event_for("GET", "/api/v1/search", query={"q": word}, authorizer=claims)
                out = jobs_function.handler(event, None)
                assert out["statusCode"] == 200, out["body"][:300]
                items = json.loads(out["body"])["items"]
                assert len(items) == hits and all(word in i["snippet"].lower() for i in items), items[:1]

            return call

        figures = {
            f"a word every transcript says ({EVERY})": median_ms(find(EVERY, 20), args.runs),
            f"a word in 1 in 20 ({SOMETIMES})": median_ms(find(SOMETIMES, min(20, -(-args.jobs // 20))), args.runs),
            f"a name in 5 recordings ({RARE})": median_ms(find(RARE, 5), args.runs),
        }
        if args.profile:
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                median_ms(find(SOMETIMES, 20), args.runs)
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        db.reset_engine()
    for name, ms in figures.items():
        print(f"  {name:<45}{ms:>9.1f} ms")
    print(f"search over {WORDS}-word transcripts, worst median: {max(figures.values()):.1f} ms")
    sys.exit(0)


if __name__ == "__main__":
    main()
