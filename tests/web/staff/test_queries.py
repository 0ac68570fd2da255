"""The judge and dashboard pages run a fixed number of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contest.enums import RoundStatus
from contest.models import Round
from judging.models import JudgeAssignment
from judging.results.services.aggregation import results_aggregate
from judging.services.scoring import review_submit
from submissions.models import RoundEntry
from tests.factories.judging import JudgeAssignmentFactory
from tests.factories.submissions import SolutionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _add_solutions(staff, count: int) -> None:
    """`count` more solutions in the scored and qualification rounds, each assigned to the judge
    and scored by them."""
    for i in range(count):
        solution = SolutionFactory(contest=staff.contest, scenario=staff.scenario, title=f"追加方案{i}")
        RoundEntry.objects.create(round=staff.round, solution=solution)
        queued = SolutionFactory(contest=staff.contest, scenario=staff.scenario, title=f"待审{i}")
        RoundEntry.objects.create(round=staff.q_round, solution=queued)
        assignment = JudgeAssignmentFactory(round=staff.round, solution=solution, judge=staff.judge)
        review_submit(
            judge=staff.judge,
            assignment_id=assignment.pk,
            scores=[(c.pk, "5") for c in staff.criteria],
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "who, url_name",
    [
        ("judge", "judge_home"),
        ("organizer", "dashboard_round"),
        ("organizer", "dashboard_results"),
        ("organizer", "dashboard_qualification"),
    ],
)
def test_page_queries_do_not_grow_with_rows(client, staff, who, url_name):
    url = (
        reverse(url_name)
        if url_name == "judge_home"
        else reverse(url_name, args=[staff.contest.slug if url_name == "dashboard_qualification" else staff.round.pk])
    )
    client.force_login(getattr(staff, who))
    _add_solutions(staff, 1)
    results_aggregate(round_=staff.round)
    one = _count(client, url)
    Round.objects.filter(pk=staff.round.pk).update(status=RoundStatus.JUDGING)  # aggregation moved it on
    _add_solutions(staff, 3)
    results_aggregate(round_=staff.round)
    assert JudgeAssignment.objects.filter(judge=staff.judge).count() == 5
    assert _count(client, url) == one
