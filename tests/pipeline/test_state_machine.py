"""R38: a hypothesis state machine drives the pipeline through arbitrary interleavings of duplicated, late and
failing events, and checks the promises after every step: at most one provider transcript per job, terminal
states never change, never more jobs in flight than the limit; after the faults stop, every job ends."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from common.adapters.services import current
from common.domain.pipeline import pipeline
from common.store import db
from common.store.db import transaction
from common.store.models import TranscriptionJob
from functions.upload_trigger import index as upload_trigger
from local.cloud import LocalCloud
from tests import databases
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import create_job, declare, mono_wav, object_key, provider_id, put_bytes, storage_event

pytestmark = pytest.mark.usefixtures("clean_db")
LIMIT = 2
TERMINAL = ("completed", "failed")


def statuses() -> dict[str, str]:
    with transaction() as s:
        return {str(i): st_ for i, st_ in s.execute(select(TranscriptionJob.id, TranscriptionJob.status)).all()}


class Pipeline(RuleBasedStateMachine):
    cloud: LocalCloud
    jobs = Bundle("jobs")

    def __init__(self) -> None:
        super().__init__()
        self.cloud.resume_triggers()
        self.cloud.wait_idle()
        databases.wipe(db.get_engine())
        self.cloud.assemblyai.reset()
        self.cloud.pause_triggers()  # upload events are this machine's to deliver, in any order, any number of times
        self.cloud.assemblyai.faults.add({"op": "webhook", "mode": "drop", "times": 10**6})  # webhooks too
        self.api: Api = signed_up(unique_email())
        self.keys: dict[str, str] = {}
        self.final: dict[str, str] = {}

    @initialize()
    def nothing_yet(self) -> None:
        pass

    @rule(target=jobs, dialogue=st.booleans())
    def new_job(self, dialogue: bool) -> str:
        data, _ = mono_wav(seconds=1.0)
        declared = declare(self.api, data)
        put_bytes(declared, data)
        job = create_job(self.api, declared["file"]["id"], **({"mode": "dialogue"} if dialogue else {}))
        self.keys[job["id"]] = object_key(declared)
        return str(job["id"])

    @rule(job=jobs, copies=st.integers(1, 3))
    def upload_event(self, job: str, copies: int) -> None:
        event = storage_event(self.cloud.bucket, *[self.keys[job]] * copies)
        with contextlib.suppress(RuntimeError):  # a failed batch: the trigger delivers it again (a later step may)
            upload_trigger.handler(event, None)

    @rule(job=jobs, copies=st.integers(1, 3))
    def webhook(self, job: str, copies: int) -> None:
        transcript = provider_id(job)
        for _ in range(copies):
            try:
                pipeline.handle_webhook(job, transcript or "rk" + uuid.uuid4().hex[:8], current())
            except Exception:  # noqa: S112 - a 4xx/5xx to the sender; AssemblyAI retries or gives up
                continue

    @rule(op=st.sampled_from(["submit", "get", "list", "delete"]), status=st.sampled_from([429, 500, 503]))
    def provider_fails_once(self, op: str, status: int) -> None:
        self.cloud.assemblyai.faults.add({"op": op, "status": status, "times": 1})

    @rule()
    def reconcile_tick(self) -> None:
        self.cloud.run_reconcile()

    @invariant()
    def at_most_one_transcript_per_job(self) -> None:
        counts = self.cloud.assemblyai.submissions_per_job()
        assert all(n <= 1 for job, n in counts.items() if job), counts

    @invariant()
    def terminal_states_never_change(self) -> None:
        now = statuses()
        for job, status in self.final.items():
            assert now[job] == status, (job, status, now[job])
        self.final.update({job: status for job, status in now.items() if status in TERMINAL})

    @invariant()
    def in_flight_within_the_limit(self) -> None:
        assert list(statuses().values()).count("processing") <= LIMIT

    def teardown(self) -> None:
        """Faults stop, events arrive late but arrive: every job ends, each with at most one transcript."""
        self.cloud.assemblyai.faults.clear()
        for _ in range(12):
            if all(s in TERMINAL for s in statuses().values()):
                break
            for job in self.keys:
                self.upload_event(job, 1)
            self.cloud.assemblyai.wait_idle()
            for job in self.keys:
                if provider_id(job):
                    self.webhook(job, 1)
            self.cloud.run_reconcile()
        self.terminal_states_never_change()
        self.at_most_one_transcript_per_job()
        unfinished = {j: s for j, s in statuses().items() if s not in TERMINAL}
        assert not unfinished, unfinished
        self.cloud.resume_triggers()


def test_the_pipeline_keeps_its_promises_under_any_interleaving(cloud: LocalCloud, configure: Any) -> None:
    configure(MAX_PARALLEL_TRANSCRIPTIONS=LIMIT, MAX_PARALLEL_PER_USER=LIMIT, RETRY_BASE_SECONDS=0)
    Pipeline.cloud = cloud
    run_state_machine_as_test(
        Pipeline,
        settings=settings(
            max_examples=10,
            stateful_step_count=14,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
