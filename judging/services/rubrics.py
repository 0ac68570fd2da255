"""Rubrics and criteria. A rubric is frozen once any score exists in its round."""

from decimal import Decimal

from django.db import IntegrityError, transaction

from contest.audit import audit_record
from contest.models import Round, Track, User
from judging.errors import CriterionKeyTakenError, RubricExistsError, RubricFrozenError, TrackNotInContestError
from judging.models import Criterion, Rubric, Score

RUBRIC_FIELDS = ("name", "score_step")
CRITERION_FIELDS = ("key", "name", "name_en", "guidance", "guidance_en", "weight", "max_score", "order")


def rubric_is_frozen(*, round_id: int) -> bool:
    return Score.objects.filter(review__round_id=round_id).exists()


def _check_not_frozen(round_id: int) -> None:
    """Lock the round's rubrics, then refuse if any score exists.

    Scoring holds a share lock on the rubric it validates against until it commits, so a first
    score and a rubric edit never interleave: whichever locks first wins, the other sees it. (The
    round row is deliberately not locked here: closing the window holds it while waiting for the
    scores in flight, which may wait for this rubric lock.)
    """
    list(Rubric.objects.select_for_update().filter(round_id=round_id).values_list("id", flat=True))
    if rubric_is_frozen(round_id=round_id):
        raise RubricFrozenError()


def _rubric_state(rubric: Rubric) -> dict:
    return {"name": rubric.name, "score_step": rubric.score_step, "track": rubric.track_id}


def _criterion_state(criterion: Criterion) -> dict:
    return {f: getattr(criterion, f) for f in CRITERION_FIELDS}


@transaction.atomic
def rubric_create(
    *, actor: User, round_: Round, name: str, score_step: Decimal = Decimal("0.5"), track: Track | None = None
) -> Rubric:
    """Create the round's default rubric (track=None) or a track's own rubric. Audited."""
    if track is not None and track.contest_id != round_.contest_id:
        raise TrackNotInContestError()
    _check_not_frozen(round_.pk)
    if Rubric.objects.filter(round=round_, track=track).exists():
        raise RubricExistsError()
    rubric = Rubric.objects.create(round=round_, track=track, name=name, score_step=score_step)
    audit_record(actor=actor, action="judging.rubric_created", obj=rubric, after=_rubric_state(rubric))
    return rubric


@transaction.atomic
def rubric_update(*, actor: User, rubric: Rubric, **changes) -> Rubric:
    _check_not_frozen(rubric.round_id)
    before = _rubric_state(rubric)
    for name, value in changes.items():
        if name in RUBRIC_FIELDS:
            setattr(rubric, name, value)
    rubric.save()
    audit_record(actor=actor, action="judging.rubric_updated", obj=rubric, before=before, after=_rubric_state(rubric))
    return rubric


@transaction.atomic
def rubric_delete(*, actor: User, rubric: Rubric) -> None:
    _check_not_frozen(rubric.round_id)
    audit_record(actor=actor, action="judging.rubric_deleted", obj=rubric, before=_rubric_state(rubric))
    rubric.delete()


@transaction.atomic
def criterion_create(*, actor: User, rubric: Rubric, **fields) -> Criterion:
    _check_not_frozen(rubric.round_id)
    data = {k: v for k, v in fields.items() if k in CRITERION_FIELDS}
    if Criterion.objects.filter(rubric=rubric, key=data.get("key")).exists():
        raise CriterionKeyTakenError()
    try:
        with transaction.atomic():
            criterion = Criterion.objects.create(rubric=rubric, **data)
    except IntegrityError:
        raise CriterionKeyTakenError() from None
    audit_record(actor=actor, action="judging.criterion_created", obj=criterion, after=_criterion_state(criterion))
    return criterion


@transaction.atomic
def criterion_update(*, actor: User, criterion: Criterion, **changes) -> Criterion:
    _check_not_frozen(criterion.rubric.round_id)
    before = _criterion_state(criterion)
    for name, value in changes.items():
        if name in CRITERION_FIELDS:
            setattr(criterion, name, value)
    if Criterion.objects.filter(rubric_id=criterion.rubric_id, key=criterion.key).exclude(pk=criterion.pk).exists():
        raise CriterionKeyTakenError()
    criterion.save()
    audit_record(
        actor=actor, action="judging.criterion_updated", obj=criterion, before=before, after=_criterion_state(criterion)
    )
    return criterion


@transaction.atomic
def criterion_delete(*, actor: User, criterion: Criterion) -> None:
    _check_not_frozen(criterion.rubric.round_id)
    audit_record(actor=actor, action="judging.criterion_deleted", obj=criterion, before=_criterion_state(criterion))
    criterion.delete()
