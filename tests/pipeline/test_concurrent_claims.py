"""Claims racing each other (issue #14, target 5): no global lock, yet never more jobs in flight than slots, never more
than a user's share, and no job taken twice. Threads start together at a barrier, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Select, func, select, update

from common.domain.pipeline import transitions
from common.store.db import transaction
from common.store.models import MediaFile, ProviderSlot, TranscriptionJob, User, utcnow

pytestmark = pytest.mark.usefixtures("clean_db")
LIMIT, PER_USER, THREADS = 5, 2, 8


def seed(users: int, jobs_each: int) -> list[uuid.UUID]:
    start = datetime.now(UTC) - timedelta(minutes=5)
    owners = []
    with transaction() as s:
        for u in range(users):
            owner = User(id=uuid.uuid4(), email=f"claims-{uuid.uuid4().hex[:8]}@example.com", password_hash="x")
            s.add(owner)
            s.flush()
            owners.append(owner.id)
            for n in range(jobs_each):
                media = MediaFile(
                    id=uuid.uuid4(),
                    owner_id=owner.id,
                    object_key=f"uploads/{owner.id}/{uuid.uuid4()}/a.wav",
                    filename="a.wav",
                    content_type="audio/wav",
                    declared_size=10,
                    status="uploaded",
                )
                s.add(media)
                s.flush()
                s.add(
                    TranscriptionJob(
                        owner_id=owner.id,
                        media_file_id=media.id,
                        language="en",
                        mode="mono",
                        status="pending",
                        stage="queued",
                        created_at=start + timedelta(seconds=u + users * n),
                    )
                )
    return owners


def race() -> list[uuid.UUID]:
    """THREADS claims at once, each claiming until it gets nothing; the jobs they took."""
    barrier, taken, errors = threading.Barrier(THREADS), [], []

    def claimer() -> None:
        try:
            barrier.wait(timeout=10)
            while True:
                with transaction() as s:
                    claim = transitions.claim(s, utcnow(), LIMIT, per_user=PER_USER)
                if claim is None:
                    return
                taken.append(claim.job_id)
        except Exception as exc:  # a deadlock or a serialization error would land here
            errors.append(exc)

    threads = [threading.Thread(target=claimer) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return taken


def in_flight() -> Counter[uuid.UUID]:
    with transaction() as s:
        rows = s.execute(select(TranscriptionJob.owner_id).where(TranscriptionJob.status == "processing")).all()
    return Counter(r.owner_id for r in rows)


def finish_all() -> None:
    with transaction() as s:
        s.execute(
            update(TranscriptionJob)
            .where(TranscriptionJob.status == "processing")
            .values(status="completed", stage="completed", claim_token=None)
        )


def test_racing_claims_fill_the_slots_exactly_and_take_each_job_once() -> None:
    seed(users=4, jobs_each=6)  # 24 jobs, 4 users: slots (5) bind before shares (4 x 2 = 8)
    claimed: list[uuid.UUID] = []
    for _ in range(10):
        taken = race()
        if not taken:
            break
        flight = in_flight()
        assert sum(flight.values()) == len(taken) <= LIMIT, flight
        assert max(flight.values()) <= PER_USER, flight
        claimed += taken
        finish_all()
    assert len(claimed) == len(set(claimed)) == 24  # every job, once
    with transaction() as s:
        assert (s.scalar(select(func.count()).select_from(ProviderSlot)) or 0) == LIMIT  # made on demand, <= limit


def test_slots_are_made_as_needed_not_as_many_as_the_limit_allows() -> None:
    seed(users=1, jobs_each=3)
    with transaction() as s:
        assert transitions.claim(s, utcnow(), limit=10_000_000) is not None
    with transaction() as s:
        assert (s.scalar(select(func.count()).select_from(ProviderSlot)) or 0) <= 16


def test_racing_claims_keep_each_users_share() -> None:
    owners = seed(users=2, jobs_each=8)  # shares (2 x 2 = 4) bind before slots (5)
    taken = race()
    flight = in_flight()
    assert len(taken) == 4 and flight == dict.fromkeys(owners, PER_USER)


def test_a_retried_job_takes_its_old_slot_back_and_is_counted_once() -> None:
    seed(users=1, jobs_each=1)
    with transaction() as s:
        first = transitions.claim(s, utcnow(), LIMIT)
    assert first is not None
    with transaction() as s:  # a transient provider error: back to the queue, due now
        s.execute(
            update(TranscriptionJob)
            .where(TranscriptionJob.id == first.job_id)
            .values(status="pending", stage="retrying", next_attempt_at=utcnow() - timedelta(seconds=1))
        )
    with transaction() as s:
        again = transitions.claim(s, utcnow(), LIMIT)
    assert again is not None and again.job_id == first.job_id and again.attempt == 2
    with transaction() as s:
        holders = s.scalars(select(ProviderSlot.slot).where(ProviderSlot.job_id == first.job_id)).all()
    assert len(holders) == 1


def test_a_slot_offered_from_an_older_snapshot_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL's READ COMMITTED re-check of a slot row locked just after another claim committed re-reads the slot
    (now naming that claim's job) but not the job, which the statement's snapshot still shows unstarted: the free-slot
    query can offer a busy slot. Rare under a race, so here the query is made to see that stale view every time."""
    seed(users=2, jobs_each=1)
    with transaction() as s:
        first = transitions.claim(s, utcnow(), LIMIT)
    assert first is not None

    def stale_view(limit: int, passed: list[int]) -> Select[int]:  # every slot row looks free
        return (
            select(ProviderSlot.slot)
            .where(ProviderSlot.slot < limit, ProviderSlot.slot.not_in(passed))
            .order_by(ProviderSlot.slot)
            .limit(1)
            .with_for_update(of=ProviderSlot, skip_locked=True)
        )

    monkeypatch.setattr(transitions, "_free_query", stale_view)
    with transaction() as s:
        second = transitions.claim(s, utcnow(), LIMIT)
    assert second is not None and second.job_id != first.job_id
    with transaction() as s:
        rows = s.execute(select(ProviderSlot.job_id, ProviderSlot.slot).where(ProviderSlot.job_id.isnot(None)))
        holders = {job: slot for job, slot in rows}
    assert holders.keys() == {first.job_id, second.job_id}  # each job in flight holds a slot of its own
