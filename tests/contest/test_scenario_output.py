"""The scenario output serializer declares its fields: its JSON is pinned to DRF's generic
ModelSerializer rendering of the same model fields (what the API answered before), the same
dict, key order and bytes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from contest.api.serializers import ScenarioOutputSerializer
from contest.enums import ScenarioStatus
from contest.models import Organization, Scenario, Track

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

S = ScenarioStatus


class _TrackBrief(serializers.ModelSerializer):
    class Meta:
        model = Track
        fields = ["id", "name"]


class _OrganizationBrief(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "short_name", "kind"]


class _GenericScenario(serializers.ModelSerializer):
    track = _TrackBrief()
    publisher = _OrganizationBrief()

    class Meta:
        model = Scenario
        fields = [*ScenarioOutputSerializer().fields]


def _generic(scenario):
    return _GenericScenario(scenario).data


def test_the_output_names_the_fields_the_api_answered_before():
    assert list(ScenarioOutputSerializer().fields) == [
        "id",
        "contest",
        "track",
        "publisher",
        "code",
        "title",
        "summary",
        "problem",
        "expected_outcome",
        "conditions",
        "resources",
        "reward",
        "duration_months",
        "max_teams",
        "contact_name",
        "contact_phone",
        "contact_email",
        "status",
        "rejection_reason",
        "withdrawal_requested",
        "withdrawal_reason",
        "published_at",
        "created_at",
        "updated_at",
    ]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_scenario_output_equals_drf_generic_rendering(world, zone):
    full = world.scenario(
        S.WITHDRAWN,
        code="SH-01",
        reward=Decimal("1234567.5"),
        duration_months=6,
        max_teams=3,
        contact_email="a@example.com",
        withdrawal_requested=True,
        withdrawal_reason="调整",
        published_at=timezone.now() - dt.timedelta(days=3),
    )
    sparse = world.scenario(S.DRAFT, reward=Decimal("0"), duration_months=None, max_teams=None, published_at=None)
    loaded = list(Scenario.objects.select_related("track", "publisher").filter(pk__in=[full.pk, sparse.pk]))
    loaded += list(  # as the list and detail load them
        Scenario.objects.select_related("track", "publisher")
        .only(*ScenarioOutputSerializer.COLUMNS)
        .filter(pk__in=[full.pk, sparse.pk])
    )

    with timezone.override(zone):
        for scenario in [full, sparse, *loaded]:  # in-memory instances (enum members) and loaded rows
            fast, generic = ScenarioOutputSerializer(scenario).data, _generic(scenario)
            assert fast == generic
            assert list(fast) == list(generic)
            assert JSONRenderer().render(fast) == JSONRenderer().render(generic)


def test_output_reads_only_the_loaded_columns(world, django_assert_num_queries):
    world.scenario(S.PUBLISHED)
    rows = list(Scenario.objects.select_related("track", "publisher").only(*ScenarioOutputSerializer.COLUMNS))

    with django_assert_num_queries(0):  # a column missing from COLUMNS would load per row
        data = ScenarioOutputSerializer(rows, many=True).data

    assert [row["id"] for row in data] == [row.pk for row in rows]
