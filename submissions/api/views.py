"""Thin API views: parse (input serializer) → fetch (selector; invisible is 404) → act (service,
which checks the role and the state) → present (output serializer)."""

from functools import partial

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from config.api import (
    CappedPageNumberPagination,
    Scope,
    ScopedAPIView,
    checked_by_service,
    query_id,
    visible_only,
    visible_or_404,
)
from config.storage import download_response
from contest.selectors import contest_all, contest_list_for_user, scenario_list_for_user, user_get
from submissions import fact_changes, permissions, selectors, services
from submissions.enums import SolutionStatus
from submissions.errors import NotTeamMemberError
from submissions.idempotency import run_idempotent
from submissions.metadata import blind_copy, needs_cleaning

from .serializers import (
    CaptainInputSerializer,
    EligibilityInputSerializer,
    EligibilityOutputSerializer,
    FactChangeDecisionInputSerializer,
    FactChangeInputSerializer,
    FactChangeOutputSerializer,
    InvitationAcceptInputSerializer,
    InvitationInputSerializer,
    InvitationOutputSerializer,
    MemberOutputSerializer,
    MembershipOutputSerializer,
    ReceiptOutputSerializer,
    SolutionInputSerializer,
    SolutionOutputSerializer,
    SubmitInputSerializer,
    SupplementInputSerializer,
    TeamInputSerializer,
    TeamOutputSerializer,
    TeamUpdateInputSerializer,
    TransferInputSerializer,
    VersionOutputSerializer,
    VersionUploadInputSerializer,
    WithdrawInputSerializer,
    neutral_file_name,
)
from .uploads import DEFAULT_UPLOAD_LIMIT, MULTIPART_SLACK, UploadApi  # noqa: F401 (the team pages read the limits here)

ERRORS = {
    400: OpenApiResponse(description="Invalid input (`validation_error` or a domain code)."),
    403: OpenApiResponse(description="Not allowed (`captain_only`, `not_team_member`, `organizer_only`, ...)."),
    404: OpenApiResponse(description="Not found or not visible to you."),
    409: OpenApiResponse(description="Conflicting state (`deadline_passed`, `entry_cap_reached`, ...)."),
}
UPLOAD_ERRORS = {
    **ERRORS,
    413: OpenApiResponse(description="`file_too_large`: over the round's upload limit."),
    415: OpenApiResponse(description="`file_type_not_allowed`: the content is not an accepted type."),
}
IDEMPOTENCY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Retries with the same key replay the first successful response and create nothing.",
)
CONTEST_FILTER = OpenApiParameter(name="contest", type=int, location=OpenApiParameter.QUERY, required=False)
SOLUTION_FILTERS = [
    CONTEST_FILTER,
    OpenApiParameter(name="scenario", type=int, location=OpenApiParameter.QUERY, required=False),
    OpenApiParameter(
        name="status", type=str, location=OpenApiParameter.QUERY, required=False, enum=list(SolutionStatus.values)
    ),
]

TEAM = Scope(selectors.team_get_for_user, "pk", user="user")
SOLUTION = Scope(selectors.solution_get_for_user, "pk", user="user")
SOLUTION_ROW = Scope(selectors.solution_get_for_user, "pk", user="user", options={"related": False})


def _page(serializer_class):
    """The envelope the paginated list views return, for the schema: count, next, previous, results."""
    return inline_serializer(
        name=f"Paginated{serializer_class.__name__.removesuffix('Serializer')}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


def _visible_scenario(user, scenario):
    """The scenario as the user may see it; one they cannot see is a 404, never a 409 naming its status."""
    return visible_or_404(scenario_list_for_user(user=user), scenario.pk)


def _contest_filter(request):
    contest_id = query_id(request, "contest")
    return None if contest_id is None else visible_or_404(contest_all(), contest_id)


def _paginate(view, request, queryset, serializer_factory):
    paginator = CappedPageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_factory(page).data)


# --- teams -----------------------------------------------------------------------------------


class TeamListCreateApi(ScopedAPIView):
    """Teams you belong to (organizers: every team of their contests); register a team."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    permission_map = {"get": visible_only, "post": checked_by_service}

    @extend_schema(
        summary="List teams visible to you",
        parameters=[CONTEST_FILTER],
        operation_id="v1_teams_list",
        responses={200: _page(TeamOutputSerializer)},
    )
    def get(self, request):
        teams = selectors.team_list_for_user(request.user, contest=_contest_filter(request))
        return _paginate(self, request, teams, lambda page: TeamOutputSerializer(page, many=True))

    @extend_schema(
        summary="Register a team", request=TeamInputSerializer, responses={201: TeamOutputSerializer, **ERRORS}
    )
    def post(self, request):
        data = self.parse(TeamInputSerializer)
        # An unpublished contest is not there for you: 404, not its status.
        contest = visible_or_404(contest_list_for_user(user=request.user), data["contest"].pk)
        team = services.team_create(
            actor=request.user,
            contest=contest,
            name=data["name"],
            lead_unit=data["lead_unit"],
            co_units=data.get("co_units", []),
            organization=data.get("organization"),
        )
        team = selectors.team_get_for_user(request.user, team.pk)
        return Response(TeamOutputSerializer(team).data, status=status.HTTP_201_CREATED)


class TeamDetailApi(ScopedAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    scope = TEAM
    permission_map = {"get": visible_only, "patch": checked_by_service}

    @extend_schema(summary="A team", responses={200: TeamOutputSerializer, **ERRORS})
    def get(self, request, pk):
        return Response(TeamOutputSerializer(self.object).data)

    @extend_schema(
        summary="Update a team (captain)",
        request=TeamUpdateInputSerializer,
        responses={200: TeamOutputSerializer, **ERRORS},
    )
    def patch(self, request, pk):
        data = self.parse(TeamUpdateInputSerializer, partial=True)
        services.team_update(actor=request.user, team=self.object, **data)
        return Response(TeamOutputSerializer(selectors.team_get_for_user(request.user, pk)).data)


class TeamFactChangeListCreateApi(ScopedAPIView):
    scope = TEAM
    permission_map = {"get": permissions.can_view_team_private, "post": checked_by_service}
    permission_error = NotTeamMemberError

    @extend_schema(
        summary="Requested changes of the team's frozen units (team and organizers)",
        operation_id="v1_teams_fact_changes_list",
        responses={200: FactChangeOutputSerializer(many=True), **ERRORS},
    )
    def get(self, request, pk):
        changes = self.object.fact_changes.order_by("id")
        return Response(FactChangeOutputSerializer(changes, many=True).data)

    @extend_schema(
        summary="Ask the organizers to change the team's units (captain; applied only when approved)",
        request=FactChangeInputSerializer,
        responses={201: FactChangeOutputSerializer, **ERRORS},
    )
    def post(self, request, pk):
        team = self.object
        data = self.parse(FactChangeInputSerializer)
        change = fact_changes.fact_change_request(
            actor=request.user,
            team=team,
            reason=data["reason"],
            lead_unit=data.get("lead_unit"),
            co_units=data.get("co_units"),
        )
        return Response(FactChangeOutputSerializer(change).data, status=status.HTTP_201_CREATED)


class FactChangeDecideApi(ScopedAPIView):
    scope = Scope(selectors.fact_change_get_for_user, "pk", user="user")
    permission_map = {"post": checked_by_service}

    @extend_schema(
        summary="Approve (apply) or reject a requested change of a team's units (organizer)",
        request=FactChangeDecisionInputSerializer,
        responses={200: FactChangeOutputSerializer, **ERRORS},
    )
    def post(self, request, pk):
        data = self.parse(FactChangeDecisionInputSerializer)
        change = fact_changes.fact_change_decide(
            actor=request.user, change=self.object, approve=data["approve"], reason=data["reason"]
        )
        return Response(FactChangeOutputSerializer(change).data)


class TeamMemberListApi(ScopedAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    scope = TEAM
    permission_map = {"get": visible_only}

    @extend_schema(
        summary="Members of a team",
        operation_id="v1_teams_members_list",
        responses={200: _page(MemberOutputSerializer), **ERRORS},
    )
    def get(self, request, pk):
        members = selectors.member_list_for_team(self.object)
        return _paginate(self, request, members, lambda page: MemberOutputSerializer(page, many=True))


class TeamMemberRemoveApi(ScopedAPIView):
    scope = TEAM
    permission_map = {"delete": checked_by_service}

    @extend_schema(summary="Remove a member (captain) or leave the team", responses={204: None, **ERRORS})
    def delete(self, request, pk, user_id):
        team = self.object
        user = user_get(user_id=user_id)
        if user is None:
            raise Http404
        services.member_remove(actor=request.user, team=team, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamCaptainApi(ScopedAPIView):
    scope = TEAM
    permission_map = {"post": checked_by_service}

    @extend_schema(
        summary="Hand the captaincy to another member",
        request=CaptainInputSerializer,
        responses={200: TeamOutputSerializer, **ERRORS},
    )
    def post(self, request, pk):
        team = self.object
        data = self.parse(CaptainInputSerializer)
        new_captain = user_get(user_id=data["user"])
        if new_captain is None:
            raise Http404
        services.captain_transfer(actor=request.user, team=team, new_captain=new_captain)
        return Response(TeamOutputSerializer(selectors.team_get_for_user(request.user, pk)).data)


class TeamInvitationListCreateApi(ScopedAPIView):
    scope = TEAM
    permission_map = {"get": visible_only, "post": checked_by_service}

    @extend_schema(
        summary="Invitations of a team",
        operation_id="v1_teams_invitations_list",
        responses={200: _page(InvitationOutputSerializer), **ERRORS},
    )
    def get(self, request, pk):
        invitations = selectors.invitation_list_for_team(self.object)
        return _paginate(self, request, invitations, lambda page: InvitationOutputSerializer(page, many=True))

    @extend_schema(
        summary="Invite someone by e-mail (captain)",
        request=InvitationInputSerializer,
        responses={201: InvitationOutputSerializer, **ERRORS},
    )
    def post(self, request, pk):
        data = self.parse(InvitationInputSerializer)
        invitation = services.invitation_create(actor=request.user, team=self.object, email=data["email"])
        return Response(InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED)


class TeamInvitationRevokeApi(ScopedAPIView):
    scope = TEAM
    permission_map = {"post": checked_by_service}

    @extend_schema(
        summary="Revoke a pending invitation (captain)",
        request=None,
        responses={200: InvitationOutputSerializer, **ERRORS},
    )
    def post(self, request, pk, invitation_id):
        invitation = selectors.invitation_get(team=self.object, invitation_id=invitation_id)
        if invitation is None:
            raise Http404
        invitation = services.invitation_revoke(actor=request.user, invitation=invitation)
        return Response(InvitationOutputSerializer(invitation).data)


class InvitationAcceptApi(ScopedAPIView):
    permission_map = {"post": checked_by_service}

    @extend_schema(
        summary="Accept an invitation with its token",
        request=InvitationAcceptInputSerializer,
        responses={
            201: MembershipOutputSerializer,
            410: OpenApiResponse(description="`invitation_expired`."),
            **ERRORS,
        },
    )
    def post(self, request):
        data = self.parse(InvitationAcceptInputSerializer)
        membership = services.invitation_accept(actor=request.user, token=data["token"])
        return Response(MembershipOutputSerializer(membership).data, status=status.HTTP_201_CREATED)


# --- solutions -------------------------------------------------------------------------------


def _solution_data(request, solutions):
    solutions = list(solutions)
    access = selectors.solution_access_map(request.user, solutions)
    return SolutionOutputSerializer(solutions, many=True, context={"access": access}).data


class SolutionListCreateApi(ScopedAPIView):
    """Solutions visible to you; take up (揭榜) a scenario."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    permission_map = {"get": visible_only, "post": checked_by_service}

    @extend_schema(
        summary="List solutions visible to you",
        parameters=SOLUTION_FILTERS,
        operation_id="v1_solutions_list",
        responses={200: _page(SolutionOutputSerializer)},
    )
    def get(self, request):
        qs = selectors.solution_list_for_user(request.user, contest=_contest_filter(request))
        status_filter = request.query_params.get("status")
        if status_filter:
            if status_filter not in SolutionStatus.values:
                raise serializers.ValidationError({"status": [_("Unknown status.")]})
            qs = qs.filter(status=status_filter)
        scenario_id = query_id(request, "scenario")
        if scenario_id is not None:
            qs = qs.filter(scenario_id=scenario_id)
        qs = selectors.solution_list_with_related(qs)
        paginator = CappedPageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(_solution_data(request, page))

    @extend_schema(
        summary="Take up a scenario (captain)",
        request=SolutionInputSerializer,
        responses={201: SolutionOutputSerializer, **ERRORS},
    )
    def post(self, request):
        data = self.parse(SolutionInputSerializer)
        scenario = _visible_scenario(request.user, data["scenario"])
        team = selectors.user_team_in_contest(request.user, scenario.contest)
        if team is None:
            raise NotTeamMemberError(_("Register or join a team in this contest first."))
        solution = services.solution_create(
            actor=request.user, team=team, scenario=scenario, title=data["title"], abstract=data["abstract"]
        )
        solution = selectors.solution_get_for_user(request.user, solution.pk)
        return Response(_solution_data(request, [solution])[0], status=status.HTTP_201_CREATED)


class SolutionDetailApi(ScopedAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    scope = SOLUTION
    permission_map = {"get": visible_only}

    @extend_schema(summary="A solution", responses={200: SolutionOutputSerializer, **ERRORS})
    def get(self, request, pk):
        return Response(_solution_data(request, [self.object])[0])


class SolutionVersionListCreateApi(UploadApi):
    scope = {"get": SOLUTION, "post": SOLUTION_ROW}
    permission_map = {"get": visible_only, "post": checked_by_service}

    @extend_schema(
        summary="Versions of a solution",
        operation_id="v1_solutions_versions_list",
        responses={200: _page(VersionOutputSerializer), **ERRORS},
    )
    def get(self, request, pk):
        solution = self.object
        versions = selectors.version_list_for_user(request.user, solution)
        access = selectors.solution_access_map(request.user, [solution])[solution.pk]
        return _paginate(self, request, versions, lambda page: VersionOutputSerializer(page, many=True, context=access))

    @extend_schema(
        summary="Upload a new immutable version (team member)",
        request={"multipart/form-data": VersionUploadInputSerializer},
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: VersionOutputSerializer, **UPLOAD_ERRORS},
    )
    def post(self, request, pk):
        solution = self.object
        data, uploads = self._parsed_uploads(request)

        def handle():
            fields = self.parse(
                VersionUploadInputSerializer, {k: data.get(k) for k in ("title", "abstract") if k in data}
            )
            version = services.solution_version_create(
                actor=request.user,
                solution=solution,
                title=fields.get("title", ""),
                abstract=fields.get("abstract", ""),
                uploads=uploads,
            )
            return Response(VersionOutputSerializer(version, context={"full": True}).data, status=201)

        return run_idempotent(request, scope=f"POST {request.path}", handler=handle)


class SolutionSupplementApi(UploadApi):
    scope = SOLUTION_ROW
    permission_map = {"post": checked_by_service}

    @extend_schema(
        summary="Supply the supplement (补正) before its deadline (captain)",
        request={"multipart/form-data": SupplementInputSerializer},
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: ReceiptOutputSerializer, **UPLOAD_ERRORS},
    )
    def post(self, request, pk):
        solution = self.object
        data, uploads = self._parsed_uploads(request)

        def handle():
            fields = self.parse(SupplementInputSerializer, {k: data.get(k) for k in ("title", "abstract") if k in data})
            receipt = services.solution_supplement(
                actor=request.user,
                solution=solution,
                uploads=uploads,
                title=fields.get("title"),
                abstract=fields.get("abstract"),
            )
            return Response(ReceiptOutputSerializer(receipt).data, status=201)

        return run_idempotent(request, scope=f"POST {request.path}", handler=handle)


class SolutionSubmitApi(ScopedAPIView):
    scope = SOLUTION_ROW
    permission_map = {"post": checked_by_service}

    @extend_schema(
        summary="Submit a version as final for the open round (captain)",
        request=SubmitInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: ReceiptOutputSerializer, **ERRORS},
    )
    def post(self, request, pk):
        solution = self.object

        def handle():
            data = self.parse(SubmitInputSerializer)
            receipt = services.solution_submit(actor=request.user, solution=solution, version_number=data["version"])
            return Response(ReceiptOutputSerializer(receipt).data, status=201)

        return run_idempotent(request, scope=f"POST {request.path}", handler=handle)


class SolutionWithdrawApi(ScopedAPIView):
    scope = SOLUTION
    permission_map = {"post": checked_by_service}

    @extend_schema(
        summary="Withdraw (before the deadline) or retire (退赛, after it; needs confirm) (captain)",
        request=WithdrawInputSerializer,
        responses={200: SolutionOutputSerializer, **ERRORS},
    )
    def post(self, request, pk):
        solution = self.object
        data = self.parse(WithdrawInputSerializer)
        solution = services.solution_withdraw(
            actor=request.user, solution=solution, confirm=data["confirm"], reason=data["reason"]
        )
        return Response(_solution_data(request, [selectors.solution_get_for_user(request.user, pk)])[0])


class SolutionTransferApi(ScopedAPIView):
    scope = SOLUTION
    permission_map = {"post": checked_by_service}

    @extend_schema(
        summary="Move a pending-transfer solution to another scenario of the track (captain)",
        request=TransferInputSerializer,
        responses={200: SolutionOutputSerializer, **ERRORS},
    )
    def post(self, request, pk):
        solution = self.object
        data = self.parse(TransferInputSerializer)
        scenario = _visible_scenario(request.user, data["scenario"])
        services.solution_transfer(actor=request.user, solution=solution, scenario=scenario)
        return Response(_solution_data(request, [selectors.solution_get_for_user(request.user, pk)])[0])


class SolutionReceiptListApi(ScopedAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    scope = SOLUTION
    visible_if = staticmethod(selectors.solution_sees_full_history)  # the team and organizers only
    permission_map = {"get": visible_only}

    @extend_schema(
        summary="Submission receipts of a solution",
        operation_id="v1_solutions_receipts_list",
        responses={200: _page(ReceiptOutputSerializer), **ERRORS},
    )
    def get(self, request, pk):
        receipts = selectors.receipt_list_for_solution(self.object)
        return _paginate(self, request, receipts, lambda page: ReceiptOutputSerializer(page, many=True))


class SolutionEligibilityApi(ScopedAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    scope = SOLUTION
    visible_if = {"get": selectors.solution_sees_full_history}  # the team and organizers only
    permission_map = {"get": visible_only, "post": checked_by_service}

    @extend_schema(
        summary="Qualification decisions of a solution",
        operation_id="v1_solutions_eligibility_list",
        responses={200: _page(EligibilityOutputSerializer), **ERRORS},
    )
    def get(self, request, pk):
        decisions = selectors.eligibility_list_for_solution(self.object)
        return _paginate(self, request, decisions, lambda page: EligibilityOutputSerializer(page, many=True))

    @extend_schema(
        summary="Decide qualification: qualified, disqualified or supplement requested (organizer)",
        request=EligibilityInputSerializer,
        responses={201: EligibilityOutputSerializer, **ERRORS},
    )
    def post(self, request, pk):
        solution = self.object
        data = self.parse(EligibilityInputSerializer)
        decision = services.eligibility_decide(
            actor=request.user,
            solution=solution,
            outcome=data["outcome"],
            reason=data["reason"],
            supplement_deadline=data.get("supplement_deadline"),
        )
        return Response(EligibilityOutputSerializer(decision).data, status=status.HTTP_201_CREATED)


class FileDownloadApi(ScopedAPIView):
    """A solution file as an attachment, after the permission check: streamed from the media
    folder, or a redirect to a short-lived pre-signed URL of the object store (config/storage.py);
    never a public media URL."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    scope = Scope(selectors.file_get_for_user, "pk", user="user")
    permission_map = {"get": visible_only}

    @extend_schema(
        summary="Download a solution file",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERRORS[404]},
    )
    def get(self, request, pk):
        file = self.object
        solution = file.version.solution
        blind = selectors.solution_access_map(request.user, [solution])[solution.pk]["blind"]
        filename = neutral_file_name(file) if blind else file.original_name
        transform = None
        if blind and needs_cleaning(file.content_type):
            # The judge gets a copy without author/company metadata; the stored file is untouched.
            transform = partial(blind_copy, content_type=file.content_type)
        return download_response(file.file.name, filename=filename, content_type=file.content_type, transform=transform)
