"""A user's directory of named voices: a speaker named in one recording is suggested under that name in the next.

A voice is a name and the embeddings of the speakers it was given to (one per recording and label, VoiceUse). A later
speaker whose embedding is close enough (cosine similarity at or above VOICE_MATCH_THRESHOLD, measured by
bench/voices.py, tuned for precision: a wrong name is worse than none) to a voice's mean is *suggested*, never
applied: the user confirms by naming. Embeddings are personal data: renaming or clearing a speaker drops that use,
deleting the job drops its uses, and a voice with no use left is deleted with it (so is everything, with the account).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from common.domain.accounts.users import require_user
from common.domain.errors import NotFound
from common.domain.schemas import VoiceOut
from common.store.db import transaction
from common.store.dialect import insert_ignore
from common.store.models import Transcript, Voice, VoiceUse

MAX_USES_READ = 2000  # the embeddings one suggestion reads at most (2 kB each): bounded work per request


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def mean(vectors: list[Sequence[float]]) -> list[float]:
    """The unit-length mean: each recording counts once, however loud or long."""
    units = [[x / (math.sqrt(sum(y * y for y in v)) or 1.0) for x in v] for v in vectors]
    total = [sum(column) for column in zip(*units, strict=True)]
    length = math.sqrt(sum(x * x for x in total)) or 1.0
    return [x / length for x in total]


def best_matches(
    speakers: Mapping[str, Sequence[float]], voices: Mapping[str, Sequence[float]], threshold: float
) -> dict[str, str]:
    """Each speaker's closest voice at or above the threshold; a voice goes to one speaker only (the closest)."""
    ranked = sorted(
        ((cosine(vec, voice), label, name) for label, vec in speakers.items() for name, voice in voices.items()),
        reverse=True,
    )
    taken_labels: set[str] = set()
    taken_names: set[str] = set()
    out: dict[str, str] = {}
    for score, label, name in ranked:
        if score < threshold:
            break
        if label in taken_labels or name in taken_names:
            continue
        out[label] = name
        taken_labels.add(label)
        taken_names.add(name)
    return out


def suggest(s: Session, user_id: uuid.UUID, job_id: uuid.UUID, stored: Transcript, threshold: float) -> dict[str, str]:
    """Names for this transcript's unnamed speakers whose voice matches a named voice of the user's."""
    named = stored.speaker_names or {}
    speakers = {k: v for k, v in (stored.speaker_embeddings or {}).items() if k not in named}
    if not speakers:
        return {}
    rows = s.execute(
        select(Voice.name, VoiceUse.embedding)
        .join(VoiceUse, VoiceUse.voice_id == Voice.id)
        .where(Voice.owner_id == user_id, VoiceUse.job_id != job_id, Voice.name.not_in(list(named.values())))
        .order_by(VoiceUse.created_at.desc())
        .limit(MAX_USES_READ)
    ).all()
    by_name: dict[str, list[Sequence[float]]] = {}
    for name, embedding in rows:
        by_name.setdefault(name, []).append(embedding)
    return best_matches(speakers, {name: mean(vs) for name, vs in by_name.items()}, threshold)


def remember(s: Session, user_id: uuid.UUID, job_id: uuid.UUID, stored: Transcript, names: dict[str, str]) -> None:
    """The speakers just (re)named: each named one's voice joins the directory under its name; an old use goes."""
    embeddings = stored.speaker_embeddings or {}
    changed = [label for label in names if label in embeddings]
    if not changed:
        return
    s.execute(delete(VoiceUse).where(VoiceUse.job_id == job_id, VoiceUse.label.in_(changed)))
    for label in changed:
        name = names[label].strip()
        if not name:
            continue
        s.execute(insert_ignore(s, Voice, {"id": uuid.uuid4(), "owner_id": user_id, "name": name}))
        voice_id = s.scalar(select(Voice.id).where(Voice.owner_id == user_id, Voice.name == name))
        s.add(VoiceUse(job_id=job_id, label=label, voice_id=voice_id, embedding=list(embeddings[label])))
    s.flush()
    drop_unused(s, user_id)


def drop_unused(s: Session, user_id: uuid.UUID) -> None:
    """A voice no recording uses any more is deleted: nothing of it is kept without a use."""
    s.execute(delete(Voice).where(Voice.owner_id == user_id, ~exists().where(VoiceUse.voice_id == Voice.id)))


def list_voices(user_id: uuid.UUID) -> list[VoiceOut]:
    with transaction() as s:
        require_user(s, user_id)
        rows = s.execute(
            select(Voice.id, Voice.name, Voice.created_at, func.count(VoiceUse.job_id))
            .join(VoiceUse, VoiceUse.voice_id == Voice.id)
            .where(Voice.owner_id == user_id)
            .group_by(Voice.id, Voice.name, Voice.created_at)
            .order_by(Voice.name)
        ).all()
        return [VoiceOut(id=i, name=n, created_at=c, recordings=k) for i, n, c, k in rows]


def delete_voice(user_id: uuid.UUID, voice_id: uuid.UUID) -> None:
    """The voice and every embedding of it; the transcripts keep the names they show (a rename is the user's)."""
    with transaction() as s:
        require_user(s, user_id)
        gone = s.execute(delete(Voice).where(Voice.id == voice_id, Voice.owner_id == user_id)).rowcount  # type: ignore[attr-defined]
        if not gone:
            raise NotFound("no such voice", "voice_not_found")
