"""Input and output serializers, kept apart. No business rules here: services own them."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contest.enums import DocumentKind
from contest.models import Contest, Organization, Scenario
from submissions.enums import EligibilityOutcome
from submissions.models import (
    EligibilityDecision,
    Invitation,
    Solution,
    SolutionFile,
    Team,
    TeamFactChange,
    TeamMembership,
)

# --- inputs ----------------------------------------------------------------------------------


class TeamInputSerializer(serializers.Serializer):
    contest = serializers.PrimaryKeyRelatedField(queryset=Contest.objects.all())
    name = serializers.CharField(max_length=100)
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    co_units = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), many=True, required=False)
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, help_text="Your own organization (单位)."
    )


class TeamUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False)
    co_units = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), many=True, required=False)


class FactChangeInputSerializer(serializers.Serializer):
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False)
    co_units = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), many=True, required=False)
    reason = serializers.CharField(max_length=2000)


class FactChangeDecisionInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000)


class FactChangeOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = TeamFactChange
        fields = [
            "id",
            "team",
            "requested_by",
            "lead_unit",
            "co_units",
            "reason",
            "status",
            "decided_by",
            "decision_reason",
            "decided_at",
            "created_at",
        ]


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField()


class InvitationAcceptInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=100)


class CaptainInputSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="The member who becomes captain.")


class SolutionInputSerializer(serializers.Serializer):
    scenario = serializers.PrimaryKeyRelatedField(queryset=Scenario.objects.all())
    title = serializers.CharField(max_length=200)
    abstract = serializers.CharField(required=False, allow_blank=True, default="")


class VersionUploadInputSerializer(serializers.Serializer):
    """multipart/form-data. Document kinds not uploaded are carried over from the latest version."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    abstract = serializers.CharField(required=False, allow_blank=True)
    proposal = serializers.FileField(required=False, help_text="方案书: PDF or DOCX.")
    commitment = serializers.FileField(required=False, help_text="Signed 承诺书 scan: PDF, PNG or JPEG.")
    license = serializers.FileField(required=False, help_text="Lead unit's business licence: PDF, PNG or JPEG.")
    slides = serializers.FileField(required=False, help_text="路演PPT: PDF or PPTX.")
    attachment = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="Attachments: PDF, DOCX, PPTX, XLSX, ZIP, PNG, JPEG."
    )


class SupplementInputSerializer(VersionUploadInputSerializer):
    """Only attachments may change; title, abstract and proposal, if sent, must be unchanged."""


class SubmitInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version number to submit as final.")


class WithdrawInputSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        default=False, help_text="Required after the deadline: retirement (退赛) is irreversible."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class TransferInputSerializer(serializers.Serializer):
    scenario = serializers.PrimaryKeyRelatedField(queryset=Scenario.objects.all())


class EligibilityInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=EligibilityOutcome.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    supplement_deadline = serializers.DateTimeField(
        required=False, allow_null=True, help_text="For a supplement request; default 48 hours from now."
    )


# --- outputs ---------------------------------------------------------------------------------


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name"]


class TeamOutputSerializer(serializers.ModelSerializer):
    lead_unit = OrganizationRefSerializer()
    co_units = OrganizationRefSerializer(many=True)
    captain = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "contest", "name", "captain", "lead_unit", "co_units", "created_at"]

    @extend_schema_field({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}})
    def get_captain(self, team):
        return {"id": team.captain_id, "name": str(team.captain)}


class MemberOutputSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id")
    name = serializers.SerializerMethodField()
    email = serializers.EmailField(source="user.email")
    organization = OrganizationRefSerializer(allow_null=True)
    role = serializers.CharField(help_text="`captain` or `member`.")

    class Meta:
        model = TeamMembership
        fields = ["user", "name", "email", "role", "organization", "created_at"]

    def get_name(self, membership) -> str:
        return str(membership.user)


class InvitationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "team", "email", "status", "expires_at", "accepted_at", "created_at"]


class MembershipOutputSerializer(serializers.ModelSerializer):
    role = serializers.CharField(help_text="`captain` or `member`.")

    class Meta:
        model = TeamMembership
        fields = ["team", "contest", "user", "role", "organization"]


class SolutionOutputSerializer(serializers.ModelSerializer):
    """Context `access`: {solution id: {"full": bool, "blind": bool}} from selectors.solution_access_map."""

    team = serializers.SerializerMethodField()
    scenario = serializers.SerializerMethodField()
    final_version = serializers.SerializerMethodField()
    status_reason = serializers.SerializerMethodField()

    class Meta:
        model = Solution
        fields = [
            "id",
            "contest",
            "scenario",
            "team",
            "title",
            "abstract",
            "status",
            "status_reason",
            "final_version",
            "submitted_at",
            "version_count",
            "created_at",
        ]

    def _access(self, solution):
        return self.context.get("access", {}).get(solution.pk, {"full": False, "blind": True})

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            "description": "Null when you see the solution only as a judge in a blind round.",
        }
    )
    def get_team(self, solution):
        if self._access(solution)["blind"]:
            return None
        return {"id": solution.team_id, "name": solution.team.name}

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "title": {"type": "string"}, "track": {"type": "integer"}},
        }
    )
    def get_scenario(self, solution):
        return {"id": solution.scenario_id, "title": solution.scenario.title, "track": solution.scenario.track_id}

    @extend_schema_field(OpenApiTypes.INT)
    def get_final_version(self, solution):
        return solution.final_version.number if solution.final_version_id else None

    def get_status_reason(self, solution) -> str:
        return solution.status_reason if self._access(solution)["full"] else ""


# The upload and submit answers are written at every deadline: plain Serializers with declared
# fields (a ModelSerializer builds its fields by model introspection on every request).
# tests/submissions/test_output.py pins their JSON to DRF's generic ModelSerializer rendering of
# the same model fields, byte for byte. (Comments, not docstrings: a docstring would enter the
# schema.)
class FileOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    original_name = serializers.SerializerMethodField()
    content_type = serializers.CharField(max_length=100)
    size = serializers.IntegerField()
    sha256 = serializers.CharField(max_length=64)
    download_url = serializers.SerializerMethodField()

    def get_original_name(self, file) -> str:
        if self.context.get("blind"):
            return neutral_file_name(file)
        return file.original_name

    def get_download_url(self, file) -> str:
        return reverse("submissions-api:file-download", kwargs={"pk": file.pk})


def neutral_file_name(file: SolutionFile) -> str:
    ext = file.original_name.rpartition(".")[2] if "." in file.original_name else "bin"
    return f"solution-{file.version.solution_id}-v{file.version.number}-{file.kind}.{ext}"


class VersionOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    round = serializers.IntegerField(source="round_id", allow_null=True)
    title = serializers.CharField(max_length=200)
    abstract = serializers.CharField()
    sha256 = serializers.CharField(max_length=64)
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    files = FileOutputSerializer(many=True)

    @extend_schema_field(OpenApiTypes.STR)
    def get_created_by(self, version):
        return str(version.created_by) if self.context.get("full") else None


class ReceiptOutputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    solution = serializers.IntegerField(source="solution_id")
    version = serializers.IntegerField(source="version.number")
    sha256 = serializers.CharField(max_length=64)
    round = serializers.IntegerField(source="round_id", allow_null=True)
    submitted_at = serializers.DateTimeField()


class EligibilityOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = EligibilityDecision
        fields = ["id", "solution", "round", "outcome", "reason", "supplement_deadline", "created_at"]
