"""The timer's sweep as the reconcile function runs it: the pipeline's repairs, where a declared upload whose
ObjectCreate event never came is first looked for in storage and, when there, taken in exactly as the trigger takes it
(accept.handle_upload) rather than expired; then the uploads in parts nobody will complete are aborted. The pipeline
cannot do either itself: uploads sit above it."""

from __future__ import annotations

from datetime import datetime

from common.adapters.services import Services
from common.domain.pipeline.pipeline import ReconcileReport
from common.domain.pipeline.pipeline import reconcile as pipeline_reconcile
from common.domain.uploads import abandoned_uploads
from common.domain.uploads.accept import handle_upload
from common.store.models import utcnow


def reconcile(services: Services, now: datetime | None = None) -> ReconcileReport:
    now = now or utcnow()
    report = pipeline_reconcile(services, take_in=handle_upload, now=now)
    report.aborted_uploads = abandoned_uploads.abort_abandoned(services, now)
    return report
