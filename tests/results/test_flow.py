"""One walk through the results flow over the API: aggregate → publish → publicity period →
confirm the final list → entries in the next round."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from contest.enums import Role
from submissions.enums import EntryStatus, SolutionStatus
from submissions.models import RoundEntry
from tests.factories.contest import ContestRoleFactory, RoundFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def test_results_flow_over_the_api(builder, api_client, django_capture_on_commit_callbacks):
    b = builder(aggregation_method="trimmed_mean", advancement_kind="top_n", advancement_value=2, sequence=1)
    roadshow = RoundFactory(contest=b.contest, sequence=2)
    organizer = UserFactory()
    ContestRoleFactory(user=organizer, contest=b.contest, role=Role.ORGANIZER)
    solutions = [b.scored([90 - i, 85 - i, 88 - i, 70 - i, 95 - i]) for i in range(4)]
    api_client.force_authenticate(organizer)

    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(f"/api/v1/rounds/{b.round.pk}/aggregate/").status_code == 202
    assert api_client.get(f"/api/v1/rounds/{b.round.pk}/aggregate/status/").json()["state"] == "done"
    with django_capture_on_commit_callbacks(execute=True):
        published = api_client.post(f"/api/v1/rounds/{b.round.pk}/publish/", {}, format="json").json()

    api_client.force_authenticate(None)
    board = api_client.get(f"/api/v1/rounds/{b.round.pk}/leaderboard/").json()
    assert [r["solution_id"] for r in board["rows"]] == [s.pk for s in solutions]
    assert [r["advanced"] for r in board["rows"]] == [True, True, False, False]
    assert board["digest"] == published["digest"]
    call_command("verify_publication", str(b.round.pk))

    api_client.force_authenticate(organizer)
    end = dt.datetime.fromisoformat(published["publicity_ends_at"])
    with time_machine.travel(end + dt.timedelta(minutes=1)):
        confirmed = api_client.post(f"/api/v1/rounds/{b.round.pk}/confirm-final/")
    assert confirmed.status_code == 200 and confirmed.json()["final_confirmed_at"]

    for solution in solutions:
        solution.refresh_from_db()
    assert [s.status for s in solutions] == [SolutionStatus.ADVANCED] * 2 + [SolutionStatus.ELIMINATED] * 2
    assert set(RoundEntry.objects.filter(round=roadshow).values_list("solution_id", flat=True)) == {
        solutions[0].pk,
        solutions[1].pk,
    }
    assert RoundEntry.objects.get(round=b.round, solution=solutions[3]).status == EntryStatus.ELIMINATED
