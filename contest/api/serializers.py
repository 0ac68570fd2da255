"""Input and output serializers of the contest API. Input serializers only parse; the
services decide what is allowed."""

from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from contest.enums import DocumentKind, OrganizationKind, ScenarioStatus
from contest.models import Contest, ContestOrganization, Organization, Round, Scenario, Track
from contest.services import CONTEST_EDITABLE_FIELDS, ROUND_EDITABLE_FIELDS, SCENARIO_EDITABLE_FIELDS

# --- output -------------------------------------------------------------------------------


# The busiest outputs (the public scenario list and detail, which nest the two briefs) are plain
# Serializers with declared fields: a ModelSerializer builds its fields by model introspection on
# every request. tests/contest/test_scenario_output.py pins their JSON to DRF's generic
# ModelSerializer rendering of the same model fields, byte for byte. (Comments, not docstrings:
# a docstring would enter the schema.)
class OrganizationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=50)
    kind = serializers.ChoiceField(choices=OrganizationKind.choices)


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


class TrackBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=100)


class ScenarioOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    contest = serializers.IntegerField(source="contest_id")
    track = TrackBriefSerializer()
    publisher = OrganizationBriefSerializer()
    code = serializers.CharField(max_length=30)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField()
    problem = serializers.CharField()
    expected_outcome = serializers.CharField()
    conditions = serializers.CharField()
    resources = serializers.CharField()
    reward = serializers.DecimalField(max_digits=14, decimal_places=2)
    duration_months = serializers.IntegerField(allow_null=True)
    max_teams = serializers.IntegerField(allow_null=True)
    contact_name = serializers.CharField(max_length=50)
    contact_phone = serializers.CharField(max_length=30)
    contact_email = serializers.EmailField(allow_blank=True, max_length=254)
    status = serializers.ChoiceField(choices=ScenarioStatus.choices)
    rejection_reason = serializers.CharField()
    withdrawal_requested = serializers.BooleanField()
    withdrawal_reason = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


def _columns(serializer: serializers.Serializer, prefix: str = "") -> list[str]:
    """The model columns an output serializer reads, for `QuerySet.only` (nested ones joined)."""
    columns = []
    for field in serializer.fields.values():
        if isinstance(field, serializers.Serializer):
            columns += _columns(field, f"{prefix}{field.source}__")
        else:
            columns.append(prefix + field.source)
    return columns


# The columns the scenario output reads: list and detail load only these.
ScenarioOutputSerializer.COLUMNS = tuple(_columns(ScenarioOutputSerializer()))


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
