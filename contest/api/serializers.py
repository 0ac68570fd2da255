"""Input and output serializers of the contest API. Input serializers only parse; the
services decide what is allowed."""

from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config import output
from contest.enums import DocumentKind
from contest.models import Contest, ContestOrganization, Organization, Round, Scenario, Track
from contest.services import CONTEST_EDITABLE_FIELDS, ROUND_EDITABLE_FIELDS, SCENARIO_EDITABLE_FIELDS

# --- output -------------------------------------------------------------------------------


class OrganizationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "short_name", "kind"]


class ContestOrganizationOutputSerializer(serializers.ModelSerializer):
    organization = OrganizationBriefSerializer()

    class Meta:
        model = ContestOrganization
        fields = ["organization", "role"]


class ContestOutputSerializer(serializers.ModelSerializer):
    organizing = ContestOrganizationOutputSerializer(many=True)

    class Meta:
        model = Contest
        fields = [
            "id",
            "name",
            "name_en",
            "slug",
            "theme",
            "description",
            "time_zone",
            "status",
            "max_team_size",
            "max_co_units",
            "max_entries_per_team",
            "organizing",
        ]


class TrackOutputSerializer(serializers.ModelSerializer):
    host = OrganizationBriefSerializer()
    co_hosts = OrganizationBriefSerializer(many=True)

    class Meta:
        model = Track
        fields = ["id", "contest", "name", "name_en", "description", "host", "co_hosts", "order"]


class RoundOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Round
        fields = ["id", "contest", "status", *ROUND_EDITABLE_FIELDS]


class TrackBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Track
        fields = ["id", "name"]


# The declared fields are the schema; `to_representation` writes the same dict by hand. The
# public scenario list and detail are the busiest reads: building a ModelSerializer's fields by
# model introspection cost about 5 ms a request and DRF's field-by-field walk about 0.3 ms a row.
# Decimals and datetimes go through DRF's own fields, so the text is the same, and
# tests/contest/test_scenario_output.py compares the output with DRF's generic rendering, field for
# field and byte for byte. (A comment, not a docstring: a docstring would enter the schema.)
class ScenarioOutputSerializer(serializers.ModelSerializer):
    track = TrackBriefSerializer()
    publisher = OrganizationBriefSerializer()

    class Meta:
        model = Scenario
        fields = [
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

    # The columns the output reads: list and detail load only these (`QuerySet.only`).
    COLUMNS = (
        *[{"contest": "contest_id"}.get(f, f) for f in Meta.fields if f not in ("track", "publisher")],
        "track__id",
        "track__name",
        "publisher__id",
        "publisher__name",
        "publisher__short_name",
        "publisher__kind",
    )

    def to_representation(self, scenario):
        track, publisher = scenario.track, scenario.publisher
        return {
            "id": scenario.pk,
            "contest": scenario.contest_id,
            "track": {"id": track.pk, "name": output.text(track.name)},
            "publisher": {
                "id": publisher.pk,
                "name": output.text(publisher.name),
                "short_name": output.text(publisher.short_name),
                "kind": output.choice(publisher.kind),
            },
            "code": output.text(scenario.code),
            "title": output.text(scenario.title),
            "summary": output.text(scenario.summary),
            "problem": output.text(scenario.problem),
            "expected_outcome": output.text(scenario.expected_outcome),
            "conditions": output.text(scenario.conditions),
            "resources": output.text(scenario.resources),
            "reward": _decimal(scenario.reward),
            "duration_months": output.integer(scenario.duration_months),
            "max_teams": output.integer(scenario.max_teams),
            "contact_name": output.text(scenario.contact_name),
            "contact_phone": output.text(scenario.contact_phone),
            "contact_email": output.text(scenario.contact_email),
            "status": output.choice(scenario.status),
            "rejection_reason": output.text(scenario.rejection_reason),
            "withdrawal_requested": output.boolean(scenario.withdrawal_requested),
            "withdrawal_reason": output.text(scenario.withdrawal_reason),
            "published_at": output.datetime(scenario.published_at),
            "created_at": output.datetime(scenario.created_at),
            "updated_at": output.datetime(scenario.updated_at),
        }


# DRF's own field formats the reward, so the text matches what a ModelSerializer writes.
_REWARD = serializers.DecimalField(max_digits=14, decimal_places=2)


def _decimal(value):
    return None if value is None else _REWARD.to_representation(value)


# --- input --------------------------------------------------------------------------------


class ScenarioInputSerializer(serializers.ModelSerializer):
    track = serializers.PrimaryKeyRelatedField(queryset=Track.objects.all())

    class Meta:
        model = Scenario
        fields = list(SCENARIO_EDITABLE_FIELDS)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class ContestInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contest
        fields = list(CONTEST_EDITABLE_FIELDS)
        # Uniqueness is the service's job (409 `duplicate`), not a serializer query.
        extra_kwargs = {"slug": {"validators": []}}

    def validate_time_zone(self, value):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise serializers.ValidationError(_("Unknown time zone.")) from exc
        return value


class TrackInputSerializer(serializers.ModelSerializer):
    contest = serializers.PrimaryKeyRelatedField(queryset=Contest.objects.all())
    host = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())

    class Meta:
        model = Track
        fields = ["contest", "name", "name_en", "description", "host", "order"]
        validators = []


def _plain(value: Decimal) -> str:
    """0.3000 -> "0.3": the shortest exact string."""
    return format(value.normalize(), "f")


class CarryOverItemSerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1, help_text="Sequence of an earlier round.")
    weight = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=Decimal("0"), max_value=Decimal("1"))


class RoundInputSerializer(serializers.ModelSerializer):
    contest = serializers.PrimaryKeyRelatedField(queryset=Contest.objects.all())
    required_documents = serializers.ListField(
        child=serializers.ChoiceField(choices=DocumentKind.choices), required=False
    )
    judge_group_weights = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=4, min_value=Decimal("0"), max_value=Decimal("1")),
        required=False,
        help_text='Weight per judge group, summing to 1, e.g. {"soe": "0.3", "expert": "0.7"}.',
    )
    carry_over = CarryOverItemSerializer(many=True, required=False)

    def validate_judge_group_weights(self, value):
        # Stored as JSON: decimals as strings, read back exactly.
        return {str(group): _plain(weight) for group, weight in value.items()}

    def validate_carry_over(self, value):
        return [{"round": item["round"], "weight": _plain(item["weight"])} for item in value]

    class Meta:
        model = Round
        fields = ["contest", *ROUND_EDITABLE_FIELDS]
        validators = []


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
