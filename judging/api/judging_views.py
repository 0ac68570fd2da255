"""Thin judging API views: resolve (the URL's object, through a selector) and check (the
predicate of `permission_map`) happen in `ScopedAPIView` before the handler; the handler
parses, acts (service) and presents."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from config.api import (
    CappedPageNumberPagination,
    NotAllowedError,
    Scope,
    ScopedAPIView,
    ScopedViewMixin,
    parse_id,
    visible_only,
)
from judging import selectors
from judging.api import judging_serializers as s
from judging.permissions import (
    can_assign_solution,
    can_declare_conflict,
    can_edit_criterion,
    can_edit_rubric,
    can_manage_assignment,
    can_manage_judging,
    can_manage_pool_member,
    can_manage_review,
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

ROUND = Scope(selectors.round_get, "round_id")


class _RoundApi(ScopedAPIView):
    # A view of one round (`/rounds/<round_id>/...`): `self.object` is the round. (A comment,
    # not a docstring: the schema would show a base class's docstring on every endpoint.)

    scope = ROUND

    def track_scope(self) -> set[int] | None:
        """Organizers run every track (None); a track host its own tracks."""
        return selectors.track_scope(self.request.user, self.object)

    def parse(self, serializer_class, data=None, **kwargs):
        return super().parse(serializer_class, data, context={"round": self.object}, **kwargs)


# --- rubrics ---------------------------------------------------------------------------------
class RubricListCreateApi(_RoundApi):
    permission_map = {"get": can_view_round_rubrics, "post": can_manage_judging}

    @extend_schema(responses=s.RubricOutputSerializer(many=True), operation_id="judging_round_rubrics_list")
    def get(self, request, round_id: int):
        round_ = self.object
        frozen = rubric_services.rubric_is_frozen(round_id=round_.pk)
        data = s.RubricOutputSerializer(
            selectors.rubric_list(round_=round_), many=True, context={"frozen": frozen}
        ).data
        return Response(data)

    @extend_schema(request=s.RubricInputSerializer, responses={201: s.RubricOutputSerializer})
    def post(self, request, round_id: int):
        data = self.parse(s.RubricInputSerializer)
        kwargs = {"score_step": data["score_step"]} if "score_step" in data else {}
        rubric = rubric_services.rubric_create(
            actor=request.user, round_=self.object, name=data["name"], track=data.get("track"), **kwargs
        )
        return Response(s.RubricOutputSerializer(rubric).data, status=status.HTTP_201_CREATED)


RUBRIC = Scope(selectors.rubric_get, "rubric_id")


class RubricDetailApi(ScopedAPIView):
    scope = RUBRIC
    permission_map = {"get": can_view_rubric, "patch": can_edit_rubric, "delete": can_edit_rubric}

    @extend_schema(responses=s.RubricOutputSerializer)
    def get(self, request, rubric_id: int):
        frozen = rubric_services.rubric_is_frozen(round_id=self.object.round_id)
        return Response(s.RubricOutputSerializer(self.object, context={"frozen": frozen}).data)

    @extend_schema(request=s.RubricUpdateInputSerializer, responses=s.RubricOutputSerializer)
    def patch(self, request, rubric_id: int):
        data = self.parse(s.RubricUpdateInputSerializer, partial=True)
        rubric = rubric_services.rubric_update(actor=request.user, rubric=self.object, **data)
        return Response(s.RubricOutputSerializer(rubric).data)

    @extend_schema(responses={204: None})
    def delete(self, request, rubric_id: int):
        rubric_services.rubric_delete(actor=request.user, rubric=self.object)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CriterionCreateApi(ScopedAPIView):
    scope = RUBRIC
    permission_map = {"post": can_edit_rubric}

    @extend_schema(request=s.CriterionInputSerializer, responses={201: s.CriterionOutputSerializer})
    def post(self, request, rubric_id: int):
        data = self.parse(s.CriterionInputSerializer)
        criterion = rubric_services.criterion_create(actor=request.user, rubric=self.object, **data)
        return Response(s.CriterionOutputSerializer(criterion).data, status=status.HTTP_201_CREATED)


class CriterionDetailApi(ScopedAPIView):
    scope = Scope(selectors.criterion_get, "criterion_id")
    permission_map = {"patch": can_edit_criterion, "delete": can_edit_criterion}

    @extend_schema(request=s.CriterionUpdateInputSerializer, responses=s.CriterionOutputSerializer)
    def patch(self, request, criterion_id: int):
        data = self.parse(s.CriterionUpdateInputSerializer, partial=True)
        criterion = rubric_services.criterion_update(actor=request.user, criterion=self.object, **data)
        return Response(s.CriterionOutputSerializer(criterion).data)

    @extend_schema(responses={204: None})
    def delete(self, request, criterion_id: int):
        rubric_services.criterion_delete(actor=request.user, criterion=self.object)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- pool ------------------------------------------------------------------------------------
def _check_pool_fields(user, round_, changes: dict) -> None:
    """Tracks and the recorded organization: who may set them (the keys are already resolved)."""
    if "tracks" in changes and not can_set_pool_tracks(user, round_, [t.pk for t in changes["tracks"]]):
        raise NotAllowedError()
    if "organization" in changes and not can_set_judge_organization(user, round_):
        raise NotAllowedError()


class PoolListCreateApi(_RoundApi):
    permission_map = {"get": can_run_track_judging, "post": can_run_track_judging}

    @extend_schema(responses=s.PoolMemberOutputSerializer(many=True), operation_id="judging_round_pool_list")
    def get(self, request, round_id: int):
        members = selectors.pool_list(round_=self.object, track_ids=self.track_scope())
        return Response(s.PoolMemberOutputSerializer(members, many=True).data)

    @extend_schema(request=s.PoolMemberInputSerializer, responses={201: s.PoolMemberOutputSerializer})
    def post(self, request, round_id: int):
        round_ = self.object
        scope = self.track_scope()
        v = self.parse(s.PoolMemberInputSerializer)
        if not v.get("tracks") and scope is not None:
            # A track host's judge joins for the host's tracks unless it names some of them.
            v["tracks"] = selectors.track_list(round_=round_, track_ids=scope)
        v.setdefault("tracks", [])
        _check_pool_fields(request.user, round_, v)
        extra = {"organization": v["organization"]} if "organization" in v else {}
        member = pool_services.pool_member_add(
            actor=request.user,
            round_=round_,
            judge=v["judge"],
            tracks=v["tracks"],
            group=v.get("group", ""),
            load_cap=v.get("load_cap"),
            **extra,
        )
        return Response(s.PoolMemberOutputSerializer(member).data, status=status.HTTP_201_CREATED)


class PoolMemberDetailApi(ScopedAPIView):
    scope = Scope(selectors.pool_member_get, "member_id")
    permission_map = {"patch": can_manage_pool_member, "delete": can_manage_pool_member}

    @extend_schema(request=s.PoolMemberUpdateInputSerializer, responses=s.PoolMemberOutputSerializer)
    def patch(self, request, member_id: int):
        member = self.object
        changes = self.parse(s.PoolMemberUpdateInputSerializer, partial=True, context={"round": member.round})
        _check_pool_fields(request.user, member.round, changes)
        member = pool_services.pool_member_update(actor=request.user, member=member, **changes)
        return Response(s.PoolMemberOutputSerializer(member).data)

    @extend_schema(responses={204: None})
    def delete(self, request, member_id: int):
        pool_services.pool_member_remove(actor=request.user, member=self.object)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- conflicts -------------------------------------------------------------------------------
class ConflictListCreateApi(_RoundApi):
    permission_map = {"get": can_manage_judging, "post": can_manage_judging}

    @extend_schema(responses=s.ConflictOutputSerializer(many=True), operation_id="judging_round_conflicts_list")
    def get(self, request, round_id: int):
        return Response(s.ConflictOutputSerializer(selectors.conflict_list(round_=self.object), many=True).data)

    @extend_schema(request=s.ConflictInputSerializer, responses={201: s.ConflictOutputSerializer})
    def post(self, request, round_id: int):
        v = self.parse(s.ConflictInputSerializer)
        conflict = conflict_services.conflict_add(
            actor=request.user,
            round_=self.object,
            judge=v["judge"],
            reason=v["reason"],
            solution=v.get("solution"),
            team=v.get("team"),
            organization=v.get("organization"),
        )
        return Response(s.ConflictOutputSerializer(conflict).data, status=status.HTTP_201_CREATED)


class AutomaticConflictListApi(_RoundApi):
    permission_map = {"get": can_manage_judging}

    @extend_schema(responses=s.AutomaticConflictSerializer(many=True), operation_id="judging_round_conflicts_automatic")
    def get(self, request, round_id: int):
        """Every (judge in the pool, solution of the round) pair in conflict, with the reasons."""
        rows = conflict_services.round_conflicts(round_=self.object)
        return Response(s.AutomaticConflictSerializer(rows, many=True).data)


class ConflictFlagListApi(_RoundApi):
    permission_map = {"get": can_manage_judging}

    @extend_schema(responses=s.ConflictFlagOutputSerializer(many=True), operation_id="judging_round_conflict_flags")
    def get(self, request, round_id: int):
        """Conflicts found after a judge scored, open ones first, for the organizers to settle."""
        flags = selectors.conflict_flag_list(round_=self.object)
        return Response(s.ConflictFlagOutputSerializer(flags, many=True).data)


class ConflictFlagResolveApi(ScopedAPIView):
    scope = Scope(selectors.conflict_flag_get, "flag_id")
    # Like reviews, flags are secret: anyone but the round's organizers is told nothing exists.
    visible_if = staticmethod(can_resolve_conflict_flag)
    permission_map = {"post": visible_only}

    @extend_schema(request=s.ConflictFlagResolveInputSerializer, responses=s.ConflictFlagOutputSerializer)
    def post(self, request, flag_id: int):
        """Void the flagged review (`void`) or keep it (`keep`), with a reason."""
        data = self.parse(s.ConflictFlagResolveInputSerializer)
        flag = conflict_services.conflict_flag_resolve(
            actor=request.user, flag=self.object, void=data["action"] == "void", reason=data["reason"]
        )
        return Response(s.ConflictFlagOutputSerializer(flag).data)


# --- assignments (organizer) -----------------------------------------------------------------
class _OrganizerRoundList(ScopedViewMixin, generics.ListAPIView):
    """Paginated organizer list of a round's rows, filterable by ?judge= and ?solution=."""

    scope = ROUND
    pagination_class = CappedPageNumberPagination
    filter_backends: list = []
    permission_classes = ScopedAPIView.permission_classes

    def _filtered(self, qs):
        for param in ("judge", "solution"):
            value = parse_id(self.request.query_params.get(param))
            if value is not None:
                qs = qs.filter(**{f"{param}_id": value})
        return qs


class RoundAssignmentListCreateApi(_OrganizerRoundList):
    serializer_class = s.AssignmentOutputSerializer
    permission_map = {"get": can_run_track_judging, "post": can_run_track_judging}

    def get_queryset(self):
        scope = selectors.track_scope(self.request.user, self.object)
        qs = self._filtered(selectors.assignment_list_for_round(round_=self.object, track_ids=scope))
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
        round_ = self.object
        data = self.parse(s.AssignmentInputSerializer, context={"round": round_})
        if selectors.track_scope(request.user, round_) is not None:
            # A track host: a solution of another track (or none at all) is refused alike.
            track_id = selectors.solution_track_id(round_=round_, solution_id=data["solution"])
            if track_id is None or not can_assign_solution(request.user, round_, track_id):
                raise NotAllowedError()
        assignment = assignment_services.assignment_create(
            actor=request.user, round_=round_, solution_id=data["solution"], judge=data["judge"]
        )
        return Response(s.AssignmentOutputSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AutoAssignApi(_RoundApi):
    permission_map = {"post": can_run_track_judging}

    @extend_schema(request=s.AutoAssignInputSerializer, responses=s.AutoAssignReportSerializer)
    def post(self, request, round_id: int):
        data = self.parse(s.AutoAssignInputSerializer)
        report = assignment_services.assignment_auto_run(
            actor=request.user, round_=self.object, seed=data["seed"], track_ids=self.track_scope()
        )
        return Response(s.AutoAssignReportSerializer(report.as_dict()).data)


class AssignmentDetailApi(ScopedAPIView):
    scope = Scope(selectors.assignment_get, "assignment_id")
    permission_map = {"delete": can_manage_assignment}

    @extend_schema(responses=s.AssignmentOutputSerializer)
    def delete(self, request, assignment_id: int):
        assignment = assignment_services.assignment_remove(actor=request.user, assignment=self.object)
        return Response(s.AssignmentOutputSerializer(assignment).data)


# --- reviews (organizer) ---------------------------------------------------------------------
class RoundReviewListApi(_OrganizerRoundList):
    """Organizer view of every review of a round, with scores and revisions."""

    serializer_class = s.ReviewOutputSerializer
    permission_map = {"get": can_manage_judging}

    def get_queryset(self):
        qs = self._filtered(selectors.review_list_for_round(round_=self.object))
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


class _ReviewActionApi(ScopedAPIView):
    scope = Scope(selectors.review_get, "review_id")
    # Reviews are secret: anyone but the round's organizers is told nothing exists.
    visible_if = staticmethod(can_manage_review)
    permission_map = {"post": visible_only}


class ReviewReturnApi(_ReviewActionApi):
    @extend_schema(request=s.JudgingReasonInputSerializer, responses=s.ReviewOutputSerializer)
    def post(self, request, review_id: int):
        data = self.parse(s.JudgingReasonInputSerializer)
        review = scoring.review_return(actor=request.user, review=self.object, reason=data["reason"])
        return Response(s.ReviewOutputSerializer(review).data)


class ReviewVoidApi(_ReviewActionApi):
    @extend_schema(request=s.JudgingReasonInputSerializer, responses=s.ReviewOutputSerializer)
    def post(self, request, review_id: int):
        data = self.parse(s.JudgingReasonInputSerializer)
        review = scoring.review_void(actor=request.user, review=self.object, reason=data["reason"])
        return Response(s.ReviewOutputSerializer(review).data)


# --- round window and progress ---------------------------------------------------------------
class OpenJudgingInputSerializer(s.serializers.Serializer):
    closes_at = s.serializers.DateTimeField(required=False)


class RoundWindowOutputSerializer(s.serializers.Serializer):
    id = s.serializers.IntegerField()
    status = s.serializers.CharField()
    judging_opens_at = s.serializers.DateTimeField()
    judging_closes_at = s.serializers.DateTimeField()


class RoundOpenJudgingApi(_RoundApi):
    permission_map = {"post": can_manage_judging}

    @extend_schema(request=OpenJudgingInputSerializer, responses=RoundWindowOutputSerializer)
    def post(self, request, round_id: int):
        data = self.parse(OpenJudgingInputSerializer)
        round_ = round_open_judging(actor=request.user, round_=self.object, closes_at=data.get("closes_at"))
        return Response(RoundWindowOutputSerializer(round_).data)


class ReopenRoundInputSerializer(s.serializers.Serializer):
    reason = s.serializers.CharField(max_length=2000)
    closes_at = s.serializers.DateTimeField()


class RoundReopenApi(_RoundApi):
    """An organizer reopens an aggregated, published or closed round for judging, with a reason."""

    permission_map = {"post": can_manage_judging}

    @extend_schema(request=ReopenRoundInputSerializer, responses=RoundWindowOutputSerializer)
    def post(self, request, round_id: int):
        data = self.parse(ReopenRoundInputSerializer)
        round_ = round_reopen(actor=request.user, round_=self.object, **data)
        return Response(RoundWindowOutputSerializer(round_).data)


class RoundCloseJudgingApi(_RoundApi):
    permission_map = {"post": can_manage_judging}

    @extend_schema(request=None, responses=RoundWindowOutputSerializer)
    def post(self, request, round_id: int):
        round_ = round_close_judging(actor=request.user, round_=self.object)
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


class RoundProgressApi(_RoundApi):
    permission_map = {"get": can_run_track_judging}

    @extend_schema(responses=ProgressOutputSerializer)
    def get(self, request, round_id: int):
        progress = round_progress(round_=self.object, track_ids=self.track_scope())
        return Response(ProgressOutputSerializer(progress).data)


# --- the judge's own assignments and reviews -------------------------------------------------
def _judge_context(assignments) -> dict:
    """Rubrics with criteria for the rounds of these assignments, in one query."""
    return {"rubrics": selectors.rubrics_for_rounds({a.round_id for a in assignments})}


def _entries(validated) -> list[tuple[int, object]] | None:
    if "scores" not in validated:
        return None
    return [(e["criterion"], e["value"]) for e in validated["scores"]]


class MyAssignmentListApi(ScopedAPIView):
    permission_map = {"get": visible_only}  # the selector lists the judge's own rows only

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


class _OwnAssignmentApi(ScopedAPIView):
    # The judge's own active assignment (conflicted ones are not there): anyone else's is a 404.

    scope = Scope(selectors.assignment_get_for_judge, "assignment_id", user="judge")
    visible_if = staticmethod(can_score_assignment)

    def _review(self, save):
        data = self.parse(s.ReviewInputSerializer)
        review = save(
            judge=self.request.user,
            assignment_id=self.object.pk,
            scores=_entries(data),
            comment=data.get("comment"),
            team_comment=data.get("team_comment"),
        )
        return Response(s.OwnReviewOutputSerializer(review).data)


class MyAssignmentDetailApi(_OwnAssignmentApi):
    permission_map = {"get": visible_only}

    @extend_schema(responses=s.JudgeAssignmentOutputSerializer)
    def get(self, request, assignment_id: int):
        context = _judge_context([self.object])
        return Response(s.JudgeAssignmentOutputSerializer(self.object, context=context).data)


class MyReviewApi(_OwnAssignmentApi):
    permission_map = {"put": visible_only}

    @extend_schema(request=s.ReviewInputSerializer, responses=s.OwnReviewOutputSerializer)
    def put(self, request, assignment_id: int):
        return self._review(scoring.review_save_draft)


class MyReviewSubmitApi(_OwnAssignmentApi):
    permission_map = {"post": visible_only}

    @extend_schema(request=s.ReviewInputSerializer, responses=s.OwnReviewOutputSerializer)
    def post(self, request, assignment_id: int):
        return self._review(scoring.review_submit)


class MyConflictDeclareApi(_OwnAssignmentApi):
    permission_map = {"post": can_declare_conflict}

    @extend_schema(request=s.JudgingReasonInputSerializer, responses={201: s.ConflictOutputSerializer})
    def post(self, request, assignment_id: int):
        data = self.parse(s.JudgingReasonInputSerializer)
        conflict = conflict_services.conflict_declare(judge=request.user, assignment=self.object, reason=data["reason"])
        return Response(s.ConflictOutputSerializer(conflict).data, status=status.HTTP_201_CREATED)
