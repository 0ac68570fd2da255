"""Input and output serializers of the judging API (rubrics, pool, conflicts, assignments, reviews).

Judge-facing output never names the team, its members, its organizations or the uploader
when the round is blind (`JudgeAssignmentOutputSerializer`).
"""

from decimal import Decimal

from django.urls import NoReverseMatch, reverse
from rest_framework import serializers

from config.api import ScopedPrimaryKeyListField, ScopedPrimaryKeyRelatedField
from contest.models import Organization, Track, User
from judging.errors import ConflictTargetError, JudgeNotInPoolError, TrackNotInContestError
from judging.models import ConflictFlag, ConflictOfInterest, Criterion, JudgeAssignment, JudgePoolMember, Review, Rubric
from submissions.models import Solution, Team

MAX_ID = 2**63 - 1


def _id(**kwargs) -> serializers.IntegerField:
    """A primary key in input: bounded, so an absurd number is a 400 and never a database error."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# Keys in input resolve within the round the view resolved (`context["round"]`).
def _contest_tracks(context):
    return Track.objects.filter(contest_id=context["round"].contest_id)


def _contest_solutions(context):
    return Solution.objects.filter(contest_id=context["round"].contest_id)


def _contest_teams(context):
    return Team.objects.filter(contest_id=context["round"].contest_id)


def _users(context):
    return User.objects.all()


def _active_users(context):
    return User.objects.filter(is_active=True)


def _organizations(context):
    return Organization.objects.all()


def _track(**kwargs):
    return ScopedPrimaryKeyRelatedField(scope=_contest_tracks, missing=TrackNotInContestError, **kwargs)


def _tracks(**kwargs):
    return ScopedPrimaryKeyListField(scope=_contest_tracks, missing=TrackNotInContestError, max_length=200, **kwargs)


def _judge_organization(**kwargs):
    return ScopedPrimaryKeyRelatedField(
        scope=_organizations, missing=ConflictTargetError, extra_key="organization", allow_null=True, **kwargs
    )


# --- rubrics ---------------------------------------------------------------------------------
class CriterionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "key", "name", "name_en", "guidance", "guidance_en", "weight", "max_score", "order"]


class RubricOutputSerializer(serializers.ModelSerializer):
    criteria = CriterionOutputSerializer(many=True, read_only=True)
    frozen = serializers.SerializerMethodField()

    class Meta:
        model = Rubric
        fields = ["id", "round", "track", "name", "score_step", "frozen", "criteria"]

    def get_frozen(self, obj) -> bool:
        return bool(self.context.get("frozen", False))


class RubricInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    score_step = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.01"), required=False)
    track = _track(required=False, allow_null=True)


class RubricUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    score_step = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.01"), required=False)


class CriterionInputSerializer(serializers.Serializer):
    key = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True)
    guidance = serializers.CharField(required=False, allow_blank=True)
    guidance_en = serializers.CharField(required=False, allow_blank=True)
    weight = serializers.DecimalField(max_digits=7, decimal_places=3, min_value=Decimal("0.001"), required=False)
    max_score = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal("0.01"))
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class CriterionUpdateInputSerializer(CriterionInputSerializer):
    key = serializers.SlugField(max_length=40, required=False)
    name = serializers.CharField(max_length=100, required=False)
    max_score = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal("0.01"), required=False)


# --- pool ------------------------------------------------------------------------------------
class PoolMemberOutputSerializer(serializers.ModelSerializer):
    judge_username = serializers.CharField(source="judge.username", read_only=True)
    judge_name = serializers.CharField(source="judge.full_name", read_only=True)
    tracks = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = JudgePoolMember
        fields = ["id", "round", "judge", "judge_username", "judge_name", "tracks", "group", "load_cap", "organization"]


class PoolMemberInputSerializer(serializers.Serializer):
    judge = ScopedPrimaryKeyRelatedField(scope=_active_users, missing=JudgeNotInPoolError, extra_key="judge")
    tracks = _tracks(required=False)
    group = serializers.CharField(max_length=50, required=False, allow_blank=True)
    load_cap = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False, allow_null=True)
    organization = _judge_organization(
        required=False, help_text="The judge's organization for conflict checks (default: profile's)."
    )


class PoolMemberUpdateInputSerializer(serializers.Serializer):
    tracks = _tracks(required=False)
    group = serializers.CharField(max_length=50, required=False, allow_blank=True)
    load_cap = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False, allow_null=True)
    organization = _judge_organization(required=False)


class ConflictFlagOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConflictFlag
        fields = [
            "id",
            "round",
            "assignment",
            "review",
            "judge",
            "solution",
            "reasons",
            "detail",
            "status",
            "resolution_reason",
            "resolved_by",
            "resolved_at",
            "created_at",
        ]


class ConflictFlagResolveInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["void", "keep"])
    reason = serializers.CharField(max_length=2000)


# --- conflicts -------------------------------------------------------------------------------
class ConflictOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConflictOfInterest
        fields = ["id", "judge", "solution", "team", "organization", "source", "reason", "created_by", "created_at"]


class ConflictInputSerializer(serializers.Serializer):
    judge = ScopedPrimaryKeyRelatedField(scope=_users, missing=ConflictTargetError, extra_key="judge")
    solution = ScopedPrimaryKeyRelatedField(
        scope=_contest_solutions, missing=ConflictTargetError, required=False, allow_null=True
    )
    team = ScopedPrimaryKeyRelatedField(
        scope=_contest_teams, missing=ConflictTargetError, required=False, allow_null=True
    )
    organization = ScopedPrimaryKeyRelatedField(
        scope=_organizations, missing=ConflictTargetError, required=False, allow_null=True
    )
    reason = serializers.CharField(max_length=2000)


class JudgingReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


# --- assignments (organizer) -----------------------------------------------------------------
class AssignmentOutputSerializer(serializers.ModelSerializer):
    review_status = serializers.SerializerMethodField()

    class Meta:
        model = JudgeAssignment
        fields = ["id", "round", "solution", "judge", "source", "active", "review_status", "created_at"]

    def get_review_status(self, obj) -> str | None:
        review = getattr(obj, "review", None) if hasattr(obj, "review") else None
        return review.status if review is not None else None


class AssignmentInputSerializer(serializers.Serializer):
    solution = _id()  # resolved by the service, under the round's lock, among the round's solutions
    judge = ScopedPrimaryKeyRelatedField(scope=_users, missing=JudgeNotInPoolError)


class AutoAssignInputSerializer(serializers.Serializer):
    seed = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**31 - 1)


class ShortfallSerializer(serializers.Serializer):
    solution_id = serializers.IntegerField()
    track_id = serializers.IntegerField(allow_null=True)
    required = serializers.IntegerField()
    assigned = serializers.IntegerField()
    missing = serializers.IntegerField()
    eligible = serializers.IntegerField()
    pool = serializers.IntegerField()
    conflicted = serializers.IntegerField()
    reason = serializers.CharField()


class AutomaticConflictSerializer(serializers.Serializer):
    judge = serializers.IntegerField()
    solution = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class AutoAssignReportSerializer(serializers.Serializer):
    round_id = serializers.IntegerField()
    run_id = serializers.CharField()
    seed = serializers.IntegerField()
    judges_per_solution = serializers.IntegerField()
    solutions = serializers.IntegerField()
    judges = serializers.IntegerField()
    created = serializers.IntegerField()
    complete = serializers.IntegerField()
    short = ShortfallSerializer(many=True)
    reasons = serializers.DictField(child=serializers.IntegerField())
    loads = serializers.DictField(child=serializers.IntegerField())
    ended_for_conflict = serializers.ListField(
        child=serializers.IntegerField(), help_text="Assignments ended because a conflict arose since."
    )


# --- reviews ---------------------------------------------------------------------------------
class ScoreEntrySerializer(serializers.Serializer):
    criterion = _id()
    # Any JSON value: the service parses it and answers with a precise code
    # (score_not_a_number, score_out_of_range, score_step).
    value = serializers.JSONField(allow_null=True)


class ReviewInputSerializer(serializers.Serializer):
    scores = ScoreEntrySerializer(many=True, required=False)
    team_comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20000,
        help_text="Comment for the team: shown to it, anonymised, once the round is published.",
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20000,
        help_text="Confidential comment for the organizers: never shown to the team.",
    )


class ScoreOutputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion_id")
    value = serializers.DecimalField(max_digits=6, decimal_places=2)


class OwnReviewOutputSerializer(serializers.ModelSerializer):
    """A judge's own review (never another judge's)."""

    scores = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "status", "team_comment", "comment", "submitted_at", "return_reason", "revision", "scores"]

    def get_scores(self, obj) -> list[dict]:
        return ScoreOutputSerializer(sorted(obj.scores.all(), key=lambda s: s.criterion_id), many=True).data


class RevisionOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.CharField()
    scores = serializers.DictField()
    team_comment = serializers.CharField()
    comment = serializers.CharField()
    reason = serializers.CharField()
    created_by = serializers.IntegerField(source="created_by_id")
    created_at = serializers.DateTimeField()


class ReviewOutputSerializer(OwnReviewOutputSerializer):
    """Organizer view of any review, with its revisions."""

    revisions = RevisionOutputSerializer(many=True, read_only=True)

    class Meta(OwnReviewOutputSerializer.Meta):
        fields = ["id", "round", "solution", "judge", "assignment", *OwnReviewOutputSerializer.Meta.fields[1:]]
        fields += ["void_reason", "revisions"]


# --- the judge's view of an assignment ---------------------------------------------------------
def _download_url(file) -> str | None:
    try:
        return reverse("submissions-api:file-download", kwargs={"pk": file.pk})
    except NoReverseMatch:
        return None


def neutral_file_name(*, solution_id: int, version_number: int, kind: str, original_name: str) -> str:
    """The name a blind judge sees: same form as the download view's (solution-<id>-v<n>-<kind>.<ext>)."""
    ext = original_name.rpartition(".")[2] if "." in original_name else "bin"
    ext = ext.lower() if ext.isascii() and ext.isalnum() and len(ext) <= 10 else "bin"
    return f"solution-{solution_id}-v{version_number}-{kind}.{ext}"


# Declared shapes of the judge's view (for the OpenAPI schema); the values are built in
# JudgeAssignmentOutputSerializer.to_representation so that nothing else can slip in.
class _JudgeRoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    blind_review = serializers.BooleanField()
    status = serializers.CharField()
    judging_opens_at = serializers.DateTimeField(allow_null=True)
    judging_closes_at = serializers.DateTimeField(allow_null=True)


class _JudgeFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField(help_text="Neutral (solution-<id>-v<n>-<kind>.<ext>) when the round is blind.")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    download_url = serializers.CharField(allow_null=True)


class _JudgeVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    sha256 = serializers.CharField()
    files = _JudgeFileSerializer(many=True)


class _IdTitleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(required=False)
    title = serializers.CharField(required=False)
    name = serializers.CharField(required=False)


class _JudgeSolutionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    abstract = serializers.CharField()
    scenario = _IdTitleSerializer()
    track = _IdTitleSerializer()
    version = _JudgeVersionSerializer(allow_null=True)


class _JudgeTeamSerializer(serializers.Serializer):
    name = serializers.CharField()
    lead_unit = serializers.CharField()


class JudgeAssignmentOutputSerializer(serializers.Serializer):
    """What a judge sees of one assignment. Team identity only when the round is not blind."""

    id = serializers.IntegerField()
    round = _JudgeRoundSerializer()
    solution = _JudgeSolutionSerializer()
    rubric = RubricOutputSerializer(allow_null=True)
    review = OwnReviewOutputSerializer(allow_null=True)
    team = _JudgeTeamSerializer(required=False, help_text="Only when the round is not blind.")

    def to_representation(self, a: JudgeAssignment) -> dict:
        round_ = a.round
        solution = a.solution
        scenario = solution.scenario
        blind = round_.blind_review
        version = solution.final_version
        files = []
        if version is not None:
            for f in version.files.all():
                name = (
                    neutral_file_name(
                        solution_id=solution.pk,
                        version_number=version.number,
                        kind=f.kind,
                        original_name=f.original_name,
                    )
                    if blind
                    else f.original_name
                )
                files.append(
                    {
                        "id": f.pk,
                        "kind": f.kind,
                        "name": name,
                        "size": f.size,
                        "sha256": f.sha256,
                        "download_url": _download_url(f),
                    }
                )
        rubrics = self.context.get("rubrics", {})
        found = rubrics.get((round_.pk, scenario.track_id)) or rubrics.get((round_.pk, None))
        rubric_data = None
        if found is not None:
            rubric, criteria = found
            rubric_data = {
                "id": rubric.pk,
                "round": rubric.round_id,
                "track": rubric.track_id,
                "name": rubric.name,
                "score_step": str(rubric.score_step),
                "frozen": True,
                "criteria": CriterionOutputSerializer(criteria, many=True).data,
            }
        review = getattr(a, "review", None) if hasattr(a, "review") else None
        data = {
            "id": a.pk,
            "round": {
                "id": round_.pk,
                "name": round_.name,
                "blind_review": blind,
                "status": round_.status,
                "judging_opens_at": round_.judging_opens_at,
                "judging_closes_at": round_.judging_closes_at,
            },
            "solution": {
                "id": solution.pk,
                "title": solution.title,
                "abstract": solution.abstract,
                "scenario": {"id": scenario.pk, "code": scenario.code, "title": scenario.title},
                "track": {"id": scenario.track_id, "name": scenario.track.name},
                "version": (
                    {"number": version.number, "sha256": version.sha256, "files": files}
                    if version is not None
                    else None
                ),
            },
            "rubric": rubric_data,
            "review": OwnReviewOutputSerializer(review).data if review is not None else None,
        }
        if not blind:
            team = solution.team
            data["team"] = {"name": team.name, "lead_unit": str(team.lead_unit)}
        return data
