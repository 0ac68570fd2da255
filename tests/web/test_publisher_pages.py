import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contest.enums import ScenarioStatus
from contest.models import Scenario
from submissions.models import SolutionVersion
from tests.factories.submissions import SolutionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def scenario_data(world, **overrides):
    data = {
        "track": world.fin.pk,
        "title": "智能客服知识库",
        "summary": "为网点提供智能问答",
        "problem": "",
        "expected_outcome": "",
        "conditions": "",
        "resources": "",
        "reward": "1500000",
        "duration_months": "6",
        "max_teams": "",
        "contact_name": "钱经理",
        "contact_phone": "",
        "contact_email": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("who, status", [("publisher", 200), ("outsider", 403), ("captain", 403), ("organizer", 403)])
def test_my_scenarios_page_by_role(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(reverse("publisher_scenarios")).status_code == status


def test_my_scenarios_lists_only_my_organization(client, world):
    client.force_login(world.publisher)
    body = client.get(reverse("publisher_scenarios")).content.decode()
    assert "草稿场景" in body and "供应链金融场景服务" in body
    assert "发电机组预测性维护" not in body


def test_create_edit_submit_a_draft(client, world):
    client.force_login(world.publisher)
    response = client.post(reverse("publisher_scenario_create"), scenario_data(world))
    assert response.status_code == 302
    scenario = Scenario.objects.get(title="智能客服知识库")
    assert scenario.publisher == world.bank and scenario.status == ScenarioStatus.DRAFT
    response = client.post(
        reverse("publisher_scenario_edit", args=[scenario.pk]), scenario_data(world, title="智能客服知识库二期")
    )
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.title == "智能客服知识库二期"
    client.post(reverse("publisher_scenario_submit", args=[scenario.pk]))
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.PENDING_REVIEW
    # No longer editable.
    response = client.post(reverse("publisher_scenario_edit", args=[scenario.pk]), scenario_data(world, title="改"))
    scenario.refresh_from_db()
    assert scenario.title == "智能客服知识库二期"


def test_create_errors_shown_next_to_fields(client, world):
    client.force_login(world.publisher)
    response = client.post(reverse("publisher_scenario_create"), scenario_data(world, title="", reward="-1"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_title_error"' in body and 'id="id_reward_error"' in body
    assert not Scenario.objects.filter(title="").exists()


def test_rejection_reason_is_shown(client, world):
    world.s_draft.rejection_reason = "榜额需说明测算依据"
    world.s_draft.save()
    client.force_login(world.publisher)
    assert "榜额需说明测算依据" in client.get(reverse("publisher_scenarios")).content.decode()
    assert (
        "榜额需说明测算依据" in client.get(reverse("publisher_scenario_edit", args=[world.s_draft.pk])).content.decode()
    )


@pytest.mark.parametrize("who, status", [("other_publisher", 404), ("outsider", 404)])
def test_foreign_drafts_are_not_found(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(reverse("publisher_scenario_edit", args=[world.s_draft.pk])).status_code == status


def test_other_publisher_cannot_edit_published_scenario_of_mine(client, world):
    client.force_login(world.other_publisher)
    assert client.get(reverse("publisher_scenario_edit", args=[world.s_fin.pk])).status_code == 403


def test_withdrawal_request_needs_a_reason(client, world):
    client.force_login(world.publisher)
    url = reverse("publisher_scenario_withdraw", args=[world.s_fin.pk])
    response = client.post(url, {"reason": ""})
    assert 'id="id_reason_error"' in response.content.decode()
    client.post(url, {"reason": "业务调整"})
    world.s_fin.refresh_from_db()
    assert world.s_fin.withdrawal_requested and world.s_fin.withdrawal_reason == "业务调整"


def test_solutions_visible_to_publisher_only_after_the_deadline(client, world):
    solution = SolutionFactory(team=world.team, scenario=world.s_fin, title="揭榜方案甲")
    solution.final_version = SolutionVersion.objects.create(
        solution=solution, number=1, title="v1", sha256="0" * 64, created_by=world.captain, created_at=timezone.now()
    )
    solution.save()
    client.force_login(world.publisher)
    url = reverse("publisher_scenario_solutions", args=[world.s_fin.pk])
    assert "揭榜方案甲" not in client.get(url).content.decode()
    world.round1.submission_deadline = timezone.now() - dt.timedelta(minutes=1)
    world.round1.save()
    assert "揭榜方案甲" in client.get(url).content.decode()
