"""Admin pages render and their actions go through services; the audit chain holds; the schema
lists every endpoint."""

import pytest
from django.urls import reverse

from contest.models import AuditEvent
from submissions import services
from submissions.enums import EligibilityOutcome, SolutionStatus
from submissions.models import Solution
from tests.factories.audit import chained_and_verified
from tests.factories.contest import UserFactory

from .conftest import AFTER, full_files

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "team",
        "invitation",
        "solution",
        "solutionversion",
        "submissionreceipt",
        "eligibilitydecision",
        "roundentry",
        "idempotencyrecord",
    ],
)
def test_admin_pages_render_read_only(admin_client, submitted, model):
    changelist = admin_client.get(reverse(f"admin:submissions_{model}_changelist"))
    assert changelist.status_code == 200
    assert admin_client.get(reverse(f"admin:submissions_{model}_add")).status_code == 403


def test_admin_change_page_renders(admin_client, submitted):
    assert admin_client.get(reverse("admin:submissions_solution_change", args=[submitted.pk])).status_code == 200
    assert admin_client.get(reverse("admin:submissions_team_change", args=[submitted.team_id])).status_code == 200


def test_admin_qualify_action_calls_service(admin_client, clock, submitted, round2):
    clock(AFTER)
    response = admin_client.post(
        reverse("admin:submissions_solution_changelist"),
        {"action": "qualify", "_selected_action": [submitted.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Solution.objects.get(pk=submitted.pk).status == SolutionStatus.QUALIFIED
    assert AuditEvent.objects.filter(action="eligibility.decide").exists()


def test_every_state_change_is_audited_and_chain_verifies(clock, submitted, captain, organizer, round2):
    services.solution_version_create(actor=captain, solution=submitted, title="T", uploads=full_files())
    services.solution_withdraw(actor=captain, solution=submitted)
    services.solution_submit(actor=captain, solution=submitted, version_number=2)
    clock(AFTER)
    services.eligibility_decide(actor=organizer, solution=submitted, outcome=EligibilityOutcome.QUALIFIED)
    actions = list(AuditEvent.objects.filter(object_type__startswith="submissions.").values_list("action", flat=True))
    assert actions == [
        "solution.create",
        "solution.version_create",
        "solution.submit",
        "solution.version_create",
        "solution.withdraw",
        "solution.submit",
        "eligibility.decide",
    ]
    assert chained_and_verified().ok


def test_schema_lists_submission_endpoints(client):
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/json").json()
    paths = set(schema["paths"])
    expected = {
        "/api/v1/teams/",
        "/api/v1/teams/{id}/",
        "/api/v1/teams/{id}/members/",
        "/api/v1/teams/{id}/members/{user_id}/",
        "/api/v1/teams/{id}/captain/",
        "/api/v1/teams/{id}/invitations/",
        "/api/v1/teams/{id}/invitations/{invitation_id}/revoke/",
        "/api/v1/invitations/accept/",
        "/api/v1/solutions/",
        "/api/v1/solutions/{id}/",
        "/api/v1/solutions/{id}/versions/",
        "/api/v1/solutions/{id}/submit/",
        "/api/v1/solutions/{id}/withdraw/",
        "/api/v1/solutions/{id}/transfer/",
        "/api/v1/solutions/{id}/receipts/",
        "/api/v1/solutions/{id}/eligibility/",
        "/api/v1/solutions/{id}/supplement/",
        "/api/v1/files/{id}/download/",
    }
    assert expected <= paths, expected - paths
    upload = schema["paths"]["/api/v1/solutions/{id}/versions/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert any(p["name"] == "Idempotency-Key" for p in upload["parameters"])
