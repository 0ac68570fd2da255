"""Thin API views: parse (input serializer) → fetch (selector; invisible is 404) → act
(service, which checks the role and the state) → present (output serializer)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from config.api import ScopedViewMixin, checked_by_service, visible_only, visible_or_404
from contest import selectors, services
from contest.models import Contest, Round, Scenario, Track
from contest.tokens import token_expires_at, token_issue, token_revoke

from .cache import public_page_cache
from .filters import ContestScopedFilter, ScenarioFilter
from .serializers import (
    ContestInputSerializer,
    ContestOutputSerializer,
    ReasonInputSerializer,
    RoundInputSerializer,
    RoundOutputSerializer,
    ScenarioInputSerializer,
    ScenarioOutputSerializer,
    TokenOutputSerializer,
    TrackInputSerializer,
    TrackOutputSerializer,
)

ERRORS = {
    400: OpenApiResponse(description="Invalid input (`validation_error` or a domain code)."),
    403: OpenApiResponse(description="Not allowed (`not_authenticated`, `not_organizer`, `not_publisher`, ...)."),
    404: OpenApiResponse(description="Not found or not visible to you."),
    409: OpenApiResponse(description="Conflicting state (`invalid_transition`, `duplicate`)."),
}


@extend_schema_view(
    post=extend_schema(
        summary="Exchange a username and password for an API token",
        request=AuthTokenSerializer,
        responses={200: TokenOutputSerializer, **ERRORS},
    ),
    delete=extend_schema(
        summary="Revoke your API token",
        request=None,
        responses={204: OpenApiResponse(description="Revoked (or there was none)."), **ERRORS},
    ),
)
class TokenObtainApi(ScopedViewMixin, ObtainAuthToken):
    """`POST`: exchange a username and password for an API token (`Authorization: Token <key>`),
    valid for `AUTH_TOKEN_TTL_HOURS`. `DELETE`: revoke your own token."""

    # The credentials are the rule of `post`; `delete` revokes the caller's own token.
    permission_map = {"post": checked_by_service, "delete": visible_only}

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else []

    def get_throttles(self):
        return [] if self.request.method == "DELETE" else super().get_throttles()

    def post(self, request, *args, **kwargs):
        token = token_issue(user=self.parse(self.serializer_class)["user"])
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    def delete(self, request, *args, **kwargs):
        token_revoke(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Lists and details show what the selector shows the viewer; every write's service checks the
# role itself (and answers its own code: `not_organizer`, `not_publisher`, ...).
READ_WRITE_RULES = {
    "list": visible_only,
    "retrieve": visible_only,
    "create": checked_by_service,
    "partial_update": checked_by_service,
}


class _ReadWriteViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and detail through a selector; create and partial update through services."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    output_serializer_class = None
    input_serializer_class = None

    def get_serializer_class(self):
        return self.output_serializer_class

    def filter_queryset(self, queryset):
        # Filters, search and ordering shape lists. On a single object they change nothing but
        # cost a filter form per request (about a quarter of a scenario detail request).
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _input(self, **kwargs) -> dict:
        return self.parse(self.input_serializer_class, **kwargs)

    def _present(self, obj, *, status_code=status.HTTP_200_OK):
        return Response(
            self.output_serializer_class(obj, context=self.get_serializer_context()).data, status=status_code
        )


@extend_schema_view(
    list=extend_schema(summary="List contests"),
    retrieve=extend_schema(summary="A contest", responses={200: ContestOutputSerializer, **ERRORS}),
)
class ContestViewSet(_ReadWriteViewSet):
    permission_map = READ_WRITE_RULES
    output_serializer_class = ContestOutputSerializer
    input_serializer_class = ContestInputSerializer
    search_fields = ["name", "name_en", "theme"]
    ordering_fields = ["id", "name"]
    queryset = Contest.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contest.objects.none()
        return selectors.contest_list_for_user(user=self.request.user)

    @extend_schema(
        summary="Create a contest (site staff)",
        request=ContestInputSerializer,
        responses={201: ContestOutputSerializer, **ERRORS},
    )
    def create(self, request):
        contest = services.contest_create(actor=request.user, data=self._input())
        return self._present(self.get_queryset().get(pk=contest.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit a contest (organizers)",
        request=ContestInputSerializer,
        responses={200: ContestOutputSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        contest = services.contest_update(actor=request.user, contest=self.get_object(), data=self._input(partial=True))
        return self._present(self.get_queryset().get(pk=contest.pk))


@extend_schema_view(
    list=extend_schema(summary="List tracks"),
    retrieve=extend_schema(summary="A track", responses={200: TrackOutputSerializer, **ERRORS}),
)
class TrackViewSet(_ReadWriteViewSet):
    permission_map = READ_WRITE_RULES
    output_serializer_class = TrackOutputSerializer
    input_serializer_class = TrackInputSerializer
    filterset_class = ContestScopedFilter
    search_fields = ["name", "name_en"]
    ordering_fields = ["order", "id", "name"]
    queryset = Track.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Track.objects.none()
        return selectors.track_list_for_user(user=self.request.user)

    @extend_schema(
        summary="Add a track (organizers)",
        request=TrackInputSerializer,
        responses={201: TrackOutputSerializer, **ERRORS},
    )
    def create(self, request):
        data = self._input()
        contest = visible_or_404(selectors.contest_list_for_user(user=request.user), data.pop("contest").pk)
        track = services.track_create(actor=request.user, contest=contest, data=data)
        return self._present(self.get_queryset().get(pk=track.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit a track (organizers)",
        request=TrackInputSerializer,
        responses={200: TrackOutputSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        data = self._input(partial=True)
        data.pop("contest", None)
        track = services.track_update(actor=request.user, track=self.get_object(), data=data)
        return self._present(self.get_queryset().get(pk=track.pk))


@extend_schema_view(
    list=extend_schema(summary="List rounds"),
    retrieve=extend_schema(summary="A round", responses={200: RoundOutputSerializer, **ERRORS}),
)
class RoundViewSet(_ReadWriteViewSet):
    permission_map = READ_WRITE_RULES
    output_serializer_class = RoundOutputSerializer
    input_serializer_class = RoundInputSerializer
    filterset_class = ContestScopedFilter
    ordering_fields = ["sequence", "id"]
    queryset = Round.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Round.objects.none()
        return selectors.round_list_for_user(user=self.request.user)

    @extend_schema(
        summary="Add a round (organizers)",
        request=RoundInputSerializer,
        responses={201: RoundOutputSerializer, **ERRORS},
    )
    def create(self, request):
        data = self._input()
        contest = visible_or_404(selectors.contest_list_for_user(user=request.user), data.pop("contest").pk)
        round_ = services.round_create(actor=request.user, contest=contest, data=data)
        return self._present(round_, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit a round's settings (organizers)",
        request=RoundInputSerializer,
        responses={200: RoundOutputSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        data = self._input(partial=True)
        data.pop("contest", None)
        round_ = services.round_update(actor=request.user, round_=self.get_object(), data=data)
        return self._present(round_)


def _workflow(summary, request_serializer=None):
    return extend_schema(
        summary=summary, request=request_serializer, responses={200: ScenarioOutputSerializer, **ERRORS}
    )


@extend_schema_view(
    list=extend_schema(summary="List scenarios visible to you"),
    retrieve=extend_schema(summary="A scenario", responses={200: ScenarioOutputSerializer, **ERRORS}),
)
class ScenarioViewSet(_ReadWriteViewSet):
    """Scenarios (榜单). The public sees published, closed and withdrawn ones; publishers also
    their own organization's drafts; organizers every scenario of their contest."""

    output_serializer_class = ScenarioOutputSerializer
    input_serializer_class = ScenarioInputSerializer
    filterset_class = ScenarioFilter
    search_fields = ["title", "summary", "problem"]
    ordering_fields = ["id", "reward", "published_at", "title"]
    queryset = Scenario.objects.none()
    permission_map = {
        **READ_WRITE_RULES,
        **dict.fromkeys(
            ["submit", "approve", "reject", "close", "request_withdrawal", "approve_withdrawal"], checked_by_service
        ),
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Scenario.objects.none()
        qs = selectors.scenario_list_for_user(user=self.request.user)
        if self.action in ("list", "retrieve"):
            # Read-only answers load only what the output shows (the track's description and
            # the organizations' other columns stay in the database).
            qs = qs.only(*ScenarioOutputSerializer.COLUMNS)
        return qs

    # Anonymous JSON answers come from the public read cache (contest/api/cache.py).
    @public_page_cache
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @public_page_cache
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    def _refetch(self, scenario):
        return self.get_queryset().get(pk=scenario.pk)

    @extend_schema(
        summary="Draft a scenario (publishers)",
        request=ScenarioInputSerializer,
        responses={201: ScenarioOutputSerializer, **ERRORS},
    )
    def create(self, request):
        data = self._input()
        track = visible_or_404(selectors.track_list_for_user(user=request.user), data.pop("track").pk)
        scenario = services.scenario_create(actor=request.user, track=track, data=data)
        return self._present(self._refetch(scenario), status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit a draft (its publisher)",
        request=ScenarioInputSerializer,
        responses={200: ScenarioOutputSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        scenario = services.scenario_update(
            actor=request.user, scenario=self.get_object(), data=self._input(partial=True)
        )
        return self._present(self._refetch(scenario))

    @_workflow("Submit a draft for review (its publisher)")
    @action(detail=True, methods=["post"], url_path="submit")
    def submit(self, request, pk=None):
        scenario = services.scenario_submit_for_review(actor=request.user, scenario=self.get_object())
        return self._present(self._refetch(scenario))

    @_workflow("Approve and publish (organizers)")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        scenario = services.scenario_approve(actor=request.user, scenario=self.get_object())
        return self._present(self._refetch(scenario))

    @_workflow("Reject back to draft with a reason (organizers)", ReasonInputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        scenario = self.get_object()
        reason = self._parse_reason()
        scenario = services.scenario_reject(actor=request.user, scenario=scenario, reason=reason)
        return self._present(self._refetch(scenario))

    @_workflow("Close to new takers (organizers)")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        scenario = services.scenario_close(actor=request.user, scenario=self.get_object())
        return self._present(self._refetch(scenario))

    @_workflow("Request withdrawal with a public reason (its publisher)", ReasonInputSerializer)
    @action(detail=True, methods=["post"], url_path="request-withdrawal")
    def request_withdrawal(self, request, pk=None):
        scenario = self.get_object()
        reason = self._parse_reason()
        scenario = services.scenario_withdrawal_request(actor=request.user, scenario=scenario, reason=reason)
        return self._present(self._refetch(scenario))

    @_workflow("Approve a requested withdrawal (organizers)")
    @action(detail=True, methods=["post"], url_path="approve-withdrawal")
    def approve_withdrawal(self, request, pk=None):
        scenario = services.scenario_withdrawal_approve(actor=request.user, scenario=self.get_object())
        return self._present(self._refetch(scenario))

    def _parse_reason(self) -> str:
        return self.parse(ReasonInputSerializer)["reason"]
