"""Thin judging API views: parse -> fetch (selector) -> check (predicate) -> act (service) -> present."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import CappedPageNumberPagination, NotAllowedError, parse_id
from contest.models import Organization, Round, Track, User
from judging import selectors
from judging.api import judging_serializers as s
from judging.errors import ConflictTargetError, JudgeNotInPoolError, TrackNotInContestError
from judging.models import ConflictFlag, Criterion, JudgeAssignment, JudgePoolMember, Review, Rubric
from judging.permissions import (
    can_assign_solution,
    can_declare_conflict,
    can_manage_assignment,
    can_manage_judging,
    can_manage_pool_member,
    can_resolve_conflict_flag,
    can_run_track_judging,
    can_score_assignment,
    can_set_judge_organization,
    can_set_pool_tracks,
    can_view_round_rubrics,
    can_view_rubric,
)
from judging.services import assignment as assignment_services
from judging.services import conflicts as conflict_services
from judging.services import pools as pool_services
from judging.services import rubrics as rubric_services
from judging.services import scoring
from judging.services.progress import round_progress
from judging.services.rounds import round_close_judging, round_open_judging, round_reopen
from submissions.models import Solution, Team


def _round(round_id: int) -> Round:
    return get_object_or_404(Round.objects.select_related("contest"), pk=round_id)


def _require_organizer(user, round_: Round) -> None:
    if not can_manage_judging(user, round_):
        raise NotAllowedError()


def _track_scope(user, round_: Round) -> set[int] | None:
    """Organizers run every track (None); a track host its own tracks; anyone else is refused."""
    if not can_run_track_judging(user, round_):
        raise NotAllowedError()
    return selectors.track_scope(user, round_)


class _Base(APIView):
    permission_classes = [IsAuthenticated]


# --- rubrics ---------------------------------------------------------------------------------
class RubricListCreateApi(_Base):
    @extend_schema(responses=s.RubricOutputSerializer(many=True), operation_id="judging_round_rubrics_list")
    def get(self, request, round_id: int):
        round_ = _round(round_id)
        if not can_view_round_rubrics(request.user, round_):
            raise NotAllowedError()
        frozen = rubric_services.rubric_is_frozen(round_id=round_.pk)
        data = s.RubricOutputSerializer(
            selectors.rubric_list(round_=round_), many=True, context={"frozen": frozen}
        ).data
        return Response(data)

    @extend_schema(request=s.RubricInputSerializer, responses={201: s.RubricOutputSerializer})
    def post(self, request, round_id: int):
        round_ = _round(round_id)
        _require_organizer(request.user, round_)
        data = s.RubricInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        track = None
        if data.validated_data.get("track") is not None:
            track = Track.objects.filter(pk=data.validated_data["track"], contest_id=round_.contest_id).first()
            if track is None:
                raise TrackNotInContestError()
        kwargs = {"score_step": data.validated_data["score_step"]} if "score_step" in data.validated_data else {}
        rubric = rubric_services.rubric_create(
            actor=request.user, round_=round_, name=data.validated_data["name"], track=track, **kwargs
        )
        return Response(s.RubricOutputSerializer(rubric).data, status=status.HTTP_201_CREATED)


def _rubric_for(user, rubric_id: int) -> Rubric:
    rubric = get_object_or_404(Rubric.objects.select_related("round__contest"), pk=rubric_id)
    if not can_view_rubric(user, rubric):
        raise NotAllowedError()
    return rubric


class RubricDetailApi(_Base):
    @extend_schema(responses=s.RubricOutputSerializer)
    def get(self, request, rubric_id: int):
        rubric = _rubric_for(request.user, rubric_id)
        frozen = rubric_services.rubric_is_frozen(round_id=rubric.round_id)
        return Response(s.RubricOutputSerializer(rubric, context={"frozen": frozen}).data)

    @extend_schema(request=s.RubricUpdateInputSerializer, responses=s.RubricOutputSerializer)
    def patch(self, request, rubric_id: int):
        rubric = _rubric_for(request.user, rubric_id)
        _require_organizer(request.user, rubric.round)
        data = s.RubricUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        rubric = rubric_services.rubric_update(actor=request.user, rubric=rubric, **data.validated_data)
        return Response(s.RubricOutputSerializer(rubric).data)

    @extend_schema(responses={204: None})
    def delete(self, request, rubric_id: int):
        rubric = _rubric_for(request.user, rubric_id)
        _require_organizer(request.user, rubric.round)
        rubric_services.rubric_delete(actor=request.user, rubric=rubric)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CriterionCreateApi(_Base):
    @extend_schema(request=s.CriterionInputSerializer, responses={201: s.CriterionOutputSerializer})
    def post(self, request, rubric_id: int):
        rubric = _rubric_for(request.user, rubric_id)
        _require_organizer(request.user, rubric.round)
        data = s.CriterionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        criterion = rubric_services.criterion_create(actor=request.user, rubric=rubric, **data.validated_data)
        return Response(s.CriterionOutputSerializer(criterion).data, status=status.HTTP_201_CREATED)


class CriterionDetailApi(_Base):
    def _get(self, request, criterion_id):
        criterion = get_object_or_404(Criterion.objects.select_related("rubric__round__contest"), pk=criterion_id)
        if not can_view_rubric(request.user, criterion.rubric):
            raise NotAllowedError()
        _require_organizer(request.user, criterion.rubric.round)
        return criterion

    @extend_schema(request=s.CriterionUpdateInputSerializer, responses=s.CriterionOutputSerializer)
    def patch(self, request, criterion_id: int):
        criterion = self._get(request, criterion_id)
        data = s.CriterionUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        criterion = rubric_services.criterion_update(actor=request.user, criterion=criterion, **data.validated_data)
        return Response(s.CriterionOutputSerializer(criterion).data)

    @extend_schema(responses={204: None})
    def delete(self, request, criterion_id: int):
        criterion = self._get(request, criterion_id)
        rubric_services.criterion_delete(actor=request.user, criterion=criterion)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- pool ------------------------------------------------------------------------------------
def _tracks(round_: Round, ids) -> list[Track]:
    ids = set(ids or [])
    tracks = list(Track.objects.filter(pk__in=ids, contest_id=round_.contest_id))
    if len(tracks) != len(ids):
        raise TrackNotInContestError()
    return tracks


def _organization(pk: int | None) -> Organization | None:
    if pk is None:
        return None
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise ConflictTargetError(extra={"organization": pk})
    return organization


class PoolListCreateApi(_Base):
    @extend_schema(responses=s.PoolMemberOutputSerializer(many=True), operation_id="judging_round_pool_list")
    def get(self, request, round_id: int):
        round_ = _round(round_id)
        scope = _track_scope(request.user, round_)
        members = selectors.pool_list(round_=round_, track_ids=scope)
        return Response(s.PoolMemberOutputSerializer(members, many=True).data)

    @extend_schema(request=s.PoolMemberInputSerializer, responses={201: s.PoolMemberOutputSerializer})
    def post(self, request, round_id: int):
        round_ = _round(round_id)
        scope = _track_scope(request.user, round_)
        data = s.PoolMemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        # A track host's judge joins for the host's tracks unless it names some of them.
        track_ids = v.get("tracks") or ([] if scope is None else sorted(scope))
        if not can_set_pool_tracks(request.user, round_, track_ids):
            raise NotAllowedError()
        judge = User.objects.filter(pk=v["judge"], is_active=True).first()
        if judge is None:
            raise JudgeNotInPoolError(extra={"judge": v["judge"]})
        extra = {}
        if "organization" in v:
            if not can_set_judge_organization(request.user, round_):
                raise NotAllowedError()
            extra["organization"] = _organization(v["organization"])
        member = pool_services.pool_member_add(
            actor=request.user,
            round_=round_,
            judge=judge,
            tracks=_tracks(round_, track_ids),
            group=v.get("group", ""),
            load_cap=v.get("load_cap"),
            **extra,
        )
        return Response(s.PoolMemberOutputSerializer(member).data, status=status.HTTP_201_CREATED)


class PoolMemberDetailApi(_Base):
    def _get(self, request, member_id):
        member = get_object_or_404(JudgePoolMember.objects.select_related("round__contest", "judge"), pk=member_id)
        if not can_manage_pool_member(request.user, member):
            raise NotAllowedError()
        return member

    @extend_schema(request=s.PoolMemberUpdateInputSerializer, responses=s.PoolMemberOutputSerializer)
    def patch(self, request, member_id: int):
        member = self._get(request, member_id)
        data = s.PoolMemberUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "tracks" in changes:
            if not can_set_pool_tracks(request.user, member.round, changes["tracks"]):
                raise NotAllowedError()
            changes["tracks"] = _tracks(member.round, changes["tracks"])
        if "organization" in changes:
            if not can_set_judge_organization(request.user, member.round):
                raise NotAllowedError()
            changes["organization"] = _organization(changes["organization"])
        member = pool_services.pool_member_update(actor=request.user, member=member, **changes)
        return Response(s.PoolMemberOutputSerializer(member).data)

    @extend_schema(responses={204: None})
    def delete(self, request, member_id: int):
        member = self._get(request, member_id)
        pool_services.pool_member_remove(actor=request.user, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- conflicts -------------------------------------------------------------------------------
class ConflictListCreateApi(_Base):
    @extend_schema(responses=s.ConflictOutputSerializer(many=True), operation_id="judging_round_conflicts_list")
    def get(self, request, round_id: int):
        round_ = _round(round_id)
        _require_organizer(request.user, round_)
        return Response(s.ConflictOutputSerializer(selectors.conflict_list(round_=round_), many=True).data)

    @extend_schema(request=s.ConflictInputSerializer, responses={201: s.ConflictOutputSerializer})
    def post(self, request, round_id: int):
        round_ = _round(round_id)
        _require_organizer(request.user, round_)
        data = s.ConflictInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        judge = User.objects.filter(pk=v["judge"]).first()
        if judge is None:
            raise ConflictTargetError(extra={"judge": v["judge"]})
        solution = team = organization = None
        if v.get("solution") is not None:
            solution = Solution.objects.filter(pk=v["solution"], contest_id=round_.contest_id).first()
            if solution is None:
                raise ConflictTargetError()
        if v.get("team") is not None:
            team = Team.objects.filter(pk=v["team"], contest_id=round_.contest_id).first()
            if team is None:
                raise ConflictTargetError()
        if v.get("organization") is not None:
            organization = Organization.objects.filter(pk=v["organization"]).first()
            if organization is None:
                raise ConflictTargetError()
        conflict = conflict_services.conflict_add(
            actor=request.user,
            round_=round_,
            judge=judge,
            reason=v["reason"],
            solution=solution,
            team=team,
            organization=organization,
        )
        return Response(s.ConflictOutputSerializer(conflict).data, status=status.HTTP_201_CREATED)


class AutomaticConflictListApi(_Base):
    @extend_schema(responses=s.AutomaticConflictSerializer(many=True), operation_id="judging_round_conflicts_automatic")
    def get(self, request, round_id: int):
        """Every (judge in the pool, solution of the round) pair in conflict, with the reasons."""
        round_ = _round(round_id)
        _require_organizer(request.user, round_)
        rows = conflict_services.round_conflicts(round_=round_)
        return Response(s.AutomaticConflictSerializer(rows, many=True).data)


class ConflictFlagListApi(_Base):
    @extend_schema(responses=s.ConflictFlagOutputSerializer(many=True), operation_id="judging_round_conflict_flags")
    def get(self, request, round_id: int):
        """Conflicts found after a judge scored, open ones first, for the organizers to settle."""
        round_ = _round(round_id)
        _require_organizer(request.user, round_)
        return Response(s.ConflictFlagOutputSerializer(selectors.conflict_flag_list(round_=round_), many=True).data)


class ConflictFlagResolveApi(_Base):
    @extend_schema(request=s.ConflictFlagResolveInputSerializer, responses=s.ConflictFlagOutputSerializer)
    def post(self, request, flag_id: int):
        """Void the flagged review (`void`) or keep it (`keep`), with a reason."""
        flag = get_object_or_404(ConflictFlag.objects.select_related("round__contest"), pk=flag_id)
        if not can_resolve_conflict_flag(request.user, flag):
            # Like reviews, flags are secret: anyone but the round's organizers is told nothing exists.
            raise Http404

        data = s.ConflictFlagResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag = conflict_services.conflict_flag_resolve(
            actor=request.user,
            flag=flag,
            void=data.validated_data["action"] == "void",
            reason=data.validated_data["reason"],
        )
        return Response(s.ConflictFlagOutputSerializer(flag).data)


# --- assignments (organizer) -----------------------------------------------------------------
class _OrganizerRoundList(generics.ListAPIView):
    """Paginated organizer list of a round's rows, filterable by ?judge= and ?solution=."""

    permission_classes = [IsAuthenticated]
    pagination_class = CappedPageNumberPagination
    filter_backends: list = []

    def _filtered(self, qs):
        for param in ("judge", "solution"):
            value = parse_id(self.request.query_params.get(param))
            if value is not None:
                qs = qs.filter(**{f"{param}_id": value})
        return qs


class RoundAssignmentListCreateApi(_OrganizerRoundList):
    serializer_class = s.AssignmentOutputSerializer

    def get_queryset(self):
        round_ = _round(self.kwargs["round_id"])
        scope = _track_scope(self.request.user, round_)
        qs = self._filtered(selectors.assignment_list_for_round(round_=round_, track_ids=scope))
        active = self.request.query_params.get("active")
        if active in ("true", "false"):
            qs = qs.filter(active=active == "true")
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("judge", int, required=False),
            OpenApiParameter("solution", int, required=False),
            OpenApiParameter("active", bool, required=False),
        ],
        operation_id="judging_round_assignments_list",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.AssignmentInputSerializer, responses={201: s.AssignmentOutputSerializer})
    def post(self, request, round_id: int):
        round_ = _round(round_id)
        scope = _track_scope(request.user, round_)
        data = s.AssignmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if scope is not None:
            # A track host: a solution of another track (or none at all) is refused alike.
            track_id = (
                Solution.objects.filter(pk=data.validated_data["solution"], contest_id=round_.contest_id)
                .values_list("scenario__track_id", flat=True)
                .first()
            )
            if track_id is None or not can_assign_solution(request.user, round_, track_id):
                raise NotAllowedError()
        judge = User.objects.filter(pk=data.validated_data["judge"]).first()
        if judge is None:
            raise JudgeNotInPoolError()
        assignment = assignment_services.assignment_create(
            actor=request.user, round_=round_, solution_id=data.validated_data["solution"], judge=judge
        )
        return Response(s.AssignmentOutputSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AutoAssignApi(_Base):
    @extend_schema(request=s.AutoAssignInputSerializer, responses=s.AutoAssignReportSerializer)
    def post(self, request, round_id: int):
        round_ = _round(round_id)
        scope = _track_scope(request.user, round_)
        data = s.AutoAssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = assignment_services.assignment_auto_run(
            actor=request.user, round_=round_, seed=data.validated_data["seed"], track_ids=scope
        )
        return Response(s.AutoAssignReportSerializer(report.as_dict()).data)


class AssignmentDetailApi(_Base):
    @extend_schema(responses=s.AssignmentOutputSerializer)
    def delete(self, request, assignment_id: int):
        assignment = get_object_or_404(
            JudgeAssignment.objects.select_related("round__contest", "solution__scenario"), pk=assignment_id
        )
        if not can_manage_assignment(request.user, assignment):
            raise NotAllowedError()
        assignment = assignment_services.assignment_remove(actor=request.user, assignment=assignment)
        return Response(s.AssignmentOutputSerializer(assignment).data)


# --- reviews (organizer) ---------------------------------------------------------------------
class RoundReviewListApi(_OrganizerRoundList):
    """Organizer view of every review of a round, with scores and revisions."""

    serializer_class = s.ReviewOutputSerializer

    def get_queryset(self):
        round_ = _round(self.kwargs["round_id"])
        _require_organizer(self.request.user, round_)
        qs = self._filtered(selectors.review_list_for_round(round_=round_))
        status_ = self.request.query_params.get("status")
        if status_:
            qs = qs.filter(status=status_)
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("judge", int, required=False),
            OpenApiParameter("solution", int, required=False),
            OpenApiParameter("status", str, required=False, enum=["draft", "submitted", "returned", "voided"]),
        ],
        operation_id="judging_round_reviews_list",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _review_for_organizer(user, review_id: int) -> Review:
    review = get_object_or_404(Review.objects.select_related("round__contest"), pk=review_id)
    if not can_manage_judging(user, review.round):
        # Reviews are secret: anyone but the round's organizers is told nothing exists.
        raise Review.DoesNotExist
    return review


class ReviewReturnApi(_Base):
    @extend_schema(request=s.JudgingReasonInputSerializer, responses=s.ReviewOutputSerializer)
    def post(self, request, review_id: int):
        review = _get_or_404(lambda: _review_for_organizer(request.user, review_id))
        data = s.JudgingReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = scoring.review_return(actor=request.user, review=review, reason=data.validated_data["reason"])
        return Response(s.ReviewOutputSerializer(review).data)


class ReviewVoidApi(_Base):
    @extend_schema(request=s.JudgingReasonInputSerializer, responses=s.ReviewOutputSerializer)
    def post(self, request, review_id: int):
        review = _get_or_404(lambda: _review_for_organizer(request.user, review_id))
        data = s.JudgingReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = scoring.review_void(actor=request.user, review=review, reason=data.validated_data["reason"])
        return Response(s.ReviewOutputSerializer(review).data)


def _get_or_404(fetch):
    from django.http import Http404

    try:
        return fetch()
    except Review.DoesNotExist:
        raise Http404 from None


# --- round window and progress ---------------------------------------------------------------
class OpenJudgingInputSerializer(s.serializers.Serializer):
    closes_at = s.serializers.DateTimeField(required=False)


class RoundWindowOutputSerializer(s.serializers.Serializer):
    id = s.serializers.IntegerField()
    status = s.serializers.CharField()
    judging_opens_at = s.serializers.DateTimeField()
    judging_closes_at = s.serializers.DateTimeField()


class RoundOpenJudgingApi(_Base):
    @extend_schema(request=OpenJudgingInputSerializer, responses=RoundWindowOutputSerializer)
    def post(self, request, round_id: int):
        round_ = _round(round_id)
        _require_organizer(request.user, round_)
        data = OpenJudgingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        round_ = round_open_judging(actor=request.user, round_=round_, closes_at=data.validated_data.get("closes_at"))
        return Response(RoundWindowOutputSerializer(round_).data)


class ReopenRoundInputSerializer(s.serializers.Serializer):
    reason = s.serializers.CharField(max_length=2000)
    closes_at = s.serializers.DateTimeField()


class RoundReopenApi(_Base):
    """An organizer reopens an aggregated, published or closed round for judging, with a reason."""

    @extend_schema(request=ReopenRoundInputSerializer, responses=RoundWindowOutputSerializer)
    def post(self, request, round_id: int):
        round_ = _round(round_id)
        _require_organizer(request.user, round_)
        data = ReopenRoundInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        round_ = round_reopen(actor=request.user, round_=round_, **data.validated_data)
        return Response(RoundWindowOutputSerializer(round_).data)


class RoundCloseJudgingApi(_Base):
    @extend_schema(request=None, responses=RoundWindowOutputSerializer)
    def post(self, request, round_id: int):
        round_ = _round(round_id)
        _require_organizer(request.user, round_)
        round_ = round_close_judging(actor=request.user, round_=round_)
        return Response(RoundWindowOutputSerializer(round_).data)


class ProgressCountsSerializer(s.serializers.Serializer):
    assigned = s.serializers.IntegerField()
    submitted = s.serializers.IntegerField()
    missing = s.serializers.IntegerField()
    returned = s.serializers.IntegerField()
    voided = s.serializers.IntegerField()


class TrackProgressSerializer(ProgressCountsSerializer):
    track_id = s.serializers.IntegerField(allow_null=True)


class JudgeProgressSerializer(ProgressCountsSerializer):
    judge_id = s.serializers.IntegerField()
    username = s.serializers.CharField()
    full_name = s.serializers.CharField()


class RoundProgressCountsSerializer(ProgressCountsSerializer):
    id = s.serializers.IntegerField()


class ProgressOutputSerializer(s.serializers.Serializer):
    round = RoundProgressCountsSerializer()
    tracks = TrackProgressSerializer(many=True)
    judges = JudgeProgressSerializer(many=True)


class RoundProgressApi(_Base):
    @extend_schema(responses=ProgressOutputSerializer)
    def get(self, request, round_id: int):
        round_ = _round(round_id)
        scope = _track_scope(request.user, round_)
        return Response(ProgressOutputSerializer(round_progress(round_=round_, track_ids=scope)).data)


# --- the judge's own assignments and reviews -------------------------------------------------
def _judge_context(assignments: list[JudgeAssignment]) -> dict:
    """Rubrics with criteria for the rounds of these assignments, in one query."""
    return {"rubrics": selectors.rubrics_for_rounds({a.round_id for a in assignments})}


def _own_assignment(request, assignment_id: int) -> JudgeAssignment:
    assignment = selectors.assignment_get_for_judge(judge=request.user, assignment_id=assignment_id)
    if assignment is None or not can_score_assignment(request.user, assignment):
        from django.http import Http404

        raise Http404
    return assignment


class MyAssignmentListApi(_Base):
    @extend_schema(
        parameters=[OpenApiParameter("round", int, required=False)],
        responses=s.JudgeAssignmentOutputSerializer(many=True),
        operation_id="judging_my_assignments_list",
    )
    def get(self, request):
        round_id = parse_id(request.query_params.get("round"))
        assignments = list(selectors.assignment_list_for_judge(judge=request.user, round_id=round_id))
        context = _judge_context(assignments)
        return Response(s.JudgeAssignmentOutputSerializer(assignments, many=True, context=context).data)


class MyAssignmentDetailApi(_Base):
    @extend_schema(responses=s.JudgeAssignmentOutputSerializer)
    def get(self, request, assignment_id: int):
        assignment = _own_assignment(request, assignment_id)
        return Response(s.JudgeAssignmentOutputSerializer(assignment, context=_judge_context([assignment])).data)


def _entries(validated) -> list[tuple[int, object]] | None:
    if "scores" not in validated:
        return None
    return [(e["criterion"], e["value"]) for e in validated["scores"]]


class MyReviewApi(_Base):
    @extend_schema(request=s.ReviewInputSerializer, responses=s.OwnReviewOutputSerializer)
    def put(self, request, assignment_id: int):
        assignment = _own_assignment(request, assignment_id)
        data = s.ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = scoring.review_save_draft(
            judge=request.user,
            assignment_id=assignment.pk,
            scores=_entries(data.validated_data),
            comment=data.validated_data.get("comment"),
            team_comment=data.validated_data.get("team_comment"),
        )
        return Response(s.OwnReviewOutputSerializer(review).data)


class MyReviewSubmitApi(_Base):
    @extend_schema(request=s.ReviewInputSerializer, responses=s.OwnReviewOutputSerializer)
    def post(self, request, assignment_id: int):
        assignment = _own_assignment(request, assignment_id)
        data = s.ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = scoring.review_submit(
            judge=request.user,
            assignment_id=assignment.pk,
            scores=_entries(data.validated_data),
            comment=data.validated_data.get("comment"),
            team_comment=data.validated_data.get("team_comment"),
        )
        return Response(s.OwnReviewOutputSerializer(review).data)


class MyConflictDeclareApi(_Base):
    @extend_schema(request=s.JudgingReasonInputSerializer, responses={201: s.ConflictOutputSerializer})
    def post(self, request, assignment_id: int):
        assignment = _own_assignment(request, assignment_id)
        if not can_declare_conflict(request.user, assignment):
            raise NotAllowedError()
        data = s.JudgingReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conflict = conflict_services.conflict_declare(
            judge=request.user, assignment=assignment, reason=data.validated_data["reason"]
        )
        return Response(s.ConflictOutputSerializer(conflict).data, status=status.HTTP_201_CREATED)
