"""Admin pages for every contest model; scenario actions go through the services; the audit
trail cannot be added, changed or deleted."""

import pytest
from django.urls import reverse

from contest.enums import ScenarioStatus
from contest.models import AuditEvent
from tests.factories.contest import RoundFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

MODELS = ["user", "organization", "contest", "contestrole", "track", "round", "scenario", "auditevent"]


@pytest.fixture
def admin_client(client, world):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    client.superuser = superuser
    return client


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_change_pages_render(admin_client, world, model):
    RoundFactory(contest=world.contest)
    world.scenario(ScenarioStatus.DRAFT)
    from contest.services import track_update

    track_update(actor=world.users["organizer"], track=world.track, data={"order": 2})  # one audit event
    assert admin_client.get(reverse(f"admin:contest_{model}_changelist")).status_code == 200
    from django.apps import apps

    obj = apps.get_model("contest", model).objects.first()
    assert admin_client.get(reverse(f"admin:contest_{model}_change", args=[obj.pk])).status_code == 200


def test_contest_change_page_has_the_organizations_inline(admin_client, world):
    html = admin_client.get(reverse("admin:contest_contest_change", args=[world.contest.pk])).content.decode()
    assert "organizing-TOTAL_FORMS" in html


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("approve_scenarios", ScenarioStatus.PENDING_REVIEW, ScenarioStatus.PUBLISHED),
        ("close_scenarios", ScenarioStatus.PUBLISHED, ScenarioStatus.CLOSED),
    ],
)
def test_scenario_actions_call_the_services(admin_client, world, action, start, end):
    scenario = world.scenario(start)
    response = admin_client.post(
        reverse("admin:contest_scenario_changelist"), {"action": action, "_selected_action": [scenario.pk]}
    )
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.status == end
    assert AuditEvent.objects.filter(object_id=str(scenario.pk), actor=admin_client.superuser).exists()


def test_reject_action_asks_for_the_reason_first(admin_client, world):
    scenario = world.scenario(ScenarioStatus.PENDING_REVIEW)
    url = reverse("admin:contest_scenario_changelist")

    page = admin_client.post(url, {"action": "reject_scenarios", "_selected_action": [scenario.pk]})
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.PENDING_REVIEW

    done = admin_client.post(
        url, {"action": "reject_scenarios", "_selected_action": [scenario.pk], "apply": "1", "reason": "请补充预算"}
    )
    assert done.status_code == 302
    scenario.refresh_from_db()
    assert (scenario.status, scenario.rejection_reason) == (ScenarioStatus.DRAFT, "请补充预算")


def test_a_refused_action_reports_and_changes_nothing(admin_client, world):
    scenario = world.scenario(ScenarioStatus.DRAFT)
    response = admin_client.post(
        reverse("admin:contest_scenario_changelist"),
        {"action": "approve_scenarios", "_selected_action": [scenario.pk]},
        follow=True,
    )
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.DRAFT
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_audit_events_are_read_only(admin_client, world):
    from contest.services import track_update

    track_update(actor=world.users["organizer"], track=world.track, data={"order": 2})
    event = AuditEvent.objects.get()
    assert admin_client.get(reverse("admin:contest_auditevent_add")).status_code == 403
    before = event.hash
    admin_client.post(reverse("admin:contest_auditevent_change", args=[event.pk]), {"action": "x"})
    assert (
        admin_client.post(reverse("admin:contest_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    event.refresh_from_db()
    assert (event.action, event.hash) == ("track.update", before)
