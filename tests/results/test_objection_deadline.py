"""The objection window ends by the one deadline rule (contest.clock): its last second is whole.

While objections are still accepted (end + 0.999 s) the final list cannot be confirmed; from
end + 1 s objections are refused and the list may be confirmed. API and page agree.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from contest.enums import Role
from judging.results.services.aggregation import results_aggregate
from judging.results.services.publication import publication_publish
from tests.factories.contest import ContestRoleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

ON_TIME = dt.timedelta(milliseconds=999)
LATE = dt.timedelta(seconds=1)
BOUNDARY = pytest.mark.parametrize(("offset", "accepted"), [(ON_TIME, True), (LATE, False)], ids=["+0.999s", "+1s"])


@pytest.fixture
def window(builder):
    b = builder(aggregation_method="mean", advancement_kind="top_n", advancement_value=1)
    b.org_user = UserFactory()
    ContestRoleFactory(user=b.org_user, contest=b.contest, role=Role.ORGANIZER)
    b.a = [b.scored([90 - i * 5] * 3) for i in range(2)]
    results_aggregate(round_=b.round)
    b.ends = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)  # shown as …:59 to the second
    b.pub = publication_publish(round_=b.round, actor=b.org_user, publicity_ends_at=b.ends)
    b.objector = UserFactory(full_name="李四")
    return b


def _object(client, b):
    return client.post(
        reverse("objection-create", kwargs={"publication_id": b.pub.pk}),
        {
            "solution_id": b.a[0].pk,
            "objector_kind": "individual",
            "reason": "核心技术雷同",
            "real_name": "李四",
            "organization_name": "示例科技有限公司",
            "phone": "021-0000-0001",
        },
        format="multipart",
    )


@BOUNDARY
def test_objection_window_over_api(api_client, window, offset, accepted):
    api_client.force_authenticate(window.objector)
    with time_machine.travel(window.ends + offset, tick=False):
        response = _object(api_client, window)
    if accepted:
        assert response.status_code == 201, response.json()
    else:
        assert (response.status_code, response.json()["code"]) == (409, "objection_window_closed")


@BOUNDARY
def test_confirm_final_waits_for_the_whole_last_second(api_client, window, offset, accepted):
    api_client.force_authenticate(window.org_user)
    with time_machine.travel(window.ends + offset, tick=False):
        response = api_client.post(reverse("results-confirm-final", kwargs={"round_id": window.round.pk}), {})
    if accepted:  # objections are still accepted: confirming now would shut one out
        assert (response.status_code, response.json()["code"]) == (409, "publicity_not_ended")
    else:
        assert response.status_code == 200, response.json()


@BOUNDARY
def test_objection_page_state_follows_the_rule(client, window, offset, accepted):
    client.force_login(window.objector)
    with time_machine.travel(window.ends + offset, tick=False):
        response = client.get(reverse("objection_create", args=[window.pub.pk]))
    assert response.status_code == 200
    assert response.context["window_open"] is accepted
