"""Thin API views of results: parse → fetch (selector; invisible is 404) → check (predicate) →
act (service) → present (output serializer)."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config.api import query_id
from config.storage import download_response
from contest.models import Contest, Round
from contest.selectors import PUBLIC_CONTEST_STATUSES, contest_list_for_user
from judging.errors import NotOrganizerError
from judging.results import permissions as perms
from judging.results import selectors
from judging.results.api.serializers import (
    AdvancementOverrideInputSerializer,
    AggregationStatusOutputSerializer,
    AwardOutputSerializer,
    AwardReissueInputSerializer,
    AwardRevokedOutputSerializer,
    AwardRevokeInputSerializer,
    AwardsConfirmInputSerializer,
    CertificateVerifyOutputSerializer,
    FeedbackOutputSerializer,
    LeaderboardOutputSerializer,
    ObjectionDecideInputSerializer,
    ObjectionInputSerializer,
    ObjectionOutputSerializer,
    PublicationOutputSerializer,
    PublicationVerifyOutputSerializer,
    PublishInputSerializer,
    ResultRowOutputSerializer,
    TieDecisionInputSerializer,
)
from judging.results.services import advancement, aggregation, awards, exports, objections, publication, ranking

ERRORS = {
    400: OpenApiResponse(description="Invalid input (`validation_error` or a domain code)."),
    403: OpenApiResponse(description="Not allowed (`not_authenticated`, `not_organizer`, `anonymous_objection`)."),
    404: OpenApiResponse(description="Not found or not visible to you (e.g. results before publication)."),
    409: OpenApiResponse(description="Conflicting state (`objections_open`, `objection_window_closed`, ...)."),
}


def _parse(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _organizer_round(request, round_id) -> Round:
    round_ = selectors.round_get(round_id=round_id)
    if not perms.can_manage_results(request.user, round_):
        raise NotOrganizerError()
    return round_


class RoundResultsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: ResultRowOutputSerializer(many=True), **ERRORS}, summary="Results table (organizers)"
    )
    def get(self, request, round_id):
        round_ = selectors.round_get(round_id=round_id)
        if not perms.can_view_results(request.user, round_):
            raise Http404
        return Response(ResultRowOutputSerializer(list(exports.results_rows(round_)), many=True).data)


class RoundAggregateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses={202: AggregationStatusOutputSerializer, **ERRORS}, summary="Start aggregation"
    )
    def post(self, request, round_id):
        round_ = _organizer_round(request, round_id)
        aggregation.aggregation_enqueue(round_=round_, actor=request.user)
        return Response(aggregation.aggregation_status_get(round_=round_), status=status.HTTP_202_ACCEPTED)


class RoundAggregateStatusApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AggregationStatusOutputSerializer, **ERRORS}, summary="Aggregation progress")
    def get(self, request, round_id):
        round_ = _organizer_round(request, round_id)
        return Response(AggregationStatusOutputSerializer(aggregation.aggregation_status_get(round_=round_)).data)


class AdvancementOverrideApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=AdvancementOverrideInputSerializer, responses={200: ResultRowOutputSerializer, **ERRORS})
    def post(self, request, round_id):
        round_ = _organizer_round(request, round_id)
        data = _parse(AdvancementOverrideInputSerializer, request.data)
        result = advancement.advancement_override(round_=round_, actor=request.user, **data)
        row = next(r for r in exports.results_rows(round_) if r["solution_id"] == result.solution_id)
        return Response(ResultRowOutputSerializer(row).data)


class TieDecisionApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=TieDecisionInputSerializer, responses={201: ResultRowOutputSerializer(many=True), **ERRORS})
    def post(self, request, round_id):
        round_ = _organizer_round(request, round_id)
        data = _parse(TieDecisionInputSerializer, request.data)
        ranking.tie_decision_record(round_=round_, actor=request.user, **data)
        return Response(
            ResultRowOutputSerializer(list(exports.results_rows(round_)), many=True).data,
            status=status.HTTP_201_CREATED,
        )


class PublishApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=PublishInputSerializer, responses={201: PublicationOutputSerializer, **ERRORS})
    def post(self, request, round_id):
        round_ = _organizer_round(request, round_id)
        data = _parse(PublishInputSerializer, request.data)
        pub = publication.publication_publish(round_=round_, actor=request.user, **data)
        return Response(PublicationOutputSerializer(pub).data, status=status.HTTP_201_CREATED)


class ConfirmFinalApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses={200: PublicationOutputSerializer, **ERRORS}, summary="Confirm the final list"
    )
    def post(self, request, round_id):
        round_ = _organizer_round(request, round_id)
        pub = publication.publication_confirm_final(round_=round_, actor=request.user)
        return Response(PublicationOutputSerializer(pub).data)


class PublicationListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PublicationOutputSerializer(many=True), **ERRORS}, summary="Publications (public)")
    def get(self, request, round_id):
        round_ = selectors.round_get(round_id=round_id)
        return Response(
            PublicationOutputSerializer(
                selectors.publication_list_for_user(user=request.user, round_=round_), many=True
            ).data
        )


class PublicationVerifyApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PublicationVerifyOutputSerializer, **ERRORS}, summary="Recompute a digest")
    def get(self, request, publication_id):
        pub = selectors.publication_get(publication_id=publication_id)
        # Whether unpublished results differ is the organizers' to know (embargo).
        report = publication.publication_verify(
            publication=pub, include_current=perms.can_manage_results(request.user, pub.round)
        )
        return Response(PublicationVerifyOutputSerializer(report).data)


def _require_visible_contest(user, contest: Contest) -> None:
    """A contest that is not published (and not the user's) has no public results: 404.
    A published one costs no query (the contest row came with the round)."""
    if contest.status in PUBLIC_CONTEST_STATUSES:
        return
    if not contest_list_for_user(user=user).filter(pk=contest.pk).exists():
        raise Http404


class LeaderboardApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("track", int, required=False, description="Only this track")],
        responses={200: LeaderboardOutputSerializer, **ERRORS},
        summary="Public leaderboard (after publication)",
    )
    def get(self, request, round_id):
        round_ = selectors.round_get(round_id=round_id)
        _require_visible_contest(request.user, round_.contest)
        track_id = query_id(request, "track")
        board = selectors.leaderboard_for_public(round_=round_, track_id=track_id)
        return Response(LeaderboardOutputSerializer(board).data)


class MyFeedbackApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: FeedbackOutputSerializer(many=True), **ERRORS}, summary="My team's feedback")
    def get(self, request, round_id):
        round_ = selectors.round_get(round_id=round_id)
        return Response(
            FeedbackOutputSerializer(
                selectors.feedback_for_team_member(user=request.user, round_=round_), many=True
            ).data
        )


class ObjectionCreateApi(APIView):
    # Sign-in is checked before the body is parsed: an anonymous upload is never read.
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    body_limit = staticmethod(objections.objection_body_limit)

    @extend_schema(
        request={"multipart/form-data": ObjectionInputSerializer},
        responses={201: ObjectionOutputSerializer, **ERRORS},
        summary="Raise an objection during the publicity period",
    )
    def post(self, request, publication_id):
        pub = selectors.publication_get(publication_id=publication_id)
        data = dict(_parse(ObjectionInputSerializer, request.data))
        evidence = request.FILES.getlist("evidence") if hasattr(request, "FILES") else []
        data.pop("evidence", None)
        objection = objections.objection_create(
            user=request.user,
            publication=pub,
            evidence_files=evidence,
            sealed_letter=data.pop("sealed_letter", None),
            **data,
        )
        return Response(ObjectionOutputSerializer(objection).data, status=status.HTTP_201_CREATED)


class ObjectionListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("contest", int, required=False)],
        responses={200: ObjectionOutputSerializer(many=True), **ERRORS},
        summary="Objections (organizers: all of the contest; others: their own)",
    )
    def get(self, request):
        contest_id = query_id(request, "contest")
        contest = None if contest_id is None else Contest.objects.filter(pk=contest_id).first()
        qs = selectors.objection_list_for_user(user=request.user, contest=contest)
        return Response(ObjectionOutputSerializer(qs, many=True).data)


class ObjectionDecideApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ObjectionDecideInputSerializer, responses={200: ObjectionOutputSerializer, **ERRORS})
    def post(self, request, objection_id):
        objection = selectors.objection_get_for_organizer(user=request.user, objection_id=objection_id)
        if not perms.can_decide_objection(request.user, objection):
            raise NotOrganizerError()
        data = _parse(ObjectionDecideInputSerializer, request.data)
        objection = objections.objection_decide(
            objection=objection,
            actor=request.user,
            uphold=data["decision"] == "uphold",
            response=data["response"],
            publicity_ends_at=data.get("publicity_ends_at"),
        )
        return Response(ObjectionOutputSerializer(objection).data)


class AwardsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: AwardOutputSerializer(many=True), **ERRORS}, summary="Confirmed awards (public)")
    def get(self, request, contest_id):
        contest = Contest.objects.filter(pk=contest_id).first()
        if contest is None:
            raise Http404
        _require_visible_contest(request.user, contest)  # not published (and not yours): 404
        awards_ = list(selectors.award_list_for_public(contest=contest))
        return Response(AwardOutputSerializer(awards_, many=True, context=_pending_context(awards_)).data)


class AwardsConfirmApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=AwardsConfirmInputSerializer, responses={200: AwardOutputSerializer(many=True), **ERRORS})
    def post(self, request, contest_id):
        contest = Contest.objects.filter(pk=contest_id).first()
        if contest is None:
            raise Http404
        if not perms.can_manage_awards(request.user, contest):
            raise NotOrganizerError()
        data = _parse(AwardsConfirmInputSerializer, request.data)
        merit_round = None
        if data.get("merit_round_id"):
            merit_round = Round.objects.filter(pk=data["merit_round_id"], contest=contest).first()
            if merit_round is None:
                raise Http404
        result = awards.awards_confirm(
            contest=contest, actor=request.user, ranges=data.get("ranges"), merit_round=merit_round
        )
        return Response(AwardOutputSerializer(result, many=True, context=_pending_context(result)).data)


def _pending_context(awards_list) -> dict:
    if not awards_list:
        return {"pending": set()}
    return {
        "pending": selectors.objection_pending_solution_ids(
            solution_ids=[a.solution_id for a in awards_list], contest=awards_list[0].contest_id
        )
    }


def _managed_award(request, award_id):
    award = selectors.award_get(award_id=award_id)
    if not perms.can_manage_awards(request.user, award.contest):
        raise NotOrganizerError()
    return award


class AwardRevokeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AwardRevokeInputSerializer,
        responses={200: AwardRevokedOutputSerializer, **ERRORS},
        summary="Revoke a confirmed award (reason required; its code then verifies as revoked)",
    )
    def post(self, request, award_id):
        award = _managed_award(request, award_id)
        data = _parse(AwardRevokeInputSerializer, request.data)
        award = awards.award_revoke(award=award, actor=request.user, reason=data["reason"])
        return Response(AwardRevokedOutputSerializer(award, context=_pending_context([award])).data)


class AwardReissueApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AwardReissueInputSerializer,
        responses={201: CertificateVerifyOutputSerializer, **ERRORS},
        summary="Re-issue a revoked award (new award and certificate code, reason required)",
    )
    def post(self, request, award_id):
        revoked = _managed_award(request, award_id)
        data = _parse(AwardReissueInputSerializer, request.data)
        award = awards.award_reissue(revoked=revoked, actor=request.user, **data)
        return Response(
            CertificateVerifyOutputSerializer(award, context=_pending_context([award])).data,
            status=status.HTTP_201_CREATED,
        )


class CertificateDownloadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS}, summary="Award certificate PDF")
    def get(self, request, award_id):
        award = selectors.award_get(award_id=award_id)
        if not perms.can_download_certificate(request.user, award):
            raise Http404
        return download_response(
            awards.certificate_file(award=award),
            filename=f"certificate-{award.verification_code}.pdf",
            content_type="application/pdf",
        )


class CertificateVerifyApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: CertificateVerifyOutputSerializer, **ERRORS}, summary="Verify a certificate code")
    def get(self, request, code):
        award = selectors.award_get_by_code(code=code)
        return Response(CertificateVerifyOutputSerializer(award, context=_pending_context([award])).data)


class ExportApi(APIView):
    permission_classes = [IsAuthenticated]
    # Exports are expensive and carry every judge's scores: rate "export" in DEFAULT_THROTTLE_RATES.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "export"
    kinds = {
        "results": (exports.RESULT_COLUMNS, exports.results_rows),
        "scores": (exports.SCORE_COLUMNS, exports.score_rows),
        "reviews": (exports.REVIEW_COLUMNS, exports.review_rows),
    }

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, exports.XLSX_TYPE): OpenApiTypes.BINARY,
            **ERRORS,
        },
        summary="Export results, per-judge score sheets or reviews with both comments (organizers)",
    )
    def get(self, request, round_id, kind, fmt):
        round_ = _organizer_round(request, round_id)
        if kind not in self.kinds or fmt not in ("csv", "xlsx"):
            raise Http404
        columns, rows = self.kinds[kind]
        filename = f"round-{round_.pk}-{kind}.{fmt}"
        if fmt == "csv":
            return exports.csv_response(columns=columns, rows=rows(round_), filename=filename)
        return exports.xlsx_response(columns=columns, rows=rows(round_), filename=filename, title=kind)
