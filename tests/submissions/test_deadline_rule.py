"""One deciding rule for every deadline, over the API and the pages: the whole last second is on
time (deadline + 0.999 s accepted), the next one is late (deadline + 1 s refused).

Kinds: the submission deadline, the supplement (补正) deadline, the transfer deadline (the first
round's) and an invitation's expiry; the sweeps that act once a deadline passed
(`expire_supplements`, `end_untransferred`) use the same rule. The objection window is in
tests/results/test_objection_deadline.py.
"""

import datetime as dt

import pytest
from django.urls import reverse

from notifications.models import Notification
from submissions import services
from submissions.enums import SolutionStatus
from submissions.models import Solution, SubmissionReceipt
from submissions.tasks import end_untransferred_task, expire_supplements_task
from tests.factories.contest import UserFactory

from .conftest import AFTER, DEADLINE, PNG, pdf, upload, url

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

ON_TIME = dt.timedelta(milliseconds=999)  # 23:59:59.999
LATE = dt.timedelta(seconds=1)  # 00:00:00.000
BOUNDARY = pytest.mark.parametrize(("offset", "accepted"), [(ON_TIME, True), (LATE, False)], ids=["+0.999s", "+1s"])


@BOUNDARY
def test_submission_deadline_over_api(clock, as_user, solution, captain, offset, accepted):
    client = as_user(captain)
    files = {"proposal": upload("方案书.pdf", pdf()), "commitment": upload("承诺书.png", PNG)}
    assert client.post(url("solution-versions", pk=solution.pk), files, format="multipart").status_code == 201
    clock(DEADLINE + offset)
    response = client.post(url("solution-submit", pk=solution.pk), {"version": 1})
    if accepted:
        assert response.status_code == 201, response.json()
    else:
        assert (response.status_code, response.json()["code"]) == (409, "deadline_passed")
        assert not SubmissionReceipt.objects.exists()


@BOUNDARY
def test_upload_deadline_over_api(clock, as_user, solution, captain, offset, accepted):
    clock(DEADLINE + offset)
    files = {"proposal": upload("方案书.pdf", pdf())}
    response = as_user(captain).post(url("solution-versions", pk=solution.pk), files, format="multipart")
    assert response.status_code == (201 if accepted else 409)


SUPPLEMENT_DUE = AFTER.replace(microsecond=0) + dt.timedelta(days=1)


@pytest.fixture
def supplement_requested(clock, as_user, submitted, organizer):
    clock(AFTER)
    response = as_user(organizer).post(
        url("solution-eligibility", pk=submitted.pk),
        {"outcome": "supplement_requested", "reason": "补正", "supplement_deadline": SUPPLEMENT_DUE.isoformat()},
    )
    assert response.status_code == 201, response.json()
    return submitted


@BOUNDARY
def test_supplement_deadline_over_api(clock, as_user, supplement_requested, captain, offset, accepted):
    clock(SUPPLEMENT_DUE + offset)
    response = as_user(captain).post(
        url("solution-supplement", pk=supplement_requested.pk),
        {"commitment": upload("签字.png", PNG + b"signed")},
        format="multipart",
    )
    if accepted:
        assert response.status_code == 201, response.json()
    else:
        assert (response.status_code, response.json()["code"]) == (409, "supplement_deadline_passed")


@BOUNDARY
def test_expire_supplements_task_uses_the_same_rule(clock, supplement_requested, offset, accepted):
    clock(SUPPLEMENT_DUE + offset)
    assert expire_supplements_task() == (0 if accepted else 1)
    status = Solution.objects.get(pk=supplement_requested.pk).status
    assert status == (SolutionStatus.SUPPLEMENT_REQUESTED if accepted else SolutionStatus.DISQUALIFIED)


@BOUNDARY
def test_a_supplement_deadline_set_in_its_last_second_is_still_accepted(
    clock, as_user, submitted, organizer, offset, accepted
):
    """An organizer may set a supplement deadline whose second is still running, not one gone."""
    clock(AFTER)
    due = AFTER.replace(microsecond=0)
    clock(due + offset)
    response = as_user(organizer).post(
        url("solution-eligibility", pk=submitted.pk),
        {"outcome": "supplement_requested", "reason": "补正", "supplement_deadline": due.isoformat()},
    )
    assert response.status_code == (201 if accepted else 409), response.json()


@pytest.fixture
def pending_transfer(submitted, scenario, organizer):
    services.solutions_on_scenario_withdrawn(scenario=scenario, actor=organizer)
    return submitted


@BOUNDARY
def test_transfer_deadline_over_api(clock, as_user, pending_transfer, other_scenario, captain, offset, accepted):
    clock(DEADLINE + offset)
    response = as_user(captain).post(url("solution-transfer", pk=pending_transfer.pk), {"scenario": other_scenario.pk})
    if accepted:
        assert response.status_code == 200, response.json()
    else:
        assert (response.status_code, response.json()["code"]) == (409, "deadline_passed")


@BOUNDARY
def test_end_untransferred_task_uses_the_same_rule(clock, pending_transfer, offset, accepted):
    clock(DEADLINE + offset)
    assert end_untransferred_task(contest_id=pending_transfer.contest_id) == (0 if accepted else 1)


@BOUNDARY
def test_invitation_expiry_over_api(clock, as_user, team, captain, offset, accepted):
    invitee = UserFactory(email="late@example.com")
    invitation = services.invitation_create(actor=captain, team=team, email=invitee.email)
    clock(invitation.expires_at.replace(microsecond=0) + offset)
    response = as_user(invitee).post(url("invitation-accept"), {"token": invitation.token})
    assert response.status_code == (201 if accepted else 410), response.json()


@BOUNDARY
def test_withdraw_page_state_follows_the_rule(clock, client, submitted, captain, offset, accepted):
    """Before the deadline passed the page offers a plain withdrawal; after it, retirement."""
    client.force_login(captain)
    clock(DEADLINE + offset)
    response = client.get(reverse("solution_withdraw", args=[submitted.pk]))
    assert response.context["after_deadline"] is not accepted


@BOUNDARY
def test_scenario_page_state_follows_the_rule(clock, client, round1, scenario, captain, offset, accepted):
    clock(DEADLINE + offset)
    client.force_login(captain)
    response = client.get(reverse("scenario_detail", args=[scenario.pk]))
    assert response.context["accepting"] is accepted


# --- a transfer is a new submission (item: no carried-over submission time) -----------------


def test_a_transfer_is_a_new_submission_with_its_time_and_a_receipt(
    clock, as_user, pending_transfer, other_scenario, captain, member
):
    first_time = pending_transfer.submitted_at
    moved_at = DEADLINE - dt.timedelta(hours=1)
    clock(moved_at)
    response = as_user(captain).post(url("solution-transfer", pk=pending_transfer.pk), {"scenario": other_scenario.pk})
    assert response.status_code == 200, response.json()
    assert dt.datetime.fromisoformat(response.json()["submitted_at"]) == moved_at != first_time
    receipts = as_user(member).get(url("solution-receipts", pk=pending_transfer.pk)).json()["results"]
    assert len(receipts) == 2
    newest = max(receipts, key=lambda r: r["submitted_at"])
    assert dt.datetime.fromisoformat(newest["submitted_at"]) == moved_at
    assert newest["sha256"] == pending_transfer.final_version.sha256
    notices = Notification.objects.filter(kind="submission_receipt", recipient=captain, channel="in_app")
    assert notices.count() == 2  # the first submission's and the transfer's
    assert Notification.objects.filter(kind="submission_receipt", recipient=member, channel="in_app").count() == 1


def test_a_transfer_to_a_scenario_you_cannot_see_is_a_404(clock, as_user, pending_transfer, track, captain):
    from contest.enums import ScenarioStatus
    from tests.factories.contest import ScenarioFactory

    hidden = ScenarioFactory(track=track, status=ScenarioStatus.DRAFT)
    response = as_user(captain).post(url("solution-transfer", pk=pending_transfer.pk), {"scenario": hidden.pk})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
