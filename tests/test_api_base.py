"""The base of every API view (config/api.py): resolve the URL's object through a selector,
then check the declared rule; and the scoped keys of input serializers."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from config.api import (
    ApplicationError,
    Scope,
    ScopedAPIView,
    ScopedPrimaryKeyListField,
    ScopedPrimaryKeyRelatedField,
    checked_by_service,
    visible_or_404,
)
from contest.models import Track
from tests.factories.contest import ContestFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

ROWS = {1: {"id": 1, "secret": False}, 2: {"id": 2, "secret": True}}


def _row_get(*, row_id):
    return ROWS.get(row_id)


class _DeniedError(ApplicationError):
    code = "denied_here"
    status_code = 403


class RowApi(ScopedAPIView):
    scope = Scope(_row_get, "row_id")
    visible_if = staticmethod(lambda user, row: not row["secret"])
    permission_map = {"get": checked_by_service, "post": lambda user, row: user.is_staff}
    permission_error = _DeniedError

    def get(self, request, row_id):
        return Response(self.object)

    def post(self, request, row_id):
        return Response({"posted": self.object["id"]})


def _call(method, row_id, *, staff=False):
    user = UserFactory(is_staff=staff)
    request = getattr(APIRequestFactory(), method)(f"/rows/{row_id}/", {}, format="json")
    force_authenticate(request, user=user)
    return RowApi.as_view()(request, row_id=row_id)


def test_scoped_view_hands_the_resolved_object_to_the_handler():
    response = _call("get", 1)
    assert (response.status_code, response.data) == (200, {"id": 1, "secret": False})


def test_scoped_view_answers_404_for_an_unknown_or_hidden_object():
    assert _call("get", 3).status_code == 404
    assert _call("get", 2).status_code == 404


def test_scoped_view_refuses_with_the_declared_error():
    response = _call("post", 1)
    assert (response.status_code, response.data["code"]) == (403, "denied_here")
    assert _call("post", 1, staff=True).data == {"posted": 1}


def test_scoped_view_without_a_rule_for_a_handler_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="no rule for delete"):

        class Incomplete(ScopedAPIView):  # noqa: F841
            permission_map = {"get": checked_by_service}

            def get(self, request):
                return Response()

            def delete(self, request):
                return Response()


class _MissingError(ApplicationError):
    code = "missing_here"


class _TrackInput(serializers.Serializer):
    track = ScopedPrimaryKeyRelatedField(
        scope=lambda context: Track.objects.filter(contest=context["contest"]),
        missing=_MissingError,
        extra_key="track",
        required=False,
        allow_null=True,
    )
    tracks = ScopedPrimaryKeyListField(
        scope=lambda context: Track.objects.filter(contest=context["contest"]),
        missing=_MissingError,
        max_length=3,
        required=False,
    )


def _validated(data, contest):
    serializer = _TrackInput(data=data, context={"contest": contest})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def test_scoped_key_resolves_within_the_scope_only():
    contest, other = ContestFactory(), ContestFactory()
    mine, theirs = TrackFactory(contest=contest), TrackFactory(contest=other)
    assert _validated({"track": mine.pk}, contest) == {"track": mine}
    assert _validated({"track": None}, contest) == {"track": None}
    with pytest.raises(_MissingError) as refused:
        _validated({"track": theirs.pk}, contest)
    assert refused.value.extra == {"track": theirs.pk}


def test_scoped_key_keeps_the_integer_checks():
    contest = ContestFactory()
    for bad in ("x", 0, 2**63):
        with pytest.raises(serializers.ValidationError):
            _validated({"track": bad}, contest)


def test_scoped_key_list_resolves_in_one_query(django_assert_num_queries):
    contest, other = ContestFactory(), ContestFactory()
    a, b = TrackFactory(contest=contest), TrackFactory(contest=contest)
    theirs = TrackFactory(contest=other)
    with django_assert_num_queries(1):
        assert _validated({"tracks": [b.pk, a.pk, b.pk]}, contest) == {"tracks": sorted([a, b], key=lambda t: t.pk)}
    with pytest.raises(_MissingError):
        _validated({"tracks": [a.pk, theirs.pk]}, contest)
    with pytest.raises(serializers.ValidationError):
        _validated({"tracks": [a.pk] * 4}, contest)


def test_visible_or_404():
    contest = ContestFactory()
    track = TrackFactory(contest=contest)
    assert visible_or_404(Track.objects.filter(contest=contest), track.pk) == track
    with pytest.raises(Http404):
        visible_or_404(Track.objects.filter(contest=contest).exclude(pk=track.pk), track.pk)
